"""``dtrun evaluate --report report.html``: the population view as a static page.

The page of the shipped HER2 example is compared with its golden file
(``tests/cli/golden/evaluate_report_her2.html``; ``--update-goldens`` after a deliberate
change); every count it shows is read back from its ``data-*`` attributes and compared with
``population_of_file``; the page is written atomically, never over an input nor over the
results, with results on standard output too, and refused with ``--engine dask``.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import EXAMPLE_PATIENTS, EXAMPLE_WORKBOOK
from helpers.pages import population_counts, shown_counts

from engine.cli import main
from engine.formats import load
from engine.review.population import population_of_file

GOLDEN = Path(__file__).resolve().parent / "golden" / "evaluate_report_her2.html"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(EXAMPLE_WORKBOOK, tmp_path / "her2.xlsx")
    shutil.copy(EXAMPLE_PATIENTS, tmp_path / "patients.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["evaluate", "her2.xlsx", "patients.csv", *args])


def test_the_her2_report_is_the_golden_file(folder, request):
    result = run("-o", "results.csv", "--report", "report.html")
    assert result.exit_code == 0, result.output
    assert "; report -> report.html" in result.stderr
    got = (folder / "report.html").read_text(encoding="utf-8")
    if request.config.getoption("--update-goldens"):
        GOLDEN.write_text(got, encoding="utf-8")
    assert got == GOLDEN.read_text(encoding="utf-8"), "the report differs from its golden file (see the docstring)"
    assert "<script" not in got and "http" not in got.replace("http-equiv", "")  # stands alone: nothing fetched


def test_the_counts_shown_are_those_of_the_population(folder):
    assert run("-o", "results.csv", "--report", "report.html").exit_code == 0
    shown = shown_counts((folder / "report.html").read_text(encoding="utf-8"))
    population = population_of_file(load(folder / "her2.xlsx"), folder / "patients.csv")
    assert shown == population_counts(population)
    assert shown["treatment_line"]["not_evaluated"] == 1 and shown[""]["records"] == 56  # not all zeros


def test_results_on_standard_output_give_the_same_report(folder):
    assert run("-o", "results.csv", "--report", "one.html").exit_code == 0
    result = run("--report", "two.html")
    assert result.exit_code == 0 and result.stdout.startswith('"patient_id",')
    assert (folder / "one.html").read_bytes() == (folder / "two.html").read_bytes()


def test_decision_narrows_the_report_to_the_tables_evaluated(folder):
    assert run("-o", "results.csv", "--decision", "treatment_line", "--report", "report.html").exit_code == 0
    assert set(shown_counts((folder / "report.html").read_text(encoding="utf-8"))) == {"", "treatment_line"}


@pytest.mark.parametrize("target", ["her2.xlsx", "patients.csv", "link.csv"])
def test_a_report_over_an_input_is_refused(folder, target):
    os.symlink("patients.csv", folder / "link.csv")
    before = (folder / "patients.csv").read_bytes(), (folder / "her2.xlsx").read_bytes()
    result = run("-o", "results.csv", "--report", target)
    assert result.exit_code == 2
    assert f"--report {target} names the" in result.stderr and "which dtrun reads" in result.stderr
    assert ((folder / "patients.csv").read_bytes(), (folder / "her2.xlsx").read_bytes()) == before
    assert not (folder / "results.csv").exists()


def test_a_report_over_the_results_is_refused(folder):
    result = run("-o", "results.csv", "--report", "./results.csv")
    assert result.exit_code == 2 and "names the result file -o results.csv" in result.stderr


def test_a_report_with_dask_is_refused_before_any_work(folder):
    result = run("--engine", "dask", "-o", "out", "--report", "report.html")
    assert result.exit_code == 2 and "--report needs --engine pandas" in result.stderr
    assert not (folder / "report.html").exists() and not (folder / "out").exists()


def test_a_report_that_cannot_be_written_leaves_the_old_one_and_no_temporary_file(folder, monkeypatch):
    (folder / "report.html").write_text("old report", encoding="utf-8")
    real = Path.write_text

    def full_disk(self: Path, text: str, *args: Any, **kwargs: Any) -> int:
        if self.name.startswith(".report.html."):
            real(self, text[:100], *args, **kwargs)  # half written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    result = run("-o", "results.csv", "--report", "report.html")
    assert result.exit_code == 4, result.output
    assert "report.html" in result.stderr and "no space is left" in result.stderr
    assert (folder / "report.html").read_text(encoding="utf-8") == "old report"
    assert sorted(p.name for p in folder.iterdir()) == ["her2.xlsx", "patients.csv", "report.html", "results.csv"]


def test_a_dmn_models_report_names_decisions_rules_and_policies_as_dmn_does(tmp_path, monkeypatch):
    from helpers import ITEMS, clause, decision, dmn, rule, write

    band = decision("d_band", "Age Band", 'hitPolicy="UNIQUE"', clause("c_age", "Person age"),
                    '<output id="o_band" name="band"/>',
                    rule("r1", ["&lt; 18"], ['"child"']) + rule("r2", ["&gt;= 16"], ['"adult"']))
    write(tmp_path, dmn(ITEMS + band), "model.dmn")
    (tmp_path / "patients.csv").write_text("Person age\n10\n17\n40\n\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["evaluate", "model.dmn", "patients.csv", "--report", "report.html"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Age Band <small>hit policy UNIQUE</small>" in page and "1 (id r1)" in page
    counts = shown_counts(page)["Age_Band"]  # the table by its name in the model, as data
    assert (counts["rule r1"], counts["rule r2"], counts["overlap"], counts["conflict"]) == (1, 1, 1, 1)
