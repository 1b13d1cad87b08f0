"""``dtrun lint`` over list inputs (``list of string``) against brute force: random small tables
with a list input over a few allowed values (and sometimes a whole-number input) are linted,
and every subset of the allowed values (and the missing value), with every number, is run
through the scalar evaluator (the reference meaning).  Gaps must cover exactly the records no
rule matches, overlaps be the maximal groups of rules that match one record, masking as
brute force finds it; a list input without allowed values, or with too many groups, is
reported as not analysed and never said to have no gap."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest
from helpers import model_for

from engine.analysis import list_atoms
from engine.analysis.lint import lint_model
from engine.feel.conditions import compile_unary_tests

VALUES = ("a", "b", "c", "d")
CELLS = ['"a"', '"b"', '"a", "b"', 'not("a")', 'not("a", "b")', '"c"', '"d"', "-", "-", "null", "not(null)",
         '"a", null', '!= "a"', '"e"']
NUMBER_CELLS = ["-", "< 2", ">= 2", "[1..2]", "3", "-"]
# FEEL cells, ? the whole list: those that hang on which values the list holds, and one that does not
FEEL_CELLS = ['list contains(?, "a")', 'not(list contains(?, "b"))', 'some e in ? satisfies e in ("a", "c")',
              'every e in ? satisfies e = "a"', 'list contains(?, "a") and not(list contains(?, "c"))',
              'some e in ? satisfies e < "c"', 'every e in ? satisfies e != "b"', 'list contains(?, "d") or true',
              "count(?) >= 2"]
POLICIES = ("U", "A", "F", "P", "C")


@dataclass
class Case:
    values: tuple[str, ...]
    required: bool
    number: bool
    policy: str
    rules: list[tuple[str, str, str]]  # list cell, number cell, output

    @cached_property
    def model(self) -> Any:
        inputs = [("signs", "list of string", ", ".join(f'"{v}"' for v in self.values), "yes" if self.required
                   else "no")]
        headings, roles = ["signs"], "i"
        if self.number:
            inputs.append(("n", "integer", "[0..3]", "yes"))
            headings, roles = headings + ["n"], roles + "i"
        rows = [[f"R{i}", a, *([b] if self.number else []), f'"{o}"'] for i, (a, b, o) in enumerate(self.rules, 1)]
        return model_for(inputs=inputs, tables={"t": (self.policy, headings + ["out"], roles + "o",
                                                      [None] * len(headings) + ['"x","y"'], rows)})

    @cached_property
    def findings(self) -> list[Any]:
        return lint_model(self.model)

    @cached_property
    def records(self) -> list[tuple[Any, ...]]:
        lists: list[Any] = [tuple(s) for k in range(len(self.values) + 1) for s in itertools.combinations(self.values, k)]
        lists += [] if self.required else [None]
        return list(itertools.product(lists, range(4) if self.number else [None]))

    def matching(self, record: tuple[Any, ...]) -> frozenset[str]:
        rules = self.model.tables[0].rules
        return frozenset(r.id for r in rules if r.inputs[0].matches(record[0])
                         and (not self.number or r.inputs[1].matches(record[1])))

    def of(self, code: str) -> list[Any]:
        return [f for f in self.findings if f.code == code]

    def expand(self, box: dict[str, str]) -> set[tuple[Any, ...]]:
        number = compile_unary_tests(box["n"]) if self.number else None
        return {r for r in self.records if in_list_box(box["signs"], r[0]) and (number is None or number.matches(r[1]))}


def in_list_box(text: str, value: tuple[str, ...] | None) -> bool:
    """Does the list ``value`` lie in a box's list text: a cell over lists, or lint's words
    (``holds "a" and holds none of "b", "c" or missing``)?"""
    if not text.startswith("holds") and not text.startswith("any list"):
        return compile_unary_tests(text).over_lists().matches(value)
    if value is None:
        return text.endswith(" or missing")
    text = text.removesuffix(" or missing")
    for alternative in text.split(" or "):
        ok = True
        for part in alternative.split(" and "):
            named = set(re.findall(r'"([^"]*)"', part))
            if part.startswith("holds none of"):
                ok &= not named & set(value)
            elif part.startswith("holds"):
                ok &= bool(named & set(value))
        if ok:
            return True
    return False


def random_case(rnd: random.Random, feel: bool = False) -> Case:
    values = VALUES[:rnd.randint(2, 4)]
    number = rnd.random() < 0.5
    cells = CELLS + FEEL_CELLS * 2 if feel else CELLS
    rules = [(rnd.choice(cells), rnd.choice(NUMBER_CELLS), rnd.choice("xy")) for _ in range(rnd.randint(1, 6))]
    return Case(values, rnd.random() < 0.4, number, rnd.choice(POLICIES), rules)


def maximal(groups: Any) -> set[frozenset[str]]:
    groups = {g for g in groups if len(g) >= 2}
    return {g for g in groups if not any(g < h for h in groups)}


def check(case: Case) -> None:
    if case.of("not-analysed"):  # a FEEL cell that does not hang on the values held: no claim at all
        assert any("count(?)" in rule[0] for rule in case.rules)
        assert not [f for f in case.findings if f.code in ("gap", "overlap", "conflict", "masked-rule")]
        return
    hits = {r: case.matching(r) for r in case.records}
    # gaps: the boxes cover exactly what no rule matches, without overlapping
    gaps = case.of("gap")
    uncovered = {r for r, rules in hits.items() if not rules}
    if case.policy == "C":
        assert not gaps
    else:
        boxes = [case.expand(f.box) for f in gaps]
        for f, box in zip(gaps, boxes):
            signs = f.example["signs"]
            example = (None if signs is None else tuple(signs), f.example.get("n"))
            assert example in box and not case.matching(example), f"gap example {f.example}"
            assert box and box <= uncovered, f"gap box {f.box} holds matched records"
        for a, b in itertools.combinations(boxes, 2):
            assert not a & b, "gap boxes overlap"
        assert set().union(*boxes) == uncovered, f"gaps: lint {len(set().union(*boxes))}, brute force {len(uncovered)}"
    # overlaps (U) and conflicts (A): the maximal groups of rules that match one record
    for code, policy in (("overlap", "U"), ("conflict", "A")):
        reported = {frozenset(f.rules) for f in case.of(code)}
        expected = maximal(hits.values()) if case.policy == policy else set()
        if code == "conflict":
            outputs = {f"R{i}": o for i, (_, _, o) in enumerate(case.rules, 1)}
            expected = {g for g in expected if len({outputs[r] for r in g}) > 1}
        assert reported == expected, f"{code}: lint {reported}, brute force {expected}"
        for f in case.of(code):
            everywhere = {r for r, rules in hits.items() if set(f.rules) <= rules}
            assert case.expand(f.box) == everywhere
    # masking (F, P)
    masked = {f"R{int(f.cells[0][1:]) - 3}": f.code for f in case.findings
              if f.code in ("masked-rule", "partly-masked-rule")}  # the rule it is about: its row first
    if case.policy in ("F", "P"):
        order = [f"R{i}" for i in range(1, len(case.rules) + 1)]
        rank = {r: (k if case.policy == "F" else "xy".index(case.rules[k][2])) for k, r in enumerate(order)}
        expected = {}
        for rule in order:
            mine = {r for r, rules in hits.items() if rule in rules}
            if not mine:
                continue
            hidden = {r for r, rules in hits.items() if any(rank[h] < rank[rule] for h in rules)}
            if mine & hidden:
                expected[rule] = "masked-rule" if mine <= hidden else "partly-masked-rule"
        assert masked == expected, f"masking: lint {masked}, brute force {expected}"
    # a rule whose list cell matches no list of the allowed values is reported at that cell
    lists = {r[0] for r in case.records}  # the missing value too, where the input may be missing
    for k, rule in enumerate(case.rules, 1):
        cell = case.model.tables[0].rules[k - 1].inputs[0]
        if rule[0] != "-" and not any(cell.matches(value) for value in lists):
            assert any(f.rules == (f"R{k}",) and f.cells == ("B" + str(k + 3),) for f in case.findings
                       if f.code == "value-not-allowed"), f"R{k}'s list cell matches no list, unreported"


SEEDS = range(300)


@pytest.mark.parametrize("seed", SEEDS)
def test_lint_over_lists_agrees_with_brute_force(seed: int) -> None:
    case = random_case(random.Random(seed))
    try:
        check(case)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{case}") from None


@pytest.mark.parametrize("seed", range(200))
def test_lint_over_lists_with_feel_cells_agrees_with_brute_force(seed: int) -> None:
    case = random_case(random.Random(5000 + seed), feel=True)
    try:
        check(case)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{case}") from None


def test_a_list_input_without_allowed_values_is_not_analysed_and_has_no_gap_claim() -> None:
    model = model_for(inputs=[("signs", "list of string", None, "no")],
                      tables={"t": ("U", ["signs", "o"], "io", None, [["R1", '"a"', "1"]])})
    findings = lint_model(model)
    assert [(f.code, f.cells) for f in findings] == [("not-analysed", ("B1",))]
    assert findings[0].message.startswith("overlap and gap checks skip column signs: it holds lists and has no "
                                          "allowed values")


def test_too_many_groups_of_values_are_not_analysed(monkeypatch) -> None:
    monkeypatch.setattr(list_atoms, "MAX_GROUPS", 2)
    model = model_for(inputs=[("signs", "list of string", '"a", "b", "c"', "no")],
                      tables={"t": ("U", ["signs", "o"], "io", None, [["R1", '"a"', "1"], ["R2", '"b"', "2"],
                                                                       ["R3", '"c"', "3"]])})
    findings = lint_model(model)
    assert [f.code for f in findings] == ["not-analysed"]
    assert "its cells tell apart 3 groups of allowed values, more than the 2" in findings[0].message


def test_values_that_the_cells_treat_alike_are_one_group() -> None:
    """40 allowed values, cells naming two of them: three groups, not 2**40 atoms."""
    values = [f"v{i}" for i in range(40)]
    model = model_for(inputs=[("signs", "list of string", ", ".join(f'"{v}"' for v in values), "yes")],
                      tables={"t": ("U", ["signs", "o"], "io", None, [["R1", '"v1"', "1"], ["R2", '"v2", "v3"', "2"]])})
    gaps = [f for f in lint_model(model) if f.code == "gap"]
    overlaps = [f for f in lint_model(model) if f.code == "overlap"]
    assert [f.box for f in gaps] == [{"signs": 'not("v1", "v2", "v3")'}]
    assert [f.box for f in overlaps] == [{"signs": 'holds "v1" and holds one of "v2", "v3"'}]


@pytest.mark.parametrize(("text", "value", "inside"), [
    ('holds "a" and holds none of "b", "c"', ("a",), True),
    ('holds "a" and holds none of "b", "c"', ("a", "c"), False),
    ('holds "a" or holds "b" or missing', None, True),
    ('holds "a" or holds "b"', None, False),
    ('holds one of "a", "b"', ("b",), True),
    ('not("a", null)', None, False),
    ('not("a", null)', (), True),
])
def test_the_oracle_reads_box_texts(text, value, inside) -> None:
    assert in_list_box(text, value) is inside


# ---------------------------------------------------------------------- dtrun diff over lists
def _mutated(case: Case, rnd: random.Random) -> Case:
    """An edit of the table: a cell, an output, a rule added or deleted, the hit policy, or
    whether the list may be missing."""
    rules = list(case.rules)
    r = rnd.randrange(len(rules))
    edit = rnd.choice(("cell", "cell", "number", "output", "add", "delete", "policy", "required"))
    if edit == "cell":
        rules[r] = (rnd.choice(CELLS), rules[r][1], rules[r][2])
    elif edit == "number":
        rules[r] = (rules[r][0], rnd.choice(NUMBER_CELLS), rules[r][2])
    elif edit == "output":
        rules[r] = (rules[r][0], rules[r][1], "y" if rules[r][2] == "x" else "x")
    elif edit == "add":
        rules.insert(r, (rnd.choice(CELLS), rnd.choice(NUMBER_CELLS), rnd.choice("xy")))
    elif edit == "delete" and len(rules) > 1:
        del rules[r]
    elif edit == "policy":
        return Case(case.values, case.required, case.number, rnd.choice(POLICIES), rules)
    elif edit == "required":
        return Case(case.values, not case.required, case.number, case.policy, rules)
    return Case(case.values, case.required, case.number, case.policy, rules)


def _outcome(model: Any, record: dict[str, Any]) -> tuple[Any, ...]:
    import engine

    result = engine.evaluate(model, record)
    if result.errors:
        return ("error",) + tuple(re.sub(r"\bR\d+\b", "#", e) for e in result.errors)
    if not result.rules.get("t") and model.table("t").hit_policy.single_hit:
        return ("no match",)
    return ("outputs", repr(result.outputs["t.out"]))


@pytest.mark.parametrize("seed", range(150))
def test_diff_over_lists_agrees_with_brute_force(seed: int) -> None:
    from engine.analysis.behaviour import behaviour_changes

    rnd = random.Random(1000 + seed)
    old = random_case(rnd)
    new = _mutated(old, rnd)
    changes = behaviour_changes(old.model, new.model)
    records = set(old.records) | set(new.records)
    differing = set()
    for signs, n in records:
        record = {"signs": signs, **({"n": n} if old.number else {})}
        if _outcome(old.model, record) != _outcome(new.model, record):
            differing.add((signs, n))
    case = new if len(new.records) >= len(old.records) else old  # the one that holds the missing list, if any
    boxes = []
    for change in changes:
        box = {r for r in records if in_list_box(change.box["signs"], r[0]) and
               (not old.number or compile_unary_tests(change.box["n"]).matches(r[1]))}
        assert box, f"an empty region {change.box}"
        boxes.append(box)
    for a, b in itertools.combinations(boxes, 2):
        assert not a & b, "regions overlap"
    found = set().union(*boxes) if boxes else set()
    assert found == differing, (f"diff: {sorted(found - differing, key=repr)[:3]} not different, "
                                f"{sorted(differing - found, key=repr)[:3]} missed\n{old}\n{new}\n{case}")
