"""A patient file through a whole DMN model on the DRG evaluator (``dtrun evaluate MODEL.dmn``
for a model the table path refuses): one record at a time, on FEEL's reference path.

Owns the conversion of a patient file's text cells into FEEL values by each input data's
typeRef (number, string, boolean, date, date and time, time, durations; a structure from
dotted columns ``applicant.age``; a list or a context from JSON text), and the result
columns: one per decision, a context's entries as ``decision.entry`` columns, a list as JSON
text, and each row's errors in ``_errors`` (each naming its decision or input).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from engine._core.errors import InputDataError
from engine.evaluation.drg import evaluate_drg
from engine.evaluation.input_values import FALSE_WORDS, NUMBER_TEXT, TRUE_WORDS
from engine.feel import semantics, temporal
from engine.model.drg import Drg, ItemDefinition
from engine.model.drg_types import resolve

_NUMBER = re.compile(NUMBER_TEXT)
_PARSERS = {semantics.DATE: temporal.parse_date, semantics.DATETIME: temporal.parse_datetime,
            semantics.TIME: temporal.parse_time, semantics.DT_DURATION: temporal.parse_duration,
            semantics.YM_DURATION: temporal.parse_duration}


@dataclass(frozen=True)
class DrgSummary:
    rows: int
    rows_with_errors: int


def evaluate_drg_file(graph: Drg, patients: str | Path, decisions: Sequence[str] = (),
                      encoding: str | None = None, delimiter: str | None = None,
                      na_values: Sequence[str] = (), sheet: str | None = None) -> tuple[Any, DrgSummary]:
    """The results (a DataFrame: the patient columns, then the decisions', then ``_errors``)
    of every record of ``patients`` through ``graph``; a cell whose text is one of
    ``na_values`` is missing, as on the table path (``--na-values``); ``sheet``: of an Excel
    patient file, the sheet of patients (the first when None)."""
    import pandas as pd

    from engine.files.patients import open_patients

    tables = open_patients(patients, encoding, delimiter, sheet).tables(None, keep_index=True)
    frame = next(iter(tables)).to_pandas()
    names = [n for n in graph.decisions if not decisions or n in decisions]
    missing = [n for n in decisions if n not in graph.decisions]
    if missing:
        raise InputDataError(f"{graph.path}: the model has no decision {missing[0]}; its decisions are "
                             f"{', '.join(graph.decisions)}")
    rows, failed = [], 0
    for record in frame.to_dict("records"):
        inputs, errors = record_inputs(graph, record, frozenset(v for v in na_values if v))
        result = evaluate_drg(graph, inputs, names)
        errors += list(result.errors)
        row = dict(record)
        for name in names:
            row.update(_columns(name, result.values.get(name)))
        row["_errors"] = "; ".join(errors)
        failed += bool(errors)
        rows.append(row)
    columns = list(frame.columns) + [c for c in (rows[0] if rows else {}) if c not in frame.columns]
    return pd.DataFrame(rows, columns=columns or ["_errors"]), DrgSummary(len(rows), failed)


def record_inputs(graph: Drg, record: dict[str, Any],
                  missing: frozenset[str] = frozenset()) -> tuple[dict[str, Any], list[str]]:
    """A record's input data as FEEL values, and the problems of its cells (a text among
    ``missing`` is a missing value)."""
    record = {k: None if isinstance(v, str) and v.strip() in missing else v for k, v in record.items()}
    inputs: dict[str, Any] = {}
    errors: list[str] = []
    for name, data in graph.inputs.items():
        if name in record:
            inputs[name] = _cell(graph, data.type_ref, record[name], name, errors)
            continue
        prefix = f"{name}."
        parts = {k[len(prefix):]: v for k, v in record.items() if isinstance(k, str) and k.startswith(prefix)}
        if parts:
            inputs[name] = _structure(graph, data.type_ref, parts, name, errors)
    return inputs, errors


def _structure(graph: Drg, ref: str, parts: dict[str, Any], name: str, errors: list[str]) -> Any:
    _, item = resolve(graph, ref)
    components = {c.name: c for c in item.components} if isinstance(item, ItemDefinition) else {}
    value = {}
    for key, text in parts.items():
        component = components.get(key)
        value[key] = _cell(graph, component.type_ref if component else "", text, f"{name}.{key}", errors)
    return value


def _cell(graph: Drg, ref: str, text: Any, column: str, errors: list[str]) -> Any:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str):
        return semantics.feel_value(text)
    _, found = resolve(graph, ref)
    kind = found if isinstance(found, str) else ""
    if isinstance(found, ItemDefinition) and (found.collection or found.components):
        kind = "json"
    elif isinstance(found, ItemDefinition):
        _, base = resolve(graph, found.type_ref)
        kind = base if isinstance(base, str) else ""
    text = text.strip()
    try:
        if kind == semantics.NUMBER:  # as the table path reads a number: no NaN, Infinity, 1_000
            if not _NUMBER.fullmatch(text):
                raise ValueError
            return Decimal(text)
        if kind == semantics.BOOLEAN:  # true/false, yes/no, 1/0, as the table path reads them
            if text.lower() not in TRUE_WORDS | FALSE_WORDS:
                raise ValueError
            return text.lower() in TRUE_WORDS
        if kind in _PARSERS:
            value = _PARSERS[kind](text)
            if value is None:
                raise ValueError
            return value
        if kind in ("json", semantics.LIST, semantics.CONTEXT):
            return semantics.feel_value(json.loads(text, parse_float=Decimal, parse_int=Decimal))
    except (ValueError, InvalidOperation, temporal.Unsupported):
        errors.append(f"column {column}: {text!r} is not a {ref or kind}; write e.g. "
                      f"{_EXAMPLES.get(kind, 'a JSON list or object')}")
        return None
    return text


_EXAMPLES = {semantics.NUMBER: "42 or 1.5", semantics.BOOLEAN: "true or false (or yes/no, 1/0)",
             semantics.DATE: "2025-01-15", semantics.DATETIME: "2025-01-15T10:30:00", semantics.TIME: "10:30:00",
             semantics.DT_DURATION: "P1DT2H", semantics.YM_DURATION: "P1Y2M"}


def _columns(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {f"{name}.{key}": _text(item) for key, item in value.items()}
    return {name: _text(value)}


def _text(value: Any) -> Any:
    """A FEEL value as a result cell: numbers, texts, booleans and null as they are; dates,
    times and durations as their FEEL text; lists and contexts as JSON."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Decimal):  # its decimal text (a column of numbers and nulls stays exact)
        return _number_text(value)
    if isinstance(value, (dt.date, dt.time, dt.timedelta, temporal.YearsMonths)):
        return temporal.to_text(value)
    if isinstance(value, (list, dict)):
        return json.dumps(_json(value), ensure_ascii=False)
    return semantics.to_text(value)


def _number_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _json(value: Any) -> Any:
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return _text(value)
