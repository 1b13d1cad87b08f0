"""Issue 16, patient values out of range: classes 2 (dates before 1677 or after 2262) and 5
(a number of hundreds or thousands of digits, a whole number beyond 2**53).

Class 2: dates were held in nanoseconds, which end in 1677 and 2262: such a date gave no
result, an empty ``_errors`` and a false "no rule matched"; a date passed through to an
output could not be written to Parquet at all (exit 70).  Class 5: a 400-digit value ended
the run with an OverflowError, a 5,000-digit one with a ValueError (exit 70), and
9007199254740993 was "not a whole number".  Each promise: the row kept, with its result
or its ``_errors``, on every path (whole file, ``--chunk-size``, CSV and Parquet), never 70.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from helpers.workbooks import make_workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.cli import main
from engine.cli.support import EXIT_OK

MAX_INTEGER = 2**53 - 1  # the largest integer input, as docs/errors.md says
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CHUNKS = st.sampled_from([None, 1, 2])
OLD, NEW = '"old"', '"new"'


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args if a is not None])


def chunked(chunk: int | None) -> list[object]:
    return ["--chunk-size", chunk] if chunk else []


def rows(text: str) -> list[dict[str, str]]:
    limit = csv.field_size_limit(1 << 20)  # 5,000-digit fields
    try:
        return list(csv.DictReader(io.StringIO(text)))
    finally:
        csv.field_size_limit(limit)


@pytest.fixture(scope="module")
def dates_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A date input split at 2000-01-01, passed through to an output as well."""
    return make_workbook(tmp_path_factory.mktemp("dates"), "dates.xlsx", inputs=[("d", "date", None, "no")],
                         tables={"t": ("F", ["d", "era", "same"], "ioo", None, [
                             ["r1", '< date("2000-01-01")', OLD, "d"], ["r2", '>= date("2000-01-01")', NEW, "d"]])})


