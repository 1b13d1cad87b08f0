"""Dates and dates and times of any FEEL year (``engine.feel.years``): values worked out by hand
from the calendar (0001-01-01 is a Monday; a year divisible by 4 is a leap year unless it is
divisible by 100 and not by 400, year 0 and year -4 included), and properties against Python's
``datetime`` as the oracle: the wide arithmetic gives Python's answers on the years both hold, and
a value moved by k × 400 years keeps its weekday, day of the year and ISO week while differences
move by k × 146,097 days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.feel import interpret, semantics, temporal, years
from tests.feel.feel_helpers import feel

HAND = [
    # weekdays: 0001-01-01 is a Monday; year 0 is a leap year (366 days = 52 weeks + 2 days) so
    # 0000-01-01 is two days earlier, a Saturday; year -1 has 365 days (52 weeks + 1): a Friday;
    # years -4..-1 have 366 + 3 × 365 = 1461 days (208 weeks + 5): -0004-01-01 is a Monday
    ('day of week(@"0001-01-01")', '"Monday"'),
    ('day of week(@"0000-01-01")', '"Saturday"'),
    ('day of week(@"-0001-01-01")', '"Friday"'),
    ('day of week(@"-0004-01-01")', '"Monday"'),
    ('@"-0001-12-31".weekday', "5"),  # the day before 0000-01-01: a Friday
    # leap years: 0, -4 and -400 are; -100 and -200 are not
    ('@"0000-03-01" - @"0000-02-28"', "P2D"),
    ('@"-0004-03-01" - @"-0004-02-28"', "P2D"),
    ('@"-0100-03-01" - @"-0100-02-28"', "P1D"),
    ('date(-100, 2, 29)', "null"),
    ('date(-200, 2, 29)', "null"),
    ('string(date(-400, 2, 29))', '"-0400-02-29"'),
    ('day of year(@"0000-12-31")', "366"),
    ('day of year(@"-0001-12-31")', "365"),
    # 0000-01-01 (a Saturday) is in the last ISO week of year -1, which starts on a Friday and has
    # 365 days: 52 weeks
    ('week of year(@"0000-01-01")', "52"),
    ('month of year(@"-0001-02-01")', '"February"'),
    # differences: the days of the years between, and a cycle of 400 years is 146,097 days
    ('@"0001-01-01" - @"0000-01-01"', "P366D"),
    ('@"0000-01-01" - @"-0001-01-01"', "P365D"),
    ('@"-0001-01-01" - @"-0401-01-01"', "P146097D"),
    ('@"20001-01-01" - @"19601-01-01"', "P146097D"),
    # across Python's edges, both ways
    ('string(@"0001-01-01" - @"P1D")', '"0000-12-31"'),
    ('string(@"9999-12-31" + @"P1D")', '"10000-01-01"'),
    ('string(@"9999-12-31T23:59:59" + @"PT1S")', '"10000-01-01T00:00:00"'),
    ('string(@"0001-01-01T00:30:00" - @"PT1H")', '"0000-12-31T23:30:00"'),
    ('string(date and time("9999-12-31T24:00:00"))', '"10000-01-01T00:00:00"'),
    ('string(@"10000-01-01" - @"P1D")', '"9999-12-31"'),
    ('@"10000-01-01" - @"9999-12-31"', "P1D"),
    # FEEL's limits: ±999,999,999; beyond them null
    ('string(@"-999999999-12-31")', '"-999999999-12-31"'),
    ('string(@"999999999-12-31" - @"P1Y")', '"999999998-12-31"'),
    ('@"999999999-12-31" + @"P1D"', "null"),
    ('@"-999999999-01-01" - @"P1M"', "null"),
    ("date(1000000000, 1, 1)", "null"),
    # text
    ("string(date(-1, 2, 3))", '"-0001-02-03"'),
    ("string(date(0, 1, 1))", '"0000-01-01"'),
    ("string(date(12345, 6, 7))", '"12345-06-07"'),
    ('string(date and time("-99999-12-31T11:22:33"))', '"-99999-12-31T11:22:33"'),
    ('string(date and time(date(-1, 1, 1), time("10:00:00Z")))', '"-0001-01-01T10:00:00Z"'),
    ('string(date(@"-0001-01-01T10:00:00"))', '"-0001-01-01"'),
    ('string(time(@"-0001-01-01T10:00:00Z"))', '"10:00:00Z"'),
    ('string(@"-2021-01-01T10:10:10@Australia/Melbourne" - @"P1Y")', '"-2022-01-01T10:10:10@Australia/Melbourne"'),
    # properties
    ('@"-0001-12-31".year', "-1"),
    ('@"-0001-12-31T10:20:30+02:00".hour', "10"),
    ('@"-0001-12-31T10:20:30+02:00".time offset', "PT2H"),
    ('@"123456-12-31T10:20:30@Europe/Paris".timezone', '"Europe/Paris"'),
    # months: the day kept, or the month's last day
    ('string(@"0000-02-29" + @"P1Y")', '"0001-02-28"'),
    ('string(@"-0001-01-31" + @"P1M")', '"-0001-02-28"'),
    ('string(@"-0004-01-31" + @"P1M")', '"-0004-02-29"'),
    ('string(@"-0001-01-31T10:00:00Z" - @"P11M")', '"-0002-02-28T10:00:00Z"'),
    ('years and months duration(@"-0001-05-05", @"0003-01-01")', "P3Y7M"),
    ('years and months duration(@"0003-01-01", @"-0001-05-05")', "-P3Y7M"),
    # equality and order: instants where zones differ, across the two representations
    ('@"-0001-01-01T10:00:00+02:00" = @"-0001-01-01T08:00:00Z"', "true"),
    ('@"0000-12-31T23:00:00-02:00" > @"0001-01-01T00:00:00Z"', "true"),
    ('@"0001-01-01T00:00:00Z" - @"0000-12-31T23:00:00-02:00"', "-PT1H"),
    ('@"0000-01-02" - @"0000-01-01T12:00:00Z"', "PT12H"),
    ('@"0000-01-02" - @"0000-01-01T12:00:00"', "null"),  # a date is UTC; a local date and time is not
    ('@"-0001-01-01T10:00:00" = @"-0001-01-01T10:00:00Z"', "false"),
    ('@"-0001-01-01T10:00:00" < @"-0001-01-01T11:00:00Z"', "null"),
    ('@"-0001-01-01" = date(-1, 1, 1)', "true"),
    ('@"-0001-01-01" < date("2000-01-01")', "true"),
    ('@"10000-01-01" > date("9999-12-31")', "true"),
    ('@"-0001-01-01" = @"-0001-01-01T00:00:00"', "null"),  # a date and a date and time are different kinds
    ('is(@"-0001-01-01T10:00:00+02:00", @"-0001-01-01T08:00:00Z")', "false"),
    ('is(@"-0001-01-01T10:00:00+02:00", @"-0001-01-01T10:00:00+02:00")', "true"),
    ('@"-0001-01-01" instance of date', "true"),
    ('@"-0001-01-01T00:00:00" instance of date and time', "true"),
    # ranges, lists
    ('@"0000-06-01" in [@"-0001-01-01"..@"0001-01-01"]', "true"),
    ('@"10000-01-01" in [@"-0001-01-01"..@"9999-12-31"]', "false"),
    ('before(@"-0001-12-30", @"0001-01-02")', "true"),
    ('sort([@"2020-01-01", @"-0001-12-30", @"10000-01-02"])', "[-0001-12-30, 2020-01-01, 10000-01-02]"),
    ('for d in @"-0001-12-31"..@"0000-01-02" return string(d)', '["-0001-12-31", "0000-01-01", "0000-01-02"]'),
    ('distinct values([@"-0001-12-30", date(-1, 12, 30)])', "[-0001-12-30]"),
]


@pytest.mark.parametrize(("text", "expected"), HAND)
def test_a_hand_checked_value(text, expected):
    assert feel(text) == expected


def test_python_holds_only_the_years_it_can_and_the_rest_are_far_values():
    assert type(temporal.parse_date("2025-01-15")) is dt.date
    assert type(temporal.parse_datetime("9999-12-31T23:59:59")) is dt.datetime
    assert temporal.parse_date("-0001-01-01") == years.FarDate(dt.date(799, 1, 1), -2)
    assert temporal.parse_date("10000-01-01") == years.FarDate(dt.date(9600, 1, 1), 1)
    assert years.from_ordinal(1) == dt.date(1, 1, 1) and years.from_ordinal(0) == years.date(0, 12, 31)


# ---------------------------------------------------------------------- properties
DATES = st.dates(dt.date(1601, 1, 1), dt.date(8399, 12, 31))
CYCLES = st.integers(-2_400_000, 2_400_000)  # years within ±999,999,999
ZONES = st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)),
                         dt.timezone(-dt.timedelta(hours=11)), ZoneInfo("Europe/Paris"),
                         ZoneInfo("Australia/Melbourne")])
DELTAS = st.timedeltas(dt.timedelta(days=-3000), dt.timedelta(days=3000))


def _shift(value, k):
    """``value`` moved by k × 400 years, built from its fields (not from the code under test's shift)."""
    moved = years.date(value.year + 400 * k, value.month, value.day)
    return years.combine(moved, value.timetz()) if isinstance(value, dt.datetime) else moved


def _run(text, **variables):
    return interpret.evaluate_text(text, variables)


@settings(max_examples=300, deadline=None)
@given(a=DATES, b=DATES, k=CYCLES, days=st.integers(-3000, 3000), months=st.integers(-1200, 1200))
def test_a_date_moved_by_whole_cycles_keeps_its_calendar(a, b, k, days, months):
    s, t = _shift(a, k), _shift(b, k)
    for function in ("day of week", "day of year", "week of year", "month of year"):
        assert _run(f"{function}(s)", s=s) == _run(f"{function}(a)", a=a)
    assert _run("s.weekday", s=s) == _run("a.weekday", a=a)
    assert _run("string(s)", s=s) == f"{'-' if s.year < 0 else ''}{abs(s.year):04}" + a.isoformat()[4:]
    assert _run("s - t", s=s, t=t) == a - b
    assert _run("s < t", s=s, t=t) == (a < b) and _run("s = t", s=s, t=t) == (a == b)
    delta = dt.timedelta(days=days)
    assert semantics.equal(_run("s + d", s=s, d=delta), _shift(a + delta, k)) is True
    moved = _run("s + m", s=s, m=temporal.YearsMonths(months))
    assert semantics.equal(moved, _shift(temporal.add_months(a, months), k)) is True


@settings(max_examples=200, deadline=None)
@given(a=DATES, k=st.integers(-6844, 6844))  # k × 146,097 days within a days and time duration
def test_a_cycle_is_146097_days(a, k):
    assert _run("s - a", s=_shift(a, k), a=a) == dt.timedelta(days=146_097 * k)


@settings(max_examples=300, deadline=None)
@given(a=st.datetimes(dt.datetime(1601, 1, 1), dt.datetime(8399, 12, 31)), b=DATES, zone=ZONES,
       other=st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=-3))]), k=CYCLES, delta=DELTAS,
       months=st.integers(-1200, 1200))
