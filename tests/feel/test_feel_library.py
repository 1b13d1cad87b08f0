"""Every FEEL built-in function (DMN 1.5 §10.3.4) with the examples of the spec (and a few
edge cases of the TCK): ``expression → value`` as FEEL writes the value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.feel import builtins, semantics
from engine.feel.temporal import Unsupported
from tests.feel.feel_helpers import feel

EXAMPLES = {
    "date": ['date("2012-12-25") - date("2012-12-24") = duration("P1D") → true',
             'date(date and time("2012-12-25T11:00:00Z")) → 2012-12-25', "date(2012, 12, 25) → 2012-12-25",
             'date("2012-13-25") → null', "date(null) → null"],
    "date and time": ['date and time("2012-12-24T23:59:00") = date and time(date("2012-12-24"), time("23:59:00")) → true',
                      'date and time("2012-12-24") → 2012-12-24T00:00:00', 'date and time("x") → null'],
    "time": ['time(23, 59, 0, duration("PT1H")) = time("23:59:00+01:00") → true',
             'time(date and time("2012-12-25T11:00:00Z")) → 11:00:00Z', 'time("25:00:00") → null'],
    "number": ['number("1 000,0", " ", ",") → 1000', 'number("1,000.21", ",", ".") → 1000.21', 'number("12") → 12',
               'number("1,0", ",", ",") → null', 'number("x") → null'],
    "string": ["string(1.1) → \"1.1\"", "string(null) → null", 'string(date("2012-12-25")) → "2012-12-25"',
               "string([1, 2]) → \"[1, 2]\""],
    "duration": ['duration("P2DT20H14M") → P2DT20H14M', 'duration("P2Y2M") → P2Y2M', 'duration("P26M") → P2Y2M',
                 'duration("x") → null'],
    "years and months duration": ['years and months duration(date("2011-12-22"), date("2013-08-24")) → P1Y8M',
                                  'years and months duration(date("2013-08-24"), date("2011-12-22")) → -P1Y8M'],
    "not": ["not(true) → false", "not(null) → null"],
    "substring": ['substring("foobar", 3) → "obar"', 'substring("foobar", -2, 1) → "a"', 'substring("\U0001F40Eab", 2) → "ab"'],
    "string length": ['string length("foo") → 3', 'string length("\U0001F40E") → 1', "string length(1) → null"],
    "upper case": ['upper case("aBc4") → "ABC4"'],
    "lower case": ['lower case("aBc4") → "abc4"'],
    "substring before": ['substring before("foobar", "bar") → "foo"', 'substring before("foobar", "xyz") → ""'],
    "substring after": ['substring after("foobar", "ob") → "ar"', 'substring after("", "a") → ""'],
    "replace": ['replace("abcd", "(ab)|(a)", "[1=$1][2=$2]") → "[1=ab][2=]cd"', 'replace("a.b", ".", "-", "q") → "a-b"',
                'replace("abc", "x*", "-") → null', 'replace("AbC", "b", "x", "i") → "AxC"'],
    "contains": ['contains("foobar", "of") → false', 'contains("foobar", "ob") → true'],
    "starts with": ['starts with("foobar", "fo") → true'],
    "ends with": ['ends with("foobar", "r") → true'],
    "matches": ['matches("foobar", "^fo*b") → true', 'matches("a\\nb", "a.b") → false', 'matches("x", "[") → null'],
    "split": ['split("John Doe", "\\\\s") → ["John", "Doe"]', 'split("a;b;c;;", ";") → ["a", "b", "c", "", ""]'],
    "string join": ['string join(["a", "b", "c"], "_and_") → "a_and_b_and_c"', 'string join(["a", "b", "c"], "") → "abc"',
                    'string join(["a", "b", "c"], null) → "abc"', 'string join(["a"], "X") → "a"',
                    'string join(["a", null, "c"]) → "ac"', "string join([]) → \"\"", "string join([1]) → null"],
    "list contains": ["list contains([1, 2, 3], 2) → true", "list contains([1, null], null) → true"],
    "count": ["count([1, 2, 3]) → 3", "count([]) → 0", "count([1, [2, 3]]) → 2"],
    "min": ["min([1, 2, 3]) → 1", "min(1) → 1", "min([1]) → 1", "min([]) → null", 'min(1, "a") → null'],
    "max": ["max(1, 2, 3) → 3", "max([]) → null", 'max("a", "c", "b") → "c"'],
    "sum": ["sum([1, 2, 3]) → 6", "sum(1, 2, 3) → 6", "sum(1) → 1", "sum([]) → null", 'sum(1, "a") → null'],
    "mean": ["mean([1, 2, 3]) → 2", "mean(1, 2, 3) → 2", "mean(1) → 1", "mean([]) → null"],
    "all": ["all([false, null, true]) → false", "all(true) → true", "all([true]) → true", "all([]) → true",
            "all(0) → null", "all([true, null]) → null"],
    "any": ["any([false, null, true]) → true", "any(false) → false", "any([]) → false", "any(0) → null"],
    "sublist": ["sublist([4, 5, 6], 1, 2) → [4, 5]", "sublist([4, 5, 6], -1) → [6]", "sublist([4, 5, 6], 5) → null"],
    "append": ["append([1], 2, 3) → [1, 2, 3]", "append([], null) → [null]"],
    "concatenate": ["concatenate([1, 2], [3]) → [1, 2, 3]", "concatenate([], []) → []"],
    "insert before": ["insert before([1, 3], 1, 2) → [2, 1, 3]"],
    "remove": ["remove([1, 2, 3], 2) → [1, 3]", "remove([1], 2) → null"],
    "reverse": ["reverse([1, 2, 3]) → [3, 2, 1]"],
    "index of": ["index of([1, 2, 3, 2], 2) → [2, 4]"],
    "union": ["union([1, 2], [2, 3]) → [1, 2, 3]"],
    "distinct values": ["distinct values([1, 2, 3, 2, 1]) → [1, 2, 3]"],
    "flatten": ["flatten([[1, 2], [[3]], 4]) → [1, 2, 3, 4]"],
    "product": ["product([2, 3, 4]) → 24", "product(2, 3, 4) → 24", "product([]) → null"],
    "median": ["median(8, 2, 5, 3, 4) → 4", "median([6, 1, 2, 3]) → 2.5", "median([]) → null"],
    "stddev": ["stddev(2, 4, 7, 5) → 2.081665999466132735282297706979931", "stddev([47]) → null",
               "stddev(47) → null", "stddev([]) → null"],
    "mode": ["mode(6, 3, 9, 6, 6) → [6]", "mode([6, 1, 9, 6, 1]) → [1, 6]", "mode([]) → []"],
    "sort": ["sort(list: [3, 1, 4, 5, 2], precedes: function(x, y) x < y) → [1, 2, 3, 4, 5]",
             "sort([3, 1, 2]) → [1, 2, 3]", 'sort([1, "a"]) → null'],
    "list replace": ["list replace([2, 4, 7, 8], 3, 6) → [2, 4, 6, 8]",
                     "list replace([2, 4, 7, 8], function(item, newItem) item < newItem, 5) → [5, 5, 7, 8]"],
    "decimal": ["decimal(1/3, 2) → 0.33", "decimal(1.5, 0) → 2", "decimal(2.5, 0) → 2", "decimal(1.035, 2) → 1.04",
                "decimal(1.045, 2) → 1.04", "decimal(1, 6177) → null"],
    "floor": ["floor(1.5) → 1", "floor(-1.5) → -2", "floor(-1.56, 1) → -1.6"],
    "ceiling": ["ceiling(1.5) → 2", "ceiling(-1.5) → -1", "ceiling(-1.56, 1) → -1.5"],
    "round up": ["round up(5.5, 0) → 6", "round up(-5.5, 0) → -6", "round up(1.121, 2) → 1.13",
                 "round up(-1.126, 2) → -1.13"],
    "round down": ["round down(5.5, 0) → 5", "round down(-5.5, 0) → -5", "round down(1.121, 2) → 1.12",
                   "round down(-1.126, 2) → -1.12"],
    "round half up": ["round half up(5.5, 0) → 6", "round half up(-5.5, 0) → -6", "round half up(1.121, 2) → 1.12",
                      "round half up(-1.126, 2) → -1.13", "round half up(403.79999999999995, 0) → 404"],
    "round half down": ["round half down(5.5, 0) → 5", "round half down(-5.5, 0) → -5",
                        "round half down(1.121, 2) → 1.12", "round half down(-1.126, 2) → -1.13"],
    "abs": ["abs(10) → 10", "abs(-10) → 10", 'abs(@"-PT5H") → PT5H', 'abs("a") → null'],
    "modulo": ["modulo(12, 5) → 2", "modulo(-12, 5) → 3", "modulo(12, -5) → -3", "modulo(-12, -5) → -2",
               "modulo(10.1, 4.5) → 1.1", "modulo(-10.1, 4.5) → 3.4", "modulo(10.1, -4.5) → -3.4",
               "modulo(-10.1, -4.5) → -1.1", "modulo(1, 0) → null"],
    "sqrt": ["sqrt(16) → 4", "sqrt(-1) → null", "sqrt(2) → 1.414213562373095048801688724209698"],
    "log": ["log(10) → 2.302585092994045684017991454684364", "log(0) → null"],
    "exp": ["exp(0) → 1", "exp(1) → 2.718281828459045235360287471352662"],
    "odd": ["odd(5) → true", "odd(2) → false", "odd(1.5) → null"],
    "even": ["even(5) → false", "even(2) → true"],
    "is": ['is(date("2012-12-25"), time("23:00:50")) → false', 'is(date("2012-12-25"), date("2012-12-25")) → true',
           'is(time("23:00:50Z"), time("23:00:50")) → false', 'is(value1: 1) → false'],
    "day of year": ["day of year(date(2019, 9, 17)) → 260"],
    "day of week": ['day of week(date(2019, 9, 17)) → "Tuesday"'],
    "month of year": ['month of year(date(2019, 9, 17)) → "September"'],
    "week of year": ["week of year(date(2019, 9, 17)) → 38", "week of year(date(2003, 12, 29)) → 1",
                     "week of year(date(2005, 1, 1)) → 53", "week of year(date(2005, 1, 3)) → 1"],
    "now": ["now() instance of date and time → true"],
    "today": ["today() instance of date → true", "today() = date(now()) → true"],
    "before": ["before(1, 10) → true", "before(10, 1) → false", "before(1, [2..5]) → true", "before([1..5], 10) → true",
               "before([1..5], [6..10]) → true", "before([1..5], [5..10]) → false", "before([1..5), [5..10]) → true"],
    "after": ["after(10, 5) → true", "after([6..10], [1..5]) → true", "after((5..10], [1..5]) → true"],
    "meets": ["meets([1..5], [5..10]) → true", "meets([1..3], [4..6]) → false", "meets([1..5), [5..10]) → false"],
    "met by": ["met by([5..10], [1..5]) → true", "met by([5..10], [1..5)) → false"],
    "overlaps": ["overlaps([1..5], [3..8]) → true", "overlaps([1..5], [6..8]) → false",
                 "overlaps([1..5], [5..8]) → true", "overlaps([1..5), [5..8]) → false"],
    "overlaps before": ["overlaps before([1..5], [3..8]) → true", "overlaps before([1..5], [6..8]) → false",
                        "overlaps before([1..5], [5..8]) → true", "overlaps before([1..5), [5..8]) → false",
                        "overlaps before([1..5], (5..8]) → false"],
    "overlaps after": ["overlaps after([3..8], [1..5]) → true", "overlaps after([6..8], [1..5]) → false"],
    "finishes": ["finishes(10, [1..10]) → true", "finishes(10, [1..10)) → false", "finishes([5..10], [1..10]) → true",
                 "finishes([5..10), [1..10]) → false"],
    "finished by": ["finished by([1..10], 10) → true", "finished by([1..10], [5..10]) → true"],
    "includes": ["includes([1..10], 5) → true", "includes([5..10], 4) → false", "includes([1..10], [4..6]) → true"],
    "during": ["during(5, [1..10]) → true", "during([4..6], [1..10]) → true", "during((1..5], (1..10]) → true"],
    "starts": ["starts(1, [1..5]) → true", "starts(1, (1..8]) → false", "starts([1..5], [1..10]) → true"],
    "started by": ["started by([1..10], 1) → true", "started by([1..10], [1..5]) → true"],
    "coincides": ["coincides(5, 5) → true", "coincides(3, 4) → false", "coincides([1..5], [1..5]) → true",
                  "coincides((1..5], [1..5]) → false"],
    "range": ['range("[18..21)") → [18..21)', 'range("[3..1]") → null', 'range(">= 10") → null'],
    "get value": ['get value({key1: "value1"}, "key1") → "value1"', 'get value({key1: "value1"}, "x") → null'],
    "get entries": ['get entries({a: 1, b: 2}) → [{key: "a", value: 1}, {key: "b", value: 2}]'],
    "context": ['context([{key: "a", value: 1}, {key: "b", value: 2}]) → {a: 1, b: 2}',
                'context([{key: "a", value: 1}, {key: "a", value: 2}]) → null'],
    "context put": ['context put({x: 1}, "y", 2) → {x: 1, y: 2}', 'context put({x: 1, y: 0}, "y", 2) → {x: 1, y: 2}',
                    'context put({x: 1, y: {a: 0}}, ["y", "a"], 2) → {x: 1, y: {a: 2}}',
                    'context put(context: {y: {a: 0}}, keys: ["y", "a"], value: 2) → {y: {a: 2}}',
                    'context put(context: {y: {a: 0}}, key: ["y", "a"], value: 2) → null'],
    "context merge": ["context merge([{x: 1}, {y: 2}]) → {x: 1, y: 2}", "context merge([{x: 1, y: 0}, {y: 2}]) → {x: 1, y: 2}"],
}
CASES = [(name, *example.split(" → ")) for name, examples in EXAMPLES.items() for example in examples]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[1] for c in CASES])
def test_each_built_in_gives_the_spec_examples(name, text, expected):
    assert feel(text) == expected


def test_every_built_in_has_examples():
    assert sorted(n for n, b in builtins.BUILTINS.items() if b.feel is not None) == sorted(EXAMPLES)


def test_the_cell_built_ins_are_unchanged():
    cells = {n: b for n, b in builtins.BUILTINS.items() if b.vectorized is not None}
    assert sorted(cells) == ["abs", "ceiling", "decimal", "floor", "round down", "round half down", "round half up",
                             "round up"]
    assert all(b.scalar is not None for b in cells.values())


def test_a_regular_expression_python_cannot_mean_the_same_is_refused():
    with pytest.raises(Unsupported):
        feel('matches("a", "\\\\p{IsBasicLatin}")')


@settings(max_examples=300, deadline=None)
@given(x=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False) | st.integers(-10**12, 10**12),
       scale=st.integers(-3, 6), name=st.sampled_from(sorted(builtins.cell_names())))
def test_the_cell_form_of_a_rounding_function_agrees_with_the_feel_form(x, scale, name):
    """The cell functions (binary floats in, float or int out) give the value the decimal FEEL
    form gives for the number the float stands for (its shortest decimal text)."""
    found = builtins.BUILTINS[name]
    args = (x,) if name == "abs" else (x, scale)
    cell = found.scalar(*args)
    exact = found.feel(*(semantics.feel_value(a) for a in args))
    assert (cell is None) == (exact is None)
    if cell is not None:
        assert Decimal(repr(cell)) == exact or float(exact) == cell
