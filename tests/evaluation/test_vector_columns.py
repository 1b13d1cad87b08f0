"""Computed inputs and FEEL output cells over whole columns (``engine.feel.vector_expr``
through ``engine.evaluation.computed`` and ``engine.feel.feel_outputs``) against the record
evaluator, the reference: every result column and every record's errors the same, on random
records with missing and unusable values, zeros, rounding boundaries (8 × 50.475 = 403.8) and
values where floats and decimals disagree (0.1 + 0.2); and the interpreter asked only about
the rows the columns cannot settle."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from helpers import model_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.evaluation import computed
from engine.evaluation.frame import evaluate_frame
from engine.evaluation.record import format_cell

HEADER = ["Name", "Type", "Allowed values", "Required", "Unit", "Code", "Description", "Expression"]
INPUTS = [HEADER,
          ["weight_kg", "number", None, None], ["height_m", "number", None, None],
          ["adjuvant_end", "date", None, None], ["diagnosis", "date", None, None],
          ["bmi", "number", "[10..60]", None, None, None, None, "weight_kg / (height_m ** 2)"],
          ["dose", "integer", None, None, None, None, None, "round half up(8 * weight_kg, 0)"],
          ["half", "integer", None, None, None, None, None, "weight_kg / 2"],
          ["obese", "boolean", None, None, None, None, None, "bmi >= 30"],
          ["months", "number", None, None, None, None, None, "(diagnosis - adjuvant_end).days / 30.4375"],
          ["whole_months", "integer", None, "yes", None, None, None,
           "years and months duration(adjuvant_end, diagnosis).years * 12 + "
           "years and months duration(adjuvant_end, diagnosis).months"],
          ["band", "string", '"obese","normal","under"', None, None, None, None,
           'if bmi >= 30 then "obese" else if bmi < 18.5 then "under" else "normal"'],
          ["review", "date", None, None, None, None, None, "if obese then diagnosis else adjuvant_end"],
          ["summed", "number", None, None, None, None, None, "weight_kg + height_m"]]
TABLE = ("U", ["band", "obese", "pounds", "relapse", "rounded"], "iiooo", None, [
    ["R1", '"obese"', "-", "decimal(weight_kg / 0.45359237, 1)", 'if whole_months < 12 then "early" else "late"',
     "round half up(bmi * 10, 0) / 10"],
    ["R2", '"normal","under"', "-", "weight_kg * 2.20462262", 'if months < 12 then "early" else "late"',
     "decimal(summed, 2)"]])
ECHO = ("U", ["dose", "review", "d", "r"], "iioo", None, [["E1", "-", "-", "dose", "review"]])
HALF = ("U", ["half", "h"], "io", None, [["H1", "-", "half"]])
SUM = ("U", ["summed", "s"], "io", None, [["S1", "-", "summed"]])
MODEL = model_for(inputs=(), tables={"t": TABLE, "u": ECHO, "v": HALF, "w": SUM}, extra={"Inputs": INPUTS})

WEIGHTS = st.one_of(st.sampled_from([None, "heavy", 50.475, 0.1, 70, 95, 0, -3, 1e16, 2.5, 403.8, 120.5]),
                    st.floats(1, 400, allow_nan=False), st.integers(30, 200))
HEIGHTS = st.one_of(st.sampled_from([None, 1.75, 0, 1.7, 0.2, 2.5, "tall", 1.6000000000000001]),
                    st.floats(0.3, 2.5, allow_nan=False))
DATES = st.one_of(st.none(), st.sampled_from(["2021-11-30", "2023-02-14", "2020-02-29", "not a date", "2024-01-31"]),
                  st.dates().map(str))


def records(draws: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(("weight_kg", "height_m", "adjuvant_end", "diagnosis"), d)) for d in draws]


def agree(model: Any, rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(rows[0]), dtype=object)
    result = evaluate_frame(model, frame)
    for i, record in enumerate(rows):
        want = {k: format_cell(v) for k, v in engine.evaluate(model, record).row().items()}
        got = {k: format_cell(result[k].iloc[i]) for k in want}
        assert got == want, record
    return result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(WEIGHTS, HEIGHTS, DATES, DATES), min_size=1, max_size=25))
def test_columns_agree_with_the_records(draws):
    agree(MODEL, records(draws))


def test_boundaries_of_floats_and_decimals():
    rows = records([(50.475, 1.75, "2021-11-30", "2023-02-14"), (0.1, 0.2, "2020-02-29", "2021-02-28"),
                    (95, 1.7, "2024-01-31", "2024-02-29"), (None, 1.7, None, "2023-01-01"), (2.5, 0, "x", "y")])
    result = agree(MODEL, rows)
    assert result["u.d"].tolist()[0:3:2] == [404, 760]  # 8 * 50.475 = 403.8 -> 404 (float64: 403.79999999999995)
    assert result["w.s"].iat[1] == 0.3  # 0.1 + 0.2 as FEEL adds them (float64: 0.30000000000000004)


def test_the_interpreter_is_asked_only_about_rows_the_columns_cannot_settle(monkeypatch):
    asked: list[dict[str, Any]] = []
    original = computed.compute

    def counting(definition, scope, label):
        asked.append(dict(scope))
        return original(definition, scope, label)

    monkeypatch.setattr(computed, "compute", counting)
    rng = np.random.default_rng(5)
    n = 2000
    rows = records(list(zip(rng.integers(40, 150, n).tolist(), (rng.integers(145, 205, n) / 100).tolist(),
                            ["2021-11-30"] * n, ["2023-02-14"] * n)))
    rows[7]["weight_kg"] = 1e16  # a product beyond int64 with FEEL's digits: the interpreter's
    evaluate_frame(MODEL, pd.DataFrame(rows, dtype=object))
    # half = weight / 2 is not whole for odd weights: the interpreter says why, once per weight
    assert asked and all(a.get("weight_kg") is not None for a in asked)
    assert len(asked) < 200
