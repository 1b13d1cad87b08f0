"""The independent oracle for ``dtrun lint``'s searches (engine/verify.py).

Random small decision tables over small finite domains are linted, and every finding of
the set-based searches is compared with brute-force enumeration of every input
combination, each rule evaluated with the scalar ``CompiledUnaryTests.matches`` (the
reference FEEL semantics, which never goes through the set form):

* gaps: the boxes, expanded over the domain, cover exactly the combinations no rule
  matches, and are pairwise disjoint; each example is such a combination;
* overlaps (U) / conflicts (A): the reported groups are exactly the maximal sets of rules
  that match one combination (for A, those whose outputs differ); the box is exactly where
  the whole group matches and the example makes every rule of the group match;
* masked / partly masked rules (F, P): a rule that matches something, all of it also
  matched by rules that take precedence, is masked; if only part of it, partly masked;
* subsumed / mergeable rules: what they say is true of the matched combinations.

String inputs without allowed values and number inputs have infinite domains; they are
enumerated over representatives of every piece the literals of the cells cut the line
into (``STRING_REPRESENTATIVES``, ``NUMBER_REPRESENTATIVES``).

A seeded corpus of ``CORPUS_SIZE`` tables is checked property by property (failures
report the smallest table that disagrees); a hypothesis test then searches (and shrinks)
with the same generator.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import pytest
from helpers import POLICIES, PRIORITIES, Col, Spec, random_spec
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine._core.errors import ConditionError
from engine.analysis.findings import Finding
from engine.analysis.lint import lint_model
from engine.feel.conditions import compile_unary_tests
from engine.formats.xlsx.build import build_model

CORPUS_SIZE = 1000
SEED = 20250131

# ---------------------------------------------------------------------- the oracle
@dataclass
class Case:
    """A table, what lint says about it, and what brute force says."""

    spec: Spec
    findings: list[Finding] = field(init=False)
    crash: Exception | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        try:
            self.findings = lint_model(build_model("oracle.xlsx", self.spec.sheets()))
        except Exception as error:  # reported by test_lint_does_not_crash
            self.findings, self.crash = [], error

    @cached_property
    def names(self) -> list[str]:
        return [c.name for c in self.spec.columns]

    @cached_property
    def combos(self) -> list[tuple[Any, ...]]:
        return list(itertools.product(*(c.values for c in self.spec.columns)))

    @cached_property
    def tests(self) -> list[list[Any]]:
        return [[_compiled(text) for text in cells] for cells, _ in self.spec.rules]

    def rule_matches(self, rule: int, record: tuple[Any, ...]) -> bool:
        return all(test.matches(value) for test, value in zip(self.tests[rule], record))

    @cached_property
    def matched(self) -> list[frozenset[tuple[Any, ...]]]:
        """Per rule: the combinations it matches."""
        return [frozenset(c for c in self.combos if self.rule_matches(r, c)) for r in range(len(self.spec.rules))]

    @cached_property
    def hits(self) -> dict[tuple[Any, ...], frozenset[str]]:
        """Per combination: the ids of the rules that match it."""
        return {c: frozenset(f"R{r + 1}" for r, m in enumerate(self.matched) if c in m) for c in self.combos}

    def output(self, rule_id: str) -> str:
        return self.spec.rules[int(rule_id[1:]) - 1][1]

    def of(self, *codes: str) -> list[Finding]:
        return [f for f in self.findings if f.code in codes]

    def expand(self, box: dict[str, str]) -> set[tuple[Any, ...]]:
        """The combinations inside a box written as one unary test per input."""
        assert list(box) == self.names, f"box headings {list(box)} are not the inputs {self.names}"
        tests = [self.parse(box[n], "box") for n in self.names]
        return {c for c in self.combos if all(t.matches(v) for t, v in zip(tests, c))}

    def inside(self, box: dict[str, str], record: tuple[Any, ...]) -> bool:
        return all(self.parse(box[n], "box").matches(v) for n, v in zip(self.names, record))

    @staticmethod
    def parse(text: str, what: str) -> Any:
        """Lint writes boxes and merged cells in the table's notation: they must read back."""
        try:
            return _compiled(text)
        except ConditionError as error:
            raise AssertionError(f"the {what} text {text!r} is not a valid cell: {error}") from None

    def record(self, example: dict[str, Any] | None) -> tuple[Any, ...]:
        assert example is not None and list(example) == self.names, f"example {example} does not name every input"
        record = tuple(col.typed(example[n]) for n, col in zip(self.names, self.spec.columns))
        for col, value in zip(self.spec.columns, record):
            assert col.admits(value), f"example value {value!r} of {col.name} is outside its domain"
        return record

    def matching(self, record: tuple[Any, ...]) -> set[str]:
        return {f"R{r + 1}" for r in range(len(self.spec.rules)) if self.rule_matches(r, record)}

    def precedence(self, rule: int) -> int:
        """Smaller wins: rule order for F, output priority ("x" before "y") for P."""
        return rule if self.spec.policy == "F" else "xy".index(self.spec.rules[rule][1])

    def subject(self, finding: Finding) -> int:
        """The rule a per-rule finding is about: its row comes first in ``cells``."""
        return int(finding.cells[0][1:]) - 4


