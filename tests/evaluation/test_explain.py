"""One record explained: per table the values, the matching rules, the nearest rules and why.

The oracle is the reference evaluation (``evaluate_record``) and each cell tested on its own
(``CompiledUnaryTests.matches``): an explanation never disagrees with a result, and the
nearest rules are the ones the documented order picks."""

from __future__ import annotations

from helpers import model_for
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.evaluation.explain import explain_record, nearest_rules, why
from engine.evaluation.record import evaluate_record

INPUTS = [("age", "number", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "no"),
          ("months", "number", None, "no")]
TABLES = {
    "band": ("U", ["age", "band", "Reference", "Guidance"], "ioaa", None,
             [["B1", "< 18", '"child"', "Ref 1", "See a paediatrician"], ["B2", "[18..65]", '"adult"', "Ref 2", ""],
              ["B3", "> 60", '"senior"', "Ref 3", "Check frailty"]]),
    "plan": ("U", ["band.band", "hr", "months", "plan"], "iiio", None,
             [["P1", '"child"', "-", "-", '"paediatric"'], ["P2", '"adult"', '"positive"', "< 6", '"endocrine"'],
              ["P3", '"adult"', '"positive"', "(6..12]", '"second"'], ["P4", '"adult"', '"negative"', "-", '"chemo"']]),
}


def model():
    return model_for(inputs=INPUTS, tables=TABLES)


RECORDS = st.fixed_dictionaries({
    "age": st.one_of(st.integers(-5, 130).map(str), st.sampled_from(["", "abc"])),
    "hr": st.sampled_from(["positive", "negative", "", "postive"]),
    "months": st.one_of(st.integers(0, 14).map(str), st.just("")),
})


@settings(max_examples=150, deadline=None)
@given(RECORDS)
def test_an_explanation_agrees_with_the_reference_and_with_each_cell(record):
    built = model()
    explanation = explain_record(built, record)
    assert explanation.result == evaluate_record(built, record)
    for trace in explanation.tables:
        table = built.table(trace.table)
        if trace.status == "not-evaluated":
            assert trace.blocked and not trace.matched
            continue
        context = explanation.context
        fails = {rule.id: [col.column for test, col in zip(rule.inputs, table.inputs)
                           if not test.matches(context.get(col.name), context)] for rule in table.rules}
        assert list(trace.matched) == [r for r, failed in fails.items() if not failed]
        if trace.status == "no-match":
            fewest = min(len(f) for f in fails.values())
            assert trace.nearest and len(trace.nearest[0].failed) == fewest
            for near in trace.nearest:
                assert [cell.ref[0] for cell in near.failed] == fails[near.rule]
        else:
            assert trace.nearest == ()


def test_a_table_where_no_rule_matched_names_the_nearest_rule_and_the_cell_that_failed():
    built = model()
    explanation = explain_record(built, {"age": "40", "hr": "positive", "months": "6"})
    plan = explanation.table("plan")
    assert plan.status == "no-match"
    # P2 and P3 both fail one cell and test three: rule order
    assert [(n.rule, [(c.ref, c.text, c.value) for c in n.failed]) for n in plan.nearest] == [
        ("P2", [("D5", "< 6", 6)]), ("P3", [("D6", "(6..12]", 6)]), ("P4", [("C7", '"negative"', "positive")])]
    assert why(built, explanation, "plan") == (
        "no rule matched; nearest P2, whose months cell `< 6` at plan!D5 fails on 6")
    assert why(built, explanation, "plan", {"plan": ("P3",)}) == (
        "no rule matched; nearest P3, whose months cell `(6..12]` at plan!D6 fails on 6")


def test_among_rules_failing_as_many_cells_the_one_that_tests_more_is_nearer():
    built = model_for(inputs=[("a", "string", None, "no"), ("b", "string", None, "no")],
                      tables={"t": ("F", ["a", "b", "o"], "iio", None,
                                    [["R1", '"x"', "-", '"1"'], ["R2", '"y"', '"q"', '"2"']])})
    near = nearest_rules(built.table("t"), {"a": "z", "b": "q"})
    assert [n.rule for n in near] == ["R2", "R1"]


def test_why_says_several_rules_matched_an_input_was_invalid_and_an_upstream_table_gave_nothing():
    built = model_for(inputs=INPUTS, tables={**TABLES, "band": (
        "U", ["age", "band"], "io", None, [["B1", "< 18", '"child"'], ["B2", "[10..65]", '"adult"']])})
    both = explain_record(built, {"age": "12", "hr": "positive"})
    assert both.table("band").status == "failed"
    assert why(built, both, "band") == "rules B1 and B2 both match under hit policy U"
    invalid = explain_record(built, {"age": "abc", "hr": "positive"})
    assert why(built, invalid, "band") == 'not evaluated: invalid input age: "abc" is not a number'
    assert why(built, invalid, "plan") == ('not evaluated: band gave no result (invalid input age: "abc" is not '
                                           "a number)")
    nothing = explain_record(built, {"age": "90", "hr": "positive"})
    assert why(built, nothing, "plan").endswith(", as band gave no result (no rule matched; nearest B1, whose age "
                                                "cell `< 18` at band!B4 fails on 90)")


def test_matched_rules_carry_their_annotations():
    explanation = explain_record(model(), {"age": "70", "hr": "negative"})
    assert explanation.table("band").annotations == (("B3", (("Reference", "Ref 3"), ("Guidance", "Check frailty"))),)
    assert explanation.result.guidance == {"band": ("Check frailty",), "plan": ()}
