"""Any text given to the FEEL parser and evaluator ends in a value, a ConditionError (it does
not parse), a FeelError (a limit) or Unsupported (a value Python cannot hold): never another
exception, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine._core.errors import ConditionError
from engine.feel import interpret, semantics, syntax, unary
from engine.feel.temporal import Unsupported

PIECES = ["1", "0", "-", "2.5", "1e7000", "1e-7000", '"\\ud83d"', "9" * 40, "x", "xs", "item", "?", '"a"',
          '"2025-01-15"', "true", "null", "(", ")", "[", "]", "{", "}", ":", ",", "..", ".", "+", "*", "/", "**",
          "=", "!=", "<", ">=", " and ", " or ", "not(", " if ",
          " then ", " else ", " for ", " in ", " return ", " some ", " every ", " satisfies ", " between ",
          " instance of ", "number", "list<number>", "function(", "a", "b", "@", "date(", "time(", "duration(",
          '"P1D"', '"10:00:00"', "sum(", "count(", "substring(", "string length(", "sort(", "matches(", "replace(",
          "before(", "get value(", "context put(", "range(", '"[1..2]"', "date and time(", "years and months duration(",
          "abs(", "decimal(", "split(", "string(", "number(", "flatten(", "f(", "a: ", "x.y", ".year", " "]
VARIABLES = {"x": 5, "xs": [1, 2, 3], "a": {"y": 1}, "f": None}
ALLOWED = (ConditionError, semantics.FeelError, Unsupported)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join))
def test_any_text_ends_in_a_value_or_a_known_error(text):
    try:
        interpret.evaluate_text(text, VARIABLES)
    except ALLOWED:
        pass
    try:
        unary.test_text(text, 3, VARIABLES)
    except ALLOWED:
        pass
    try:
        syntax.parse_expression(text)
        syntax.parse_unary_tests(text)
    except ConditionError:
        pass
