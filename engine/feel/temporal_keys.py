"""FEEL's temporal values as whole numbers in one order, for the verifier's sets.

Owns the *key* of a value of an input of type ``date and time``, ``time``, ``days and time
duration`` or ``years and months duration`` (``engine.feel.sets`` treats each as a discrete
ordered domain of keys), the value and the cell text (``@"PT12H"``) of a key, and the
*classes* of a type: the runs of keys whose values order among themselves.

* a years and months duration: its number of months; one class, unbounded;
* a days and time duration: its number of microseconds; one class, unbounded;
* a date and time: microseconds since 0001-01-01T00:00:00 of its clock (no zone: class 0), or
  of its instant in UTC (with a zone or an offset: class 1, from ``ZONED``);
* a time: microseconds since midnight (no zone: class 0) or since midnight UTC (with a
  zone: class 1, as ``engine.feel.values`` orders them: from 14 hours before midnight to 38
  hours after it).

A value with a zone and one without are never equal and do not order (FEEL, as
``engine.feel.values``): they lie in different classes, so ``< @"12:00:00"`` is null for every
key of the other class (a date and time with a zone whose instant in UTC falls outside the
years 1 to 9999 has no key).  ``=`` holds to the second for dates and times and times
(``equal_range``).  Python compares two date and times of one IANA zone by their clocks: in
the hour a clock change repeats, that order differs from the instants' (not modelled).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.feel import temporal
from engine.feel.temporal import YearsMonths

DATETIME, TIME = "date and time", "time"
DT_DURATION, YM_DURATION = "days and time duration", "years and months duration"
KINDS = (DATETIME, TIME, DT_DURATION, YM_DURATION)
ZONED = frozenset({DATETIME, TIME})

SECOND = 1_000_000
_DAY = 86_400 * SECOND
_EPOCH = dt.datetime(1, 1, 1)
_EPOCH_UTC = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
_DATETIME_SPAN = (dt.datetime(9999, 12, 31, 23, 59, 59, 999999) - _EPOCH) // dt.timedelta(microseconds=1) + 1
_SHIFT = {DATETIME: 2**60, TIME: 2**40}  # where class 1 starts: far beyond every key of class 0
_TIME_ZONED = (-14 * 3600 * SECOND, 38 * 3600 * SECOND)  # a time with a zone: midnight UTC -14h .. +38h
# Each zoned type's classes as [low, high) runs of keys.
CLASSES: dict[str, tuple[tuple[int, int], ...]] = {
    DATETIME: ((0, _DATETIME_SPAN), (_SHIFT[DATETIME], _SHIFT[DATETIME] + _DATETIME_SPAN)),
    TIME: ((0, _DAY), (_SHIFT[TIME] + _TIME_ZONED[0], _SHIFT[TIME] + _TIME_ZONED[1])),
}


def _micros(delta: dt.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds


def key(kind: str, value: Any) -> int | None:
    """The key of ``value`` in a domain of type ``kind``; None when it is not such a value."""
    if kind == YM_DURATION:
        return value.months if isinstance(value, YearsMonths) else None
    if kind == DT_DURATION:
        return _micros(value) if isinstance(value, dt.timedelta) else None
    if kind == DATETIME:
        if not isinstance(value, dt.datetime):
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            return _micros(value.replace(tzinfo=None) - _EPOCH) if value.tzinfo is None else None
        instant = _micros(value - _EPOCH_UTC)  # an instant in UTC before year 1 or after 9999: not modelled
        return _SHIFT[DATETIME] + instant if 0 <= instant < _DATETIME_SPAN else None
    if kind == TIME:
        if not isinstance(value, dt.time):
            return None
        since, offset = temporal.time_seconds(value)
        if value.tzinfo is None:
            return _micros(since)
        return _SHIFT[TIME] + _micros(since - (offset or dt.timedelta(0)))
    return None


def class_range(kind: str, at: int) -> tuple[int | None, int | None]:
    """The [low, high) keys of the class holding key ``at`` (None: unbounded)."""
    for low, high in CLASSES.get(kind, ()):
        if low <= at < high:
            return low, high
    return None, None


def equal_range(kind: str, value: Any) -> tuple[int, int]:
    """The [low, high) keys of the values that ``= value`` holds for: to the second for a
    date and time or a time, else ``value``'s key alone."""
    at = key(kind, value)
    assert at is not None
    if kind not in ZONED:
        return at, at + 1
    shift = 0 if at < _SHIFT[kind] // 2 else _SHIFT[kind]
    low = shift + (at - shift) // SECOND * SECOND
    return low, low + SECOND


def value_of(kind: str, at: int) -> Any:
    """The value a key stands for (of class 1: in UTC, ``Z``)."""
    if kind == YM_DURATION:
        return YearsMonths(at)
    if kind == DT_DURATION:
        return dt.timedelta(microseconds=at)
    zoned = at >= _SHIFT[kind] // 2
    micros = at - _SHIFT[kind] if zoned else at
    if kind == DATETIME:
        return (_EPOCH_UTC if zoned else _EPOCH) + dt.timedelta(microseconds=micros)
    if not zoned:
        return (dt.datetime.min + dt.timedelta(microseconds=micros)).time()
    offset = 0 if 0 <= micros < _DAY else (14 * 3600 * SECOND if micros < 0 else -14 * 3600 * SECOND)
    clock = (dt.datetime.min + dt.timedelta(microseconds=micros + offset)).time()
    return clock.replace(tzinfo=dt.timezone(dt.timedelta(microseconds=offset)))


def roundness(kind: str, at: int) -> int:
    """How round the value of key ``at`` is: the zeros its microseconds end in (6 for a whole
    second); 0 for a months key.  Sets are written with their rounder ends."""
    if kind == YM_DURATION:
        return 0
    low, high = class_range(kind, at)
    if kind in ZONED and low is None:
        return -1  # beyond its class: no value
    value = value_of(kind, at)
    micros = value.microseconds if isinstance(value, dt.timedelta) else value.microsecond
    text = f"{micros:06}"
    return len(text) - len(text.rstrip("0"))


def text(kind: str, at: int) -> str:
    """A key as a cell writes its value: ``@"2025-01-15T08:30:00"``, ``@"PT12H"``."""
    return f'@"{temporal.to_text(value_of(kind, at))}"'
