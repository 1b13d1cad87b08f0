"""Cells over dates and times, times and durations: read as S-FEEL (``@"..."`` literals and the
conversion calls), their scalar meaning against FEEL's expression semantics (the interpreter's
``semantics.test``, an independent reference), the vectorized form (a categorical column, as
evaluation makes it, and a plain object column) and the set form against the scalar one,
probe by probe, for every piece the literals cut each type into."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from helpers.unary import check_set_form
from helpers.unary import unary_tests as cells
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._core.errors import ConditionError
from engine.feel import semantics, temporal_keys, values
from engine.feel.conditions import compile_expression, compile_unary_tests
from engine.feel.sets import Domain
from engine.feel.temporal import YearsMonths

UTC, PARIS, PLUS2 = dt.UTC, ZoneInfo("Europe/Paris"), dt.timezone(dt.timedelta(hours=2))
D = dt.datetime


def _t(h: int, m: int = 0, s: int = 0, us: int = 0, tz: dt.tzinfo | None = None) -> dt.time:
    return dt.time(h, m, s, us, tzinfo=tz)


# Per type: literals to build tests from, and probes on, between and beyond them, in both
# classes (with a zone and without) for the zoned types, and within a second of a literal.
LITERALS = {
    "time": ['@"08:00:00"', '@"12:00:00"', '@"10:00:00Z"', 'time("12:00:00+02:00")', 'time("08:00:00.5")'],
    "date and time": ['@"2025-01-15T08:30:00"', '@"2025-01-15T12:00:00"', '@"2025-01-15T08:30:00Z"',
                      '@"2025-01-15T09:30:00@Europe/Paris"', 'date and time("2025-01-16T00:00:00")'],
    "days and time duration": ['@"PT12H"', '@"P1D"', 'duration("PT36H")', '@"-PT1H"', '@"PT0.5S"'],
    "years and months duration": ['@"P3M"', '@"P1Y"', 'duration("P18M")', '@"P0M"', '@"-P1M"'],
}
PROBES = {
    "time": [_t(7, 59, 59), _t(8), _t(8, 0, 0, 500000), _t(8, 0, 1), _t(10), _t(12), _t(12, 0, 0, 999999), _t(13),
             _t(0), _t(23, 59, 59, 999999), _t(10, tz=UTC), _t(10, 0, 0, 300000, UTC), _t(9, 59, 59, tz=UTC),
             _t(12, tz=PLUS2), _t(11, tz=PLUS2), _t(23, tz=dt.timezone(-dt.timedelta(hours=5))), _t(1, tz=PLUS2)],
    "date and time": [D(2025, 1, 15, 8, 29, 59), D(2025, 1, 15, 8, 30), D(2025, 1, 15, 8, 30, 0, 500000),
                      D(2025, 1, 15, 8, 30, 1), D(2025, 1, 15, 12), D(2025, 1, 16), D(2024, 12, 31, 23, 59),
                      D(2025, 1, 15, 8, 30, tzinfo=UTC), D(2025, 1, 15, 8, 30, 0, 250000, tzinfo=UTC),
                      D(2025, 1, 15, 10, 30, tzinfo=PLUS2), D(2025, 1, 15, 10, tzinfo=PARIS),
                      D(2025, 1, 15, 7, tzinfo=UTC), D(2025, 1, 15, 9, 30, tzinfo=PARIS)],
    "days and time duration": [dt.timedelta(hours=h) for h in (-2, -1, 0, 12, 24, 36, 48)] +
                              [dt.timedelta(hours=12, microseconds=-1), dt.timedelta(hours=12, microseconds=1),
                               dt.timedelta(milliseconds=500), dt.timedelta(milliseconds=499)],
    "years and months duration": [YearsMonths(m) for m in (-2, -1, 0, 1, 2, 3, 4, 11, 12, 13, 18, 19, 24)],
}
OTHER_KIND = {"time": 'date("2025-01-01")', "date and time": '@"PT1H"', "days and time duration": '@"P1M"',
              "years and months duration": '@"P1D"'}
KINDS = sorted(PROBES)


def unary_tests(kind: str) -> st.SearchStrategy[str]:
    return cells(LITERALS[kind] + ["null", OTHER_KIND[kind]])


# ------------------------------------------------------------------ reading cells
@pytest.mark.parametrize("text, value", [
    ('@"2025-01-15T08:30:00"', D(2025, 1, 15, 8, 30)),
    ('date and time("2025-01-15T08:30:00Z")', D(2025, 1, 15, 8, 30, tzinfo=UTC)),
    ('@"2025-01-15T08:30:00@Europe/Paris"', D(2025, 1, 15, 8, 30, tzinfo=PARIS)),
    ('time("08:30:00")', _t(8, 30)),
    ('@"08:30:00+01:00"', _t(8, 30, tz=dt.timezone(dt.timedelta(hours=1)))),
    ('duration("P6M")', YearsMonths(6)),
    ('@"P1Y6M"', YearsMonths(18)),
    ('@"P2DT3H"', dt.timedelta(days=2, hours=3)),
    ('duration("PT36H")', dt.timedelta(hours=36)),
    ('@"2025-01-15"', dt.date(2025, 1, 15)),
])
def test_a_cell_reads_temporal_literals(text: str, value: object) -> None:
    test = compile_unary_tests(text)
    assert not test.feel  # S-FEEL: vectorized, and the verifier's
    assert test.node.tests[0].endpoint.value == value


@pytest.mark.parametrize("text, message, hint", [
    ('time("25:00:00")', '"25:00:00" is not a time', 'time("08:30:00")'),
    ('duration("3 months")', '"3 months" is not a duration', 'duration("P3M")'),
    ('date and time("15/01/2025")', '"15/01/2025" is not a date and time', "2025-01-15T08:30:00"),
    ("duration(3)", "takes one text", 'duration("P3M")'),
    ('@"tomorrow"', "is not a date, time, date and time or duration", '@"P1D"'),
])
def test_a_temporal_literal_that_is_none_says_the_form(text: str, message: str, hint: str) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_unary_tests(text)
    assert message in caught.value.message and hint in caught.value.hint


def test_an_output_cell_holds_temporal_values_only_through_feel() -> None:
    with pytest.raises(ConditionError):
        compile_expression('@"PT12H"')
    assert compile_expression('@"PT12H"', feel=True).feel == "FEEL"


# ------------------------------------------------------------------ scalar against FEEL's semantics
_VALUES = [v for kind in KINDS for v in PROBES[kind]] + [dt.date(2025, 1, 15), None]


@settings(max_examples=400, deadline=None)
@given(op=st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), left=st.sampled_from(_VALUES),
       right=st.sampled_from(_VALUES))
def test_cells_compare_as_feel_expressions_do(op: str, left: object, right: object) -> None:
    assert values.test_operator(op, left, right) == semantics.test(op, left, right)


def test_zones_by_hand() -> None:
    naive, utc = D(2025, 1, 15, 8, 30), D(2025, 1, 15, 8, 30, tzinfo=UTC)
    assert values.equal(naive, utc) is False  # never equal ...
    assert values.compare("<", naive, utc) is None  # ... and not ordered
    assert values.equal(D(2025, 1, 15, 9, 30, tzinfo=PARIS), utc) is True  # one instant
    assert values.equal(D(2025, 1, 15, 8, 30, 0, 900000), naive) is True  # to the second
    assert values.compare("<", naive, D(2025, 1, 15, 8, 30, 0, 900000)) is True
    assert values.equal(_t(12, tz=PLUS2), _t(10, tz=UTC)) is True


# ------------------------------------------------------------------ vectorized against scalar
def _categorical(probes: list[object]) -> pd.Series:
    seen: dict[object, int] = {}  # as engine.evaluation.columns: values Python holds equal are one category
    codes = np.array([-1 if p is None else seen.setdefault(p, len(seen)) for p in probes])
    index = pd.Index(list(seen), dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(index)))


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_mask_equals_scalar(kind: str, data: st.DataObject) -> None:
    text = data.draw(unary_tests(kind))
    test = compile_unary_tests(text)
    probes = PROBES[kind] + [None]
    expected = [test.matches(p) for p in probes]
    assert list(test.mask(_categorical(probes))) == expected, text
    assert list(test.mask(pd.Series(probes, dtype=object))) == expected, text


# ------------------------------------------------------------------ set form against scalar
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("nullable", [True, False])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_set_form_holds_exactly_the_matching_values(kind: str, nullable: bool, data: st.DataObject) -> None:
    check_set_form(data.draw(unary_tests(kind)), kind, nullable, PROBES[kind])


@pytest.mark.parametrize("kind", KINDS)
def test_each_key_stands_for_its_own_value(kind: str) -> None:
    for probe in PROBES[kind]:  # the probe's, to the microsecond
        at = temporal_keys.key(kind, probe)
        back = temporal_keys.value_of(kind, at)
        assert temporal_keys.key(kind, back) == at and values.equal(back, probe) is True


@pytest.mark.parametrize("text, kind, expected", [
    ('< @"12:00:00"', "time", '< @"12:00:00"'),
    ('>= @"P3M"', "years and months duration", '>= @"P3M"'),
    ('not(@"P1Y", < @"P3M")', "years and months duration", '[@"P3M"..@"P11M"], >= @"P1Y1M"'),
    ('<= @"12:00:00", > @"13:00:00.5"', "time", '<= @"12:00:00", > @"13:00:00.5"'),
    ('[@"PT12H"..@"P1D"]', "days and time duration", '[@"PT12H"..@"P1D"]'),
    ('@"2025-01-15T08:30:00"', "date and time", '@"2025-01-15T08:30:00"'),  # = to the second
    ('@"10:00:00Z", <= @"10:00:00Z"', "time", '< @"10:00:01Z"'),  # = 10:00:00Z holds up to 10:00:00.999999Z
    ('[@"10:00:00Z"..@"10:00:00.999999Z"]', "time", '@"10:00:00Z"'),
    ('< @"2025-01-15T09:30:00@Europe/Paris"', "date and time", '< @"2025-01-15T08:30:00Z"'),
])
def test_set_form_is_written_back_in_the_types_literals(text: str, kind: str, expected: str) -> None:
    assert compile_unary_tests(text).to_set(Domain(kind)).to_unary_tests() == expected


def test_a_date_and_time_without_a_zone_is_null_for_a_test_with_one() -> None:
    tri = compile_unary_tests('< @"2025-01-15T08:30:00Z"').tri_set(Domain("date and time", nullable=False))
    assert tri.unknown.contains(temporal_keys.key("date and time", D(2025, 1, 1)))
    assert tri.true.contains(temporal_keys.key("date and time", D(2025, 1, 1, tzinfo=UTC)))


def test_a_column_without_iana_zones_is_compared_on_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys answer for every value but a date and time of an IANA zone (by the reference)."""
    from engine.feel import vectorized

    calls: list[tuple[str, int]] = []
    cell = [""]
    reference = vectorized._reference
    monkeypatch.setattr(vectorized, "_reference", lambda op, a, b: calls.append((cell[0], a.n)) or reference(op, a, b))
    for kind in KINDS:
        probes = [p for p in PROBES[kind] if getattr(getattr(p, "tzinfo", None), "key", None) is None] + [None]
        for text in LITERALS[kind]:
            for cell[0] in (text, f"< {text}", f"not({text})", f"[{LITERALS[kind][0]}..{text}]"):
                test = compile_unary_tests(cell[0])
                assert list(test.mask(_categorical(probes))) == [test.matches(p) for p in probes], cell[0]
    assert calls and all("Europe/Paris" in text for text, _ in calls)  # a literal of an IANA zone
    calls.clear()
    cell[0] = "paris"
    paris = [D(2025, 1, 15, 10, tzinfo=PARIS), D(2025, 1, 15, 8, tzinfo=UTC)]
    compile_unary_tests('< @"2025-01-15T09:00:00Z"').mask(_categorical(paris))
    assert calls == [("paris", 1)]  # the one value of an IANA zone, by the reference