@lru_cache(maxsize=4096)
def _compiled(text: str) -> Any:
    return compile_unary_tests(text, feel=True)  # FEEL cells (? ...) on the FEEL evaluator, the reference


def maximal(groups: Iterable[frozenset[str]]) -> set[frozenset[str]]:
    groups = {g for g in groups if len(g) >= 2}
    return {g for g in groups if not any(g < h for h in groups)}


# ---------------------------------------------------------------------- the checks
def check_gaps(case: Case) -> None:
    """Gap boxes cover exactly the combinations no rule matches.  One kind of gap finding is
    about a text column without allowed values whose cells name texts only: it says every
    record with a text no cell names is unmatched (with a box only when few texts are named);
    other boxes may show those records too (as ``not("a")``), and apart from them are
    pairwise disjoint."""
    found = case.of("gap")
    if case.spec.policy == "C":
        assert not found, "C tables are exempt from gaps"
        return
    uncovered = {c for c, rules in case.hits.items() if not rules}
    unnamed: set[tuple[Any, ...]] = set()
    special = [f for f in found if "is a text that no rule names" in f.message]
    for finding in special:
        j = ord(finding.cells[0][0]) - ord("B")
        named = {m for cells, _ in case.spec.rules for m in re.findall(r'"([^"]*)"', cells[j])}
        records = {c for c in case.combos if isinstance(c[j], str) and c[j] not in named}
        assert case.spec.columns[j].kind == "string" and not case.spec.columns[j].allowed and records
        assert records <= uncovered, f"records with a text no cell of {case.names[j]} names are matched"
        record = case.record(finding.example)
        assert not case.matching(record) and record[j] not in named, f"example {finding.example}"
        unnamed |= records
        assert finding.box is None or case.expand(finding.box) == records, f"box {finding.box}"
    expanded = []
    for finding in (f for f in found if f not in special):
        assert finding.rules == ()
        cells = case.expand(finding.box)
        assert cells, f"gap box {finding.box} is empty"
        record = case.record(finding.example)
        assert not case.matching(record), f"gap example {finding.example} is matched by {case.matching(record)}"
        assert case.inside(finding.box, record), f"gap example {finding.example} is outside its box {finding.box}"
        expanded.append(cells)
    for a, b in itertools.combinations(expanded, 2):
        assert not (a & b) - unnamed, f"gap boxes overlap at {sorted((a & b) - unnamed, key=repr)[:3]}"
    covered = set().union(unnamed, *expanded)
    assert covered == uncovered, (f"gap boxes cover {len(covered)} combinations, brute force finds {len(uncovered)} "
                                  f"uncovered; only boxes: {sorted(covered - uncovered, key=repr)[:3]}; "
                                  f"missed: {sorted(uncovered - covered, key=repr)[:3]}")


