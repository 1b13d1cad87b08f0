"""The population view's counts, against the scalar evaluator (the reference meaning) record by
record: the rules fired, gaps, overlaps, conflicts, records not evaluated, rows with errors
and warnings, and each output's distribution; on the HER2 example (whole, and read in blocks
of a few records) and on random tables and records (hypothesis)."""

from __future__ import annotations

from collections import Counter
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from helpers import EXAMPLE_PATIENTS, EXAMPLE_WORKBOOK, model_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.evaluation import matching
from engine.evaluation.record import format_cell, run_record
from engine.files import pipeline
from engine.formats import load
from engine.review.population import HISTOGRAM_VALUES, Population, population_of_file, population_of_frame


def oracle(model: Any, frame: pd.DataFrame) -> dict[str, Any]:
    """The counts, made record by record from ``run_record``."""
    found: dict[str, Any] = {"records": len(frame), "with_errors": 0, "with_warnings": 0, "tables": {}}
    for table in model.tables:
        found["tables"][table.name] = {"fired": Counter(), "gap": 0, "overlap": 0, "conflict": 0, "not_evaluated": 0,
                                       "values": {name: Counter() for name in table.output_names},
                                       "numbers": {name: [] for name in table.output_names}}
    for i in range(len(frame)):
        record = {c: frame[c].iloc[i] for c in frame.columns}
        record = {k: (None if v == "" else v) for k, v in record.items()}
        result, trace = run_record(model, record)
        found["with_errors"] += bool(result.errors)
        found["with_warnings"] += bool(result.warnings)
        for table in model.tables:
            counts = found["tables"][table.name]
            counts["fired"].update(result.rules[table.name])
            matched = trace.matched[table.name]
            if matched is None:
                counts["not_evaluated"] += 1
            else:
                counts["gap"] += not matched
                counts["overlap"] += len(matched) > 1
                counts["conflict"] += bool(trace.table_errors[table.name])
            for name in table.output_names:
                value = result.outputs[name]
                if table.hit_policy.returns_list:
                    texts = {_text(v) for v in value or [] if v is not None}
                    counts["values"][name].update(texts or {None})
                else:
                    counts["values"][name][_text(value)] += 1
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        counts["numbers"][name].append(float(value))
    return found


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(format_cell(value))


def assert_agrees(population: Population, expected: dict[str, Any]) -> None:
    assert population.records == expected["records"]
    assert population.with_errors == expected["with_errors"]
    assert population.with_warnings == expected["with_warnings"]
    for table in population.tables:
        want = expected["tables"][table.name]
        assert {r.id: r.fired for r in table.rules if r.fired} == dict(want["fired"]), table.name
        got = (table.gap, table.overlap, table.conflict, table.not_evaluated)
        assert got == (want["gap"], want["overlap"], want["conflict"], want["not_evaluated"]), table.name
        for output in table.outputs:
            values = want["values"][output.output]
            assert output.missing == values.get(None, 0), output.output
            if output.bins:
                numbers = want["numbers"][output.output]
                assert len(set(numbers)) > HISTOGRAM_VALUES
                counts, _ = np.histogram(numbers, bins=len(output.bins))
                assert [b.count for b in output.bins] == counts.tolist(), output.output
                assert output.bins[0].low == min(numbers) and output.bins[-1].high == max(numbers)
            else:
                assert dict(output.values) == {k: c for k, c in values.items() if k is not None}, output.output
                assert [c for _, c in output.values] == sorted((c for _, c in output.values), reverse=True)


# ====================================================================== HER2
@pytest.fixture(scope="module")
def her2() -> Any:
    return load(EXAMPLE_WORKBOOK)


@pytest.fixture(scope="module")
def her2_frame() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE_PATIENTS, dtype=str, keep_default_na=False)


def test_the_her2_patients_agree_with_the_scalar_evaluator(her2, her2_frame):
    expected = oracle(her2, her2_frame)
    population = population_of_file(her2, EXAMPLE_PATIENTS)
    assert_agrees(population, expected)
    assert population.source == "her2_patients.csv" and population.model == her2.label
    assert population_of_frame(her2, her2_frame) == population_of_frame(her2, her2_frame)  # frozen, comparable
    assert_agrees(population_of_frame(her2, her2_frame), expected)


def test_the_her2_patients_counted_in_blocks_of_a_few_records_agree(her2, her2_frame):
    """A file is counted block by block (engine.files.pipeline.BLOCK), and a table's matrix in
    blocks of records (MATRIX_CELLS): the sums are those of the whole."""
    with mock.patch.object(pipeline, "BLOCK", 5), mock.patch.object(matching, "MATRIX_CELLS", 7):
        population = population_of_file(her2, EXAMPLE_PATIENTS)
    assert population == population_of_file(her2, EXAMPLE_PATIENTS)
    assert_agrees(population, oracle(her2, her2_frame))


