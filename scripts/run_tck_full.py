"""Run the DMN TCK's FEEL literal-expression cases (compliance levels 2 and 3) through dtrun's
FEEL evaluator (``engine.feel.interpret``) and print passed / failed / refused per folder.

    python scripts/run_tck_full.py [TCK_TESTCASES] [--verbose] [--folder NAME] [--results FILE.csv]

(default: $DTRUN_TCK_FULL or ../shared/tck-full/TestCases).  In each folder of
``compliance-level-2`` and ``compliance-level-3`` every decision whose logic is a literal
expression is evaluated over the test case's input data and the literal-expression decisions it
requires, then compared with the expected value: numbers by value, temporal values by their
FEEL text, lists and contexts item by item; a case marked ``errorResult`` expects null (an
expression that does not parse counts as that error).  A result node whose decision is not a
literal expression (a decision table, a context, an invocation, a BKM, a decision service), or
that needs one, is *refused* with that reason; so is a value this implementation cannot hold
(nanoseconds: ``engine.feel.temporal.Unsupported``).  Nothing refused is
a wrong answer: *failed* means a different answer, and says which.

Exits 1 when a case fails.  Also imported by ``tests/feel/test_tck_feel.py``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine._core.errors import ConditionError  # noqa: E402
from engine.feel import feel_types, interpret, semantics, temporal  # noqa: E402
from engine.feel.nodes import InstanceOf, TypeRef  # noqa: E402
from engine.feel.syntax import parse_feel_expression  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from tck_xml import Refused, children, local, xml_value  # noqa: E402

DEFAULT = Path(os.environ.get("DTRUN_TCK_FULL", ROOT.parent / "shared" / "tck-full" / "TestCases"))
LEVELS = ("compliance-level-2", "compliance-level-3")
_LOGIC = ("literalExpression", "decisionTable", "context", "invocation", "relation", "list", "functionDefinition",
          "conditional", "filter", "for", "some", "every")
_BASE_TYPES = {"number", "string", "boolean", "date", "time", "dateTime", "date and time", "dayTimeDuration",
               "yearMonthDuration", "days and time duration", "years and months duration", "Any", "context", "list",
               "range", "function", "Null"}


@dataclass(frozen=True)
class Decision:
    name: str
    kind: str  # the element of its logic: literalExpression, decisionTable, ...
    text: str  # a literal expression's text
    type_ref: str | None
    requires: tuple[str, ...]  # the decisions it needs, by name
    knowledge: tuple[str, ...]  # the BKMs it invokes, by name


@dataclass
class Model:
    decisions: dict[str, Decision]
    inputs: dict[str, str | None]  # input data name → typeRef
    types: dict[str, TypeRef]  # item definition name → its type
    by_id: dict[str, str] = field(default_factory=dict)
    services: frozenset[str] = frozenset()


@dataclass
class Outcome:
    folder: str
    file: str
    case: str
    node: str
    status: str  # passed / failed / refused
    reason: str = ""


# ---------------------------------------------------------------------- reading
def read_model(path: Path) -> Model:
    from defusedxml.ElementTree import parse

    root = parse(path).getroot()
    model = Model({}, {}, {})
    for item in children(root, "itemDefinition"):
        model.types[item.get("name")] = _item_type(item)
    for data in children(root, "inputData"):
        variable = children(data, "variable")
        model.inputs[data.get("name")] = variable[0].get("typeRef") if variable else None
        model.by_id[data.get("id", "")] = data.get("name")
    for element in root:
        if local(element) in ("decision", "businessKnowledgeModel", "decisionService"):
            model.by_id[element.get("id", "")] = element.get("name")
    model.services = frozenset(e.get("name") for e in children(root, "decisionService"))
    for element in children(root, "decision"):
        logic = next((c for c in element if local(c) in _LOGIC), None)
        kind = local(logic) if logic is not None else "no logic"
        text = ""
        if kind == "literalExpression":
            texts = children(logic, "text")
            text = texts[0].text or "" if texts else ""
        variable = children(element, "variable")
        requires = tuple(_href(r) for ir in children(element, "informationRequirement")
                         for r in children(ir, "requiredDecision"))
        knowledge = tuple(_href(r) for kr in children(element, "knowledgeRequirement")
                          for r in children(kr, "requiredKnowledge"))
        model.decisions[element.get("name")] = Decision(
            element.get("name"), kind, text, variable[0].get("typeRef") if variable else None, requires, knowledge)
    for name, decision in list(model.decisions.items()):
        model.decisions[name] = Decision(decision.name, decision.kind, decision.text, decision.type_ref,
                                         tuple(model.by_id.get(r, r) for r in decision.requires),
                                         tuple(model.by_id.get(r, r) for r in decision.knowledge))
    return model


def _href(element: Any) -> str:
    return (element.get("href") or "").rpartition("#")[2]


def _item_type(item: Any) -> TypeRef:
    """An item definition as the TypeRef ``instance of`` checks (allowed values are not checked)."""
    components = children(item, "itemComponent")
    refs = children(item, "typeRef")
    if components:
        one = TypeRef("context", tuple(_item_type(c) for c in components), tuple(c.get("name") for c in components))
    elif refs and refs[0].text:
        one = type_ref(refs[0].text)
    else:
        one = TypeRef("Any")
    return TypeRef("list", (one,)) if item.get("isCollection") == "true" else one


def type_ref(text: str) -> TypeRef:
    """A typeRef attribute (``number``, ``tPerson``, ``feel:string``, ``list<number>``) as a TypeRef."""
    name = text.strip().split(":")[-1] if not text.strip().startswith("list<") else text.strip()
    try:
        node = parse_feel_expression(f"null instance of {name}")
    except ConditionError:
        return TypeRef(name)
    return node.type if isinstance(node, InstanceOf) else TypeRef(name)


def read_cases(path: Path) -> list[tuple[str, dict[str, Any], list[tuple[str, Any, bool]]]]:
    """(case id, input values, [(result node, expected value, error expected)]) per test case."""
    from defusedxml.ElementTree import parse

    cases = []
    for case in children(parse(path).getroot(), "testCase"):
        if case.get("invocableName") or case.get("type") == "decisionService":
            cases.append((case.get("id", ""), {}, [(n.get("name"), Refused(
                f"the case invokes decision service {case.get('invocableName')} (the DRG's part)"), False)
                for n in children(case, "resultNode")]))
            continue
        inputs = {node.get("name"): xml_value(node) for node in children(case, "inputNode")}
        results = []
        for node in children(case, "resultNode"):
            expected = children(node, "expected")
            value = xml_value(expected[0]) if expected else None
            results.append((node.get("name"), value, node.get("errorResult") == "true"))
        cases.append((case.get("id", ""), inputs, results))
    return cases


# ---------------------------------------------------------------------- running
class Runner:
    def __init__(self, model: Model, inputs: dict[str, Any]) -> None:
        self.model, self.inputs = model, inputs
        self.names = frozenset(model.inputs) | frozenset(model.decisions)
        self.done: dict[str, Any] = {}

    def decision(self, name: str) -> Any:
        if name in self.done:
            return self.done[name]
        decision = self.model.decisions.get(name)
        if decision is None:
            if name in self.model.services:
                raise Refused(f"{name} is a decision service (the DRG's part)")
            raise Refused(f"{name} is not a decision of the model")
        if decision.kind != "literalExpression":
            raise Refused(f"decision {name} is a {decision.kind}, not a literal expression (the DRG's part)")
        if decision.knowledge:
            raise Refused(f"decision {name} invokes business knowledge model {decision.knowledge[0]}")
        scope: dict[str, Any] = {n: self._input(n, v) for n, v in self.inputs.items()}
        scope[interpret.TYPES] = self.model.types
        for required in decision.requires:
            scope[required] = self.decision(required)
        for other in self.model.decisions:
            found = self.model.decisions[other]
            if other not in scope and other in decision.text and other != name:
                if found.kind == "literalExpression" and not found.knowledge:
                    scope[other] = self.decision(other)
        node = parse_feel_expression(decision.text.strip(), self.names)
        value = interpret.run(node, scope)
        self.done[name] = value = self.coerce(value, decision.type_ref)
        return value

    def _input(self, name: str, value: Any) -> Any:
        type_ref = self.model.inputs.get(name)
        return self.coerce(value, type_ref) if type_ref else value

    def coerce(self, value: Any, type_ref: str | None) -> Any:
        """The value as a decision of ``type_ref`` gives it (DMN 1.5 §7.3.2: a value not of the
        type is null; a list of one item stands for the item, an item for the list of it)."""
        if type_ref is None or value is None:
            return value
        wanted = type_ref_of(type_ref)
        if not _known(wanted, self.model.types):
            return value
        types = self.model.types
        if feel_types.instance_of(value, wanted, types):
            return value
        if isinstance(value, list) and len(value) == 1 and feel_types.instance_of(value[0], wanted, types):
            return value[0]
        if feel_types.instance_of([value], wanted, types):
            return [value]
        return None


def type_ref_of(text: str) -> TypeRef:
    return type_ref(text)


def _known(type_: TypeRef, types: dict[str, TypeRef], depth: int = 0) -> bool:
    """Whether ``instance of`` can decide the type (a FEEL type, or the model's own, all the way down)."""
    if depth > 20:
        return False
    if type_.name in types:
        return _known(types[type_.name], types, depth + 1)
    return type_.name in _BASE_TYPES and type_.name not in ("Any", "function") and all(
        _known(t, types, depth + 1) for t in type_.args)


def same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and all(
            same(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            same(e, a) for e, a in zip(expected, actual))
    if semantics.kind(expected) != semantics.kind(actual):
        return False
    if isinstance(expected, (dt.date, dt.time, dt.timedelta, temporal.YearsMonths)):
        return temporal.to_text(expected) == temporal.to_text(actual) or (
            isinstance(expected, dt.timedelta) and expected == actual)
    if isinstance(expected, Decimal) and semantics.equal(expected, actual) is not True:
        return _rounded_alike(expected, actual)
    return semantics.equal(expected, actual) is True


def _rounded_alike(expected: Decimal, actual: Any) -> bool:
    """The TCK writes some results short (``exp(4)`` = 54.59815003, a mean as 5.66666666666667,
    a loan payment computed in binary floats): an expected value of eight significant digits or
    more matches a result within one unit of its last digit, or within 1e-10 of it relatively."""
    if not isinstance(actual, Decimal) or len(format(abs(expected), "f").replace(".", "").strip("0")) < 8:
        return False
    difference = abs(actual - expected)
    return difference <= Decimal(1).scaleb(expected.as_tuple().exponent) or difference <= abs(expected) * Decimal(
        "1e-10")  # type: ignore[arg-type]


def run_case(model: Model, inputs: dict[str, Any], node: str, expected: Any, error: bool) -> tuple[str, str]:
    runner = Runner(model, inputs)
    try:
        actual = runner.decision(node)
    except Refused as why:
        return "refused", str(why)
    except (temporal.Unsupported, semantics.FeelError) as why:
        return "refused", f"this implementation cannot hold {why}" if isinstance(
            why, temporal.Unsupported) else str(why)
    except ConditionError as problem:
        if error:
            return "passed", ""
        return "failed", f"does not parse: {problem.message} at column {problem.column} ({problem.hint})"
    if error and actual is None:
        return "passed", ""
    if same(expected, actual):
        return "passed", ""
    return "failed", f"expected {_show(expected)}, got {_show(actual)}"


def _show(value: Any) -> str:
    text = semantics.to_text(value)
    if isinstance(value, str):
        return repr(value)
    return "null" if text is None else text


def run_folder(folder: Path) -> list[Outcome]:
    outcomes = []
    models = sorted(folder.glob("*.dmn"))
    tests = sorted(folder.glob("*-test-*.xml"))
    for test in tests:
        try:
            model = read_model(_model_for(test, models))
            cases = read_cases(test)
        except Refused as why:
            outcomes.append(Outcome(folder.name, test.name, "*", "*", "refused", str(why)))
            continue
        for case_id, inputs, results in cases:
            for node, expected, error in results:
                unheld = [v for v in (expected, *inputs.values()) if _holds_refusal(v)]
                if unheld:
                    status, reason = "refused", str(_holds_refusal(unheld[0]))
                else:
                    status, reason = run_case(model, inputs, node, expected, error)
                outcomes.append(Outcome(folder.name, test.name, case_id, node, status, reason))
    return outcomes


def _holds_refusal(value: Any) -> Refused | None:
    """The refusal a value read from a test file holds (a value dtrun cannot hold), if any."""
    if isinstance(value, Refused):
        return value
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((found for v in inner if (found := _holds_refusal(v))), None)


def _model_for(test: Path, models: list[Path]) -> Path:
    from defusedxml.ElementTree import parse

    names = [c.text for c in parse(test).getroot() if local(c) == "modelName"]
    for model in models:
        if names and model.name == names[0]:
            return model
    return models[0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tck", nargs="?", default=str(DEFAULT))
    parser.add_argument("--verbose", action="store_true", help="the reason of every case not passed")
    parser.add_argument("--folder", help="only folders whose name contains this")
    parser.add_argument("--results", help="write every case in the TCK's results CSV format: folder, test file, "
                        "case id, SUCCESS / FAILURE / IGNORED, note")
    args = parser.parse_args(argv[1:])
    tck = Path(args.tck)
    if not (tck / LEVELS[0]).is_dir():
        print(f"error: {tck} holds no {LEVELS[0]} folder; give the TCK's TestCases folder", file=sys.stderr)
        return 2
    everything: list[Outcome] = []
    for level in LEVELS:
        totals = {"passed": 0, "failed": 0, "refused": 0}
        for folder in sorted(p for p in (tck / level).iterdir() if p.is_dir()):
            if args.folder and args.folder not in folder.name:
                continue
            outcomes = run_folder(folder)
            everything += outcomes
            counts = {s: sum(o.status == s for o in outcomes) for s in totals}
            for status, count in counts.items():
                totals[status] += count
            print(f"{level}/{folder.name}: {counts['passed']} passed, {counts['failed']} failed, "
                  f"{counts['refused']} refused")
            for outcome in outcomes:
                if outcome.status == "failed" or (args.verbose and outcome.status != "passed"):
                    print(f"    {outcome.case} ({outcome.node}): {outcome.status}: {outcome.reason}")
        print(f"{level}: {totals['passed']} passed, {totals['failed']} failed, {totals['refused']} refused")
    if args.results:
        status = {"passed": "SUCCESS", "failed": "FAILURE", "refused": "IGNORED"}
        with open(args.results, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, quoting=csv.QUOTE_ALL)
            for o in everything:
                note = f"{o.node}: {o.reason}" if o.reason else ""
                writer.writerow([o.folder, o.file, o.case, status[o.status], note])
    return 1 if any(o.status == "failed" for o in everything) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