def _groups(case: Case, code: str) -> None:
    found = case.of(code)
    policy = {"overlap": "U", "conflict": "A"}[code]
    if case.spec.policy != policy:
        assert not found, f"{code} reported under hit policy {case.spec.policy}"
        return
    expected = maximal(case.hits.values())
    if code == "conflict":
        expected = {g for g in expected if len({case.output(r) for r in g}) > 1}
    reported = [frozenset(f.rules) for f in found]
    assert len(reported) == len(set(reported)), f"a group is reported twice: {reported}"
    assert set(reported) == expected, f"{code} groups: lint {sorted(map(sorted, reported))}, " \
                                      f"brute force {sorted(map(sorted, expected))}"
    for finding in found:
        group = set(finding.rules)
        record = case.record(finding.example)
        assert group <= case.matching(record), f"example {finding.example} is not matched by all of {sorted(group)}"
        assert finding.box is not None and case.inside(finding.box, record)
        everywhere = {c for c, rules in case.hits.items() if group <= rules}
        assert case.expand(finding.box) == everywhere, f"the box {finding.box} is not where {sorted(group)} all match"


def check_overlaps(case: Case) -> None:
    _groups(case, "overlap")


def check_conflicts(case: Case) -> None:
    _groups(case, "conflict")


def check_masking(case: Case) -> None:
    found = case.of("masked-rule", "partly-masked-rule")
    if case.spec.policy not in ("F", "P"):
        assert not found, f"masking reported under hit policy {case.spec.policy}"
        return
    expected: dict[int, tuple[str, frozenset[str]]] = {}
    for rule, mine in enumerate(case.matched):
        if not mine:
            continue  # a rule that matches nothing is reported on its cells (value-not-allowed, type-mismatch)
        higher = [h for h in range(len(case.spec.rules)) if case.precedence(h) < case.precedence(rule)]
        hiders = [h for h in higher if case.matched[h] & mine]
        if not hiders:
            continue
        hidden = set().union(*(case.matched[h] for h in hiders))
        code = "masked-rule" if mine <= hidden else "partly-masked-rule"
        expected[rule] = (code, frozenset(f"R{r + 1}" for r in [rule, *hiders]))
    reported = {case.subject(f): (f.code, frozenset(f.rules)) for f in found}
    assert len(reported) == len(found), "a rule is reported twice"
    assert reported == expected, f"lint {reported}, brute force {expected}"


def check_empty_rules(case: Case) -> None:
    """A rule that matches no combination at all is pointed out on one of its cells."""
    for rule, mine in enumerate(case.matched):
        on_rule = [f for f in case.of("value-not-allowed", "type-mismatch") if f.rules == (f"R{rule + 1}",)]
        if not mine:
            assert on_rule, f"R{rule + 1} matches nothing, and no cell of it is reported"
        for finding in case.of("value-not-allowed"):
            if finding.rules == (f"R{rule + 1}",):
                assert not mine, f"value-not-allowed on R{rule + 1}, which matches {sorted(mine, key=repr)[:3]}"


def check_subsumed(case: Case) -> None:
    found = case.of("subsumed-rule")
    reported: set[int] = set()
    for finding in found:
        rule = case.subject(finding)
        (other,) = [int(r[1:]) - 1 for r in finding.rules if r != f"R{rule + 1}"]
        assert case.spec.rules[rule][1] == case.spec.rules[other][1], "subsumed by a rule with other outputs"
        assert case.matched[rule] <= case.matched[other], \
            f"R{rule + 1} matches {sorted(case.matched[rule] - case.matched[other], key=repr)[:3]}, R{other + 1} not"
        reported.add(rule)
    # completeness, where deleting a subsumed rule keeps every result (not under F, where a
    # rule in between may decide, nor under the collecting policies, where it adds an item):
    # a rule strictly inside another with the same outputs is reported, and of rules
    # matching exactly the same records all but one are
    if case.spec.policy not in ("U", "A", "P"):
        assert not found, "subsumed-rule reported where deleting the rule changes results"
        return
    for rule, mine in enumerate(case.matched):
        if not mine or rule in reported:
            continue
        for other, theirs in enumerate(case.matched):
            if other != rule and case.spec.rules[rule][1] == case.spec.rules[other][1] and mine <= theirs:
                assert mine == theirs and other in reported, \
                    f"R{rule + 1} is inside R{other + 1} (same output) but not reported"


