"""Temporal inputs in DMN: typeRefs ``date and time``, ``time``, ``days and time duration``,
``years and months duration`` (and DMN 1.1's ``dateTime``, ``dayTimeDuration``,
``yearMonthDuration``) are the workbook's types; cells are written as the conversion calls
every DMN version reads (``duration("P3M")``); a workbook exported and read back gives the
same results on values on, between and beyond its literals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import clause, decision, dmn, make_workbook, rule, write

import engine
from engine.feel.temporal import YearsMonths
from engine.formats import load
from engine.formats.dmn.export import write_dmn

INPUTS = [("given", "date and time", None, "no"), ("clock", "time", '[@"00:00:00"..@"23:59:59"]', "no"),
          ("since_dose", "days and time duration", None, "no"), ("since_scan", "years and months duration",
                                                                 '>= @"P0M"', "yes")]
RULES = [["R1", '< @"2025-01-15T08:30:00Z"', "-", "-", '>= @"P3M"', '"a"'],
         ["R2", "-", '[time("08:00:00")..time("20:00:00"))', '>= duration("PT12H")', '< @"P3M"', '"b"'],
         ["R3", '@"2025-01-15T08:30:00"', 'not(@"12:00:00")', '< @"PT12H"', "-", '"c"']]
VALUES = {
    "given": [None, dt.datetime(2025, 1, 15, 8, 30), dt.datetime(2025, 1, 15, 8, 30, tzinfo=dt.UTC),
              dt.datetime(2025, 1, 15, 7, tzinfo=dt.UTC), dt.datetime(2025, 1, 16)],
    "clock": [None, dt.time(8), dt.time(12), dt.time(20), dt.time(7, 59)],
    "since_dose": [None, dt.timedelta(hours=12), dt.timedelta(hours=1), dt.timedelta(days=2)],
    "since_scan": [YearsMonths(2), YearsMonths(3), YearsMonths(12)],
}


def test_exported_and_read_back_the_cells_mean_the_same(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, inputs=INPUTS, tables={"t": (
        "C", ["given", "clock", "since_dose", "since_scan", "o"], "iiiio", None, RULES)})
    model = engine.load_workbook(workbook)
    path = tmp_path / "w.dmn"
    write_dmn(model, path)
    text = path.read_text(encoding="utf-8")
    assert 'typeRef="days and time duration"' in text and 'duration("PT12H")' in text
    back = load(path)
    assert {name: back.inputs[name].type for name in VALUES} == {name: kind for name, kind, *_ in INPUTS}
    import itertools

    for combo in itertools.product(*VALUES.values()):
        record = dict(zip(VALUES, combo))
        want, got = engine.evaluate(model, record).row(), engine.evaluate(back, record).row()
        assert got["t.o"] == want["t.o"], record
    assert engine.evaluate(model, {"given": "2025-01-15T07:00:00Z", "since_scan": "P4M"}).row()["t.o"] == ["a"]


@pytest.mark.parametrize("type_ref, kind", [("dateTime", "date and time"), ("date and time", "date and time"),
                                            ("feel:time", "time"), ("dayTimeDuration", "days and time duration"),
                                            ("yearMonthDuration", "years and months duration")])
def test_the_dmn_type_names_are_read(tmp_path: Path, type_ref: str, kind: str) -> None:
    body = (f'<inputData id="i1" name="x"><variable name="x" typeRef="{type_ref}"/></inputData>'
            + decision("d", "D", 'hitPolicy="UNIQUE"', clause("c1", "x"), '<output id="o1" name="y"/>',
                       rule("r1", ["-"], ['"y"'])))
    model = load(write(tmp_path, dmn(body)))
    assert model.inputs["x"].type == kind
