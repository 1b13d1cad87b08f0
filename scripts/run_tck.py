"""Run the DMN TCK's cases through dtrun's DMN import and print what passed.

    python scripts/run_tck.py ../shared/tck-full/TestCases --results tck_results.csv
                                              (every folder of compliance levels 2 and 3)
    python scripts/run_tck.py [TCK_FOLDER]    (the subset by tier; default: $DTRUN_TCK or ../shared/tck)
    options: --results FILE  --folder PATTERN (repeatable)  --quiet  --reasons  --no-feel
             --path both|drg|tables   (default both: the DRG evaluator, then the tables where it refuses)

Every folder is read with ``engine.formats.dmn.importer`` exactly as ``dtrun evaluate
MODEL.dmn`` reads it; each ``testCase`` of its ``*-test-01.xml`` (the only test file of every
folder of TCK commit 0dbcaf9; another one would be listed as not read) is evaluated and
compared with the TCK's expected results.  With ``--path tables`` a case runs on the table
path alone (the DMN import's decision tables, ``engine.evaluate``: what ``dtrun evaluate
MODEL.dmn`` answers for a model that maps to tables), with ``--path drg`` on the DRG
evaluator alone; by default on the DRG evaluator first, then the tables where it refuses.
A case is *passed*, *failed* (with the difference),
*unsupported* (refused, with the reason: the element or value dtrun cannot run) or, when the
runner or dtrun crashes on its folder, an *error* (with the exception).  When a model as a whole
cannot be loaded, the decision tables that can be loaded on their own are still run.

On the complete levels: a table per folder (level, cases, passed, failed, errors, refused, and
beside them the FEEL literal-expression path of ``scripts/run_tck_full.py``, per case), every
case not passed with its reason under its folder, the totals per level, and with ``--results``
the TCK's results file (``tck_report.py``: ``SUCCESS``, ``FAILURE``, ``ERROR``, ``IGNORED``);
exits 1 when a case fails or crashes.  ``--reasons`` counts the refusal reasons.

On the subset (``INDEX.json``): one table per folder, then the totals per tier; exits 1 when a
tier-A case does not pass.  Tier-U folders (FEEL literal expressions, no tables) are not run
here: their cases are golden rows of the condition language (``tests/feel/data/*.tsv``); the
script counts them.

Also imported by ``tests/formats/dmn/test_tck.py`` and ``tests/formats/dmn/test_tck_levels.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine._core.errors import WorkbookError  # noqa: E402
from engine.evaluation.drg import evaluate_drg, evaluate_service  # noqa: E402
from engine.formats.dmn.drg_read import read_drg  # noqa: E402
from engine.formats.dmn.importer import DmnDocument, build_dmn_model, read_dmn  # noqa: E402
from engine.formats.dmn.typed import typed_tables  # noqa: E402
from engine.formats.dmn.words import dmn_source  # noqa: E402
from engine.formats.xlsx.build import build_model  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from run_tck_full import same as same_feel  # noqa: E402
from tck_xml import Case, Refused, read_cases  # noqa: E402

DEFAULT_TCK = Path(os.environ.get("DTRUN_TCK", ROOT.parent / "shared" / "tck"))
GOLDEN = [ROOT / "tests" / "feel" / "data" / f"{name}_golden.tsv" for name in ("unary_tests", "expressions")]


@dataclass
class Outcome:
    case: str
    status: str  # passed / failed / unsupported
    reason: str = ""


@dataclass
class FolderReport:
    folder: str
    tier: str
    outcomes: list[Outcome] = field(default_factory=list)
    loaded: bool = False  # the whole model loaded (no decision left out)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


def table_input(value: Any) -> Any:
    """A typed input as the table path reads a patient file's cell: numbers and booleans as
    their text (as a CSV gives them), dates as dates, texts and null as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _simple(value: Any) -> bool:
    """An input the table path reads: a number, text, boolean, date or null (dates and times,
    times and durations are the DRG evaluator's)."""
    return not isinstance(value, (list, dict, Refused, dt.datetime, dt.time, dt.timedelta)) and \
        type(value).__name__ != "YearsMonths"


# ---------------------------------------------------------------------- running
PATHS = ("both", "drg", "tables")


def run_folder(folder: Path, tier: str = "", path: str = "both") -> FolderReport:
    """Every case of ``folder`` on ``path``: ``both`` (the DRG evaluator, then the tables
    where it refuses), ``drg`` or ``tables`` alone."""
    report = FolderReport(folder.name, tier)
    document = read_dmn(folder / f"{folder.name}.dmn")
    model, reasons = _runnable(document)
    report.loaded = model is not None and not reasons
    try:
        graph: Any = read_drg(folder / f"{folder.name}.dmn")
    except WorkbookError as error:
        graph = str(error)
    for case in read_cases(folder / f"{folder.name}-test-01.xml"):
        report.outcomes.append(_run_case(document, model, reasons, case, graph, path))
    return report