def check_mergeable(case: Case) -> None:
    for finding in case.of("mergeable-rules"):
        first, second = (int(r[1:]) - 1 for r in finding.rules)
        assert case.spec.rules[first][1] == case.spec.rules[second][1]
        heading = finding.message.rsplit("differ only in ", 1)[1]
        position = case.names.index(heading)
        joined = finding.hint.split(" = ", 1)[1]
        merged = list(case.tests[first])
        merged[position] = case.parse(joined, "merged cell")
        together = {c for c in case.combos if all(t.matches(v) for t, v in zip(merged, c))}
        assert together == case.matched[first] | case.matched[second], \
            f"the merged rule ({heading} = {joined}) does not match exactly what R{first + 1} and R{second + 1} match"


def check_scope(case: Case) -> None:
    """Only the codes this generator can provoke; every finding is on table t."""
    allowed = {"gap", "overlap", "conflict", "masked-rule", "partly-masked-rule", "subsumed-rule",
               "mergeable-rules", "value-not-allowed", "type-mismatch"}
    for finding in case.findings:
        assert finding.code in allowed, str(finding)
        assert finding.sheet == "t" and finding.workbook == "oracle.xlsx"


CHECKS = [check_gaps, check_overlaps, check_conflicts, check_masking, check_empty_rules, check_subsumed,
          check_mergeable, check_scope]


# ---------------------------------------------------------------------- corpus tests
@pytest.fixture(scope="module")
def generated() -> list[Case]:
    """Seeded random tables, until CORPUS_SIZE of them can be linted (crashes are kept aside)."""
    rnd = random.Random(SEED)
    cases: list[Case] = []
    while sum(c.crash is None for c in cases) < CORPUS_SIZE and len(cases) < 3 * CORPUS_SIZE:
        cases.append(Case(random_spec(rnd)))
    return cases


@pytest.fixture(scope="module")
def corpus(generated: list[Case]) -> list[Case]:
    return [c for c in generated if c.crash is None]


def _size(case: Case) -> tuple[int, int, int]:
    return (len(case.spec.rules) * len(case.spec.columns), len(case.spec.rules), len(str(case.spec)))


def run_check(check: Any, cases: list[Case]) -> None:
    failures = []
    for case in (c for c in cases if c.crash is None):
        try:
            check(case)
        except AssertionError as error:
            failures.append((case, error))
    if failures:
        case, error = min(failures, key=lambda f: _size(f[0]))
        findings = "\n".join(f"  {f}" for f in case.findings)
        pytest.fail(f"{len(failures)} of {len(cases)} tables disagree; the smallest:\n{case.spec}\n"
                    f"{error}\nlint said:\n{findings}", pytrace=False)


def test_lint_does_not_crash(generated: list[Case]) -> None:
    crashed = sorted((c for c in generated if c.crash), key=_size)
    assert not crashed, f"{len(crashed)} tables crash lint_model, e.g.\n{crashed[0].spec}\n{crashed[0].crash!r}"


def test_corpus_is_varied(corpus: list[Case]) -> None:
    assert len(corpus) >= 1000
    assert {c.spec.policy for c in corpus} == set(POLICIES)
    codes = {f.code for c in corpus for f in c.findings}
    assert {"gap", "overlap", "conflict", "masked-rule", "partly-masked-rule", "subsumed-rule",
            "mergeable-rules", "value-not-allowed", "type-mismatch"} <= codes
    # enough tables where the interesting outcomes occur
    assert sum(bool(c.of("gap")) for c in corpus) > 100
    assert sum(bool(c.of("overlap", "conflict")) for c in corpus) > 100
    assert sum(bool(c.of("masked-rule")) for c in corpus) > 30
    assert sum(any(f.box and len(f.box) == 3 and sum(v != "-" for v in f.box.values()) >= 2 for f in c.of("gap"))
               for c in corpus) > 20


