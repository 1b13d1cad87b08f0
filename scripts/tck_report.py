"""The TCK runner's report: what ``scripts/run_tck.py`` prints and the results file it writes.

Owns the outcome of every test case in the TCK's own terms, the results file in the format of
the TCK repository's ``TestResults/<vendor>/<version>/tck_results.csv`` (one row per test
case, every field quoted: ``"compliance-level-2/0004-simpletable-U","0004-simpletable-U-test-01",
"001","SUCCESS",""``), the per-folder table with totals per level, every case not passed with
its reason, and the refusal reasons counted with the names they hold taken out (``--reasons``).

Statuses: passed → ``SUCCESS``; failed (an answer other than the expected one) → ``FAILURE``;
unsupported (dtrun refuses the model, the decision or a value, and says why) → ``IGNORED``
with the reason as the note; a crash of the runner or of dtrun on a folder → ``ERROR`` for
each of its cases, the exception as the note.  The case id is the ``testCase``'s ``id`` as its
file writes it (the TCK's reporter matches results to cases by folder, test file and id); a
case without an id gets its position (``#3``), a repeated id a suffix (``001~2``).

The running itself (``run_folder``) stays in ``run_tck.py``; this module takes it as an argument.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from tck_xml import children  # noqa: E402

LEVELS = ("compliance-level-2", "compliance-level-3")
STATUS = {"passed": "SUCCESS", "failed": "FAILURE", "error": "ERROR", "unsupported": "IGNORED"}
KINDS = ("passed", "failed", "error", "unsupported")  # the columns of the table, in this order


@dataclass(frozen=True)
class Case:
    """One ``testCase`` as the results file names it: its unique id and its result nodes."""

    id: str
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class CaseOutcome:
    case: str  # the unique id
    status: str  # passed / failed / error / unsupported
    reason: str = ""
    nodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FolderRun:
    """One folder run: where it is, its test file, its cases' outcomes and the FEEL path's counts."""

    level: str  # compliance-level-2 or compliance-level-3
    folder: str  # the folder's name
    test_file: str  # the test file's name without ``.xml``
    outcomes: tuple[CaseOutcome, ...]
    loaded: bool = False  # the whole model loaded
    feel: tuple[int, int, int] | None = None  # literal-expression path: cases passed, failed, refused
    unread: tuple[str, ...] = ()  # other ``-test-NN.xml`` files of the folder (none in TCK 0dbcaf9)
    tier: str = ""  # the subset's tier (A, B, C) in ../shared/tck

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def place(self) -> str:
        """The folder as the results file's first field names it."""
        return f"{self.level}/{self.folder}"


# ---------------------------------------------------------------------- folders and cases
def level_folders(tck: Path, patterns: Sequence[str] = ()) -> list[tuple[str, Path]]:
    """(level, folder) for every model folder of levels 2 and 3 whose name matches a pattern."""
    return [(level, folder) for level in LEVELS if (tck / level).is_dir()
            for folder in sorted(p for p in (tck / level).iterdir() if (p / f"{p.name}.dmn").exists())
            if selected(folder.name, patterns)]


def selected(name: str, patterns: Sequence[str]) -> bool:
    """Whether ``--folder`` selects ``name``: a glob (``00[45]*``) or else a part of the name."""
    return not patterns or any(fnmatch.fnmatchcase(name, p if any(c in p for c in "*?[") else f"*{p}*")
                               for p in patterns)


def test_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{folder.name}-test-*.xml"))


def read_case_ids(path: Path) -> list[Case]:
    """The test cases of a test file, each with an id unique in the file, and its result nodes."""
    from defusedxml.ElementTree import parse

    cases, seen = [], Counter[str]()
    for position, case in enumerate(children(parse(path).getroot(), "testCase"), start=1):
        given = case.get("id") or f"#{position}"
        seen[given] += 1
        unique = given if seen[given] == 1 else f"{given}~{seen[given]}"
        cases.append(Case(unique, tuple(n.get("name", "") for n in children(case, "resultNode"))))
    return cases


