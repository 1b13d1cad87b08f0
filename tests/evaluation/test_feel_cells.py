"""Rule cells in FEEL beyond S-FEEL (``?``, functions) in a workbook: evaluated record by record
and over whole frames (the two agree), lint's ``not-analysed`` finding instead of a claim about
gaps, S-FEEL's hints kept for texts that look like S-FEEL mistakes, ``show`` and the DMN round
trip writing them as written."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from helpers import model_for

import engine
from engine.evaluation.frame import evaluate_frame

INPUTS = [("age", "number", None, "no"), ("name", "string", None, "no"), ("seen", "date", None, "no"),
          ("signs", "list of string", '"Fever","Cough","Rash"', "no"), ("limit", "number", None, "no")]
MODEL = dict(inputs=INPUTS, tables={
    "t": ("C", ["age", "name", "seen", "signs", "limit", "out"], "iiiiio", None, [
        ["R1", "? > 3 and ? < 10", "-", "-", "-", "-", '"between"'],
        ["R2", "odd(?)", "-", "-", "-", "-", '"odd"'],
        ["R3", "-", 'starts with(?, "C")', "-", "-", "-", '"C name"'],
        ["R4", "-", "string length(?) > 3", "-", "-", "-", '"long name"'],
        ["R5", "-", "-", "? < date(\"2025-01-01\")", "-", "-", '"early"'],
        ["R6", "-", "-", "-", 'list contains(?, "Cough")', "-", '"cough"'],
        ["R7", "> abs(-40)", "-", "-", "-", "-", '"over 40"'],
        ["R8", "-", "-", "-", "count(?) >= 2", "-", '"several"'],
        ["R9", "? > limit", "-", "-", "-", "-", '"over limit"'],
        ["R10", "? + 1", "-", "-", "-", "-", '"never: not boolean"'],
        ["R11", "-", "-", "-", "-", ">= 5", '"plain"'],
    ]),
})

RECORDS = [
    {"age": 5, "name": "Cleo", "seen": dt.date(2024, 3, 1), "signs": ["Fever", "Cough"], "limit": 4},
    {"age": 4, "name": "Al", "seen": dt.date(2025, 3, 1), "signs": ["Rash"], "limit": None},
    {"age": 41, "name": None, "seen": None, "signs": None, "limit": 50},
    {"age": None, "name": "Carl", "seen": dt.date(2020, 1, 1), "signs": [], "limit": 1},
]
EXPECTED = [  # worked out by hand from DMN 1.5's meaning of each cell
    ["between", "odd", "C name", "long name", "early", "cough", "several", "over limit"],
    ["between"],  # 4: not odd; Al is short; 2025; no cough; one sign; 4 > null is null
    ["odd", "over 40", "plain"],  # a missing name, date or list gives null: no match
    ["C name", "long name", "early"],  # a missing age matches no test of ?
]


def _outs(result: dict) -> list:
    value = result["t.out"]
    return list(value) if isinstance(value, (list, tuple)) else ([] if value is None else [value])


def test_feel_cells_match_as_dmn_says() -> None:
    model = model_for(**MODEL)
    assert [_outs(engine.evaluate(model, record).row()) for record in RECORDS] == EXPECTED


def test_a_frame_agrees_with_the_records() -> None:
    model = model_for(**MODEL)
    frame = pd.DataFrame({k: [r[k] for r in RECORDS] for k in RECORDS[0]})
    frame["signs"] = [None if s is None else "; ".join(s) for s in frame["signs"]]
    frame["seen"] = [None if d is None else d.isoformat() for d in frame["seen"]]
    result = evaluate_frame(model, frame)
    assert [_outs({"t.out": v}) for v in result["t.out"]] == EXPECTED