def _runnable(document: DmnDocument) -> tuple[Any, dict[str, str]]:
    """The model (all of it, else the tables that load on their own) and, per table that
    cannot run, why not."""
    try:
        return build_dmn_model(document), {}
    except WorkbookError as error:
        problems = list(error.problems)
    reasons: dict[str, str] = {}
    tables = [name for name in document.decisions.values() if name in document.sheets]
    for table in tables:
        own = [p for p in problems if p.sheet.startswith("decision ") and document.places.get((table, ""), ("",))[0]
               == p.sheet]
        if own:
            reasons[table] = own[0].message
    while True:
        keep = [t for t in tables if t not in reasons]
        inputs = [row for row in document.sheets["Inputs"] if row[1]]
        sheets = {"Inputs": inputs, **{t: document.sheets[t] for t in keep}}
        try:
            if not keep:
                return None, reasons
            model = build_model(document.path, sheets, source=dmn_source(document))
            return replace(model, tables=typed_tables(model, document)), reasons  # as build_dmn_model types them
        except WorkbookError as error:
            owner = {document.places.get((t, ""), (t,))[0]: t for t in keep}  # problems are at DMN elements
            failing = {owner[p.sheet] for p in error.problems if p.sheet in owner} or set(keep)
            for problem in error.problems:
                if owner.get(problem.sheet) in failing:
                    reasons.setdefault(owner[problem.sheet], problem.message)
            for table in failing:
                reasons.setdefault(table, "it cannot be loaded")


def _run_case(document: DmnDocument, model: Any, reasons: dict[str, str], case: Case, graph: Any = None,
              path: str = "both") -> Outcome:
    """A case through the DRG evaluator (the reference for a whole model); where it cannot run
    the case, through the table path (``engine.evaluate`` on the imported tables).  ``path``
    ``drg`` or ``tables``: on that one alone."""
    refused = [f"the case's expected value of {n} {v}" for n, v in case.results.items() if isinstance(v, Refused)]
    refused += [f"the case's input {n} {v}" for n, v in case.inputs.items() if isinstance(v, Refused)]
    if refused:
        return Outcome(case.id, "unsupported", refused[0])
    if path == "tables":
        return run_table_case(document, model, reasons, case)
    if path == "drg":
        return run_drg_case(graph, case) if graph is not None else Outcome(case.id, "unsupported", "no DRG")
    through_drg = run_drg_case(graph, case) if graph is not None else Outcome(case.id, "unsupported", "no DRG")
    if through_drg.status != "unsupported" or case.service:
        return through_drg
    through_tables = run_table_case(document, model, reasons, case)
    if through_tables.status == "unsupported":
        return Outcome(case.id, "unsupported", through_drg.reason)
    return through_tables


def run_drg_case(graph: Any, case: Case) -> Outcome:
    """A case through ``engine.evaluation.drg``: passed, failed, or unsupported where the
    evaluation met a construct it cannot run or gave no value with an error saying why."""
    if isinstance(graph, str):
        return Outcome(case.id, "unsupported", f"the model cannot be read: {graph}")
    if case.service:
        result = evaluate_service(graph, case.service, case.inputs)
    else:
        result = evaluate_drg(graph, case.inputs, list(case.results))
    differences = []
    for node, expected in case.results.items():
        actual = result.values.get(node)
        if same_feel(expected, actual):
            continue
        if result.unsupported:
            return Outcome(case.id, "unsupported", result.unsupported[0])
        differences.append(f"{node}: expected {expected!r}, got {actual!r}")
    if differences:
        errors = f" (errors: {'; '.join(result.errors)})" if result.errors else ""
        return Outcome(case.id, "failed", "; ".join(differences) + errors)
    return Outcome(case.id, "passed")


def run_table_case(document: DmnDocument, model: Any, reasons: dict[str, str], case: Case) -> Outcome:
    """A case through the table path: the imported decision tables, ``engine.evaluate``."""
    if case.service:
        return Outcome(case.id, "unsupported", f"the case invokes decision service {case.service}")
    unknown = [n for n, v in case.inputs.items() if n not in document.inputs or not _simple(v)]
    if unknown:
        return Outcome(case.id, "unsupported", f"input {unknown[0]} is not an input dtrun can read")
    for node in case.results:
        table = document.decisions.get(node)
        if table is None or table in reasons or model is None:
            told = [p.message for p in document.problems if p.sheet.startswith(f'decision "{node}"')]
            why = reasons.get(table or "", "") or (told or [f"{node} is not a decision table that dtrun runs"])[0]
            return Outcome(case.id, "unsupported", f"{node}: {why}")
    record = {document.inputs[n]: table_input(v) for n, v in case.inputs.items()}
    result = engine.evaluate(model, record)
    differences, refused = [], []
    for node, expected in case.results.items():
        table = document.decisions[node]
        actual = _actual(result, table, document.outputs[table], expected)
        own = [e for e in result.errors if e.startswith(f"{node}: ")]
        gives_none = [e for e in own if any(words in e for words in GIVES_NO_VALUE)]
        if not same(expected, actual) and actual is None and gives_none:
            refused.append(gives_none[0])  # dtrun gives no value, and says why: not a wrong answer
        elif not same(expected, actual):
            differences.append(f"{node}: expected {expected!r}, got {actual!r}")
        elif own and expected is not None:
            differences.append("errors: " + "; ".join(own))
    if differences:
        return Outcome(case.id, "failed", "; ".join(differences))
    return Outcome(case.id, "unsupported", refused[0]) if refused else Outcome(case.id, "passed")