@pytest.fixture(scope="module")
def numbers_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An integer and a number input, each tested and passed through."""
    return make_workbook(tmp_path_factory.mktemp("numbers"), "numbers.xlsx",
                         inputs=[("n", "integer", None, "no"), ("x", "number", None, "no")],
                         tables={"t": ("F", ["n", "x", "big", "nn", "xx"], "iiooo", None, [
                             ["r1", f">= {MAX_INTEGER}", "-", '"top"', "n", "x"],
                             ["r2", "-", "-", '"other"', "n", "x"]])})


# ====================================================================== class 2: dates of any year
DATES = st.lists(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)), min_size=1, max_size=6)


def expected_dates(found: list[dict[str, str]], dates: list[dt.date]) -> None:
    assert [r["t.same"] for r in found] == [d.isoformat() for d in dates]
    assert [r["t.era"] for r in found] == ["old" if d < dt.date(2000, 1, 1) else "new" for d in dates]
    assert {r["_errors"] for r in found} == {r["_warnings"] for r in found} == {""}


@SETTINGS
@given(dates=DATES, chunk=CHUNKS)
def test_dates_of_every_year_evaluate_in_a_csv_file(tmp_path, dates_book, dates, chunk):
    """1500-01-01 matched no rule and said nothing in _errors: 'no rule matched' instead."""
    path = tmp_path / "p.csv"
    path.write_text("d\n" + "".join(f"{d.isoformat()}\n" for d in dates))
    result = invoke("evaluate", dates_book, path, *chunked(chunk))
    assert result.exit_code == EXIT_OK, result.output
    expected_dates(rows(result.stdout), dates)


@SETTINGS
@given(dates=DATES, chunk=CHUNKS, arrow_type=st.sampled_from([pa.date32(), pa.timestamp("us"), pa.timestamp("s")]))
def test_dates_of_every_year_evaluate_in_a_parquet_file(tmp_path, dates_book, dates, chunk, arrow_type):
    """A Parquet date32 column of the year 1 or 9999 went the same way."""
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"d": pa.array(dates, pa.date32()).cast(arrow_type)}), path)
    result = invoke("evaluate", dates_book, path, *chunked(chunk))
    assert result.exit_code == EXIT_OK, result.output
    expected_dates(rows(result.stdout), dates)


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_a_date_result_is_written_in_every_format(tmp_path, dates_book, fmt):
    """A date passed through to an output was typed as a number for Parquet: exit 70."""
    path = tmp_path / "p.csv"
    path.write_text("d\n0001-01-01\n1677-09-21\n2262-04-12\n9999-12-31\n\n")
    out = tmp_path / f"r.{fmt}"
    result = invoke("evaluate", dates_book, path, "-o", out)
    assert result.exit_code == EXIT_OK, result.output
    if fmt == "parquet":
        found = pq.read_table(out).to_pylist()
    elif fmt == "json":
        found = json.loads(out.read_text())
    else:
        found = rows(out.read_text())
    assert [r["t.same"] or None for r in found] == ["0001-01-01", "1677-09-21", "2262-04-12", "9999-12-31", None]
    assert [r["t.era"] for r in found[:4]] == ["old", "old", "new", "new"]


def test_the_record_evaluator_and_evaluate_frame_agree_on_dates_beyond_nanoseconds(dates_book):
    """The record evaluator was right: the frame path now says the same."""
    import pandas as pd

    model = engine.load(dates_book)
    texts = ["1677-09-21", "1677-09-20", "2262-04-11", "2262-04-12", "0001-01-01", "9999-12-31"]
    frame = engine.evaluate_frame(model, pd.DataFrame({"d": texts}, dtype=object))
    assert frame["t.era"].tolist() == [engine.evaluate(model, {"d": t})["t.era"] for t in texts]
    assert frame["t.era"].tolist() == ["old"] * 2 + ["new"] * 2 + ["old", "new"]


# ====================================================================== class 5: huge numbers
def too_large(column: str, message: str, text: str) -> bool:
    shown = text if len(text) <= 40 else f"{text[:20]}...{text[-8:]}"
    return f'{column}: "{shown}"' in message and "is out of range" in message


HUGE = st.builds(lambda sign, first, rest: sign + first + rest, st.sampled_from(["", "-", "+"]),
                 st.sampled_from("123456789"), st.text("0123456789", min_size=309, max_size=6000))
BEYOND_INTEGERS = st.one_of(HUGE, st.integers(MAX_INTEGER + 1, 2**70).map(str), st.integers(-(2**70), -MAX_INTEGER - 1)
                            .map(str), st.sampled_from(["9007199254740993", "1e400", "-1e400", "1e20", "2.5e300"]))


@SETTINGS
@given(n=BEYOND_INTEGERS, x=st.one_of(HUGE, st.sampled_from(["1e400", "-1e309", "1" + "0" * 309])),
       chunk=CHUNKS)
def test_a_number_out_of_range_is_an_error_of_its_row(tmp_path, numbers_book, n, x, chunk):
    """A 400-digit value ended the run (OverflowError), a 5,000-digit one too (ValueError):
    exit 70 and no output at all; now the row is kept, with one error per column."""
    path = tmp_path / "p.csv"
    path.write_text(f"id,n,x\np1,{n},{x}\np2,7,2.5\np3,{MAX_INTEGER},{n}\n")
    result = invoke("evaluate", numbers_book, path, *chunked(chunk))
    assert result.exit_code == EXIT_OK, result.output
    first, second, third = rows(result.stdout)
    assert too_large("n", first["_errors"], n) and too_large("x", first["_errors"], x), first["_errors"]
    assert f"from -{MAX_INTEGER} to {MAX_INTEGER}" in first["_errors"]  # the limit is said
    assert first["t.big"] == "" and "t: not evaluated because n, x has no usable value" in first["_errors"]
    assert (second["t.big"], second["t.nn"], second["_errors"]) == ("other", "7", "")
    finite = abs(float(n)) < float("inf")  # 1e20 is a fine number
    assert third["t.big"] == ("top" if finite else "") and ("x:" in third["_errors"]) == (not finite)


@pytest.mark.parametrize("n", ["9007199254740993", "9007199254740992", "-9007199254740992", "18446744073709551617"])
def test_a_whole_number_beyond_2_53_is_out_of_range_not_a_fraction(numbers_book, n):
    """9007199254740993 was called "not a whole number"."""
    model = engine.load(numbers_book)
    (message, *_) = engine.evaluate(model, {"n": n}).errors
    assert message == (f'n: "{n}" is out of range: an integer input holds whole numbers from -{MAX_INTEGER} to '
                       f"{MAX_INTEGER} (if it is a code or an identifier, declare the input a string)")


@pytest.mark.parametrize("chunk", [None, 1])
def test_integers_up_to_the_limit_are_exact_in_a_parquet_file(tmp_path, numbers_book, chunk):
    """An int64 column beyond 2**53 was rounded to a float by the frame path (the record
    evaluator kept it exact): now each path says it is out of range."""
    path = tmp_path / "p.parquet"
    values = [MAX_INTEGER, MAX_INTEGER - 1, MAX_INTEGER + 2, -(2**63), 2**63 - 1, None]
    pq.write_table(pa.table({"n": pa.array(values, pa.int64()), "x": pa.array([2**63 - 1] * 6, pa.int64())}), path)
    result = invoke("evaluate", numbers_book, path, *chunked(chunk))
    assert result.exit_code == EXIT_OK, result.output
    found = rows(result.stdout)
    assert [r["n"] for r in found] == [str(v) for v in values[:5]] + [""]  # as the file holds them, not as floats
    assert [r["t.big"] for r in found] == ["top", "other", "", "", "", "other"]
    for row, value in zip(found[2:5], values[2:5]):
        assert row["_errors"].startswith(f"n: {value} is out of range: an integer input holds whole numbers"), row
    model = engine.load(numbers_book)
    assert [engine.evaluate(model, {"n": v})["t.big"] for v in values] == ["top", "other", None, None, None, "other"]
