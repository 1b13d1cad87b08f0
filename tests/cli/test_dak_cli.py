"""``dtrun lint``, ``evaluate``, ``show`` and ``convert`` on a WHO DAK workbook, with
``--dictionary`` and ``--hit-policy``: findings at the DAK's cells, a patient file headed with the
data elements' labels or Data Element IDs, the DAK converted to a dtrun workbook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.dak import block, element, write_dak, write_dictionary

from engine.cli import main

SHEET = "ANC.DT.01 Danger signs"


@pytest.fixture()
def dak(tmp_path: Path) -> Path:
    rules = [['"Danger signs" = "Fever"', "Refer"], ['"Danger signs" = "Labour"', "Refer"],
             ['"Danger signs" = "No danger signs"', "Proceed"], ['Danger signs" = "Looks very ill"', "Refer"]]
    rows = [[None], *block("ANC.DT.01 Danger signs", ["Input(s)", "Output"], rules)]
    return write_dak(tmp_path / "dak.xlsx", {SHEET: rows})


@pytest.fixture()
def dictionary(tmp_path: Path) -> Path:
    return write_dictionary(tmp_path / "dictionary.xlsx", [element(
        "ANC.B5.DE48", "Danger signs", "Coding", "Select all that apply",
        [("No danger signs", ""), ("Fever", ""), ("Labour", ""), ("Looks very ill", "")])])


def test_lint_reports_at_the_daks_cells(dak: Path, dictionary: Path) -> None:
    done = CliRunner().invoke(main, ["lint", str(dak), "--dictionary", str(dictionary), "--format", "json"])
    assert done.exit_code == 1, done.output  # the unreadable cell is an error
    findings = json.loads(done.output)
    findings = findings["findings"] if isinstance(findings, dict) else findings
    syntax = next(f for f in findings if f["code"] == "dak-syntax")
    assert (syntax["sheet"], syntax["cells"], syntax["table"]) == (SHEET, ["B9"], "ANC.DT.01")


def test_hit_policy_is_checked_by_click(dak: Path) -> None:
    done = CliRunner().invoke(main, ["lint", str(dak), "--hit-policy", "X"])
    assert done.exit_code == 2 and "--hit-policy" in done.output


def test_evaluate_reads_columns_headed_with_labels_or_ids(dak: Path, dictionary: Path, tmp_path: Path) -> None:
    patients = tmp_path / "patients.csv"
    patients.write_text('ANC.B5.DE48\n"Fever;Labour"\nNo danger signs\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    done = CliRunner().invoke(main, ["evaluate", str(dak), str(patients), "-o", str(out),
                                     "--dictionary", str(dictionary)])
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[1:] == ['"Fever;Labour","[""Refer"", ""Refer""]","R6;R7","","","dak.xlsx"',
                                     '"No danger signs","[""Proceed""]","R8","","","dak.xlsx"']
    done = CliRunner().invoke(main, ["evaluate", str(dak), str(patients), "-o", str(out), "--dictionary",
                                     str(dictionary), "--hit-policy", "F"])
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith('"Fever;Labour","Refer","R6"')  # F: one


def test_show_and_convert(dak: Path, dictionary: Path, tmp_path: Path) -> None:
    shown = CliRunner().invoke(main, ["show", str(dak), "--dictionary", str(dictionary)])
    assert "Danger signs" in shown.output and "ANC.DT.01" in shown.output
    target = tmp_path / "converted.xlsx"
    done = CliRunner().invoke(main, ["convert", str(dak), str(target), "--dictionary", str(dictionary)])
    assert done.exit_code == 0, done.output
    assert "1 tables, 3 rules" in done.output
    linted = CliRunner().invoke(main, ["lint", str(target)])
    assert linted.exit_code == 0, linted.output


def test_the_html_report_of_a_dak_with_list_inputs(dak: Path, dictionary: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = CliRunner().invoke(main, ["lint", str(dak), "--dictionary", str(dictionary), "--format", "html",
                                     "-o", str(out)])
    assert done.exit_code == 1, done.output  # the unreadable cell; no internal error
    page = out.read_text(encoding="utf-8")
    assert "ANC.DT.01" in page and "holds lists (several values per record), which pictures do not draw" in page


def test_serve_takes_the_dictionary_and_the_hit_policy(dak: Path, dictionary: Path) -> None:
    """dtrun serve reads a DAK as lint and evaluate do: the dictionary's types (a Select all that
    apply element is a list) and --hit-policy; its patients are evaluated with them."""
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from engine.serve import Models, create_app

    def described(client: TestClient) -> dict:  # type: ignore[type-arg]
        return client.get("/api/tables").json()["models"][0]

    plain = described(TestClient(create_app(Models([dak]))))
    served = TestClient(create_app(Models([dak], dictionary, "F")))
    shown = described(served)
    assert {i["name"]: i["type"] for i in plain["inputs"]}["Danger_signs"] == "string"
    assert {i["name"]: i["type"] for i in shown["inputs"]}["Danger_signs"] == "list of string"
    assert {t["hit_policy"] for t in plain["tables"]} == {"C"} and {t["hit_policy"] for t in shown["tables"]} == {"F"}
    done = served.post("/api/evaluate", json={"Danger signs": ["Fever", "Labour"]})
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["ANC_DT_01.Output"] == "Refer" and result["ANC_DT_01.rules"] == "R6"  # F: the first, R6 (Fever)