def both_paths(document: DmnDocument, model: Any, reasons: dict[str, str], graph: Any, case: Case
               ) -> list[tuple[str, Any, Any]] | None:
    """(result node, the DRG evaluator's value, the table path's value) for each result of a
    case both paths run without error; None where either cannot run it.  The two are each
    other's oracle (tests/formats/dmn/test_tck_agreement.py)."""
    if isinstance(graph, str) or case.service or model is None:
        return None
    if any(n not in document.inputs or not _simple(v) for n, v in case.inputs.items()):
        return None
    if any(document.decisions.get(n) is None or document.decisions[n] in reasons for n in case.results):
        return None
    drg = evaluate_drg(graph, case.inputs, list(case.results))
    if drg.unsupported:
        return None
    tables = engine.evaluate(model, {document.inputs[n]: table_input(v) for n, v in case.inputs.items()})
    if any(e.partition(":")[0] in document.inputs.values() for e in tables.errors):
        return None  # an input the table path cannot read as its declared type (a date for an Any input)
    pairs = []
    for node, expected in case.results.items():
        table = document.decisions[node]
        if any(any(w in e for w in GIVES_NO_VALUE[:2]) for e in tables.errors):
            continue  # a value the table path's outputs cannot hold, here or upstream: it does not run the case
        pairs.append((node, drg.values.get(node), _actual(tables, table, document.outputs[table], expected)))
    return pairs


# What a decision's error says when dtrun gives it no value rather than a wrong one: a FEEL
# output cell whose value an output cannot hold or that cannot be evaluated here, or a decision
# that reads such a value.  Errors of decisions a case does not ask about are not its own.
GIVES_NO_VALUE = ("an output holds", "cannot be evaluated", "has no usable value")


def _actual(result: Any, table: str, outputs: dict[str | None, str], expected: Any) -> Any:
    """dtrun's result of ``table`` in the TCK's shape: a value, a context (dict) or a list."""
    if len(outputs) == 1:
        return result[f"{table}.{next(iter(outputs.values()))}"]
    columns = {theirs: result[f"{table}.{ours}"] for theirs, ours in outputs.items()}
    if isinstance(expected, list):
        count = max((len(v) for v in columns.values() if isinstance(v, list)), default=0)
        return [{name: values[i] for name, values in columns.items()} for i in range(count)]
    return columns


def same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() <= actual.keys() and all(
            same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            same(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, Decimal):
        try:
            difference = abs(Decimal(str(actual)) - expected)
        except (InvalidOperation, TypeError, ValueError):
            return False
        # The TCK writes some results short (exp(4) = 54.59815003): an expected value of eight
        # significant digits or more matches within one unit of its last digit (as run_tck_full.py).
        short = len(format(abs(expected), "f").replace(".", "").strip("0")) >= 8 and \
            difference <= Decimal(1).scaleb(expected.as_tuple().exponent)  # type: ignore[arg-type]
        return not isinstance(actual, bool) and (difference <= Decimal("1e-9") or short)
    return type(expected) is type(actual) and expected == actual


# ---------------------------------------------------------------------- tier U: golden rows
def golden_counts(folder: str) -> int:
    """How many golden rows of the condition language cite a case of ``folder``."""
    number = folder.split("-")[0]
    return sum(line.count(f"\tTCK {number} ") for path in GOLDEN if path.exists()
               for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))


LEVELS = ("compliance-level-2", "compliance-level-3")


def main_levels(tck: Path, args: Any) -> int:
    """Every folder of levels 2 and 3 (or those ``--folder`` selects): the table, the cases not
    passed, the totals; the results file; exits 1 when a case fails or crashes."""
    import tck_report

    feel = None if args.no_feel else tck_report.feel_counts
    run = functools.partial(run_folder, path=args.path)
    runs = [tck_report.run_safely(run, folder, level, feel=feel)
            for level, folder in tck_report.level_folders(tck, args.folder)]
    if not runs:
        print(f"error: no folder of {tck} matches --folder {' '.join(args.folder)}", file=sys.stderr)
        return 2
    if not args.quiet:
        print("\n".join(tck_report.table(runs)))
        print()
        print("\n".join(tck_report.not_passed(runs)))
        print()
    if args.reasons:
        print("\n".join(tck_report.reasons_lines(runs)))
        print()
    print("\n".join(tck_report.totals(runs)))
    if args.results and not tck_report.write_results_or_say(args.results, runs):
        return 2
    return 1 if any(r.count("failed") or r.count("error") for r in runs) else 0


