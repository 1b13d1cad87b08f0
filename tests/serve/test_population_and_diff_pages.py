"""``dtrun serve``'s population page (``/m/NAME/population``) and diff page (``/diff?a=&b=``)
through Starlette's test client.

The population shown (read back from the page's ``data-*`` counts) is that of
``population_of_file`` on the same file, for ``--patients`` and for a file sent from the
form; past ``--max-body`` a 413; a file that cannot be used a 400 with the message of
``dtrun evaluate``; a bug a 500 of one line; never a stack trace.  The diff page lists the
regions of ``dtrun diff`` (``behaviour_changes``), one row each, and draws them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, make_workbook
from helpers.pages import population_counts, shown_counts

pytest.importorskip("starlette")
pytest.importorskip("httpx2")
uvicorn = pytest.importorskip("uvicorn")

from starlette.testclient import TestClient  # noqa: E402

from engine.analysis.behaviour import behaviour_changes  # noqa: E402
from engine.cli import main  # noqa: E402
from engine.formats import load  # noqa: E402
from engine.review.population import population_of_file  # noqa: E402
from engine.serve.api import create_app  # noqa: E402
from engine.serve.models import Models  # noqa: E402

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
PATIENTS = ROOT / "decision_tables" / "examples" / "her2_patients.csv"
PAGE = "/m/her2_mbc_brain_mets/population"


@pytest.fixture(scope="module")
def expected() -> dict:
    return population_counts(population_of_file(load(WORKBOOK), PATIENTS))


def message(html: str) -> str:
    found = re.search(r'id="message">(.*?)</p>', html, re.S)
    return found.group(1).replace("&#39;", "'").replace("&#34;", '"') if found else ""


def send(client: TestClient, name: str, data: bytes, **fields: str):
    return client.post(PAGE, files={"patients": (name, data, "text/csv")}, data=fields)


def test_patients_given_on_the_command_line_are_shown_as_computed(expected):
    client = TestClient(create_app(Models([WORKBOOK]), patients=PATIENTS))
    response = client.get(PAGE)
    assert response.status_code == 200
    assert shown_counts(response.text) == expected
    assert "her2_patients.csv" in response.text and 'id="upload"' in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert client.get(PAGE).text == response.text  # counted once, kept


def test_without_patients_the_page_offers_the_form_only():
    response = TestClient(create_app(Models([WORKBOOK]))).get(PAGE)
    assert response.status_code == 200 and 'id="no-patients"' in response.text and "data-count" not in response.text


def test_a_file_sent_from_the_form_is_shown_as_computed_and_named_as_sent(expected):
    client = TestClient(create_app(Models([WORKBOOK])))
    response = send(client, "my patients.csv", PATIENTS.read_bytes())
    assert response.status_code == 200, message(response.text)
    assert shown_counts(response.text) == expected
    assert "my patients.csv" in response.text


def test_an_excel_sheet_of_patients_is_read_as_evaluate_reads_it(expected, tmp_path):
    import pandas as pd

    frame = pd.read_csv(PATIENTS, dtype=str, keep_default_na=False)
    path = tmp_path / "patients.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="notes", index=False)
        frame.to_excel(writer, sheet_name="cohort", index=False)
    client = TestClient(create_app(Models([WORKBOOK])))
    response = send(client, "patients.xlsx", path.read_bytes(), sheet="cohort")
    assert response.status_code == 200, message(response.text)
    assert shown_counts(response.text)[""]["records"] == expected[""]["records"]


def test_a_file_that_cannot_be_used_is_a_400_with_the_message_of_dtrun_evaluate(tmp_path):
    client = TestClient(create_app(Models([WORKBOOK])), raise_server_exceptions=False)
    (tmp_path / "cohort.csv").write_text("id,age\n1,40\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(WORKBOOK), str(tmp_path / "cohort.csv")])
    assert result.exit_code == 4
    response = send(client, "cohort.csv", b"id,age\n1,40\n")
    assert response.status_code == 400
    cli = result.stderr.strip().replace(str(tmp_path / "cohort.csv"), "cohort.csv")
    assert message(response.text) == cli
    assert "Traceback" not in response.text and "dtrun-upload" not in response.text and "/tmp" not in response.text


@pytest.mark.parametrize("name, data, expected", [
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "save it as Excel Workbook (.xlsx)"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "broken.xlsx"),
    ("empty.csv", b"", "empty.csv"),
])
def test_files_dtrun_cannot_read_are_a_400_naming_the_file(name, data, expected):
    client = TestClient(create_app(Models([WORKBOOK])), raise_server_exceptions=False)
    response = send(client, name, data)
    assert response.status_code == 400 and expected in message(response.text), message(response.text)
    assert "Traceback" not in response.text


def test_a_body_without_a_file_is_a_400_saying_what_to_send():
    client = TestClient(create_app(Models([WORKBOOK])))
    response = client.post(PAGE, content=b"her2_status=positive",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "multipart/form-data" in message(response.text)
    response = client.post(PAGE, data={"sheet": "x"}, files={"other": ("a.csv", b"a\n1\n", "text/csv")})
    assert response.status_code == 400 and "no patient file was sent" in message(response.text)


def test_past_max_body_a_413_also_when_the_length_is_not_declared():
    data = PATIENTS.read_bytes()
    client = TestClient(create_app(Models([WORKBOOK]), max_body=len(data) // 2))
    response = send(client, "patients.csv", data)
    assert response.status_code == 413 and "more than the limit" in message(response.text)

    def chunks():
        yield b"--x\r\nContent-Disposition: form-data; name=\"patients\"; filename=\"p.csv\"\r\n\r\n"
        for _ in range(4):
            yield data
        yield b"\r\n--x--\r\n"

    response = client.post(PAGE, content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 413
    assert TestClient(create_app(Models([WORKBOOK]), max_body=2 * len(data))).post(
        PAGE, content=b"".join(chunks())[: len(data)], headers={"content-type": "multipart/form-data; boundary=x"}
    ).status_code in (200, 400)


def test_an_unknown_model_is_a_404_page():
    response = TestClient(create_app(Models([WORKBOOK]))).get("/m/nothing/population")
    assert response.status_code == 404 and "no model named 'nothing'" in message(response.text)


def test_a_bug_is_a_500_of_one_line_without_a_traceback(monkeypatch):
    from engine.serve import population

    def broken(*args: object) -> None:
        raise ZeroDivisionError("deep inside")

    monkeypatch.setattr(population, "count_upload", broken)
    client = TestClient(create_app(Models([WORKBOOK])), raise_server_exceptions=False)
    response = send(client, "patients.csv", PATIENTS.read_bytes())
    assert response.status_code == 500 and "bug in dtrun" in message(response.text)
    assert "deep inside" not in response.text and "Traceback" not in response.text


def test_the_command_line_passes_patients_and_refuses_a_missing_file(monkeypatch, tmp_path):
    calls: list = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(app))
    result = CliRunner().invoke(main, ["serve", str(WORKBOOK), "--patients", str(PATIENTS)])
    assert result.exit_code == 0, result.output
    assert f"the population of {PATIENTS}: http://127.0.0.1:8000{PAGE}" in result.stderr
    assert shown_counts(TestClient(calls[0]).get(PAGE).text)[""]["records"] == 56
    result = CliRunner().invoke(main, ["serve", str(WORKBOOK), "--patients", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "none.csv" in result.stderr and len(calls) == 1


# ====================================================================== the diff page
INPUTS = [("age", "number", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "yes")]


def versions(folder: Path) -> tuple[Path, Path]:
    one = {"band": ("U", ["age", "band"], "io", None, [["B1", "< 18", '"child"'], ["B2", ">= 18", '"adult"']]),
           "plan": ("F", ["band.band", "hr", "plan"], "iio", None, [["P1", '"child"', "-", '"paediatric"'],
                                                                     ["P2", "-", "-", '"standard"']])}
    two = {"band": ("U", ["age", "band"], "io", None, [["B1", "< 16", '"child"'], ["B2", ">= 18", '"adult"'],
                                                         ["B3", "[0..1)", '"infant"']]),
           "plan": one["plan"]}
    make_workbook(folder, "guide.xlsx", inputs=INPUTS, tables=one, about={"Version": "1"})
    make_workbook(folder, "guide_v2.xlsx", inputs=INPUTS, tables=two, about={"Version": "2"})
    return folder / "guide.xlsx", folder / "guide_v2.xlsx"


def test_the_diff_page_lists_every_behaviour_region_and_draws_it(tmp_path):
    old, new = versions(tmp_path)
    client = TestClient(create_app(Models([old, new])))
    response = client.get("/diff?a=guide&b=guide_v2")
    assert response.status_code == 200
    changes = behaviour_changes(load(old), load(new))
    assert changes  # [0..1): child -> overlap; [16..18): child -> no rule; ...
    rows = re.findall(r'<tr id="region-(\w+)-(\d+)" data-region', response.text)
    assert [t for t, _ in rows] == [c.table for c in changes]
    section = response.text.split('id="diff-band"')[1]
    for change in changes:
        assert change.old.replace('"', "&#34;") in section and change.new.replace('"', "&#34;") in section
    assert 'id="diff-plan"' in response.text  # its behaviour changed through band, not its rules
    assert section.count("<svg") >= 2 and 'href="#region-band-1"' in section  # each region drawn, linked to its row
    assert 'class="added"' in section and 'class="changed"' in section  # B3 added, B1 changed


def test_the_diff_page_without_a_pair_offers_the_choice_and_an_unknown_name_is_a_404(tmp_path):
    old, new = versions(tmp_path)
    client = TestClient(create_app(Models([old, new])))
    response = client.get("/diff")
    assert response.status_code == 200 and 'id="choose"' in response.text and "data-region" not in response.text
    assert '/diff" id="compare"' in client.get("/").text
    response = client.get("/diff?a=guide&b=guide_v3")
    assert response.status_code == 404 and "no model named 'guide_v3'" in message(response.text)


def test_the_same_version_twice_shows_no_change(tmp_path):
    old, _ = versions(tmp_path)
    shutil.copy(old, tmp_path / "copy.xlsx")
    response = TestClient(create_app(Models([old, tmp_path / "copy.xlsx"]))).get("/diff?a=guide&b=copy")
    assert response.status_code == 200 and "no change in behaviour" in response.text
    assert 'class="compared"' not in response.text
