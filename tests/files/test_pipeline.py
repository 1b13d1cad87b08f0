"""File-to-file evaluation: chunking changes nothing, formulas are neutralised, nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import ROOT

import engine
from engine import load_workbook
from engine.cli import main
from engine.files.pipeline import Options, evaluate_file

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
PATIENTS = ROOT / "decision_tables" / "examples" / "her2_patients.csv"


@pytest.fixture(scope="module")
def model():
    return load_workbook(WORKBOOK)


@pytest.mark.parametrize("chunk_size", [1, 7, 55, 56, 1000])
@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_chunked_output_equals_whole_file_output(model, tmp_path: Path, chunk_size: int, fmt: str) -> None:
    whole, chunked = tmp_path / f"whole.{fmt}", tmp_path / f"chunked.{fmt}"
    evaluate_file(model, PATIENTS, str(whole), fmt, Options(explain=True))
    summary = evaluate_file(model, PATIENTS, str(chunked), fmt, Options(explain=True, chunk_size=chunk_size))
    assert summary.rows == 56 and summary.rows_with_errors == 4
    if fmt == "parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(whole), pd.read_parquet(chunked))
    else:
        assert whole.read_bytes() == chunked.read_bytes()


def test_json_output_is_one_array_of_row_objects(model, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    evaluate_file(model, PATIENTS, str(out), "json", Options(chunk_size=10))
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [r["patient_id"] for r in rows] == pd.read_csv(PATIENTS, dtype=str)["patient_id"].tolist()
    assert all(isinstance(r["first_line_alerts.alert"], list) for r in rows if not r["_errors"])


def test_a_header_only_file_gives_a_header_only_result(model, tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text(PATIENTS.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    for chunk_size in (None, 5):
        out = tmp_path / f"r{chunk_size}.csv"
        summary = evaluate_file(model, source, str(out), "csv", Options(chunk_size=chunk_size))
        assert summary.rows == 0
        header = out.read_text(encoding="utf-8").splitlines()
        assert len(header) == 1 and "first_line_regimen.regimen" in header[0]


def test_texts_a_spreadsheet_would_run_are_neutralised(model, tmp_path: Path) -> None:
    frame = pd.read_csv(PATIENTS, dtype=str, keep_default_na=False)
    frame.loc[0, "patient_id"] = "=HYPERLINK(\"http://x\")"
    frame.loc[1, "patient_id"] = "@SUM(A1)"
    frame.loc[2, "patient_id"] = "-1"  # a plain number stays as it is
    source = tmp_path / "p.csv"
    frame.to_csv(source, index=False)
    out, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    evaluate_file(model, source, str(out), "csv")
    evaluate_file(model, source, str(raw), "csv", Options(escape_formulas=False))
    safe_ids = pd.read_csv(out, dtype=str, keep_default_na=False)["patient_id"].tolist()
    raw_ids = pd.read_csv(raw, dtype=str, keep_default_na=False)["patient_id"].tolist()
    assert safe_ids[:3] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "-1"]
    assert raw_ids[:3] == ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "-1"]
    assert safe_ids[3:] == raw_ids[3:]


def test_cli_chunk_size_and_no_escape_flag(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(main, ["evaluate", str(WORKBOOK), str(PATIENTS), "-o", str(out),
                                       "--chunk-size", "5", "--no-escape-formulas"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out, dtype=str)) == 56
    bad = CliRunner().invoke(main, ["evaluate", str(WORKBOOK), str(PATIENTS), "--chunk-size", "0"])
    assert bad.exit_code == 2


def test_a_failure_in_a_later_chunk_leaves_no_partial_file(model, tmp_path: Path, monkeypatch) -> None:
    from engine.evaluation import frame as batch

    out = tmp_path / "r.csv"
    out.write_text("earlier results\n")
    calls = []
    real = batch.evaluate_columns

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "evaluate_columns", failing)
    with pytest.raises(RuntimeError):
        evaluate_file(model, PATIENTS, str(out), "csv", Options(chunk_size=10))
    assert out.read_text() == "earlier results\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_a_failure_while_writing_leaves_no_partial_file(model, tmp_path: Path, monkeypatch, fmt: str) -> None:
    from helpers import Unwritable

    from engine.evaluation import frame as batch

    real = batch.evaluate_columns
    monkeypatch.setattr(batch, "evaluate_columns", lambda model, source, n, *rest: {
        **real(model, source, n, *rest), "extra": pd.Series([Unwritable()] * n, dtype=object)})
    out = tmp_path / f"r.{fmt}"
    out.write_text("earlier results\n")
    with pytest.raises(Exception):
        evaluate_file(model, PATIENTS, str(out), fmt)
    assert out.read_text() == "earlier results\n"
    assert [p.name for p in tmp_path.iterdir()] == [f"r.{fmt}"]


@pytest.mark.parametrize("block", [1, 5, 56, 1 << 18])
@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_blocks_of_the_writer_thread_change_nothing(model, tmp_path: Path, monkeypatch, block: int, fmt: str) -> None:
    """The file read whole is evaluated in blocks, each written while the next is evaluated;
    the oracle is evaluate_frame on the whole file, written in one piece."""
    from engine.files import pipeline
    from engine.files.patients import read_patients
    from engine.files.results import write_results

    expected, actual = tmp_path / f"expected.{fmt}", tmp_path / f"actual.{fmt}"
    frame = engine.evaluate_frame(model, read_patients(PATIENTS), explain=True)
    if fmt == "parquet":
        from engine.files.results import ResultWriter, result_types

        with ResultWriter(str(expected), fmt, types=result_types(model, list(model.tables))) as writer:
            writer.write(frame)
    else:
        write_results(frame, str(expected), fmt)
    monkeypatch.setattr(pipeline, "BLOCK", block)
    summary = evaluate_file(model, PATIENTS, str(actual), fmt, Options(explain=True))
    assert summary.rows == 56 and summary.rows_with_errors == int((frame["_errors"] != "").sum())
    if fmt == "parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(expected), pd.read_parquet(actual))
    else:
        assert expected.read_bytes() == actual.read_bytes()


@pytest.mark.parametrize("chunk_size", [None, 3])
def test_a_quoted_field_may_hold_a_line_break(model, tmp_path: Path, chunk_size: int | None) -> None:
    """Files without any quote are parsed without looking for line breaks in fields; one
    quote anywhere switches that on."""
    frame = pd.read_csv(PATIENTS, dtype=str, keep_default_na=False)
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    frame.to_csv(plain, index=False)
    assert '"' not in plain.read_text(encoding="utf-8")
    frame.loc[4, "patient_id"] = "two\nlines"
    frame.to_csv(quoted, index=False)
    for source in (plain, quoted):
        out = tmp_path / f"r_{source.name}"
        summary = evaluate_file(model, source, str(out), "csv", Options(chunk_size=chunk_size))
        assert summary.rows == 56
    got = pd.read_csv(tmp_path / "r_quoted.csv", dtype=str, keep_default_na=False)
    assert got["patient_id"].iloc[4] == "two\nlines"
    want = pd.read_csv(tmp_path / "r_plain.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got.drop(columns="patient_id"), want.drop(columns="patient_id"))


def test_a_file_read_in_the_background_gives_the_same_results(model, tmp_path: Path) -> None:
    """A Reading started before the workbook was loaded (as dtrun evaluate does) changes nothing."""
    from engine.files.pipeline import Reading

    direct, early = tmp_path / "direct.csv", tmp_path / "early.csv"
    evaluate_file(model, PATIENTS, str(direct), "csv")
    evaluate_file(model, PATIENTS, str(early), "csv", reading=Reading(PATIENTS, Options()))
    assert direct.read_bytes() == early.read_bytes()


@pytest.mark.parametrize("content, expected", [(None, "file not found"), (b"", "the file is empty"),
                                               (b"a,b\n1,2,3\n", "line 2 has 3 fields")])
def test_a_file_that_cannot_be_read_in_the_background_is_refused_when_evaluated(model, tmp_path: Path, content,
                                                                             expected: str) -> None:
    from engine._core.errors import InputDataError
    from engine.files.pipeline import Reading

    patients = tmp_path / "p.csv"
    if content is not None:
        patients.write_bytes(content)
    reading = Reading(patients, Options())  # the error is kept, not raised on the reading thread
    with pytest.raises(InputDataError, match=expected):
        evaluate_file(model, patients, str(tmp_path / "out.csv"), "csv", reading=reading)
    assert not (tmp_path / "out.csv").exists()


def test_a_broken_workbook_is_reported_without_waiting_for_the_patient_file(tmp_path: Path, monkeypatch) -> None:
    """The background read must not hold up (or replace) the workbook's exit status 3."""
    import threading

    from engine.files import pipeline

    release, waited_out = threading.Event(), threading.Event()

    def stuck(*args, **kwargs):  # a read that ends only when the test ends (or after 10 s)
        if not release.wait(10):
            waited_out.set()
        raise AssertionError("the patient file should not have been needed")

    monkeypatch.setattr(pipeline, "open_patients", stuck)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    try:
        result = CliRunner().invoke(main, ["evaluate", str(broken), str(PATIENTS), "-o", str(tmp_path / "o.csv")])
    finally:
        release.set()
    assert result.exit_code == 3, result.output
    assert not waited_out.is_set()  # the command ended while the read was still going
    assert not (tmp_path / "o.csv").exists()