def test_lint_does_not_crash_on_a_rule_that_matches_nothing() -> None:
    case = Case(_spec("U", [STR], [(['"d"'], "x"), (["-"], "x")]))
    assert case.crash is None, f"lint_model raised {case.crash!r} on\n{case.spec}"
    assert [f.code for f in case.findings] == ["value-not-allowed"]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_lint_agrees_with_brute_force(corpus: list[Case], check: Any) -> None:
    run_check(check, corpus)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_lint_agrees_with_brute_force_hypothesis(rnd: random.Random) -> None:
    case = Case(random_spec(rnd))
    assume(case.crash is None)  # crashes: test_lint_does_not_crash
    for check in CHECKS:
        check(case)


@pytest.fixture(scope="module")
def temporal_corpus() -> list[Case]:
    """Seeded random tables over times, both durations and integers (a time with a zone and
    one without in one column, = to the second: tests/helpers/tables.py)."""
    rnd = random.Random(SEED + 18)
    return [Case(random_spec(rnd, temporal=True)) for _ in range(TEMPORAL_CORPUS)]


TEMPORAL_CORPUS = 300


def test_lint_over_temporal_inputs_does_not_crash(temporal_corpus: list[Case]) -> None:
    crashed = sorted((c for c in temporal_corpus if c.crash), key=_size)
    assert not crashed, f"{len(crashed)} tables crash lint_model, e.g.\n{crashed[0].spec}\n{crashed[0].crash!r}"
    assert sum(bool(c.of("gap")) for c in temporal_corpus) > 50
    assert sum(bool(c.of("overlap", "conflict")) for c in temporal_corpus) > 30


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_lint_over_temporal_inputs_agrees_with_brute_force(temporal_corpus: list[Case], check: Any) -> None:
    run_check(check, temporal_corpus)


def test_the_many_way_cut_of_wide_tables_agrees_with_brute_force(generated: list[Case], monkeypatch) -> None:
    """Tables with more than ``search._WIDE`` rules in a box are cut along a text column into
    all its values at once; with the threshold at 0 every corpus table takes that path."""
    from engine.analysis import search

    monkeypatch.setattr(search, "_WIDE", 0)
    cases = [Case(c.spec) for c in generated[:400] if c.crash is None]
    assert sum(bool(c.of("gap")) for c in cases) > 40
    for check in (check_gaps, check_masking):
        run_check(check, cases)


# ---------------------------------------------------------------------- the oracle itself can fail
def _spec(policy: str, columns: list[Col], rules: list[tuple[list[str], str]]) -> Spec:
    return Spec(policy, tuple(columns), tuple((tuple(c), o) for c, o in rules), PRIORITIES)


INT = Col("i1", "integer", "[0..4]", True)
INT_NULL = Col("i1", "integer", "[0..4]", False)
STR = Col("s2", "string", '"a","b","c"', True)


def test_oracle_sees_a_gap_and_the_missing_value() -> None:
    case = Case(_spec("U", [INT_NULL], [(["< 2"], "x"), (["[2..3]"], "y")]))
    assert {c for c, r in case.hits.items() if not r} == {(4,), (None,)}
    check_gaps(case)
    assert sorted(tuple(f.box.values()) for f in case.of("gap")) == [("4, null",)]


def test_oracle_rejects_a_wrong_gap_box() -> None:
    case = Case(_spec("U", [INT, STR], [(["< 2", '"a"'], "x"), (["-", 'not("a")'], "y")]))
    check_gaps(case)
    (gap,) = case.of("gap")
    assert gap.box == {"i1": "[2..4]", "s2": '"a"'}
    wrong = Finding("error", "gap", "oracle.xlsx", "t", "m", box={"i1": ">= 3", "s2": '"a"'},
                    example={"i1": 3, "s2": "a"})
    case.findings = [wrong]
    with pytest.raises(AssertionError, match="cover"):
        check_gaps(case)