# ---------------------------------------------------------------------- running
def run_safely(run: Callable[[Path, str], Any], folder: Path, level: str, tier: str = "",
               feel: Callable[[Path], tuple[int, int, int]] | None = None) -> FolderRun:
    """``run(folder, tier or level)`` (``run_tck.run_folder``) as a ``FolderRun``: a crash is
    every case's ERROR."""
    files = test_files(folder)
    main = folder / f"{folder.name}-test-01.xml"
    cases = read_case_ids(main)
    unread = tuple(f.name for f in files if f != main)
    try:
        report = run(folder, tier or level)
    except Exception as error:  # noqa: BLE001 - a crash is reported, per case, as the TCK's ERROR
        why = f"the runner crashed on this folder: {type(error).__name__}: {error}"
        outcomes = tuple(CaseOutcome(c.id, "error", why, c.nodes) for c in cases)
        return FolderRun(level, folder.name, main.stem, outcomes, False, feel(folder) if feel else None, unread, tier)
    found = [o if o.status in STATUS else CaseOutcome(o.case, "error", f"the runner gave the status {o.status!r} "
                                                      f"({o.reason})") for o in report.outcomes]
    if len(found) == len(cases):
        outcomes = tuple(CaseOutcome(c.id, o.status, o.reason, c.nodes) for c, o in zip(cases, found))
    else:  # the runner gave another number of outcomes: its own ids, made unique
        outcomes = tuple(CaseOutcome(i, o.status, o.reason) for i, o in zip(_unique(o.case for o in found), found))
    return FolderRun(level, folder.name, main.stem, outcomes, bool(report.loaded), feel(folder) if feel else None,
                     unread, tier)


def _unique(ids: Iterable[str]) -> list[str]:
    seen, out = Counter[str](), []
    for position, given in enumerate(ids, start=1):
        given = given or f"#{position}"
        seen[given] += 1
        out.append(given if seen[given] == 1 else f"{given}~{seen[given]}")
    return out


def feel_counts(folder: Path) -> tuple[int, int, int]:
    """The FEEL literal-expression path (``run_tck_full.py``) on a folder, per test case: passed
    when every result node passed, failed when one failed, else refused."""
    import run_tck_full

    nodes: dict[str, list[str]] = {}
    for outcome in run_tck_full.run_folder(folder):
        nodes.setdefault(outcome.case, []).append(outcome.status)
    statuses = ["failed" if "failed" in s else "passed" if set(s) == {"passed"} else "refused" for s in nodes.values()]
    return statuses.count("passed"), statuses.count("failed"), statuses.count("refused")


# ---------------------------------------------------------------------- the results file
def rows(runs: Iterable[FolderRun]) -> list[tuple[str, str, str, str, str]]:
    return [(run.place, run.test_file, o.case, STATUS[o.status], " ".join(o.reason.split()))
            for run in runs for o in run.outcomes]


def results_text(runs: Iterable[FolderRun]) -> str:
    """The results file: every field quoted, a quote doubled, one line (``\\n``) per case."""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows(runs))
    return out.getvalue()


def write_results(path: str | Path, runs: Iterable[FolderRun]) -> None:
    from engine._core.atomic import write_text

    write_text(path, results_text(runs))


def write_results_or_say(path: str | Path, runs: Iterable[FolderRun]) -> bool:
    """``write_results``; when the file cannot be written, say why on standard error (no traceback)."""
    from engine._core.errors import DtrunError

    try:
        write_results(path, runs)
    except DtrunError as error:
        print(f"error: {error}", file=sys.stderr)
        return False
    return True


# ---------------------------------------------------------------------- reasons
# A reason without the names and values it holds, so that cases refused alike count together.
_GENERAL = [
    (re.compile(r"^rule [^:]*: "), ""),
    (re.compile(r"the output cell .* gives .* \(([a-z ]+)\); an output holds.*"),
     r"an output cell gives a \1; an output holds a number, a text, a boolean, a date or null"),
    (re.compile(r"the output cell .* cannot be evaluated: "), "an output cell cannot be evaluated: "),
    (re.compile(r"cannot read '.*?': "), "cannot read an expression: "),
    (re.compile(r"^input .+ is not an input dtrun can read"), "input … is not an input dtrun can read"),
    (re.compile(r"gives a \S+ \(typeRef\)"), "gives a … (typeRef)"),
    (re.compile(r"knowledgeRequirement of [^)]+\)"), "knowledgeRequirement of …)"),
    (re.compile(r"not evaluated because .+ has no usable value"),
     "not evaluated because a decision it needs has no usable value"),
    (re.compile(r"the year -?\d+"), "the year …"),
    (re.compile(r"(?<=: )[\w ]+ takes [\w ]+ arguments? \([^)]*\), not \d+ arguments?"),
     "a function called with a number of arguments it does not take"),
    (re.compile(r"\S+ is not a known input"), "… is not a known input"),
    (re.compile(r"two entries named \S+"), "two entries named …"),
    (re.compile(r" at character \d+"), ""),
    (re.compile(r"@?\"[^\"]*\"|'[^']*'"), "…"),
]


