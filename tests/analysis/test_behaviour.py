"""The semantic diff (engine/behaviour.py) against brute force, and on the cases reviewers meet.

The oracle evaluates both versions of a random small table on every input combination
with the record evaluator (``Model.evaluate``, the reference semantics) and compares the
outcomes; the regions ``behaviour_changes`` reports, expanded, must be exactly the
combinations where the outcomes differ, without overlapping one another.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from helpers import CELLS_BY_KIND, Col, Spec, model_for, parse_cell, random_spec

import engine
from engine.analysis.behaviour import BehaviourChange, behaviour_changes
from engine.formats.xlsx.build import build_model

PAIRS = 400
SEED = 20261127


# ---------------------------------------------------------------------- the oracle
def _mutated(spec: Spec, rnd: random.Random) -> Spec:
    """A plausible edit of a table: a cell, an output, a rule added, deleted or moved, the
    hit policy, or a new input column."""
    rules = [list(cells) + [out] for cells, out in spec.rules]
    columns = list(spec.columns)
    edit = rnd.choice(("cell", "cell", "output", "add", "delete", "move", "policy", "column"))
    r = rnd.randrange(len(rules))
    if edit == "cell":
        k = rnd.randrange(len(columns))
        rules[r][k] = rnd.choice(["-", *CELLS_BY_KIND[columns[k].kind]])
    elif edit == "output":
        rules[r][-1] = "y" if rules[r][-1] == "x" else "x"
    elif edit == "add":
        rules.insert(r, [rnd.choice(["-", *CELLS_BY_KIND[c.kind]]) for c in columns] + [rnd.choice("xy")])
    elif edit == "delete" and len(rules) > 1:
        del rules[r]
    elif edit == "move":
        rules.insert(rnd.randrange(len(rules)), rules.pop(r))
    elif edit == "policy":
        return replace(spec, policy=rnd.choice(("U", "A", "P", "F", "C")), output_allowed='"x","y"')
    elif edit == "column" and len(columns) < 3:
        columns.append(Col("n9", "integer", "[0..3]", rnd.random() < 0.5))
        for rule in rules:
            rule.insert(len(columns) - 1, rnd.choice(["-", *CELLS_BY_KIND["integer"]]))
    return replace(spec, columns=tuple(columns), rules=tuple((tuple(r[:-1]), r[-1]) for r in rules))


def _outcome(model: Any, record: dict[str, Any]) -> tuple[Any, ...]:
    result = engine.evaluate(model, record)
    if result.errors:
        return ("error",) + tuple(re.sub(r"\bR\d+\b", "#", e) for e in result.errors)
    if not result.rules.get("t") and model.table("t").hit_policy.single_hit:
        return ("no match",)
    return ("outputs", repr(result.outputs["t.out"]))


def _values(column: Col) -> tuple[Any, ...]:
    """The column's values, without the empty text: a record's "" reads as missing."""
    return tuple(v for v in column.values if v != "")


def check_pair(old: Spec, new: Spec, find: Callable[[Any, Any], list[BehaviourChange]] = behaviour_changes) -> None:
    old_model, new_model = (build_model("oracle.xlsx", s.sheets()) for s in (old, new))
    changes = find(old_model, new_model)
    columns = list(new.columns) + [c for c in old.columns if c.name not in {n.name for n in new.columns}]
    names = [c.name for c in columns]
    differing = set()
    for combo in itertools.product(*map(_values, columns)):
        record = dict(zip(names, combo))
        if _outcome(old_model, record) != _outcome(new_model, record):
            differing.add(combo)
    seen: set[tuple[Any, ...]] = set()
    for change in changes:
        assert list(change.box) == names, f"box headings {list(change.box)} are not the inputs {names}"
        tests = [parse_cell(change.box[n], "box") for n in names]
        inside = {c for c in itertools.product(*map(_values, columns))
                  if all(t.matches(v) for t, v in zip(tests, c))}
        assert inside, f"an empty region: {change}"
        assert not inside & seen, f"regions overlap: {change}"
        seen |= inside
        example = tuple(change.example[n] for n in names)
        assert all(t.matches(v) for t, v in zip(tests, example)), f"example outside its box: {change}"
        assert _outcome(old_model, change.example) != _outcome(new_model, change.example), change
    assert seen == differing, (f"reported regions cover {sorted(seen - differing, key=repr)[:5]} wrongly and miss "
                               f"{sorted(differing - seen, key=repr)[:5]}")


def _pairs() -> list[tuple[Spec, Spec]]:
    rnd = random.Random(SEED)
    pairs = []
    while len(pairs) < PAIRS:
        old = random_spec(rnd)
        new = old
        for _ in range(rnd.randint(1, 3)):
            new = _mutated(new, rnd)
        pairs.append((old, new))
    return pairs


def test_behaviour_changes_agree_with_brute_force() -> None:
    failures = []
    for old, new in _pairs():
        try:
            check_pair(old, new)
        except AssertionError as error:
            failures.append((len(old.rules) + len(new.rules), f"OLD {old}\nNEW {new}\n{error}"))
    assert not failures, f"{len(failures)} of {PAIRS} pairs disagree; smallest:\n{min(failures)[1]}"


def test_the_oracle_sees_a_missed_region() -> None:
    old = Spec("U", (Col("i1", "integer", "[0..4]", True),), ((("< 2",), "x"), ((">= 2",), "y")), None)
    new = replace(old, rules=((("< 3",), "x"), ((">= 3",), "y")))
    check_pair(old, new)
    with pytest.raises(AssertionError, match="miss"):
        check_pair(old, new, find=lambda a, b: [])


# ---------------------------------------------------------------------- reviewers' cases
INPUTS = [("age", "integer", "[0..120]", "yes"), ("hr_status", "string", '"positive","negative"', "yes")]


def _model(rules: list[list[str]], policy: str = "U", headings: tuple[str, ...] = ("age", "hr_status", "dose"),
           roles: str = "iio", inputs: list[tuple[str, ...]] = INPUTS) -> Any:
    return model_for(inputs=inputs, tables={"t": (policy, list(headings), roles, None, rules)})


OLD_RULES = [["R1", ">= 12", "-", '"a"'], ["R2", "< 12", '"positive"', '"b"'], ["R3", "< 12", '"negative"', '"b"']]
OLD = _model(OLD_RULES)


def test_a_merge_of_two_rules_changes_nothing() -> None:
    merged = _model([["R1", ">= 12", "-", '"a"'], ["R2", "< 12", "-", '"b"']])
    assert behaviour_changes(OLD, merged) == []


def test_renumbered_and_reordered_rules_change_nothing() -> None:
    renumbered = _model([["X3", "< 12", '"negative"', '"b"'], ["X1", ">= 12", "-", '"a"'],
                         ["X2", "< 12", '"positive"', '"b"']])
    assert behaviour_changes(OLD, renumbered) == []


def test_a_changed_threshold_changes_exactly_the_band_between() -> None:
    lowered = _model([["R1", ">= 10", "-", '"a"'], ["R2", "< 10", '"positive"', '"b"'],
                      ["R3", "< 10", '"negative"', '"b"']])
    assert behaviour_changes(OLD, lowered) == [
        BehaviourChange("t", {"age": "[10..11]", "hr_status": "-"}, {"age": 10, "hr_status": "negative"},
                        'dose = "b"', 'dose = "a"')]


def test_a_changed_output_changes_its_rule_region() -> None:
    changed = _model([["R1", ">= 12", "-", '"c"'], ["R2", "< 12", '"positive"', '"b"'],
                      ["R3", "< 12", '"negative"', '"b"']])
    (change,) = behaviour_changes(OLD, changed)
    assert (change.box, change.old, change.new) == ({"age": "[12..120]", "hr_status": "-"}, 'dose = "a"', 'dose = "c"')


def test_an_added_input_column_changes_only_where_it_decides() -> None:
    inputs = INPUTS + [("brain_mets", "boolean", None, "yes")]
    added = _model([["R1", ">= 12", "-", "-", '"a"'], ["R2", "< 12", '"positive"', "-", '"b"'],
                    ["R3", "< 12", '"negative"', "false", '"b"'], ["R4", "< 12", '"negative"', "true", '"d"']],
                   headings=("age", "hr_status", "brain_mets", "dose"), roles="iiio", inputs=inputs)
    (change,) = behaviour_changes(OLD, added)
    assert change.box == {"age": "[0..11]", "hr_status": '"negative"', "brain_mets": "true"}
    assert (change.old, change.new) == ('dose = "b"', 'dose = "d"')


def test_a_gap_and_an_overlap_are_outcomes_too() -> None:
    gap_and_overlap = _model([["R1", ">= 12", "-", '"a"'], ["R2", "< 12", '"positive"', '"b"'],
                              ["R3", "> 100", '"negative"', '"a"']])
    found = {(c.box["age"], c.box["hr_status"], c.old, c.new) for c in behaviour_changes(OLD, gap_and_overlap)}
    assert ("[0..11]", '"negative"', 'dose = "b"', "no rule matches") in found
    assert any(new.startswith("error: rules R1 and R3 both match") for *_, new in found)


def test_a_changed_type_is_reported_not_compared() -> None:
    as_text = _model([["R1", '"adult"', "-", '"a"'], ["R2", '"child"', "-", '"b"']],
                     inputs=[("age", "string", None, "yes"), INPUTS[1]])
    (change,) = behaviour_changes(OLD, as_text)
    assert "integer" in change.old and "string" in change.new


def test_a_value_newly_allowed_was_not_allowed_before() -> None:
    wider = [("age", "integer", "[0..130]", "yes"), INPUTS[1]]
    (change,) = behaviour_changes(OLD, _model(OLD_RULES, inputs=wider))
    assert change.box["age"] == "[121..130]"
    assert (change.old, change.new) == ("not allowed (age is outside its allowed values)", 'dose = "a"')


def test_a_new_gap_upstream_reaches_the_tables_downstream() -> None:
    def chain(band_rules: list[list[str]]) -> Any:
        return model_for(inputs=INPUTS[:1], tables={
            "band": ("U", ["age", "band"], "io", None, band_rules),
            "plan": ("U", ["band", "plan"], "io", None, [["P1", '"child"', '"p"'], ["P2", '"adult"', '"q"']])})

    old = chain([["B1", "< 18", '"child"'], ["B2", ">= 18", '"adult"']])
    new = chain([["B1", "< 18", '"child"'], ["B2", "> 18", '"adult"']])
    changes = {c.table: c for c in behaviour_changes(old, new)}
    assert (changes["band"].box, changes["band"].new) == ({"age": "18"}, "no rule matches")
    assert changes["plan"].box == {"band": "null"}
    assert changes["plan"].old == "does not occur (band never gives this band)"
    assert changes["plan"].new == "no rule matches"