def test_oracle_rejects_pairs_instead_of_maximal_groups() -> None:
    case = Case(_spec("U", [INT], [(["-"], "x"), (["< 3"], "y"), (["> 1"], "x")]))
    check_overlaps(case)
    assert sorted(sorted(f.rules) for f in case.of("overlap")) == [["R1", "R2", "R3"]]
    case.findings = [Finding("error", "overlap", "oracle.xlsx", "t", "m", ("A4", "A5"), ("R1", "R2"),
                             example={"i1": 0}, box={"i1": "< 3"})]
    with pytest.raises(AssertionError, match="overlap groups"):
        check_overlaps(case)


def test_oracle_masking_on_a_known_table() -> None:
    case = Case(_spec("F", [INT], [(["< 3"], "x"), (["1"], "y"), (["[2..4]"], "x")]))
    check_masking(case)
    assert {(case.subject(f), f.code) for f in case.of("masked-rule", "partly-masked-rule")} == {
        (1, "masked-rule"), (2, "partly-masked-rule")}
    case.findings = [f for f in case.findings if f.code != "masked-rule"]
    with pytest.raises(AssertionError):
        check_masking(case)


def test_priority_masking_follows_output_priority_not_rule_order() -> None:
    case = Case(_spec("P", [INT], [(["< 3"], "y"), (["-"], "x")]))
    check_masking(case)
    (masked,) = case.of("masked-rule")
    assert case.subject(masked) == 0 and set(masked.rules) == {"R1", "R2"}


# ---------------------------------------------------------------------- redundancy that changes results
def _results(case: Case, rules: list[int]) -> dict[tuple[Any, ...], Any]:
    """Each combination's result with only ``rules`` (indexes, in order): an independent resolver."""
    out: dict[tuple[Any, ...], Any] = {}
    for combo in case.combos:
        hit = [r for r in rules if combo in case.matched[r]]
        outputs = [case.spec.rules[r][1] for r in hit]
        policy = case.spec.policy
        if policy == "C":
            out[combo] = outputs
        elif not hit:
            out[combo] = None
        elif policy == "F":
            out[combo] = outputs[0]
        elif policy == "P":
            out[combo] = min(outputs, key="xy".index)
        elif policy == "U":
            out[combo] = outputs[0] if len(hit) == 1 else "error"
        else:
            out[combo] = outputs[0] if len(set(outputs)) == 1 else "error"
    return out


def deleting_subsumed_keeps_results(case: Case) -> None:
    """``delete rule A`` (the hint of subsumed-rule) must not change any record's result
    (an error of a U table may become the rules' common output)."""
    everything = list(range(len(case.spec.rules)))
    before = _results(case, everything)
    for finding in case.of("subsumed-rule"):
        rule = case.subject(finding)
        after = _results(case, [r for r in everything if r != rule])
        changed = [c for c in case.combos if before[c] != after[c] and before[c] != "error"]
        assert not changed, (f"deleting R{rule + 1} as advised changes the result of {changed[0]} "
                             f"from {before[changed[0]]!r} to {after[changed[0]]!r}")


@pytest.mark.parametrize("policy", ["U", "A", "P"])
def test_deleting_a_subsumed_rule_keeps_results(corpus: list[Case], policy: str) -> None:
    run_check(deleting_subsumed_keeps_results, [c for c in corpus if c.spec.policy == policy])


def test_first_hit_subsumed_rule_can_be_deleted() -> None:
    # R1 "x" lies inside R3 "x", but R2 "y" sits in between: without R1, i1 = 0 gives "y"
    case = Case(_spec("F", [INT], [(["< 2"], "x"), (["< 3"], "y"), (["-"], "x")]))
    deleting_subsumed_keeps_results(case)


def test_collect_subsumed_rule_can_be_deleted() -> None:
    case = Case(_spec("C", [INT], [(["< 2"], "x"), (["-"], "x")]))
    deleting_subsumed_keeps_results(case)


