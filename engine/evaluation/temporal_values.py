"""Patient values of FEEL's temporal input types: ``date and time``, ``time``, ``days and time
duration`` and ``years and months duration``.

Owns what a text or a Python value (an Excel cell, a Parquet timestamp, time or duration, a
pandas Timestamp) means for an input of one of these types, the message when it means none
(it names the form expected), and how such a value is written back: FEEL's text
(``engine.feel.temporal.to_text``), and in messages as a cell writes it (``@"PT12H"``).

The values are those of ``engine.feel.temporal``: ``datetime.datetime`` (with a zone, an
offset or neither), ``datetime.time``, ``datetime.timedelta`` and ``YearsMonths``.  A text is
read as FEEL's conversion functions read it (``date and time("...")``, ``time("...")``,
``duration("...")``), and also, for a date and time, with a space for the ``T``
(``2025-01-15 08:30:00``, as spreadsheets and databases export it) or as a date alone (its
midnight).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from engine.feel import temporal
from engine.feel.temporal import YearsMonths

EXPECTED = {
    "date and time": "a date and time written as ISO 8601, e.g. 2025-01-15T08:30:00 (or with a zone: "
                     "2025-01-15T08:30:00Z, 2025-01-15T08:30:00+01:00, 2025-01-15T08:30:00@Europe/Paris)",
    "time": "a time written hh:mm:ss, e.g. 08:30:00 (or with a zone: 08:30:00Z, 08:30:00+01:00)",
    "days and time duration": "a days and time duration written as ISO 8601, e.g. P2DT3H, PT36H or PT30M",
    "years and months duration": "a years and months duration written as ISO 8601, e.g. P1Y6M or P18M",
}
PLURAL = {"date and time": "dates and times", "time": "times", "days and time duration": "days and time durations",
          "years and months duration": "years and months durations"}
_SPACED = re.compile(r"(-?\d{4,9}-\d\d-\d\d) (\d\d:\d\d:\d\d.*)")
_CLOCK = re.compile(r"(\d{1,2}):(\d\d)(?::(\d\d))?")
_SHORT_STAMP = re.compile(r"(-?\d{4,9}-\d\d-\d\d)[T ](\d{1,2}):(\d\d)(?::(\d\d))?(Z|[+-]\d\d:\d\d|@[\w/+-]+)?")

Raise = Callable[[str], Exception]


def is_temporal(value: Any) -> bool:
    """Whether ``value`` is a date and time, a time or a duration (not a date)."""
    return isinstance(value, (dt.datetime, dt.time, dt.timedelta, YearsMonths))


def literal(value: Any) -> str:
    """A value as a cell writes it: ``@"2025-01-15T08:30:00"``, ``@"PT12H"``."""
    return f'@"{temporal.to_text(value)}"'


def text(value: Any) -> str:
    """FEEL's text of a temporal value (what results hold)."""
    return temporal.to_text(value)


def from_text(written: str, kind: str, invalid: Raise) -> Any:
    """The value of ``written`` for an input of type ``kind``; raises ``invalid(message)``."""
    try:
        value = _parsed(written, kind)
    except temporal.Unsupported as error:
        raise invalid(f'"{written}" holds {error}, which dtrun cannot hold') from None
    if value is None:
        raise invalid(f'"{written}" is not {EXPECTED[kind]}{_hint(written, kind)}')
    if kind == "date and time" and not isinstance(value, dt.datetime):  # a FEEL year Python does not hold
        raise invalid(f'"{written}" is a date and time of the year {value.year}, which an input cannot hold '
                      "(years 1 to 9999)")
    return value


def _parsed(written: str, kind: str) -> Any:
    if kind == "date and time":
        spaced = _SPACED.fullmatch(written)
        return temporal.parse_datetime(f"{spaced[1]}T{spaced[2]}" if spaced else written)
    if kind == "time":
        return temporal.parse_time(written)
    value = temporal.parse_duration(written)
    wanted = YearsMonths if kind == "years and months duration" else dt.timedelta
    return value if isinstance(value, wanted) else None


def _hint(written: str, kind: str) -> str:
    """How to fix a text that is nearly right."""
    clock = _CLOCK.fullmatch(written) if kind == "time" else None
    if clock:
        return f" (write {int(clock[1]):02}:{clock[2]}:{clock[3] or '00'})"
    if kind.endswith("duration"):
        try:
            other = temporal.parse_duration(written)
        except temporal.Unsupported:
            other = None
        if isinstance(other, YearsMonths):
            return " (it is a years and months duration: declare the input a years and months duration, or write " \
                   "days and hours, e.g. P30D)"
        if isinstance(other, dt.timedelta):
            return " (it is a days and time duration: declare the input a days and time duration, or write years " \
                   "and months, e.g. P3M)"
    if kind == "date and time" and re.fullmatch(r"\d\d/\d\d/\d{4}.*", written):
        return " (write the date year first, as 2025-01-15)"
    stamp = _SHORT_STAMP.fullmatch(written) if kind == "date and time" else None
    if stamp:  # hours without seconds, or of one digit: 2025-01-15 10:00
        fixed = f"{stamp[1]}T{int(stamp[2]):02}:{stamp[3]}:{stamp[4] or '00'}{stamp[5] or ''}"
        if temporal.parse_datetime(fixed) is not None:
            return f" (write {fixed})"
    return ""


def from_python(value: Any, kind: str, invalid: Raise, shown: Callable[[Any], str]) -> Any:
    """The value of a Python value (not a text) for an input of type ``kind``: a datetime
    (a pandas Timestamp, a numpy datetime64) for a date and time, a date as its midnight, a
    time, a timedelta (pandas' and numpy's too) for a days and time duration."""
    value = _plain(value)
    if kind == "date and time" and isinstance(value, dt.datetime):
        return value
    if kind == "date and time" and isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if kind == "time" and isinstance(value, dt.time):
        return value
    if kind == "days and time duration" and isinstance(value, dt.timedelta):
        return value
    if kind == "years and months duration" and isinstance(value, YearsMonths):
        return value
    raise invalid(f"{shown(value)} is not {EXPECTED[kind]}")


def _plain(value: Any) -> Any:
    """numpy and pandas values as Python's (a midnight timestamp stays a date and time)."""
    name = type(value).__name__
    if name == "datetime64":
        return value.astype("datetime64[us]").item()
    if name == "timedelta64":
        return value.astype("timedelta64[us]").item()
    if name == "Timestamp":
        return value.to_pydatetime(warn=False)
    if name == "Timedelta":
        return value.to_pytimedelta()
    if hasattr(value, "item") and not isinstance(value, (str, dt.date, dt.time, dt.timedelta)):
        return value.item()
    return value
