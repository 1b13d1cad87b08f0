"""``dtrun serve``'s pages in headless Chromium (issue 22: tested in a real browser).

The oracle of the patient form is the vectorized evaluation (``evaluate_frame``, what ``dtrun
evaluate`` and ``POST /api/evaluate`` run) on the same record, while the page explains the
record through the scalar reference (``engine.evaluation.explain``): the outputs and the rules
the browser shows highlighted must be those.  A gap planted in a workbook built in code must be
listed and marked on the workbook page.  Each page's screenshot is kept in the test's
temporary folder; a page that logs a SEVERE console message (a script error, a resource
refused by the Content-Security-Policy, a failed load) fails.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from helpers import ROOT, make_workbook

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
PATIENTS = ROOT / "decision_tables" / "examples" / "her2_patients.csv"
NAME = "her2_mbc_brain_mets"
SHOWN = ["P001", "P003", "P005", "P012", "P020"]  # first line, symptomatic, and others: a few kinds of result


def _patients() -> dict[str, dict[str, str]]:
    with PATIENTS.open(encoding="utf-8", newline="") as handle:
        return {row["patient_id"]: row for row in csv.DictReader(handle)}


def _expected(record: dict[str, str]) -> dict[str, Any]:
    """What the vectorized path gives for ``record`` (a row of the patients file)."""
    import pandas as pd

    from engine.evaluation.frame import evaluate_frame
    from engine.files.json_cells import json_records
    from engine.formats import load

    frame = pd.DataFrame([record], dtype=object)
    return json_records(evaluate_frame(load(WORKBOOK), frame))[0]


def _shown(value: Any) -> str:
    """A result as the page writes it (``engine.evaluation.explain.show_value``): '' is missing."""
    from engine.evaluation.explain import show_value

    return show_value(None if value == "" else value)


def _page_results(browser: Any) -> dict[str, Any]:
    """Per table, its outputs and the rules highlighted as making the result, read from the page
    as the browser renders it (one script, not a round trip per element)."""
    found = browser.execute_script("""
        const found = {};
        for (const block of document.querySelectorAll('#results .result')) {
            const table = block.id.replace(/^result-/, '');
            for (const dd of block.querySelectorAll('dd[data-output]')) found[dd.dataset.output] = dd.innerText;
            found[table + '.rules'] = Array.from(block.querySelectorAll('tr.fired td:first-child'),
                                                 td => td.innerText.trim()).sort();
        }
        return found;""")
    return {k: sorted(v) if isinstance(v, list) else v for k, v in found.items()}


def _oracle(record: dict[str, str]) -> dict[str, Any]:
    expected = _expected(record)
    out: dict[str, Any] = {}
    for key, value in expected.items():
        if key.endswith(".rules"):
            out[key] = sorted(r.strip() for r in str(value).split(",") if r.strip())
        elif "." in key:
            out[key] = _shown(value)
    return out


def _fill(browser: Any, record: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    for field in browser.find_elements(By.CSS_SELECTOR, "#patient [name]"):
        value = record.get(field.get_attribute("name"), "")
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        else:
            field.clear()
            if value:
                field.send_keys(value)
    browser.find_element(By.ID, "evaluate").click()


def test_every_page_loads_without_console_errors(serve: Callable[..., str], visit: Callable[..., Any],
                                                 tmp_path: Path) -> None:
    base = serve(WORKBOOK)
    pages = {"index": "/", "workbook": f"/m/{NAME}", "try": f"/m/{NAME}/try",
             "try-P001": f"/m/{NAME}/try?" + urlencode(_patients()["P001"]),
             "coverage": f"/m/{NAME}/coverage/local_therapy?x=brain_mets_count&y=largest_brain_met_cm"}
    for name, path in pages.items():
        assert visit(base + path, name) == [], f"{name} ({path}) logged errors"
        assert (tmp_path / f"{name}.png").stat().st_size > 1000


@pytest.mark.parametrize("patient", SHOWN)
def test_the_form_filled_in_the_browser_gives_what_dtrun_evaluate_gives(
        serve: Callable[..., str], visit: Callable[..., Any], settled: Callable[[str], Any], browser: Any,
        patient: str) -> None:
    record = _patients()[patient]
    base = serve(WORKBOOK)
    assert visit(f"{base}/m/{NAME}/try", f"form-{patient}") == []
    _fill(browser, record)
    assert settled(f"result-{patient}") == []
    got, wanted = _page_results(browser), _oracle(record)
    assert got == wanted
    assert any(wanted[k] for k in wanted if k.endswith(".rules")), "the patient fires no rule at all"

    shared = browser.current_url  # the URL holds the patient: opened anew, it gives the same page
    query = parse_qs(urlsplit(shared).query, keep_blank_values=True)
    inputs = [k for k in record if k != "patient_id"]
    assert {k: v[0] for k, v in query.items()} == {k: record[k] for k in inputs}
    browser.get("about:blank")
    assert visit(shared, f"shared-{patient}") == []
    assert _page_results(browser) == got


def test_a_planted_gap_is_listed_and_marked_on_its_cells(serve: Callable[..., str], visit: Callable[..., Any],
                                                         browser: Any, tmp_path_factory: pytest.TempPathFactory
                                                         ) -> None:
    from selenium.webdriver.common.by import By

    folder = tmp_path_factory.mktemp("gap")
    path = make_workbook(folder, "gap.xlsx", inputs=[("age", "number", "[0..120]", "yes")],
                         tables={"band": ("U", ["age", "band"], "io", None,
                                          [["R1", "< 18", '"child"'], ["R2", "[18..64]", '"adult"']])})
    assert visit(serve(path) + "/m/gap", "gap") == []
    listed = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#findings + ol li")]
    assert any("gap" in text and "(64..120]" in text for text in listed), listed
    marked = browser.find_element(By.ID, "c-band-B1")
    assert "error" in marked.get_attribute("class").split()
    assert "no rule matches" in marked.get_attribute("title")


def test_a_planted_gap_is_a_coloured_region_whose_link_names_the_finding(
        serve: Callable[..., str], visit: Callable[..., Any], browser: Any,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    try:
        from engine.review.pictures import GAP_RED
    except ImportError:
        pytest.skip("engine.review.pictures (the coverage pictures) is not in this version")
    from selenium.webdriver.common.by import By

    folder = tmp_path_factory.mktemp("gap-picture")
    path = make_workbook(folder, "gap.xlsx", inputs=[("age", "number", "[0..120]", "yes"),
                                                     ("sex", "string", '"f","m"', "yes")],
                         tables={"band": ("U", ["age", "sex", "band"], "iio", None,
                                          [["R1", "< 18", "-", '"child"'], ["R2", "[18..64]", "-", '"adult"']])})
    base = serve(path)
    for page in (f"{base}/m/gap", f"{base}/m/gap/coverage/band?x=age&y=sex"):
        assert visit(page, "gap-picture" if "coverage" in page else "gap-workbook") == []
        links = browser.execute_script(
            "return Array.from(document.querySelectorAll('.picture svg a')).map(a => ["
            "a.getAttribute('xlink:href') || a.getAttribute('href'), "
            "getComputedStyle(a.querySelector('path')).fill])")
        red = "rgb({}, {}, {})".format(*(int(GAP_RED[i:i + 2], 16) for i in (1, 3, 5)))
        gaps = [href for href, fill in links if fill == red]
        assert gaps, links
        target = browser.find_element(By.ID, gaps[0].removeprefix("#"))
        assert "error[gap]: no rule matches records with age (64..120]" in target.text
        region = browser.find_element(By.CSS_SELECTOR, f'.picture svg a[*|href="{gaps[0]}"] path')
        region.click()  # the region itself is the link: the page goes to the finding
        assert browser.execute_script("return location.hash") == gaps[0]