def test_a_date_and_time_moved_by_whole_cycles_keeps_its_clock(a, b, zone, other, k, delta, months):
    a = a.replace(tzinfo=zone if not isinstance(zone, ZoneInfo) else None)  # a zone's rules change with years
    b = dt.datetime(b.year, b.month, b.day, 12, tzinfo=other)
    s, t = _shift(a, k), _shift(b, k)
    assert _run("string(s)", s=s) == f"{'-' if s.year < 0 else ''}{abs(s.year):04}" + temporal.to_text(a)[4:]
    assert _run("s - t", s=s, t=t) == _run("a - b", a=a, b=b)
    assert _run("s < t", s=s, t=t) == _run("a < b", a=a, b=b)
    assert _run("s = t", s=s, t=t) == _run("a = b", a=a, b=b)
    assert semantics.equal(_run("s + d", s=s, d=delta), _shift(a + delta, k)) is True
    moved = _run("s - m", s=s, m=temporal.YearsMonths(months))
    assert semantics.equal(moved, _shift(temporal.add_months(a, -months), k)) is True
    assert _run("time(s)", s=s) == a.timetz() and _run("s.second", s=s) == a.second


@settings(max_examples=300, deadline=None)
@given(a=st.datetimes(dt.datetime(1601, 1, 1), dt.datetime(8399, 12, 31)), zone_a=ZONES,
       b=st.datetimes(dt.datetime(1601, 1, 1), dt.datetime(8399, 12, 31)), zone_b=ZONES, delta=DELTAS,
       months=st.integers(-1200, 1200))