def merging_keeps_results(case: Case) -> None:
    """Writing mergeable rules A and B (A first) as one rule in A's place keeps every result."""
    everything = list(range(len(case.spec.rules)))
    before = _results(case, everything)
    for finding in case.of("mergeable-rules"):
        first, second = (int(r[1:]) - 1 for r in finding.rules)
        union = case.matched[first] | case.matched[second]
        saved = case.matched
        merged = list(saved)
        merged[first] = union
        case.__dict__["matched"] = merged
        try:
            after = _results(case, [r for r in everything if r != second])
        finally:
            case.__dict__["matched"] = saved
        changed = [c for c in case.combos if before[c] != after[c] and before[c] != "error"]
        assert not changed, (f"merging R{first + 1} and R{second + 1} changes the result of {changed[0]} "
                             f"from {before[changed[0]]!r} to {after[changed[0]]!r}")


@pytest.mark.parametrize("policy", ["U", "A", "P"])
def test_merging_mergeable_rules_keeps_results(corpus: list[Case], policy: str) -> None:
    run_check(merging_keeps_results, [c for c in corpus if c.spec.policy == policy])


def test_first_hit_rules_with_a_rule_between_are_not_mergeable() -> None:
    # merging R1 and R3 would put R3's records ahead of R2, which decides them now
    case = Case(_spec("F", [INT, STR], [(["< 2", '"a"'], "x"), (["-", '"b"'], "y"), (["< 2", '"b"'], "x")]))
    assert not case.of("mergeable-rules")
    merging_keeps_results(case)


def test_adjacent_first_hit_rules_are_mergeable() -> None:
    case = Case(_spec("F", [INT, STR], [(["< 2", '"a"'], "x"), (["< 2", '"b"'], "x"), (["-", "-"], "y")]))
    assert case.of("mergeable-rules")
    merging_keeps_results(case)


def test_collect_overlapping_rules_are_not_mergeable() -> None:
    # both fire for i1 in [1..2]: one merged rule would put "x" in the list once, not twice
    case = Case(_spec("C", [INT, STR], [(["[0..2]", '"a"'], "x"), (["[1..3]", '"a"'], "x")]))
    assert not case.of("mergeable-rules")
    disjoint = Case(_spec("C", [INT, STR], [(["[0..1]", '"a"'], "x"), (["[2..3]", '"a"'], "x")]))
    assert disjoint.of("mergeable-rules")
    merging_keeps_results(disjoint)


# ---------------------------------------------------------------------- FEEL cells
FEEL_CORPUS_SIZE = 400


@pytest.fixture(scope="module")
def feel_corpus() -> list[Case]:
    """Seeded random tables with cells in FEEL beyond S-FEEL (``? < 2``, ``odd(?)``, ...)."""
    rnd = random.Random(SEED + 18)
    return [Case(random_spec(rnd, feel=0.5)) for _ in range(FEEL_CORPUS_SIZE)]


def check_feel(case: Case) -> None:
    """Every check where lint analysed the table; where it says ``not-analysed`` (a column of
    cells it cannot reason about), no claim about gaps, overlaps or masking at all."""
    skipped = case.of("not-analysed")
    if not skipped:
        for check in CHECKS[:-1]:
            check(case)
        return
    assert not case.of("gap", "overlap", "conflict", "masked-rule", "partly-masked-rule", "subsumed-rule",
                       "mergeable-rules"), [str(f) for f in case.findings]
    assert all("calls the function" in f.message for f in skipped), [f.message for f in skipped]


def test_lint_of_feel_cells_agrees_with_brute_force(feel_corpus: list[Case]) -> None:
    crashed = [c for c in feel_corpus if c.crash]
    assert not crashed, f"{crashed[0].spec}\n{crashed[0].crash!r}"
    run_check(check_feel, feel_corpus)
    feel = [c for c in feel_corpus if any(t.feel for rule in c.tests for t in rule)]
    analysed = [c for c in feel if not c.of("not-analysed")]
    assert len(analysed) > 150 and len(feel) - len(analysed) > 20  # both outcomes are tried
    assert sum(bool(c.of("gap")) for c in analysed) > 30 and sum(bool(c.of("overlap", "conflict")) for c in analysed) > 30