def test_the_her2_counts_checked_by_hand(her2):
    """What the shipped example shows, read off the file: 56 patients, one without a usable
    HER2 status (so every table but none is blocked for it), the dose of the trastuzumab tables
    a histogram over the weights."""
    population = population_of_file(her2, EXAMPLE_PATIENTS)
    assert population.records == 56
    line = population.table("treatment_line")
    assert line.not_evaluated == 1 and line.gap == 0 and line.conflict == 0
    assert sum(r.fired for r in line.rules) + line.errors == 56
    local = population.table("local_therapy")  # PRIORITY: overlaps are decided by the priority of outputs
    assert local.overlap > 0 and local.conflict == 0
    dosing = population.table("dosing")
    assert dosing.outputs[0].bins and not dosing.outputs[0].values
    assert dict(dosing.outputs[2].values) == {"840": 32}
    alerts = population.table("first_line_alerts")  # COLLECT: most patients get no alert
    assert alerts.outputs[0].listed and alerts.gap == alerts.outputs[0].missing - alerts.not_evaluated


# ====================================================================== random tables and records
CELLS = {"number": ["-", "-", "< 3", ">= 2", "[1..4]", "3", "not(3)", "null", "not(null)", "> 0, null"],
         "string": ["-", "-", '"a"', '"a","b"', 'not("a")', "null", "not(null)"]}
VALUES = {"number": ["1", "2", "3", "4", "2.5", "", "x", "-1"], "string": ["a", "b", "c", ""]}
OUTPUTS = {"text": ['"a"', '"b"', "null", "true"], "number": ["1", "2.5", "x0 * 2", "x0 + 1"]}


@st.composite
def cases(draw: Any) -> tuple[Any, pd.DataFrame]:
    kinds = [draw(st.sampled_from(["number", "string"])) for _ in range(draw(st.integers(1, 2)))]
    kinds[0] = "number"  # outputs may compute from x0
    inputs = [(f"x{i}", kind, "[-1..4]" if kind == "number" and draw(st.booleans()) else None,
               "yes" if draw(st.integers(0, 4)) == 0 else "no") for i, kind in enumerate(kinds)]
    policy = draw(st.sampled_from(("U", "A", "P", "F", "R", "O", "C", "C+", "C<", "C>", "C#")))
    numeric = policy in ("C+", "C<", "C>")
    outputs = OUTPUTS["number" if numeric else draw(st.sampled_from(["text", "number"]))]
    rules = [[f"r{r + 1}", *(draw(st.sampled_from(CELLS[k])) for k in kinds), draw(st.sampled_from(outputs))]
             for r in range(draw(st.integers(1, 6)))]
    allowed = [None] * len(kinds) + ['"b","a",null,true' if policy in ("P", "O") and outputs is OUTPUTS["text"]
                                     else ("2.5,1" if policy in ("P", "O") else None)]
    tables = {"t": (policy, [*(f"x{i}" for i in range(len(kinds))), "o"], "i" * len(kinds) + "o", allowed, rules)}
    if draw(st.booleans()) and not policy.startswith("C") and policy not in ("R", "O"):
        tables["down"] = ("U", ["t.o", "y"], "io", None, [["d1", "null", '"none"'], ["d2", "not(null)", '"some"']])
    model = model_for(inputs=inputs, tables=tables)
    n = draw(st.integers(0, 40))
    frame = pd.DataFrame({f"x{i}": draw(st.lists(st.sampled_from(VALUES[k]), min_size=n, max_size=n))
                          for i, k in enumerate(kinds)}, dtype=object)
    return model, frame


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.integers(1, 9))
def test_random_tables_and_records_agree_with_the_scalar_evaluator(case, cells):
    model, frame = case
    expected = oracle(model, frame)
    assert_agrees(population_of_frame(model, frame), expected)
    with mock.patch.object(matching, "MATRIX_CELLS", cells):  # the matrix in blocks of records
        assert_agrees(population_of_frame(model, frame), expected)


def test_a_number_output_with_many_values_is_a_histogram_and_with_few_a_count_per_value():
    model = model_for(inputs=[("x0", "number", None, "no")],
                      tables={"t": ("U", ["x0", "o"], "io", None, [["r1", "-", "x0 * 2"]])})
    many = pd.DataFrame({"x0": [str(v) for v in range(HISTOGRAM_VALUES + 1)] + [""]}, dtype=object)
    output = population_of_frame(model, many).table("t").outputs[0]
    assert not output.values and sum(b.count for b in output.bins) == HISTOGRAM_VALUES + 1 and output.missing == 1
    assert output.bins[0].low == 0 and output.bins[-1].high == 2 * HISTOGRAM_VALUES
    few = pd.DataFrame({"x0": ["1", "1", "2"]}, dtype=object)
    assert population_of_frame(model, few).table("t").outputs[0].values == (("2", 2), ("4", 1))
