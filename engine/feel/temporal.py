"""FEEL's temporal values: date, time, date and time, and the two kinds of duration.

Owns how they are read from text (``date("2025-01-15")``, ``@"10:30:00@Europe/Paris"``,
``duration("P1DT2H")``), written as text (``string(x)``), their properties (``.year``,
``.months``, ``.time offset``) and their arithmetic (DMN 1.5 §10.3.2.3 and table 57):

* date → ``datetime.date``; time → ``datetime.time``; date and time → ``datetime.datetime``
  (time zones as fixed offsets or IANA zones, ``zoneinfo``);
* days and time duration → ``datetime.timedelta``; years and months duration →
  :class:`YearsMonths` (a whole number of months).

A date or a date and time of a year Python does not hold (``-2017-12-31``, ``99999-01-01``) is a
``FarDate`` or ``FarDateTime`` of :mod:`engine.feel.years`.  Python's types hold microseconds: a
text with more fractional digits raises :class:`Unsupported`, which callers report as a refusal
rather than computing a different value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.feel import years
from engine.feel.years import FarDate, FarDateTime

DAY = dt.timedelta(days=1)


class Unsupported(Exception):
    """A value FEEL defines that this implementation cannot hold (the message says which)."""


@dataclass(frozen=True, order=True)
class YearsMonths:
    """A years and months duration: ``P1Y2M`` is ``YearsMonths(14)``."""

    months: int


_DATE = re.compile(r"(-?(?:[1-9]\d{4,8}|\d{4}))-(\d\d)-(\d\d)")  # a year of 5+ digits has no leading 0
_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d(?::\d\d)?|@[A-Za-z_][\w/+-]*)?")
_YM = re.compile(r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?")
_DT = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?")


def parse_date(text: str) -> dt.date | FarDate | None:
    found = _DATE.fullmatch(text)
    if not found:
        return None
    year, month, day = (int(g) for g in found.groups())
    return years.date(year, month, day)


def _zone(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return dt.UTC
    if text.startswith("@"):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(text[1:])
        except (ZoneInfoNotFoundError, ValueError):
            return None
    sign = -1 if text[0] == "-" else 1
    parts = [int(p) for p in text[1:].split(":")]
    offset = dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) > 2 else 0)
    if offset > dt.timedelta(hours=14):
        return None
    return dt.timezone(sign * offset)


def _micro(fraction: str | None) -> int:
    if not fraction:
        return 0
    if len(fraction) > 6 and int(fraction[6:]):
        raise Unsupported("fractions of a second finer than a microsecond")
    return int((fraction + "000000")[:6])


def parse_time(text: str) -> dt.time | None:
    found = _TIME.fullmatch(text)
    if not found:
        return None
    hour, minute, second = (int(g) for g in found.groups()[:3])
    zone = _zone(found.group(5))
    if found.group(5) and zone is None or hour > 24 or minute > 59 or second > 59:
        return None
    if hour == 24:
        if minute or second or _micro(found.group(4)):
            return None
        hour = 0  # the end of a day is the start of the next
    return dt.time(hour, minute, second, _micro(found.group(4)), tzinfo=zone)


def parse_datetime(text: str) -> dt.datetime | FarDateTime | None:
    day, sep, clock = text.partition("T")
    date = parse_date(day)
    if date is None:
        return None
    if not sep:
        return years.combine(date, dt.time(0))
    time = parse_time(clock)
    if time is None:
        return None
    moved = years.combine(date, time)
    return years.plus(moved, DAY) if clock.startswith("24") else moved


def parse_duration(text: str) -> YearsMonths | dt.timedelta | None:
    if text in ("P", "-P") or text.endswith("T"):
        return None
    found = _YM.fullmatch(text)
    if found:
        sign = -1 if found.group(1) else 1
        return YearsMonths(sign * (int(found.group(2) or 0) * 12 + int(found.group(3) or 0)))
    found = _DT.fullmatch(text)
    if found:
        sign = -1 if found.group(1) else 1
        seconds = Decimal(found.group(5) or 0)
        if seconds != round(seconds, 6):
            raise Unsupported("fractions of a second finer than a microsecond")
        try:
            return sign * dt.timedelta(days=int(found.group(2) or 0), hours=int(found.group(3) or 0),
                                       minutes=int(found.group(4) or 0), seconds=float(seconds))
        except OverflowError:
            raise Unsupported("durations longer than 999999999 days") from None
    return None


def parse_literal(text: str) -> Any:
    """The value of ``@"..."``: a date, a date and time, a time or a duration; None if none."""
    if re.match(r"-?\d{4,9}-\d\d-\d\dT", text):
        return parse_datetime(text)
    if text.lstrip("-").startswith("P"):
        return parse_duration(text)
    if _DATE.fullmatch(text):
        return parse_date(text)
    return parse_time(text)


# ---------------------------------------------------------------------- as text
def _clock(value: dt.time | dt.datetime) -> str:
    text = f"{value.hour:02}:{value.minute:02}:{value.second:02}"
    if value.microsecond:
        text += f".{value.microsecond:06}".rstrip("0")
    return text + _zone_text(value.tzinfo, value)


def _zone_text(zone: dt.tzinfo | None, value: Any) -> str:
    if zone is None:
        return ""
    key = getattr(zone, "key", None)
    if key:
        return f"@{key}"
    offset = zone.utcoffset(None if isinstance(value, dt.time) else value)
    if offset is None:
        return ""
    if not offset:
        return "Z"
    sign, offset = ("-", -offset) if offset < dt.timedelta(0) else ("+", offset)
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    return f"{sign}{hours:02}:{rest // 60:02}" + (f":{rest % 60:02}" if rest % 60 else "")


def _date_text(value: dt.date | FarDate | FarDateTime) -> str:
    sign = "-" if value.year < 0 else ""
    return f"{sign}{abs(value.year):04}-{value.month:02}-{value.day:02}"


def to_text(value: Any) -> str:
    if isinstance(value, FarDateTime):
        return f"{_date_text(value)}T{_clock(value.base)}"
    if isinstance(value, FarDate):
        return _date_text(value)
    if isinstance(value, dt.datetime):
        return f"{value.date().isoformat()}T{_clock(value)}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _clock(value)
    if isinstance(value, YearsMonths):
        sign, months = ("-", -value.months) if value.months < 0 else ("", value.months)
        years, months = divmod(months, 12)
        return sign + "P" + (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
    if isinstance(value, dt.timedelta):
        return duration_text(value)
    raise TypeError(value)


def duration_text(value: dt.timedelta) -> str:
    sign, value = ("-", -value) if value < dt.timedelta(0) else ("", value)
    days, seconds, micro = value.days, value.seconds, value.microseconds
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{days}D" if days else ""
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or micro:
        clock += (f"{seconds}.{micro:06}".rstrip("0") if micro else str(seconds)) + "S"
    if not text and not clock:
        return "PT0S"
    return f"{sign}P{text}" + (f"T{clock}" if clock else "")


# ---------------------------------------------------------------------- properties
def _offset(value: dt.time | dt.datetime) -> dt.timedelta | None:
    if value.tzinfo is None:
        return None
    return value.utcoffset() if isinstance(value, dt.datetime) or getattr(value.tzinfo, "key", None) is None else None


def _sign_split(value: dt.timedelta) -> tuple[int, int, int, int, int]:
    sign = -1 if value < dt.timedelta(0) else 1
    value = abs(value)
    hours, seconds = divmod(value.seconds, 3600)
    return sign, value.days, hours, seconds // 60, seconds % 60


def property_of(value: Any, name: str) -> tuple[bool, Any]:
    """``(True, value.name)`` for a property FEEL defines on a temporal value, else (False, None)."""
    if isinstance(value, (dt.date, FarDate, FarDateTime)):
        found: dict[str, Any] = {"year": value.year, "month": value.month, "day": value.day,
                                 "weekday": value.isoweekday()}
        if isinstance(value, dt.datetime):
            found.update(_clock_properties(value))
        elif isinstance(value, FarDateTime):
            found.update(_clock_properties(value.base))
    elif isinstance(value, dt.time):
        found = _clock_properties(value)
    elif isinstance(value, YearsMonths):
        sign = -1 if value.months < 0 else 1
        found = {"years": sign * (abs(value.months) // 12), "months": sign * (abs(value.months) % 12)}
    elif isinstance(value, dt.timedelta):
        sign, days, hours, minutes, seconds = _sign_split(value)
        found = {"days": sign * days, "hours": sign * hours, "minutes": sign * minutes, "seconds": sign * seconds}
    else:
        return False, None
    if name not in found:
        return False, None
    result = found[name]
    return True, Decimal(result) if isinstance(result, int) else result


def _clock_properties(value: dt.time | dt.datetime) -> dict[str, Any]:
    key = getattr(value.tzinfo, "key", None)
    return {"hour": value.hour, "minute": value.minute, "second": value.second,
            "time offset": _offset(value), "timezone": key}


# ---------------------------------------------------------------------- arithmetic
def add_months(value: Any, months: int) -> Any:
    """``value`` moved by whole months, the day kept (or the month's last day); None beyond
    ±999,999,999."""
    import calendar

    total = value.year * 12 + value.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999 or not isinstance(value, dt.date):
        return years.add_months(value, months)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def months_between(start: Any, end: Any) -> YearsMonths:
    """``years and months duration(start, end)``: the whole months from start to end."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return YearsMonths(months)


def time_seconds(value: dt.time) -> tuple[dt.timedelta, dt.timedelta | None]:
    """A time as (time since midnight, its offset or None)."""
    since = dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond)
    return since, _offset(value)


def time_plus(value: dt.time, delta: dt.timedelta) -> dt.time:
    since, _ = time_seconds(value)
    total = (since + delta) % DAY
    moved = (dt.datetime.min + total).time()
    return moved.replace(tzinfo=value.tzinfo)