def test_the_wide_arithmetic_is_pythons_on_the_years_python_holds(a, zone_a, b, zone_b, delta, months):
    """``engine.feel.years`` against ``datetime`` itself (zones with their rules included)."""
    a, b = a.replace(tzinfo=zone_a), b.replace(tzinfo=zone_b)
    assert years.plus(a, delta) == a + delta and years.plus(a.date(), delta) == (a.replace(tzinfo=None).replace(
        hour=0, minute=0, second=0, microsecond=0) + delta).date()
    assert years.add_months(a, months) == temporal.add_months(a, months)
    assert years.difference(a.date(), b.date()) == a.date() - b.date()
    assert years.from_ordinal(years.ordinal(a.date())) == a.date()
    if (zone_a is None) != (zone_b is None):
        assert years.difference(a, b) is None and years.keys(a, b) is None
        return
    assert years.difference(a, b) == a - b
    low, high = years.keys(a, b)
    assert (low < high) == (a < b) and (low == high) == (a == b)


def test_an_output_cell_that_gives_a_date_of_a_year_a_table_cannot_hold_says_which_year():
    from engine.feel.feel_outputs import OutputError, dtrun_value

    with pytest.raises(OutputError, match="^-0001-01-01, whose year -1 is not one of 1 to 9999 that a table's dates hold$"):
        dtrun_value(temporal.parse_date("-0001-01-01"))
    assert dtrun_value(temporal.parse_date("0001-01-01")) == dt.date(1, 1, 1)