def test_a_reading_of_another_file_is_refused(model, tmp_path: Path) -> None:
    """Messages name ``patients``: evaluating what a Reading of another file read would mislead."""
    from engine.files.pipeline import Reading

    other = tmp_path / "other.csv"
    other.write_bytes(PATIENTS.read_bytes())
    with pytest.raises(ValueError, match="is not reading"):
        evaluate_file(model, PATIENTS, str(tmp_path / "out.csv"), "csv", reading=Reading(other, Options()))


@pytest.mark.parametrize("chunk_size", [None, 1])
def test_a_missing_required_value_in_parquet_names_its_input(tmp_path: Path, chunk_size: int | None) -> None:
    """A Parquet null (not an empty text) in a required input was reported as 'a value is
    required' without the input's name; the record evaluator names it."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from helpers import model_for

    model = model_for(inputs=[("age", "integer", None, "yes")],
                      tables={"t": ("U", ["age", "out"], "io", None, [["R1", "-", '"x"']])})
    source, target = tmp_path / "p.parquet", tmp_path / "r.json"
    pq.write_table(pa.table({"age": pa.array(["5", None])}), source)
    evaluate_file(model, source, str(target), "json", Options(chunk_size=chunk_size))
    rows = json.loads(target.read_text(encoding="utf-8"))
    reference = engine.evaluate(model, {"age": None})
    assert rows[1]["_errors"].split("; ")[0] == reference.errors[0] == "age: a value is required"
    assert rows[0]["_errors"] == ""
