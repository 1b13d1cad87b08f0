"""Nothing lost: whatever a patient file contains, every data row comes out, in order.

Hypothesis writes CSV files the way hospital systems and Excel exports do (UTF-8 with or
without BOM, cp1252; comma, semicolon or tab; quoted fields with delimiters, quotes and
line breaks inside; blank fields; values that are not numbers or not allowed), and
``dtrun evaluate``'s library path (``engine.pipeline.evaluate_file``) must write exactly
one output row per data row, in the input's order, each bad row with its reason in
``_errors``, whole files and in chunks alike.  The oracle for what a row holds is the
``csv`` module's own reading of the file.  A cp1252 file in which some bytes happen to form
UTF-8 sequences (``Â\xa0`` is C2 A0, a UTF-8 no-break space) is refused instead, naming the
first byte that is not UTF-8 (docs/errors.md): either reading would garble some text.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import model_for
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine._core.errors import InputDataError
from engine.files.pipeline import Options, evaluate_file

MODEL = model_for(
    inputs=[("age", "integer", "[0..120]", "yes"), ("hr_status", "string", '"positive","negative"', "no")],
    tables={"t": ("U", ["age", "hr_status", "plan"], "iio", None,
                  [["R1", "< 18", "-", '"paediatric"'], ["R2", ">= 18", "-", '"adult"']])})

GOOD_AGES = st.integers(0, 120).map(str)
BAD_AGES = st.sampled_from(["", "abc", "-1", "12.5", "1,5", "130", " 7 ", "=1+1", "n/a", "ä"])
STATUSES = st.sampled_from(["positive", "negative", "", "postive", "Positive", "pos;itive", 'neg"ative', "x\ny"])
NOTES = st.text(alphabet=st.characters(codec="cp1252", exclude_characters="\x00\r"), max_size=12)
ROWS = st.lists(st.tuples(st.one_of(GOOD_AGES, BAD_AGES), STATUSES, NOTES), min_size=1, max_size=30)
LAYOUTS = st.tuples(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), st.sampled_from([",", ";", "\t"]))


def _write(path: Path, rows: list[tuple[str, str, str]], encoding: str, delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["row_id", "age", "hr_status", "note"])
    for number, (age, status, note) in enumerate(rows, start=1):
        writer.writerow([f"P{number:03d}", age, status, note])
    path.write_bytes(buffer.getvalue().encode(encoding))


def _read_back(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, layout=LAYOUTS, chunk=st.sampled_from([None, 1, 7]))
@example(rows=[("0", "positive", "-0"), ("1", "negative", "-x")], layout=("utf-8", ","), chunk=None)
@example(rows=[("0", "positive", "ÂŒ")], layout=("cp1252", ","), chunk=None)  # its cp1252 bytes are UTF-8 too
@example(rows=[("0", "positive", "\xa0Â\xa0")], layout=("cp1252", ","), chunk=None)  # partly UTF-8: refused
def test_every_row_comes_out_in_order(tmp_path: Path, rows: list[tuple[str, str, str]], layout: tuple[str, str],
                                      chunk: int | None) -> None:
    encoding, delimiter = layout
    source, target = tmp_path / "patients.csv", tmp_path / "results.csv"
    _write(source, rows, encoding, delimiter)
    target.unlink(missing_ok=True)  # tmp_path is shared by the examples
    if _partly_utf8(source.read_bytes()):
        with pytest.raises(InputDataError, match=r"cannot decode as utf-8: byte [\d,]+ \(line \d+\) is 0x"):
            evaluate_file(MODEL, source, str(target), "csv", Options(chunk_size=chunk))
        assert not target.exists()
        return
    evaluate_file(MODEL, source, str(target), "csv", Options(chunk_size=chunk))
    out = _read_back(target)
    assert list(out["row_id"]) == [f"P{n:03d}" for n in range(1, len(rows) + 1)], "rows lost, added or reordered"
    for (age, status, note), (_, result) in zip(rows, out.iterrows()):
        note = _as_read(note, encoding, source.read_bytes())
        assert result["note"] in (_escaped(note), _escaped(note.strip())), (note, result["note"])
        bad = not _good_age(age) or status.strip() not in ("positive", "negative", "")
        assert bool(result["_errors"]) == bad, (age, status, result["_errors"])
        if not bad:
            assert result["t.plan"] == ("paediatric" if int(age) < 18 else "adult")


def _partly_utf8(data: bytes) -> bool:
    """Not UTF-8 as a whole, yet some bytes decode as UTF-8 characters beyond ASCII."""
    text = data.decode("utf-8", errors="replace")
    return "\ufffd" in text and any(c > "\x7f" and c != "\ufffd" for c in text)


def _as_read(text: str, encoding: str, data: bytes) -> str:
    """A text as dtrun reads it back from a file written in ``encoding``: a file whose bytes
    are all valid UTF-8 is read as UTF-8 (`dtrun evaluate --help`: "UTF-8, else cp1252"), even when
    it was written in cp1252."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return text
    return text.encode(encoding).decode("utf-8-sig" if encoding == "utf-8-sig" else "utf-8")


def _escaped(text: str) -> str:
    """What the CSV output holds for an input text: formulas neutralised (OWASP), except a
    plain number such as -0 or +1.5e3, which a spreadsheet reads as that number."""
    plain = re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not plain else text


def _good_age(text: str) -> bool:
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and value.is_integer() and 0 <= value <= 120


def test_the_oracle_notices_a_lost_row(tmp_path: Path) -> None:
    rows = [("40", "positive", "a"), ("abc", "negative", "b")]
    source, target = tmp_path / "p.csv", tmp_path / "r.csv"
    _write(source, rows, "utf-8", ",")
    evaluate_file(MODEL, source, str(target), "csv")
    out = _read_back(target)
    assert list(out["row_id"]) == ["P001", "P002"] and out["_errors"].astype(bool).tolist() == [False, True]
    truncated = out.iloc[:1]
    assert list(truncated["row_id"]) != [f"P{n:03d}" for n in range(1, len(rows) + 1)]
