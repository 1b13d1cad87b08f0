"""JSON-lines patient files (``patients.jsonl``, ``.ndjson``): one JSON object per line.

Owns how such a file becomes the table a CSV file gives: one row per non-blank line, one
column per key (in the order the keys first appear), every value as text, so that only the
``Inputs`` types give values a meaning, as for CSV: a text as it is, a number as JSON writes
it, ``true``/``false``, a list or an object as its JSON text (a ``list of ...`` input reads it
back), null and an absent key as a missing value.  An object's keys are columns too, named
with dots (``{"applicant": {"age": 70}}`` gives ``applicant.age`` = ``70``): the components of
a structured input (a line giving one twice, nested and dotted, is a row with its problem).
A line that is not a JSON object stays a row, all its values missing, with its problem (and
line number) in the column ``ROW_PROBLEMS``, which the evaluation reports in ``_errors``; the file is read whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine._core.errors import InputDataError
from engine.evaluation.frame import ROW_PROBLEMS
from engine.files.parquet import check_names

SUFFIXES = (".jsonl", ".ndjson")


def read_json_lines(path: Path, data: bytes | None = None) -> Any:
    """The file at ``path`` (or its bytes, ``data``, read from a pipe) as an Arrow table of texts."""
    import pyarrow as pa

    raw = path.read_bytes() if data is None else data
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise InputDataError(f"{path}: line {line} is not UTF-8 text; a JSON-lines file is written in UTF-8") from None
    columns: dict[str, list[str | None]] = {}
    problems: list[str | None] = []
    rows = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record, problem = _record(line, number)
        for name, value in record.items():
            found = columns.get(name)
            if found is None:
                found = columns[name] = [None] * rows
            found.append(value)
        rows += 1
        if len(record) < len(columns):  # keys this line lacks: missing
            for values in columns.values():
                if len(values) < rows:
                    values.append(None)
        problems.append(problem)
    check_names(path, list(columns), "key {} of the file (in the order keys first appear) is empty; name every "
                "value", "the key {!r} comes twice")
    arrays = {name: pa.array(values, pa.string()) for name, values in columns.items()}
    if any(problems):
        arrays[ROW_PROBLEMS] = pa.array(problems, pa.string())
    return pa.table(arrays) if arrays else pa.table({})


def _record(line: str, number: int) -> tuple[dict[str, str | None], str | None]:
    """One line's values as texts, or no values and why the line cannot be read."""
    try:
        found = _DECODER.decode(line)
    except (ValueError, RecursionError) as error:
        where = f" ({error.msg} at character {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        return {}, f"line {number} is not valid JSON{where}; write one JSON object per line"
    if not isinstance(found, dict):
        return {}, f"line {number} holds {_kind(found)}, not a JSON object; write one object per line, such as " \
                   '{"age": 54, "signs": ["Fever"]}'
    values: dict[str, str | None] = {}
    twice = _flatten(found, "", values)
    if twice:
        return {}, f"line {number} gives {twice} twice (as a nested object and as a dotted key); give it once"
    return values, None


def _flatten(found: dict[Any, Any], prefix: str, values: dict[str, str | None]) -> str | None:
    """Every key of ``found`` as its text, an object's keys also as ``key.inner``; the first
    name given twice, if any."""
    for key, value in found.items():
        name = prefix + str(key)
        if name in values:
            return name
        values[name] = _text(value)
        if isinstance(value, dict):
            twice = _flatten(value, name + ".", values)
            if twice:
                return twice
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def _kind(value: Any) -> str:
    return {list: "a list", str: "a text", bool: "true or false", type(None): "null"}.get(type(value), "a number")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)
