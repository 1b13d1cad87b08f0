"""FEEL's temporal functions (DMN 1.5 §10.3.4.1 and §10.3.4.10): the conversions ``date``,
``time``, ``date and time``, ``duration``, ``years and months duration``; ``now``, ``today``;
``day of week``, ``day of year``, ``week of year``, ``month of year``; and ``is``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from engine.feel import semantics, temporal
from engine.feel.library import date_of, function, whole
from engine.feel.temporal import YearsMonths

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
    try:
        return dt.date(year, month, day)
    except ValueError:
        if not 1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= 31:
            raise temporal.Unsupported(f"the year {year} (this implementation holds years 1 to 9999)") from None
        return None


def _time(*args: Any) -> Any:
    if len(args) == 1:
        from_ = args[0]
        if isinstance(from_, str):
            return temporal.parse_time(from_)
        if isinstance(from_, dt.datetime):
            return from_.timetz()
        if isinstance(from_, dt.date):
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
        if isinstance(from_, dt.datetime):
            return from_
        if isinstance(from_, dt.date):
            return dt.datetime(from_.year, from_.month, from_.day)
        return None
    date, time = date_of(args[0]), args[1]
    if date is None or not isinstance(time, dt.time):
        return None
    return dt.datetime.combine(date, time)


def _duration(from_: Any) -> Any:
    return temporal.parse_duration(from_) if isinstance(from_, str) else None


def _years_and_months(from_: Any, to: Any) -> Any:
    if not isinstance(from_, dt.date) or not isinstance(to, dt.date):
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
    return None if value is None else Decimal(value.timetuple().tm_yday)


def _week_of_year(date: Any) -> Any:
    value = date_of(date)
    return None if value is None else Decimal(value.isocalendar()[1])


def _month_of_year(date: Any) -> Any:
    value = date_of(date)
    return None if value is None else _MONTHS[value.month - 1]


def _is(value1: Any, value2: Any) -> Any:
    """Same kind and same value, a time zone included (``@"10:00Z"`` is not ``@"10:00+00:00"``...
    as a value; here: equal offsets and zone names)."""
    if semantics.kind(value1) != semantics.kind(value2):
        return False
    if isinstance(value1, (dt.time, dt.datetime)):
        if getattr(value1.tzinfo, "key", None) != getattr(value2.tzinfo, "key", None):
            return False
        if (value1.utcoffset() if isinstance(value1, dt.datetime) else value1.tzinfo and value1.utcoffset()) != (
                value2.utcoffset() if isinstance(value2, dt.datetime) else value2.tzinfo and value2.utcoffset()):
            return False
        return value1.replace(tzinfo=None) == value2.replace(tzinfo=None)
    if isinstance(value1, (dt.timedelta, YearsMonths)):
        return value1 == value2
    return semantics.equal(value1, value2) is True


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
