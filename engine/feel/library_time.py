"""FEEL's temporal functions (DMN 1.5 §10.3.4.1 and §10.3.4.10): the conversions ``date``,
``time``, ``date and time``, ``duration``, ``years and months duration``; ``now``, ``today``;
``day of week``, ``day of year``, ``week of year``, ``month of year``; and ``is``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.feel import semantics, temporal, years
from engine.feel.library import date_of, function, whole
from engine.feel.temporal import YearsMonths
from engine.feel.years import FarDate, FarDateTime

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _date(*args: Any) -> Any:
    if len(args) == 1:
        from_ = args[0]
        if isinstance(from_, str):
            return temporal.parse_date(from_)
        return date_of(from_)
    year, month, day = (whole(a) for a in args)
    if year is None or month is None or day is None:
        return None
    return years.date(year, month, day)


def _time(*args: Any) -> Any:
    if len(args) == 1:
        from_ = args[0]
        if isinstance(from_, str):
            return temporal.parse_time(from_)
        if isinstance(from_, (dt.datetime, FarDateTime)):
            return from_.timetz()
        if isinstance(from_, (dt.date, FarDate)):
            return dt.time(0, 0, 0, tzinfo=dt.UTC)
        if isinstance(from_, dt.time):
            return from_
        return None
    hour, minute = whole(args[0]), whole(args[1])
    second = args[2] if len(args) > 2 else None
    offset = args[3] if len(args) > 3 else None
    if hour is None or minute is None or not isinstance(second, Decimal):
        return None
    if offset is not None and not isinstance(offset, dt.timedelta):
        return None
    whole_seconds = int(second)
    micro = int((second - whole_seconds) * 1_000_000)
    try:
        zone = None if offset is None else dt.timezone(offset)
        return dt.time(hour, minute, whole_seconds, micro, tzinfo=zone)
    except ValueError:
        return None


def _date_and_time(*args: Any) -> Any:
    if len(args) == 1:
        from_ = args[0]
        if isinstance(from_, str):
            return temporal.parse_datetime(from_)
        if isinstance(from_, (dt.datetime, FarDateTime)):
            return from_
        if isinstance(from_, (dt.date, FarDate)):
            return years.combine(from_, dt.time(0))
        return None
    date, time = date_of(args[0]), args[1]
    if date is None or not isinstance(time, dt.time):
        return None
    return years.combine(date, time)


def _duration(from_: Any) -> Any:
    return temporal.parse_duration(from_) if isinstance(from_, str) else None


def _years_and_months(from_: Any, to: Any) -> Any:
    if not isinstance(from_, (dt.date, FarDate, FarDateTime)) or not isinstance(to, (dt.date, FarDate, FarDateTime)):
        return None
    return temporal.months_between(from_, to)


def _now() -> Any:
    return dt.datetime.now(dt.UTC)


def _today() -> Any:
    return dt.date.today()


def _day_of_week(date: Any) -> Any:
    value = date_of(date)
    return None if value is None else _DAYS[value.weekday()]


def _day_of_year(date: Any) -> Any:
    value = date_of(date)
    return None if value is None else Decimal(years.day_of_year(value))


def _week_of_year(date: Any) -> Any:
    value = date_of(date)
    return None if value is None else Decimal(years.week_of_year(value))


def _month_of_year(date: Any) -> Any:
    value = date_of(date)
    return None if value is None else _MONTHS[value.month - 1]


def _is(value1: Any, value2: Any) -> Any:
    """Same kind and same value, a time zone included (``@"10:00Z"`` is not ``@"10:00+00:00"``...
    as a value; here: equal offsets and zone names)."""
    if semantics.kind(value1) != semantics.kind(value2):
        return False
    if isinstance(value1, (dt.time, dt.datetime, FarDateTime)):
        if getattr(value1.tzinfo, "key", None) != getattr(value2.tzinfo, "key", None):
            return False
        if _offset(value1) != _offset(value2):
            return False
        if isinstance(value1, dt.time):
            return value1.replace(tzinfo=None) == value2.replace(tzinfo=None)
        return years.local_micros(value1) == years.local_micros(value2)
    if isinstance(value1, (dt.timedelta, YearsMonths)):
        return value1 == value2
    return semantics.equal(value1, value2) is True


def _offset(value: Any) -> Any:
    if isinstance(value, dt.time):
        return value.tzinfo and value.utcoffset()
    return value.utcoffset()


FUNCTIONS = [
    function("date", "from | year, month, day", _date),
    function("time", "from | hour, minute, second[, offset]", _time),
    function("date and time", "from | date, time", _date_and_time),
    function("duration", "from", _duration),
    function("years and months duration", "from, to", _years_and_months),
    function("now", "", _now),
    function("today", "", _today),
    function("day of week", "date", _day_of_week),
    function("day of year", "date", _day_of_year),
    function("week of year", "date", _week_of_year),
    function("month of year", "date", _month_of_year),
    function("is", "value1, value2", _is),
]
