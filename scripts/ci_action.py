"""The steps of the dtrun GitHub Action (action.yml), as a script that runs without GitHub.

Run in the checked-out guideline repository.  It lints the workbooks with SARIF output,
runs their Tests sheets with JUnit XML output, and on a pull request writes the markdown
diff (``dtrun diff --format markdown``) between the base and head version of each changed
workbook, fetching the base commit itself (a default pull-request checkout has only the
head, and no ``origin/main``).  Every step runs even when an earlier one fails, so that the
reports can be uploaded; the exit status is 1 when lint or test failed, 0 otherwise.

Reads (environment):
  DTRUN_PATHS         workbooks and folders to check, separated by spaces (default ``.``)
  DTRUN_OUT           folder for the reports (default ``dtrun-reports``)
  DTRUN_MIN_COVERAGE  passed to ``dtrun test --min-coverage`` when set
  DTRUN_DIFF          ``false`` to skip the diff on pull requests
  GITHUB_EVENT_NAME, GITHUB_EVENT_PATH  the event; a pull request's base and head commits
  GITHUB_OUTPUT, GITHUB_STEP_SUMMARY   where outputs and the job summary are appended
Writes in DTRUN_OUT: ``dtrun-lint.sarif``, ``dtrun-test.xml``, and on a pull request with a
changed workbook ``dtrun-diff.md`` (also appended to the job summary); outputs ``sarif``,
``junit``, ``diff`` (the path, empty when there is no diff), ``lint-status``, ``test-status``.
dtrun is run as ``python -m engine.cli`` with the Python running this script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

MARKER = "<!-- dtrun-diff -->"  # lets the Action find and update its own comment


def dtrun(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "engine.cli", *args]
    print("$ dtrun " + " ".join(args), flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=check)


def workbooks(paths: list[str]) -> list[str]:
    """The .xlsx workbooks in ``paths`` (files, or folders searched recursively), sorted;
    Excel's ``~$`` lock files and folders starting with ``.`` are left out."""
    found: set[str] = set()
    for path in map(Path, paths):
        candidates = [path] if path.is_file() else path.rglob("*.xlsx")
        for candidate in candidates:
            parts = candidate.relative_to(path).parts if candidate != path else ()
            if candidate.suffix.lower() == ".xlsx" and not candidate.name.startswith("~$") \
                    and not any(p.startswith(".") for p in parts):
                found.add(candidate.as_posix())
    return sorted(found)


def pull_request() -> tuple[str, str] | None:
    """(base sha, head sha) of the pull request that triggered the run, else None."""
    event_path = os.environ.get("GITHUB_EVENT_PATH")
    if not event_path or not Path(event_path).is_file():
        return None
    event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    request = event.get("pull_request")
    if not request:
        return None
    return request["base"]["sha"], request["head"]["sha"]


def changed_workbooks(base: str, head: str) -> list[tuple[str, str]]:
    """(status letter, path) of each .xlsx or .dmn changed between ``base`` and ``head``."""
    if git("cat-file", "-e", f"{base}^{{commit}}", check=False).returncode:
        git("fetch", "--no-tags", "--depth=1", "origin", base)
    if git("cat-file", "-e", f"{head}^{{commit}}", check=False).returncode:
        head = "HEAD"
    listing = git("diff", "--name-status", "--no-renames", base, head, "--", "*.xlsx", "*.dmn").stdout
    return [(line[0], line.split("\t", 1)[1]) for line in listing.splitlines() if line.strip()]


def diff_markdown(base: str, head: str) -> str:
    """The markdown of every changed workbook's diff, base → head."""
    sections = [MARKER, "## dtrun: changes in behaviour of the decision tables", ""]
    copies = Path(tempfile.mkdtemp(prefix="dtrun-base-"))  # outside the paths that lint reads
    for status, path in changed_workbooks(base, head):
        if Path(path).name.startswith("~$"):
            continue
        if status == "A":
            sections += [f"### `{path}`", "", "New workbook (no base version to compare).", ""]
            continue
        if status == "D":
            sections += [f"### `{path}`", "", "Workbook deleted.", ""]
            continue
        before = copies / "base" / path
        before.parent.mkdir(parents=True, exist_ok=True)
        before.write_bytes(subprocess.run(["git", "show", f"{base}:{path}"], capture_output=True,
                                          check=True).stdout)
        markdown = before.with_name(before.name + ".md")
        done = dtrun("diff", str(before), path, "--format", "markdown", "-o", str(markdown))
        verdict = {0: "no change in behaviour", 1: "**behaviour changed**: a clinical reviewer should approve"}
        sections += [f"### `{path}`: {verdict.get(done.returncode, 'could not be compared fully')}", ""]
        if markdown.is_file():
            sections.append(markdown.read_text(encoding="utf-8"))
        if done.returncode not in verdict:
            sections += ["```", done.stderr.strip(), "```"]
        sections.append("")
    return "\n".join(sections) + "\n" if len(sections) > 3 else ""


def main() -> int:
    paths = os.environ.get("DTRUN_PATHS", ".").split() or ["."]
    out = Path(os.environ.get("DTRUN_OUT", "dtrun-reports"))
    out.mkdir(parents=True, exist_ok=True)
    sarif, junit, diff = out / "dtrun-lint.sarif", out / "dtrun-test.xml", out / "dtrun-diff.md"

    lint = dtrun("lint", *paths, "--format", "sarif", "-o", str(sarif)).returncode
    books = workbooks(paths)
    coverage = os.environ.get("DTRUN_MIN_COVERAGE", "").strip()
    test = dtrun("test", *books, "--junit-xml", str(junit), *(["--min-coverage", coverage] if coverage else [])
                 ).returncode if books else 0

    markdown = ""
    request = pull_request()
    if request and os.environ.get("DTRUN_DIFF", "true").lower() != "false":
        markdown = diff_markdown(*request)
        if markdown:
            diff.write_text(markdown, encoding="utf-8")
            if os.environ.get("GITHUB_STEP_SUMMARY"):
                with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
                    summary.write(markdown)
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as output:
            output.write(f"sarif={sarif}\njunit={junit if junit.is_file() else ''}\n"
                         f"diff={diff if markdown else ''}\nlint-status={lint}\ntest-status={test}\n")
    return 1 if lint or test else 0


if __name__ == "__main__":
    sys.exit(main())
