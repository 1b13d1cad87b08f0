"""``dtrun serve``'s JSON API through Starlette's test client (issue 22, item 2).

The oracle is the command line: ``/api/evaluate`` on the HER2 example's records gives what
``dtrun evaluate --format json`` writes for the same file, ``/api/lint`` what ``dtrun lint
--format json`` reports.  Every error status is tried, with the limits.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, make_workbook

pytest.importorskip("starlette")
pytest.importorskip("httpx2")  # the test client's HTTP library (the test extra)

from starlette.routing import Route  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from engine.cli import main  # noqa: E402
from engine.serve.api import OPENAPI, create_app  # noqa: E402
from engine.serve.models import Models  # noqa: E402

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
PATIENTS = ROOT / "decision_tables" / "examples" / "her2_patients.csv"


@pytest.fixture(scope="module")
def her2() -> TestClient:
    return TestClient(create_app(Models([WORKBOOK])))


def _records() -> list[dict[str, str | None]]:
    with PATIENTS.open(encoding="utf-8", newline="") as handle:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)]


def test_evaluate_gives_what_the_command_line_writes_for_the_same_records(her2: TestClient, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", str(WORKBOOK), str(PATIENTS), "--format", "json", "--explain",
                                       "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    expected = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    response = her2.post("/api/evaluate?explain=true", json=_records())
    assert response.status_code == 200, response.text
    got = response.json()
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected):  # the CSV's empty cells are missing values: null in JSON
        assert mine == {k: (None if v == "" and k in mine and mine[k] is None else v) for k, v in theirs.items()}


def test_one_record_gives_one_result_and_json_types_read_as_csv_cells(her2: TestClient) -> None:
    record = _records()[0]
    typed = {k: (int(v) if v and v.isdigit() else {"true": True, "false": False}.get(v, v)) for k, v in record.items()}
    one, same = her2.post("/api/evaluate", json=record), her2.post("/api/evaluate", json=typed)
    assert one.status_code == same.status_code == 200
    results = [k for k in one.json() if "." in k or k.startswith("_")]
    assert isinstance(one.json(), dict) and {k: one.json()[k] for k in results} == {k: same.json()[k] for k in results}


def test_decision_limits_the_tables_and_an_unknown_one_is_a_400(her2: TestClient) -> None:
    response = her2.post("/api/evaluate?decision=treatment_line", json=_records()[0])
    assert response.status_code == 200 and "treatment_line.line" in response.json()
    assert "first_line_regimen.regimen" not in response.json()
    response = her2.post("/api/evaluate?decision=no_such_table", json=_records()[0])
    assert response.status_code == 400 and "no_such_table" in response.json()["error"]


@pytest.mark.parametrize(("body", "status", "words"), [
    (b"{not json", 400, "not JSON"),
    (b"[1, 2]", 400, "record 1 is a JSON int"),
    (b'{"her2_status": ["positive"]}', 400, "holds a JSON list"),
    (b'"text"', 400, "record 1 is a JSON str"),
])
def test_a_bad_body_is_a_400_with_the_reason_and_no_traceback(her2: TestClient, body: bytes, status: int,
                                                            words: str) -> None:
    response = her2.post("/api/evaluate", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status and words in response.json()["error"]
    assert "Traceback" not in response.text


def test_a_required_input_no_record_gives_is_a_400_naming_it(her2: TestClient) -> None:
    record = {k: v for k, v in _records()[0].items() if k != "her2_status"}
    response = her2.post("/api/evaluate", json=record)
    assert response.status_code == 400 and "her2_status" in response.json()["error"]


def test_the_limits_on_records_and_bytes_are_413_also_when_the_length_is_not_declared() -> None:
    client = TestClient(create_app(Models([WORKBOOK]), max_records=3, max_body=2_000))
    records = _records()
    assert client.post("/api/evaluate", json=records[:3]).status_code == 200
    too_many = client.post("/api/evaluate", json=[{"her2_status": "positive"}] * 4)
    assert too_many.status_code == 413 and "limit of 3" in too_many.json()["error"]
    big = json.dumps(records[:3] * 10).encode()
    assert client.post("/api/evaluate", content=big).status_code == 413

    def chunks():  # no Content-Length: the body is counted as it arrives
        yield big[:1000]
        yield big[1000:]

    response = client.post("/api/evaluate", content=chunks())
    assert response.status_code == 413 and "limit of 2,000" in response.json()["error"]


def test_lint_gives_what_the_command_line_reports(her2: TestClient) -> None:
    result = CliRunner().invoke(main, ["lint", str(WORKBOOK), "--format", "json"])
    response = her2.get("/api/lint")
    assert response.status_code == 200
    assert response.json()["findings"] == json.loads(result.stdout)
    assert response.json()["counts"]["error"] == 0


def test_tables_describe_every_model_and_several_models_need_a_name(tmp_path: Path) -> None:
    shutil.copy(WORKBOOK, tmp_path / "her2.xlsx")
    make_workbook(tmp_path, "small.xlsx", inputs=[("x", "number")],
                  tables={"t": ("U", ["x", "y"], "io", None, [["R1", "< 1", '"low"'], ["R2", ">= 1", '"high"']])})
    client = TestClient(create_app(Models([tmp_path])))
    models = {m["name"]: m for m in client.get("/api/tables").json()["models"]}
    assert set(models) == {"her2", "small"}
    assert models["small"]["tables"] == [{"name": "t", "hit_policy": "U", "inputs": ["x"], "outputs": ["t.y"],
                                          "rules": 2}]
    assert client.post("/api/evaluate", json={"x": 2}).status_code == 400  # which model?
    assert client.post("/api/evaluate?model=small", json={"x": 2}).json()["t.y"] == "high"
    missing = client.post("/api/evaluate?model=nothing", json={"x": 2})
    assert missing.status_code == 404 and "her2, small" in missing.json()["error"]


def test_reload_swaps_the_models_only_when_every_file_loads(tmp_path: Path) -> None:
    def small(result: str) -> None:
        make_workbook(tmp_path, "small.xlsx", inputs=[("x", "number")],
                      tables={"t": ("U", ["x", "y"], "io", None, [["R1", "-", f'"{result}"']])})

    small("before")
    client = TestClient(create_app(Models([tmp_path / "small.xlsx"])))
    small("after")
    assert client.post("/api/evaluate", json={"x": 1}).json()["t.y"] == "before"  # explicit reload only
    assert client.post("/api/reload").json() == {"reloaded": ["small"]}
    assert client.post("/api/evaluate", json={"x": 1}).json()["t.y"] == "after"
    (tmp_path / "small.xlsx").write_bytes(b"not a workbook")
    response = client.post("/api/reload")
    assert response.status_code == 422 and "unchanged" in response.json()["error"]
    assert client.post("/api/evaluate", json={"x": 1}).json()["t.y"] == "after"


def test_the_openapi_document_lists_every_route_and_its_methods(her2: TestClient) -> None:
    document = her2.get("/openapi.json").json()
    assert document == json.loads(json.dumps(OPENAPI))
    routes = {r.path: {m.lower() for m in (r.methods or set())} - {"head"} for r in her2.app.routes
              if isinstance(r, Route)}
    assert {path: set(item) for path, item in document["paths"].items()} == routes


def test_a_bug_is_a_500_of_one_line_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.serve import api

    def broken(*args: object) -> None:
        raise ZeroDivisionError("deep inside")

    monkeypatch.setattr(api, "_evaluate", broken)
    client = TestClient(create_app(Models([WORKBOOK])), raise_server_exceptions=False)
    response = client.post("/api/evaluate", json={"her2_status": "positive"})
    assert response.status_code == 500 and "bug in dtrun" in response.json()["error"]
    assert "deep inside" not in response.text and "Traceback" not in response.text


def test_explain_gives_what_dtrun_explain_prints_and_names_the_keys_it_ignored(her2: TestClient) -> None:
    record = _records()[0]
    settings = [f"--set={k}={v}" for k, v in record.items() if k != "patient_id" and v is not None]
    result = CliRunner().invoke(main, ["explain", str(WORKBOOK), *settings, "--format", "json"])
    assert result.exit_code == 0, result.output
    response = her2.post("/api/explain", json=record)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document.pop("ignored") == ["patient_id"]
    assert document == json.loads(result.stdout)
    listed = her2.post("/api/explain", json=[record])
    assert listed.status_code == 400 and "one record" in listed.json()["error"]
    unknown = her2.post("/api/explain?decision=nothing", json=record)
    assert unknown.status_code == 400 and "nothing" in unknown.json()["error"]


def test_a_list_input_takes_a_json_list(tmp_path: Path) -> None:
    workbook = make_workbook(tmp_path, inputs=[("signs", "list of string", '"Fever","Cough"', "no")],
                             tables={"t": ("F", ["signs", "o"], "io", None, [["R1", '"Fever"', '"a"'], ["R2", "-", '"b"']])})
    client = TestClient(create_app(Models([workbook])))
    answers = [client.post("/api/evaluate", json={"signs": signs}).json() for signs in
               (["Cough", "Fever"], ["Cough"], [], "Fever; Cough", None, ["Fevr"])]
    assert [a["t.o"] for a in answers] == ["a", "b", "b", "a", "b", None]
    assert answers[0]["signs"] == '["Cough", "Fever"]'  # the inputs as a CSV cell holds them
    refused = client.post("/api/evaluate", json={"signs": [["Fever"]]})
    assert refused.status_code == 400 and "holds a JSON list" in refused.json()["error"]
    assert 'the list ["Fevr"] holds "Fevr"' in answers[5]["_errors"]
    explained = client.post("/api/explain", json={"signs": ["Fever"]})
    assert explained.status_code == 200 and explained.json()["inputs"]["signs"] == ["Fever"]
