"""``dtrun serve``'s web pages through Starlette's test client (issue 22, item 1).

Every page route: its status, what it shows, the escaping of workbook text and of what a
URL carries (a cell holding ``<script>`` is text on every page), the 404s with their
messages, the reload (all or none, refused from another site) and ``--watch``.  The oracle
of the patient page is ``POST /api/evaluate`` (the vectorized path) on every patient of the
HER2 example; the page explains each record through the scalar reference.
"""

from __future__ import annotations

import csv
import html
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from helpers import ROOT, make_workbook

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from starlette.testclient import TestClient  # noqa: E402

from engine.serve import Models, Watcher, create_app  # noqa: E402

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
PATIENTS = ROOT / "decision_tables" / "examples" / "her2_patients.csv"
NAME = "her2_mbc_brain_mets"
HOSTILE = "<script>alert(1)</script>"
INPUTS = [("age", "number", "[0..120]", "yes"), ("sex", "string", '"f","m"', "no"), ("smoker", "boolean", None, "no"),
          ("seen", "date", None, "no"), ("visits", "integer", "[0..10]", "no")]
HEAD = [["case", "age", "band.band"], [None, "input", "expected"]]


def _band(rules: list[list[Any]] | None = None, tests: list[list[Any]] | None = None, **about: Any) -> dict:
    rules = rules or [["R1", "< 18", '"child"', "Ref A", "Child " + HOSTILE], ["R2", "[18..64]", '"adult"', "Ref B", ""]]
    return dict(inputs=INPUTS, tables={"band": ("U", ["age", "band", "Reference", "Guidance"], "ioaa", None, rules)},
                tests=tests, about=about or None)


@pytest.fixture(scope="module")
def her2() -> TestClient:
    return TestClient(create_app(Models([WORKBOOK])))


@pytest.fixture
def gap(tmp_path: Path) -> TestClient:
    path = make_workbook(tmp_path, "gap.xlsx", **_band(tests=[*HEAD, ["T1", 10, "child"], ["T2", 30, "child"]],
                                                       Title="Bands " + HOSTILE))
    return TestClient(create_app(Models([path])))


