"""The three WHO immunization DAK ``.dmn`` files (../shared/dak/immz): read from the pseudo-code of
each entry's description, linted, converted, and evaluated on patients written here, with the
results worked out by hand from the tables' text (the rule's plain-language text is its Care Plan).
Skipped when ../shared/dak is absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.dak import IMMZ

from engine.analysis.lint import lint_workbook
from engine.evaluation.record import evaluate_record
from engine.formats import convert, kind_of, load

pytestmark = pytest.mark.skipif(not IMMZ.is_dir(), reason="../shared/dak/immz (WHO DAK material) is not here")

MEASLES = IMMZ / "DAK.DT.IMMZ.D2.DT.Measles.Ongoingtransmission.dmn"
BCG = IMMZ / "DAK.DT.IMMZ.D2.DT.BCG.dmn"
CONTRA = IMMZ / "DAK.DT.IMMZ.D5.DT.Measlescontraindications.dmn"

NOT_MCV1 = "Client is not due for first dose of measles-containing vaccine (MCV1)"
NOT_MCV2 = "Client is not due for second dose of measles-containing vaccine (MCV2)"
# (age in months, MCV doses given, weeks since a live vaccine) → Care Plan, by hand from the rules:
# R1 age < 9 months; R2 age ≥ 9, 0 doses, ≥ 4 weeks; R3 age ≥ 9, 0 doses, < 4 weeks; R4 age < 15, 1 dose;
# R5 age ≥ 15, 1 dose, ≥ 4 weeks; R6 age ≥ 15, 1 dose, < 4 weeks; R7 2 doses.
MEASLES_PATIENTS = [
    ((6, 0, 10), [NOT_MCV1]),
    ((10, 0, 6), ["Client is due for MCV1"]),
    ((10, 0, 2), ["Client is not due for MCV1"]),
    ((12, 1, 10), [NOT_MCV2]),
    ((16, 1, 5), ["Client is due for MCV2"]),
    ((16, 1, 1), ["Client is not due for MCV2"]),
    ((20, 2, 1), ["Measles primary series is complete"]),
    ((6, 1, 10), [NOT_MCV1, NOT_MCV2]),  # under 9 months with one dose: R1 and R4 both match
]


def _care_plan(model, record: dict) -> list:  # type: ignore[no-untyped-def]
    result = evaluate_record(model, record)
    table = model.tables[0]
    return result.outputs[f"{table.name}.{table.outputs[0].name}"]  # Care Plan, the first output


def test_the_files_are_read_as_dak_dmn() -> None:
    assert {kind_of(p) for p in (MEASLES, BCG, CONTRA)} == {"dak-dmn"}


@pytest.mark.parametrize(("values", "expected"), MEASLES_PATIENTS)
def test_measles_ongoing_transmission(values: tuple[int, int, int], expected: list[str]) -> None:
    model = load(MEASLES)
    age, doses, weeks = values
    assert _care_plan(model, {"Clients_age": age, "Number_of_MCV_primary_series_doses_administered": doses,
                              "Time_passed_since_a_live_vaccine_was_administered": weeks}) == expected


def test_measles_lint_reports_the_overlaps_of_r1() -> None:
    # under 9 months, R1 (not due for MCV1) meets R4 (one dose, under 15 months) and R7 (two doses, any age)
    conflicts = [f for f in lint_workbook(MEASLES) if f.code == "conflict"]
    assert [f.rules for f in conflicts] == [("R1", "R4"), ("R1", "R7")]
    assert conflicts[0].severity == "warning" and conflicts[0].cells[0].startswith("rule 1 (id ")


@pytest.mark.parametrize(("contraindication", "expected"), [
    ("Severely immunosuppressed", ["Measles vaccination contraindicated"]),
    ("Severe allergic reactions", ["Clinical judgement required. Create a clinical note"]),
    ("None", []),  # no rule names it: no recommendation (C gives an empty list)
])
def test_measles_contraindications(contraindication: str, expected: list[str]) -> None:
    model = load(CONTRA)
    result = evaluate_record(model, {"Potential_contraindications": contraindication})
    assert result.outputs[f"{model.tables[0].name}.Output"] == expected


# BCG: age in days (the table writes days and years: converted to days); weeks since a live vaccine
@pytest.mark.parametrize(("record", "expected"), [
    ({"Age": 10, "HIV_status": "HIV-negative"}, ["Client is due for BCG vaccination"]),  # R1: no live vaccine
    ({"Age": 10, "HIV_status": "HIV-negative", "Time_passed_since_a_live_vaccine_was_administered": 2},
     ["Client is not due for BCG vaccination"]),  # R2
    ({"Age": 2000, "HIV_status": "HIV-negative", "Time_passed_since_a_live_vaccine_was_administered": 6,
      "TB_infection_test_result": "Negative"}, ["Client is due for BCG vaccination"]),  # R16: over 5 years
    ({"Number_of_BCG_primary_series_doses_administered": 1, "Age": 300},
     ["BCG immunization schedule is complete"]),  # R25
])
def test_bcg(record: dict, expected: list[str]) -> None:
    record = {"Number_of_BCG_primary_series_doses_administered": 0, **record}
    assert _care_plan(load(BCG), record) == expected


def test_bcg_cells_in_two_units_are_reported_at_their_entries() -> None:
    findings = [f for f in lint_workbook(BCG) if f.code == "dak-syntax"]
    assert [f.rules for f in findings] == [()] * len(findings) and len(findings) == 9
    assert all("inputEntry 2" in f.cells[0] and "two units" in f.message for f in findings)


@pytest.mark.parametrize("path", [MEASLES, BCG, CONTRA])
@pytest.mark.parametrize("suffix", [".xlsx", ".dmn"])
def test_each_file_converts_and_evaluates_the_same(tmp_path: Path, path: Path, suffix: str) -> None:
    target = tmp_path / f"out{suffix}"
    model = convert(path, target)
    again = load(target)
    for table, other in zip(model.tables, again.tables):
        assert [r.id for r in table.rules] == [r.id for r in other.rules] or suffix == ".dmn"
        assert [[c.text for c in r.inputs] for r in table.rules] == [[c.text for c in r.inputs] for r in other.rules]
    if path == MEASLES:
        for (age, doses, weeks), expected in MEASLES_PATIENTS:
            record = {"Clients_age": age, "Number_of_MCV_primary_series_doses_administered": doses,
                      "Time_passed_since_a_live_vaccine_was_administered": weeks}
            assert _care_plan(again, record) == expected