def main_tiers(tck: Path, args: Any) -> int:
    """The subset of ``../shared/tck`` by tier (A must pass in full); exits 1 when a tier-A case does not pass."""
    import tck_report

    index = json.loads((tck / "INDEX.json").read_text(encoding="utf-8"))
    entries = [e for e in index["cases"] if tck_report.selected(e["folder"], args.folder)]
    run = functools.partial(run_folder, path=args.path)
    runs = [tck_report.run_safely(run, tck / e["folder"], f"compliance-level-{e['level']}", e["tier"])
            for e in entries if e["tier"] != "U"]
    totals: dict[str, list[int]] = {}
    for run in runs:
        counts = [run.count("passed"), run.count("failed") + run.count("error"), run.count("unsupported")]
        if not args.quiet:
            print(f"{run.folder} (tier {run.tier}): {counts[0]} passed, {counts[1]} failed, {counts[2]} unsupported")
            for outcome in run.outcomes:
                if outcome.status != "passed":
                    print(f"    {outcome.case}: {outcome.status}: {outcome.reason}")
        total = totals.setdefault(run.tier, [0, 0, 0])
        for i in range(3):
            total[i] += counts[i]
    if not args.quiet:
        for entry in entries:
            if entry["tier"] == "U":
                print(f"{entry['folder']} (tier U): {entry['test_cases']} FEEL cases; {golden_counts(entry['folder'])} "
                      "golden rows of the condition language cite them (tests/feel/data/*.tsv)")
        print()
    if args.reasons:
        print("\n".join(tck_report.reasons_lines(runs)))
        print()
    print("tier  passed  failed  unsupported")
    for tier in sorted(totals):
        passed, failed, unsupported = totals[tier]
        print(f"{tier:<4}  {passed:>6}  {failed:>6}  {unsupported:>11}")
    if args.results and not tck_report.write_results_or_say(args.results, runs):
        return 2
    passed_a, failed_a, unsupported_a = totals.get("A", [0, 0, 0])
    return 0 if failed_a == unsupported_a == 0 and (passed_a or args.folder) else 1


def arguments(argv: list[str]) -> Any:
    import argparse

    parser = argparse.ArgumentParser(
        prog="run_tck.py", description="Run the DMN TCK through dtrun's DMN import and report passed, failed, "
        "errors and refused per folder and in total.")
    parser.add_argument("tck", nargs="?", default=str(DEFAULT_TCK), metavar="TCK_FOLDER",
                        help="the TCK's TestCases folder (levels 2 and 3), or the subset with INDEX.json "
                        "(default: $DTRUN_TCK or ../shared/tck)")
    parser.add_argument("--results", metavar="FILE", help="write every case in the TCK's results format "
                        "(tck_results.csv: folder, test file, case id, SUCCESS|FAILURE|ERROR|IGNORED, note)")
    parser.add_argument("--folder", action="append", default=[], metavar="PATTERN",
                        help="only folders whose name holds PATTERN (or matches it, a glob); may be repeated")
    parser.add_argument("--quiet", action="store_true", help="print the totals only")
    parser.add_argument("--reasons", action="store_true", help="count the refusal reasons, names taken out")
    parser.add_argument("--path", choices=PATHS, default="both",
                        help="both: the DRG evaluator, then the decision tables where it refuses (default); drg: "
                        "the DRG evaluator alone; tables: the table path alone (what dtrun evaluate answers for a "
                        "model of decision tables)")
    parser.add_argument("--no-feel", action="store_true",
                        help="do not count the FEEL literal-expression path (scripts/run_tck_full.py) beside")
    return parser.parse_args(argv[1:])


def main(argv: list[str]) -> int:
    args = arguments(argv)
    tck = Path(args.tck)
    if args.results and not Path(args.results).resolve().parent.is_dir():  # before a run of minutes, not after
        print(f"error: cannot write the results file {args.results}: its folder does not exist", file=sys.stderr)
        return 2
    if not (tck / "INDEX.json").exists() and (tck / LEVELS[0]).is_dir():
        return main_levels(tck, args)
    if not (tck / "INDEX.json").exists():
        print(f"error: {tck} holds no TCK INDEX.json nor {LEVELS[0]}; give the TCK folder", file=sys.stderr)
        return 2
    return main_tiers(tck, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