class _Page(HTMLParser):
    """Tags, the ids and classes of elements, and the text, of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: dict[str, dict[str, str]] = {}
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids[found["id"]] = {"tag": tag, **found}

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def classes(self, id_: str) -> set[str]:
        return set(self.ids[id_].get("class", "").split())


def _patients() -> list[dict[str, str]]:
    with PATIENTS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _outputs(page: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in re.findall(r'<dd data-output="([^"]+)">([^<]*)</dd>', page)}


def _fired(page: str) -> dict[str, list[str]]:
    """Per table result, the rule ids of the rows highlighted as making the result."""
    found: dict[str, list[str]] = {}
    for table, block in re.findall(r'<div class="result [^"]*" id="result-([^"]+)"(.*?)</div>\n(?=<div class="result|'
                                   r"</section>)", page, re.S):
        found[table] = sorted(re.findall(r'<tr class="fired"><td id="c-[^"]+"[^>]*>([^<]+)<', block))
    return found


# ---------------------------------------------------------------------- index and workbook
def test_the_index_lists_the_models_with_their_pages(her2: TestClient) -> None:
    response = her2.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert f'href="http://testserver/m/{NAME}"' in response.text and "Try a patient" in response.text
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none': no script
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_the_workbook_page_shows_every_sheet_the_findings_and_the_tests(her2: TestClient) -> None:
    response = her2.get(f"/m/{NAME}")
    assert response.status_code == 200
    page = _Page(response.text)
    sections = {i for i in page.ids if i.startswith("c-") and page.ids[i]["tag"] == "section"}
    tables = ["treatment_line", "first_line_regimen", "maintenance", "local_therapy", "dosing", "brain_mri_schedule",
              "first_line_alerts"]
    assert {f"c-{t}-" for t in tables} | {"c-About-", "c-Inputs-", "c-Tests-"} <= sections
    assert "partly-masked-rule" in page.ids["f1"].get("class", "") + "".join(page.text)
    assert "info" in page.classes("c-local_therapy-A7")  # the finding on its cell
    assert "Tests: 89 of 89 cases pass" in response.text
    assert "Rule coverage by the Tests sheet" in response.text and "scroll" in response.text


def test_test_results_say_why_a_case_fails_and_which_rules_no_case_fires(tmp_path: Path) -> None:
    rules = [["R1", "< 18", '"child"', "", ""], ["R2", "[18..64]", '"adult"', "", ""], ["R3", "> 64", '"senior"', "", ""]]
    path = make_workbook(tmp_path, "cases.xlsx", **_band(rules, tests=[*HEAD, ["T1", 10, "child"], ["T2", 70, "adult"]]))
    page = TestClient(create_app(Models([path]))).get("/m/cases").text
    parsed = _Page(page)
    assert "Tests: 1 of 2 cases pass" in page
    assert "fail" in parsed.classes("case-T2") and "pass" in parsed.classes("case-T1")
    text = html.unescape(page)
    assert 'band.band (Tests!C4): expected "adult", got "senior": rule R3 matched' in text
    assert "failed" in parsed.classes("c-Tests-C4") and "failed" not in parsed.classes("c-Tests-C3")
    assert "Rule coverage by the Tests sheet: 2 of 3 rules fired" in text
    assert "untested" in parsed.classes("c-band-A5")  # R2: no case fires it
    assert "untested" not in parsed.classes("c-band-A4") and "untested" not in parsed.classes("c-band-A6")


def test_a_planted_gap_is_listed_and_marked(gap: TestClient) -> None:
    page = _Page(gap.get("/m/gap").text)
    text = "".join(page.text)
    assert "error[gap]: no rule matches records with age (64..120]" in text
    assert "error" in page.classes("c-band-B1")


@pytest.mark.parametrize("path", ["/m/gap", "/m/gap/try?age=5&sex=f", "/m/gap/try?age=" + HOSTILE, "/",
                                  "/m/" + HOSTILE, "/m/gap/coverage/band?x=" + HOSTILE])
def test_workbook_text_and_urls_are_escaped_on_every_page(gap: TestClient, path: str) -> None:
    response = gap.get(path)
    page = _Page(response.text)
    assert "script" not in page.tags, path
    assert HOSTILE not in response.text
    if path in ("/m/gap", "/m/gap/try?age=5&sex=f"):
        assert html.escape(HOSTILE, quote=False) in response.text  # shown as text


@pytest.mark.parametrize(("path", "words"), [
    ("/m/nope", "no model named 'nope' is served; the models served are gap"),
    ("/m/nope/try", "no model named 'nope' is served; the models served are gap"),
    ("/m/gap/coverage/nope", "gap.xlsx has no table named 'nope'; its tables are band"),
    ("/m/gap/coverage/band?x=weight", "table band of gap.xlsx has no input 'weight'; its inputs are age"),
    ("/nothing/here", "nothing here at /nothing/here; the models served are listed at /"),
])
def test_a_page_that_is_not_there_is_a_404_page_saying_why(gap: TestClient, path: str, words: str) -> None:
    response = gap.get(path)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert f'<p id="message">{words}</p>' in html.unescape(response.text)


def test_the_api_still_answers_its_errors_in_json(gap: TestClient) -> None:
    response = gap.get("/api/nothing")
    assert response.status_code == 404 and response.json() == {"error": "Not Found"}


# ---------------------------------------------------------------------- try a patient
def test_the_form_is_made_from_the_inputs_sheet(gap: TestClient) -> None:
    page = gap.get("/m/gap/try").text
    age = re.search(r'<input type="number" name="age"[^>]*>', page).group(0)
    assert 'min="0"' in age and 'max="120"' in age and 'step="any"' in age
    visits = re.search(r'<input type="number" name="visits"[^>]*>', page).group(0)
    assert 'min="0"' in visits and 'max="10"' in visits and 'step="1"' in visits
    sex = re.search(r'<select name="sex".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', sex) == ["", "f", "m"] and ">missing</option>" in sex
    smoker = re.search(r'<select name="smoker".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', smoker) == ["", "true", "false"]
    assert re.search(r'<input type="date" name="seen"', page)
    assert "results" not in _Page(page).ids  # nothing sent yet


def test_a_patient_shows_the_matched_rule_its_outputs_and_annotations(gap: TestClient) -> None:
    response = gap.get("/m/gap/try?" + urlencode({"age": "5", "sex": "", "smoker": "true"}))
    page = response.text
    assert _outputs(page) == {"band.band": '"child"'}
    assert _fired(page) == {"band": ["R1"]}
    assert "Ref A" in page and 'selected>true</option>' in page and 'value="5"' in page


def test_a_patient_no_rule_matches_gets_the_nearest_rules_with_failing_cells(gap: TestClient) -> None:
    page = gap.get("/m/gap/try?age=70").text
    parsed = _Page(page)
    assert _outputs(page) == {"band.band": "null"}
    assert "no rule matched; nearest R1, whose age cell `< 18` at band!B4 fails on 70" in html.unescape(page)
    assert "R2, whose age cell `[18..64]` at band!B5 fails on 70" in html.unescape(page)
    assert "failing" in parsed.classes("c-band-B5") and "failing" in parsed.classes("c-band-B4")
    assert parsed.ids["result-band"]["data-status"] == "no-match"


def test_a_value_that_cannot_be_used_is_said(gap: TestClient) -> None:
    page = html.unescape(gap.get("/m/gap/try?age=old").text)
    assert 'class="banner input-error"' in page and "age" in page
    assert _outputs(page) == {"band.band": "null"}


def test_every_her2_patient_on_the_page_gives_what_the_api_gives(her2: TestClient) -> None:
    patients = _patients()
    results = her2.post("/api/evaluate", json=[{k: v or None for k, v in p.items()} for p in patients]).json()
    from engine.evaluation.explain import show_value

    for patient, result in zip(patients, results):
        page = her2.get(f"/m/{NAME}/try?" + urlencode({k: v for k, v in patient.items() if k != "patient_id"})).text
        expected = {k: show_value(None if v == "" else v) for k, v in result.items()
                    if "." in k and not k.endswith(".rules")}
        assert _outputs(page) == expected, patient["patient_id"]
        fired = {k.removesuffix(".rules"): sorted(r.strip() for r in v.split(",") if r.strip())
                 for k, v in result.items() if k.endswith(".rules")}
        assert _fired(page) == fired, patient["patient_id"]


# ---------------------------------------------------------------------- coverage pictures
def test_the_coverage_page_has_the_axes_selector_and_its_picture_or_its_place(her2: TestClient) -> None:
    response = her2.get(f"/m/{NAME}/coverage/local_therapy?x=brain_mets_count&y=largest_brain_met_cm")
    assert response.status_code == 200
    page = response.text
    assert '<option selected>brain_mets_count</option>' in page and "<option selected>largest_brain_met_cm" in page
    assert page.count("<svg") == 1 and 'xlink:href="#c-local_therapy-A' in page  # the boxes link to their rules
    linked = set(re.findall(r'xlink:href="#([^"]+)"', page))
    assert linked and linked <= set(_Page(page).ids), linked - set(_Page(page).ids)  # every link lands on the page


# ---------------------------------------------------------------------- reload and --watch
def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


def test_the_reload_button_reloads_all_or_nothing_and_says_why_not(tmp_path: Path) -> None:
    first = make_workbook(tmp_path / "..", "one.xlsx", **_band(Title="First"))
    second = make_workbook(tmp_path, "x.xlsx", **_band(Title="Second"))
    path = _copy(first, tmp_path / "bands.xlsx")
    client = TestClient(create_app(Models([path])))
    assert "First" in client.get("/m/bands").text
    _copy(second, path)
    response = client.post("/reload?next=/m/bands", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/m/bands"
    assert "Second" in client.get("/m/bands").text
    path.write_bytes(b"not a workbook")
    assert client.post("/reload?next=//elsewhere.example", follow_redirects=False).headers["location"] == "/"
    page = client.get("/m/bands").text
    assert "Second" in page and 'id="reload-failed"' in page and "bands.xlsx" in page
    _copy(first, path)
    client.post("/reload")
    assert 'id="reload-failed"' not in client.get("/m/bands").text


def test_a_reload_asked_by_another_site_is_refused(gap: TestClient) -> None:
    response = gap.post("/reload", headers={"origin": "http://evil.example"}, follow_redirects=False)
    assert response.status_code == 403 and "another site" in response.text
    assert gap.post("/reload", headers={"origin": "http://testserver"}, follow_redirects=False).status_code == 303


def test_watch_reloads_a_changed_file_and_keeps_the_old_models_when_it_cannot_be_loaded(tmp_path: Path) -> None:
    first = make_workbook(tmp_path / "..", "w1.xlsx", **_band(Title="First"))
    second = make_workbook(tmp_path / "..", "w2.xlsx", **_band(Title="Second"))
    path = _copy(first, tmp_path / "bands.xlsx")
    models = Models([path])
    watcher = Watcher(models, interval=0.05)
    watcher.start()
    try:
        def until(condition: Any) -> bool:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if condition():
                    return True
                time.sleep(0.02)
            return False

        _copy(second, path)
        assert until(lambda: models.get("bands").model.title == "Second")
        path.write_bytes(b"half a workbook")
        assert until(lambda: models.failure)
        assert models.get("bands").model.title == "Second" and "bands.xlsx" in models.failure
        _copy(first, path)
        assert until(lambda: models.get("bands").model.title == "First" and not models.failure)
    finally:
        watcher.stop()
        watcher.join(5)


def test_a_dmn_model_has_the_same_pages_in_its_own_words(tmp_path: Path) -> None:
    from helpers import ITEMS, clause, decision, dmn, rule, write

    band = decision("d_band", "Age Band", 'hitPolicy="UNIQUE"', clause("c_age", "Person age"),
                    '<output id="o_band" name="band"/>',
                    rule("r1", ["&lt; 18"], ['"child"']) + rule("r2", ["[18..64]"], ['"adult"']))
    client = TestClient(create_app(Models([write(tmp_path, dmn(ITEMS + band), "bands.dmn")])))
    page = html.unescape(client.get("/m/bands").text)
    assert 'no rule matches records with Person age (64..120]' in page  # the gap, in the model's names
    result = client.get("/m/bands/try?" + urlencode({"Person_age": "70"}))
    assert result.status_code == 200
    text = html.unescape(result.text)
    assert 'decision "Age Band" (id d_band)' in text and "fails on 70" in text
    parsed = _Page(result.text)
    failing = [i for i in parsed.ids if "failing" in parsed.classes(i)]
    assert failing and all("inputEntry" in i for i in failing), failing
    child = client.get("/m/bands/try?" + urlencode({"Person_age": "10"})).text
    assert _outputs(child) == {"Age_Band.band": '"child"'}
    assert '<tr class="fired"><td id="c-decision--Age-Band---id-d_band--rule-1--id-r1-">1 (id r1)</td>' in child
    assert '<label for="in-Person_age">Person age' in child  # the form names inputs as the DMN model does


def test_workbook_text_in_the_coverage_pictures_is_escaped_too(tmp_path: Path) -> None:
    hostile = HOSTILE.replace('"', "'")
    path = make_workbook(tmp_path, "pic.xlsx", inputs=[("age", "number", "[0..120]", "yes"),
                                                       ("kind", "string", f'"a","{hostile}"', "yes")],
                         tables={"t": ("U", ["age", "kind", "out"], "iio", None,
                                       [["R1", "< 18", f'"{hostile}"', '"x"'], ["R2", ">= 18", '"a"', '"y"']])})
    client = TestClient(create_app(Models([path])))
    for url in ("/m/pic", "/m/pic/coverage/t?x=age&y=kind"):
        response = client.get(url)
        assert response.status_code == 200 and "<svg" in response.text
        assert "script" not in _Page(response.text).tags and hostile not in response.text


def test_a_date_input_is_a_date_field_bounded_by_its_allowed_values(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, "dates.xlsx", inputs=[("seen", "date", '>= date("2020-01-01")', "yes")],
                         tables={"t": ("U", ["seen", "o"], "io", None, [["R1", '< date("2024-01-01")', '"old"'],
                                                                         ["R2", '>= date("2024-01-01")', '"new"']])})
    page = TestClient(create_app(Models([path]))).get("/m/dates/try?seen=2024-05-01").text
    assert '<input type="date" name="seen" id="in-seen" value="2024-05-01" min="2020-01-01">' in page
    assert _outputs(page) == {"t.o": '"new"'}
