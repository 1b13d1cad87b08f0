"""The population and diff pages of ``dtrun serve`` in headless Chromium (the harness of this
folder's conftest): a patient file sent from the population page's form gives the counts
``population_of_file`` computes, shown and visible; the diff page of two versions lists and
draws the regions of ``dtrun diff``, each drawn region linking to its row.  No page may log a
SEVERE console message; each page's screenshot is kept in the test's temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT, make_workbook
from helpers.pages import population_counts, shown_counts

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
PATIENTS = ROOT / "decision_tables" / "examples" / "her2_patients.csv"
NAME = "her2_mbc_brain_mets"


def test_a_file_sent_from_the_population_page_shows_the_computed_counts(serve, visit, settled, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from engine.formats import load
    from engine.review.population import population_of_file

    url = serve(WORKBOOK)
    assert visit(f"{url}/m/{NAME}/population", "population-empty") == []
    assert browser.find_element(By.ID, "no-patients").is_displayed()
    browser.find_element(By.ID, "patients").send_keys(str(PATIENTS))
    browser.find_element(By.ID, "count").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-count="records"]'))
    assert settled("population") == []
    expected = population_counts(population_of_file(load(WORKBOOK), PATIENTS))
    assert shown_counts(browser.page_source) == expected
    records = browser.find_element(By.CSS_SELECTOR, '[data-count="records"]')
    assert records.is_displayed() and records.text == "56"
    line = browser.find_element(By.CSS_SELECTOR, '[data-table="treatment_line"] [data-count="not_evaluated"]')
    assert line.is_displayed() and int(line.text) == expected["treatment_line"]["not_evaluated"]
    bars = browser.find_elements(By.CSS_SELECTOR, '[data-table="treatment_line"] tr[data-rule] .bar > span')
    widths = [b.size["width"] for b in bars]
    fired = [expected["treatment_line"][f"rule {r.get_attribute('data-rule')}"] for r in
             browser.find_elements(By.CSS_SELECTOR, '[data-table="treatment_line"] tr[data-rule]')]
    assert widths.index(max(widths)) == fired.index(max(fired))  # the longest bar is the rule that fired most


def test_the_patients_given_to_the_server_are_shown_as_computed(serve_app, visit, browser):
    from selenium.webdriver.common.by import By

    from engine.formats import load
    from engine.review.population import population_of_file
    from engine.serve import Models, create_app

    url = serve_app(create_app(Models([WORKBOOK]), patients=PATIENTS))
    assert visit(f"{url}/m/{NAME}/population", "population-patients") == []
    assert shown_counts(browser.page_source) == population_counts(population_of_file(load(WORKBOOK), PATIENTS))
    never = browser.find_elements(By.CSS_SELECTOR, "tr.never[data-rule]")
    assert never and all("never fired" in row.text for row in never)


def test_a_file_that_cannot_be_used_is_shown_with_its_message(serve, visit, settled, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    bad = tmp_path / "cohort.csv"
    bad.write_text("id,age\n1,40\n", encoding="utf-8")
    url = serve(WORKBOOK)
    visit(f"{url}/m/{NAME}/population", "population-before")
    browser.find_element(By.ID, "patients").send_keys(str(bad))
    browser.find_element(By.ID, "count").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.ID, "message"))
    settled("population-refused")  # a 400 page logs its status in the console; its message is what counts
    message = browser.find_element(By.ID, "message")
    assert message.is_displayed() and message.text.startswith("error: cohort.csv: the patient file has no column")


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("versions")
    inputs = [("age", "number", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "yes")]
    one = {"band": ("U", ["age", "hr", "band"], "iio", None,
                    [["B1", "< 18", "-", '"child"'], ["B2", ">= 18", '"positive"', '"adult"'],
                     ["B3", ">= 18", '"negative"', '"adult"']])}
    two = {"band": ("U", ["age", "hr", "band"], "iio", None,
                    [["B1", "< 16", "-", '"child"'], ["B2", ">= 18", '"positive"', '"adult"'],
                     ["B3", ">= 18", '"negative"', '"adult"'], ["B4", "[0..1)", "-", '"infant"']])}
    make_workbook(folder, "guide.xlsx", inputs=inputs, tables=one, about={"Version": "1"})
    make_workbook(folder, "guide_v2.xlsx", inputs=inputs, tables=two, about={"Version": "2"})
    return folder / "guide.xlsx", folder / "guide_v2.xlsx"


def test_the_diff_page_lists_and_draws_the_regions_of_dtrun_diff(serve, visit, browser, two_versions):
    from selenium.webdriver.common.by import By

    from engine.analysis.behaviour import behaviour_changes
    from engine.formats import load

    old, new = two_versions
    url = serve(old, new)
    assert visit(f"{url}/diff?a=guide&b=guide_v2", "diff") == []
    changes = behaviour_changes(load(old), load(new))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.regions tr[data-region]")
    assert len(rows) == len(changes) > 0
    for row, change in zip(rows, changes):
        cells = row.find_elements(By.TAG_NAME, "td")
        assert (cells[3].text, cells[4].text) == (change.old, change.new)
    pictures = browser.find_elements(By.CSS_SELECTOR, "#diff-band .picture svg")
    assert len(pictures) == 2 and all(p.is_displayed() for p in pictures)
    links = set(browser.execute_script(
        "return Array.from(document.querySelectorAll('#diff-band .picture svg a'), "
        "a => (a.getAttribute('href') || a.getAttribute('xlink:href') || '').split('#').pop())"))
    assert {f"region-band-{n}" for n in range(1, len(changes) + 1)} <= links
    assert browser.find_element(By.CSS_SELECTOR, "#diff-band .new tr.added").is_displayed()  # B4, added


def test_the_population_and_diff_pages_are_linked_from_the_others(serve, visit, settled, browser, two_versions):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url = serve(*two_versions)
    assert visit(f"{url}/m/guide", "workbook") == []
    browser.find_element(By.LINK_TEXT, "Population").click()
    WebDriverWait(browser, 30).until(lambda d: d.current_url.endswith("/m/guide/population"))
    assert settled("population-linked") == []
    assert visit(f"{url}/diff", "diff-choose") == []
    browser.find_element(By.CSS_SELECTOR, "#choose button").click()
    WebDriverWait(browser, 30).until(lambda d: "a=guide&b=guide_v2" in d.current_url)
    assert settled("diff-chosen") == [] and browser.find_elements(By.CSS_SELECTOR, "tr[data-region]")