def normalise(reason: str, nodes: Sequence[str] = ()) -> str:
    """``reason`` without the result node it starts with and the names and values it holds."""
    text = " ".join(reason.split())
    for node in sorted(nodes, key=len, reverse=True):
        if node and text.startswith(f"{node}: "):
            text = text[len(node) + 2:]
            break
    for pattern, replacement in _GENERAL:
        text = pattern.sub(replacement, text)
    for node in nodes:
        if len(node) > 2:
            text = re.sub(rf"(?<!\w){re.escape(node)}(?!\w)", "…", text)
    return text


def reason_counts(runs: Iterable[FolderRun], status: str = "unsupported") -> Counter[tuple[str, str]]:
    """(level, normalised reason) → cases, for the cases of ``status``."""
    return Counter((run.level, normalise(o.reason, o.nodes)) for run in runs for o in run.outcomes
                   if o.status == status)


# ---------------------------------------------------------------------- printing
HEADING = ("level", "folder", "cases", "passed", "failed", "errors", "refused")


def table(runs: Sequence[FolderRun]) -> list[str]:
    """One line per folder: level, folder, cases, passed, failed, errors, refused (and the FEEL path's counts)."""
    width = max((len(r.folder) for r in runs), default=6)
    feel = any(r.feel for r in runs)
    lines = [_line(HEADING, width) + ("  FEEL literals passed/failed/refused" if feel else "")]
    for run in runs:
        cells = (_short(run.level), run.folder, len(run.outcomes), *(run.count(k) for k in KINDS))
        lines.append(_line(cells, width) + (f"  {'/'.join(map(str, run.feel))}" if run.feel else ""))
    return lines


def totals(runs: Sequence[FolderRun]) -> list[str]:
    """Per level: folders, models loaded whole, cases and each status (and the FEEL path's)."""
    lines = ["level  folders  loaded  cases  passed  failed  errors  refused" +
             ("  | FEEL literals passed  failed  refused" if any(r.feel for r in runs) else "")]
    for level in dict.fromkeys(r.level for r in runs):
        mine = [r for r in runs if r.level == level]
        counts = [sum(r.count(k) for r in mine) for k in KINDS]
        line = (f"{_short(level):<5}  {len(mine):>7}  {sum(r.loaded for r in mine):>6}  {sum(counts):>5}  "
                f"{counts[0]:>6}  {counts[1]:>6}  {counts[2]:>6}  {counts[3]:>7}")
        if any(r.feel for r in mine):
            feel = [sum(r.feel[i] for r in mine if r.feel) for i in range(3)]
            line += f"  |               {feel[0]:>6}  {feel[1]:>6}  {feel[2]:>7}"
        lines.append(line)
    return lines


def not_passed(runs: Sequence[FolderRun]) -> list[str]:
    """Every case not passed, under its folder, with its status and reason."""
    lines = []
    for run in runs:
        shown = [o for o in run.outcomes if o.status != "passed"]
        if shown or run.unread:
            lines.append(f"{run.place}:")
        if len(shown) > 1 and {(o.status, o.reason) for o in run.outcomes} == {("error", shown[0].reason)}:
            lines.append(f"    all {len(shown)} cases: error: {shown[0].reason}")  # the folder crashed
            shown = []
        lines += [f"    {o.case}: {_word(o.status)}: {o.reason}" for o in shown]
        lines += [f"    {name}: not read (the runner reads {run.test_file}.xml)" for name in run.unread]
    return lines


def reasons_lines(runs: Sequence[FolderRun]) -> list[str]:
    """The refusal reasons counted per level, most frequent first (``--reasons``)."""
    counts = reason_counts(runs)
    lines = []
    for level in dict.fromkeys(r.level for r in runs):
        mine = sorted(((n, reason) for (lv, reason), n in counts.items() if lv == level), key=lambda x: (-x[0], x[1]))
        lines.append(f"{_short(level)}: {sum(n for n, _ in mine)} cases refused, {len(mine)} reasons")
        lines += [f"  {n:>5}  {reason}" for n, reason in mine]
    return lines


def _word(status: str) -> str:
    return {"unsupported": "refused"}.get(status, status)


def _short(level: str) -> str:
    return level.removeprefix("compliance-level-")


def _line(cells: Sequence[Any], width: int) -> str:
    level, folder, *numbers = cells
    return f"{level!s:<5}  {folder!s:<{width}}  " + "  ".join(f"{n!s:>7}" for n in numbers)
