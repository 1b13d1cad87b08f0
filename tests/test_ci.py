"""The CI setup of docs/ci.md, tried end to end without GitHub: the Action's script
(scripts/ci_action.py) on a pull request in a scratch git repository with a fake event, and
the pre-commit hooks (.pre-commit-hooks.yaml) run as pre-commit would run them."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import ROOT, make_workbook

yaml = pytest.importorskip("yaml")  # the test extra has pyyaml

INPUTS = [("age", "number", "[0..120]", "yes")]
HEAD = [["case", "age", "band.band"], [None, "input", "expected"]]
CASES = [["T1", 10, "child"], ["T2", 40, "adult"]]


def tables(adult: str) -> dict:
    return {"band": ("U", ["age", "band"], "io", [None, '"child","adult"'],
                     [["B1", "< 18", '"child"'], ["B2", adult, '"adult"']])}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main",
                           "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DTRUN_"))}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def test_the_action_script_on_a_pull_request(tmp_path: Path):
    origin, work, checkout = tmp_path / "origin.git", tmp_path / "work", tmp_path / "checkout"
    git(tmp_path, "init", "--bare", str(origin))
    git(tmp_path, "init", str(work))
    (work / "decision_tables").mkdir()
    make_workbook(work / "decision_tables", "guide.xlsx", inputs=INPUTS, tables=tables(">= 18"), tests=[*HEAD, *CASES])
    git(work, "add", ".")
    git(work, "commit", "-m", "base")
    base = git(work, "rev-parse", "HEAD")
    # the pull request: adults from 20 on, which leaves 18 and 19 without a rule (a gap) and T3 failing
    make_workbook(work / "decision_tables", "guide.xlsx", inputs=INPUTS, tables=tables(">= 20"),
                  tests=[*HEAD, *CASES, ["T3", 18, "adult"]])
    git(work, "commit", "-am", "adults from 20")
    head = git(work, "rev-parse", "HEAD")
    git(work, "push", str(origin), "HEAD:refs/heads/main")
    git(tmp_path, "clone", "--depth=1", f"file://{origin}", str(checkout))  # as actions/checkout: the head only
    assert subprocess.run(["git", "cat-file", "-e", base], cwd=checkout, capture_output=True).returncode != 0
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "base": {"sha": base, "ref": "main"},
                                                  "head": {"sha": head, "ref": "adults"}}}))
    output, summary, reports = tmp_path / "output", tmp_path / "summary.md", tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ci_action.py")], cwd=checkout, capture_output=True, text=True,
        env=environment(GITHUB_EVENT_NAME="pull_request", GITHUB_EVENT_PATH=str(event), GITHUB_BASE_REF="main",
                        GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary), DTRUN_PATHS="decision_tables",
                        DTRUN_OUT=str(reports), DTRUN_DOCS_URL="https://example.org/dtrun/docs/lint.md"))
    assert done.returncode == 1, done.stdout + done.stderr  # lint found the gap, T3 fails
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["lint-status"] == "1" and outputs["test-status"] == "1"

    sarif = json.loads(Path(outputs["sarif"]).read_text())
    run = sarif["runs"][0]
    gap = next(r for r in run["results"] if r["ruleId"] == "gap")
    assert gap["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "decision_tables/guide.xlsx"
    assert gap["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert run["tool"]["driver"]["rules"][gap["ruleIndex"]]["helpUri"] == "https://example.org/dtrun/docs/lint.md#gap"

    suite = ET.parse(outputs["junit"]).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    failure = suite.find("testcase[@name='T3 band.band']/failure")
    assert failure.get("message").startswith('band.band expected "adult", got null: no rule matched; nearest B2')

    markdown = Path(outputs["diff"]).read_text()
    assert markdown.startswith("<!-- dtrun-diff -->\n")
    assert "### `decision_tables/guide.xlsx`: **behaviour changed**" in markdown
    assert "B2" in markdown and ">= 20" in markdown
    assert markdown in summary.read_text()


def test_the_action_script_on_a_push_has_no_diff(tmp_path: Path):
    make_workbook(tmp_path, "guide.xlsx", inputs=INPUTS, tables=tables(">= 18"), tests=[*HEAD, *CASES])
    output = tmp_path / "output"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "ci_action.py")], cwd=tmp_path, capture_output=True,
                          text=True, env=environment(GITHUB_EVENT_NAME="push", GITHUB_OUTPUT=str(output),
                                                     DTRUN_OUT=str(tmp_path / "reports")))
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["diff"] == "" and outputs["lint-status"] == outputs["test-status"] == "0"


def test_the_action_definition_runs_the_script_and_docs_use_only_its_inputs():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    runs = " ".join(step.get("run", "") for step in action["runs"]["steps"])
    assert 'pip install --quiet "$GITHUB_ACTION_PATH"' in runs and "scripts/ci_action.py" in runs
    assert all("shell" in step for step in action["runs"]["steps"] if "run" in step)  # composite steps need one
    page = (ROOT / "docs" / "ci.md").read_text()
    (workflow,) = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", page, re.S) if "jobs:" in block]
    steps = workflow["jobs"]["dtrun"]["steps"]
    (uses,) = [step for step in steps if "dtrun@" in step.get("uses", "")]
    assert set(uses["with"]) <= set(action["inputs"])
    assert {"security-events", "pull-requests"} <= set(workflow["jobs"]["dtrun"]["permissions"])
    assert "junit" in action["outputs"] and "steps.dtrun.outputs.junit" in page


HOOK_KEYS = {"id", "name", "entry", "language"}  # pre-commit's required keys of a hook definition
OPTIONAL = {"description", "files", "exclude", "types", "args", "pass_filenames", "always_run", "require_serial",
            "stages", "minimum_pre_commit_version", "additional_dependencies", "verbose", "types_or",
            "exclude_types", "log_file", "language_version", "alias", "fail_fast"}


def hooks() -> dict[str, dict]:
    loaded = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(loaded, list)
    for hook in loaded:
        assert HOOK_KEYS <= set(hook) and set(hook) <= HOOK_KEYS | OPTIONAL, hook
        assert hook["language"] == "python"
    return {hook["id"]: hook for hook in loaded}


def staged(repo: Path, hook: dict) -> list[str]:
    """The staged files pre-commit would give ``hook``."""
    names = git(repo, "diff", "--cached", "--name-only").splitlines()
    return [n for n in names if re.search(hook["files"], n) and not re.search(hook.get("exclude", "^$"), n)]


def run_hook(repo: Path, hook: dict) -> subprocess.CompletedProcess[str]:
    entry = shlex.split(hook["entry"])
    assert entry[0] == "dtrun"  # the console script the python environment installs
    command = [sys.executable, "-m", "engine.cli", *entry[1:], *hook.get("args", []), *staged(repo, hook)]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, env=environment())


def test_the_pre_commit_hooks_on_staged_workbooks(tmp_path: Path):
    defined = hooks()
    assert set(defined) == {"dtrun-lint", "dtrun-test"}
    git(tmp_path, "init", str(tmp_path))
    make_workbook(tmp_path, "good.xlsx", inputs=INPUTS, tables=tables(">= 18"), tests=[*HEAD, *CASES])
    (tmp_path / "~$good.xlsx").write_bytes(b"Excel's lock file")
    (tmp_path / "notes.txt").write_text("not a workbook")
    git(tmp_path, "add", ".")
    assert staged(tmp_path, defined["dtrun-lint"]) == ["good.xlsx"]
    assert run_hook(tmp_path, defined["dtrun-lint"]).returncode == 0
    assert run_hook(tmp_path, defined["dtrun-test"]).returncode == 0
    make_workbook(tmp_path, "gap.xlsx", inputs=INPUTS, tables=tables(">= 20"), tests=[*HEAD, *CASES, ["T3", 18, "adult"]])
    git(tmp_path, "add", "gap.xlsx")
    lint = run_hook(tmp_path, defined["dtrun-lint"])
    assert lint.returncode == 1 and "error[gap]" in lint.stdout
    test = run_hook(tmp_path, defined["dtrun-test"])
    assert test.returncode == 1 and "FAIL T3" in test.stdout


def test_the_hooks_through_pre_commit_try_repo(tmp_path: Path):
    """pre-commit itself, as a guideline repository runs it: ``try-repo`` builds the hooks'
    environment from this checkout (pip, from the package index) and runs them on the staged
    workbooks of a scratch repository."""
    pre_commit = shutil.which("pre-commit") or (str(Path(sys.executable).with_name("pre-commit"))
                                                if Path(sys.executable).with_name("pre-commit").exists() else None)
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    repo = tmp_path / "guidelines"
    repo.mkdir()
    git(repo, "init", str(repo))
    make_workbook(repo, "good.xlsx", inputs=INPUTS, tables=tables(">= 18"), tests=[*HEAD, *CASES])
    git(repo, "add", ".")
    env = {**environment(PRE_COMMIT_HOME=str(tmp_path / "cache")), "PYTHONPATH": ""}

    def run() -> subprocess.CompletedProcess[str]:  # every hook; each call builds the environment (~15 s)
        return subprocess.run([pre_commit, "try-repo", str(ROOT)], cwd=repo, capture_output=True, text=True,
                              env=env, timeout=600)

    done = run()
    assert done.returncode == 0 and done.stdout.count("Passed") == 2, done.stdout + done.stderr
    make_workbook(repo, "gap.xlsx", inputs=INPUTS, tables=tables(">= 20"), tests=[*HEAD, *CASES, ["T3", 18, "adult"]])
    git(repo, "add", "gap.xlsx")
    done = run()
    assert done.returncode == 1 and done.stdout.count("Failed") == 2, done.stdout + done.stderr
    assert "error[gap]" in done.stdout and "FAIL T3" in done.stdout
