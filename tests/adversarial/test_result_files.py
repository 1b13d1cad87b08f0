"""Issue 16, the result files: what is written for what the patient file and the workbook hold.

Classes 7 (a column name that starts like a formula is escaped in the header line as a
data cell is, on every path), 19 (an output text that UTF-8 cannot hold), 20 (JSON has no
NaN or Infinity: null, also inside a list in a CSV cell) and 21 (JSON and Parquet keep formula-looking texts as they are).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.adversarial import FORMULA_NAMES, NAMES, guide, patients
from helpers.workbooks import make_workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.cli.support import EXIT_DATA, EXIT_OK
from engine.evaluation.record import format_cell

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return guide(tmp_path)


def _csv(names: list[str], cells: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([["id", "age", *names], ["p1", "40", *cells]])
    return buffer.getvalue()


# ====================================================================== class 7: header cells
@SETTINGS
@given(names=st.lists(st.one_of(FORMULA_NAMES, NAMES), min_size=1, max_size=4, unique=True).filter(
    lambda ns: not {"id", "age", "hr", "weight"} & set(ns)), chunk=st.sampled_from([None, 1]),
    escape=st.booleans())
def test_a_column_name_is_escaped_as_the_same_text_in_a_data_cell(tmp_path, book, names, chunk, escape):
    """The header line is data too: =HYPERLINK(...) as a column name ran in Excel."""
    path = patients(tmp_path, _csv(names, names), "names.csv")
    options = [*(["--chunk-size", chunk] if chunk else []), *([] if escape else ["--no-escape-formulas"])]
    result = invoke("evaluate", book, path, *options)
    assert result.exit_code == EXIT_OK, result.output
    header, row = list(csv.reader(io.StringIO(result.stdout)))[:2]
    assert header[2:2 + len(names)] == row[2:2 + len(names)]  # each name written as its data cell is
    if not escape:
        assert header[2:2 + len(names)] == names


def test_the_escape_of_a_header_is_the_owasp_one(tmp_path, book):
    path = patients(tmp_path, _csv(['=HYPERLINK("http://x","y")', "@SUM(1)", "-1", "+x", "note"], ["a"] * 5))
    result = invoke("evaluate", book, path)
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header[2:7] == ['\'=HYPERLINK("http://x","y")', "'@SUM(1)", "-1", "'+x", "note"]


def test_dask_writes_column_names_as_they_are(tmp_path, book):
    """Dask writes Parquet, which keeps every text raw (class 21): names included."""
    pytest.importorskip("dask.dataframe")
    import pandas as pd

    from engine.files.scale import read_dataset

    path = patients(tmp_path, _csv(["=cmd"], ["=1+1"]), "d.csv")
    assert list(read_dataset(str(path)).columns)[2] == "=cmd"
    assert pd.read_csv(path, dtype=str).columns[2] == "=cmd"


# ====================================================================== class 21: JSON and Parquet keep texts raw
def test_json_and_parquet_keep_formula_looking_texts_raw(tmp_path, book):
    import pandas as pd

    path = patients(tmp_path, _csv(["=cmd"], ["=1+1"]))
    result = invoke("evaluate", book, path, "--format", "json", "-o", tmp_path / "r.json")
    assert result.exit_code == EXIT_OK
    (row,) = json.loads((tmp_path / "r.json").read_text())
    assert row["=cmd"] == "=1+1"
    assert invoke("evaluate", book, path, "-o", tmp_path / "r.parquet").exit_code == EXIT_OK
    frame = pd.read_parquet(tmp_path / "r.parquet")
    assert frame["=cmd"].tolist() == ["=1+1"]


# ====================================================================== class 20: JSON numbers
@pytest.mark.parametrize("chunk", [None, 1])
def test_json_writes_null_for_nan_and_the_infinities(tmp_path, book, chunk):
    import pandas as pd

    pd.DataFrame({"id": ["a", "b", "c", "d"], "age": ["40"] * 4, "w": [math.nan, math.inf, -math.inf, 1.5],
                  "ws": [[math.inf, 1.0], None, [], [math.nan]]}).to_parquet(tmp_path / "p.parquet")
    result = invoke("evaluate", book, tmp_path / "p.parquet", "--format", "json", "-o", tmp_path / "r.json",
                    *(["--chunk-size", chunk] if chunk else []))
    assert result.exit_code == EXIT_OK, result.output

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON (RFC 8259)")

    out = json.loads((tmp_path / "r.json").read_text(), parse_constant=refuse)
    assert [r["w"] for r in out] == [None, None, None, 1.5]
    assert [r["ws"] for r in out] == [[None, 1.0], None, [], [None]]


def test_format_cell_writes_a_list_as_the_csv_writer_does_null_for_nan_and_the_infinities(tmp_path):
    """The record path's CSV cell (``format_cell``) and the file writer agree on a list with
    NaN or an infinity: JSON's null, never ``Infinity`` (not JSON, RFC 8259)."""
    import pandas as pd

    model = make_workbook(tmp_path, inputs=[("w", "number")], tables={"t": ("C", ["w", "r"], "io", None,
                                                                          [["R1", "-", "w"]])})
    listed = [math.inf, 1.0, -math.inf, math.nan, 2.5]
    pd.DataFrame({"w": [1.0], "ws": [listed]}).to_parquet(tmp_path / "p.parquet")
    result = invoke("evaluate", model, tmp_path / "p.parquet", "-o", tmp_path / "r.csv")
    assert result.exit_code == EXIT_OK, result.output
    (row,) = csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8")))
    assert format_cell(listed) == row["ws"] == "[null, 1, null, null, 2.5]"


# ====================================================================== class 19: a text UTF-8 cannot hold
@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_an_output_text_with_an_unpaired_surrogate_is_one_line(tmp_path, fmt):
    book = guide(tmp_path, "s.xlsx", inputs=[("age", "integer", None, "yes")],
                 tables={"t": ("U", ["age", "o"], "io", None, [["R1", "-", '"\\ud800"']])})
    out = tmp_path / f"r.{fmt}"
    out.write_text("old\n")
    result = invoke("evaluate", book, patients(tmp_path, "age\n4\n"), "-o", out)
    assert result.exit_code == EXIT_DATA, result.output
    assert f"error: {out}: cannot write a result text that holds '\\ud800', an unpaired surrogate" in result.stderr
    assert out.read_text() == "old\n"
