"""Dates and dates and times of any FEEL year: -999,999,999 to 999,999,999 (DMN 1.5 §10.3.2.3).

Python's ``datetime`` holds years 1 to 9999, and dtrun keeps it for them: a value of those years
is always a ``datetime.date`` or ``datetime.datetime``.  A value of another year is a
:class:`FarDate` or :class:`FarDateTime`: a Python value at the same place of the 400-year
Gregorian cycle (146,097 days: the same leap years, weekdays and ISO weeks), its ``base``, and
the number of whole cycles between the two.  Years before 1 have their base in 401-800, years
after 9999 in 9201-9600, so that a zone's offset there is its earliest one (local mean time) or
its last rule, as for the first and last years Python holds, and a base moved by a day or an
offset stays inside Python's range.

The arithmetic here is exact, on whole days and microseconds (Python integers), and means what
Python's does for the years both hold (a property test checks it): a date and time plus a
duration moves its clock time and keeps its zone; two dates and times of one zone differ by
their clock times, of two zones by their instants.  A result beyond ±999,999,999 is None
(null); a difference longer than ``timedelta`` holds (999,999,999 days) raises OverflowError.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CYCLE_YEARS, CYCLE_DAYS = 400, 146_097
MAX_YEAR = 999_999_999
SECOND = 1_000_000  # microseconds
DAY = 86_400 * SECOND


class _Moved:
    """What a far date and a far date and time share: the date of ``base`` (a ``dt.date`` or
    ``dt.datetime``) in the year ``cycles`` × 400 years away; the day of the week is the same."""

    base: dt.date
    cycles: int

    @property
    def year(self) -> int:
        return self.base.year + CYCLE_YEARS * self.cycles

    @property
    def month(self) -> int:
        return self.base.month

    @property
    def day(self) -> int:
        return self.base.day

    def weekday(self) -> int:
        return self.base.weekday()

    def isoweekday(self) -> int:
        return self.base.isoweekday()


@dataclass(frozen=True)
class FarDate(_Moved):
    """A date of a year Python does not hold: ``base`` moved by ``cycles`` × 400 years."""

    base: dt.date
    cycles: int


@dataclass(frozen=True)
class FarDateTime(_Moved):
    """A date and time of a year Python does not hold: ``base`` moved by ``cycles`` × 400 years."""

    base: dt.datetime
    cycles: int

    @property
    def hour(self) -> int:
        return self.base.hour

    @property
    def minute(self) -> int:
        return self.base.minute

    @property
    def second(self) -> int:
        return self.base.second

    @property
    def microsecond(self) -> int:
        return self.base.microsecond

    @property
    def tzinfo(self) -> dt.tzinfo | None:
        return self.base.tzinfo

    def utcoffset(self) -> dt.timedelta | None:
        return self.base.utcoffset()

    def date(self) -> FarDate:
        return FarDate(self.base.date(), self.cycles)

    def timetz(self) -> dt.time:
        return self.base.timetz()


AnyDate = dt.date | FarDate  # a dt.datetime is a dt.date: callers tell them apart first
AnyDateTime = dt.datetime | FarDateTime
FAR = frozenset((FarDate, FarDateTime))  # test with type(x) in FAR: faster than isinstance on the common path


def is_date(value: object) -> bool:
    """A date (of any year), not a date and time."""
    return isinstance(value, FarDate) or (isinstance(value, dt.date) and not isinstance(value, dt.datetime))


def is_datetime(value: object) -> bool:
    return isinstance(value, (dt.datetime, FarDateTime))


def _cycles(year: int) -> int:
    """The cycles between ``year`` and the year that stands for it in Python (0 for 1..9999)."""
    if 1 <= year <= 9999:
        return 0
    return (year - 401) // CYCLE_YEARS if year < 1 else (year - 9201) // CYCLE_YEARS


# ---------------------------------------------------------------------- dates
def date(year: int, month: int, day: int) -> AnyDate | None:
    """The date year-month-day, or None where there is none (30 February, a year beyond ±999,999,999)."""
    if abs(year) > MAX_YEAR:
        return None
    cycles = _cycles(year)
    try:
        base = dt.date(year - CYCLE_YEARS * cycles, month, day)
    except ValueError:
        return None
    return FarDate(base, cycles) if cycles else base


def ordinal(value: AnyDate) -> int:
    """The day's number: 0001-01-01 is 1, 0000-12-31 is 0 (proleptic Gregorian)."""
    if isinstance(value, FarDate):
        return value.base.toordinal() + CYCLE_DAYS * value.cycles
    return value.toordinal()


def from_ordinal(number: int) -> AnyDate | None:
    if 1 <= number <= 3_652_059:  # dt.date.max
        return dt.date.fromordinal(number)
    cycles, rest = divmod(number - 1, CYCLE_DAYS)
    base = dt.date.fromordinal(rest + 1)  # in years 1..400
    return date(base.year + CYCLE_YEARS * cycles, base.month, base.day)


def day_of_year(value: AnyDate) -> int:
    base = value.base if isinstance(value, FarDate) else value
    return base.timetuple().tm_yday


def week_of_year(value: AnyDate) -> int:
    base = value.base if isinstance(value, FarDate) else value
    return base.isocalendar()[1]


def add_months(value: AnyDate | AnyDateTime, months: int) -> AnyDate | AnyDateTime | None:
    """``value`` moved by whole months, its day kept (or the month's last day), its clock kept."""
    import calendar

    year, month = divmod(value.year * 12 + value.month - 1 + months, 12)
    last = calendar.monthrange(year % CYCLE_YEARS + 2000, month + 1)[1]  # leap years repeat every 400
    moved = date(year, month + 1, min(value.day, last))
    if moved is None or not is_datetime(value):
        return moved
    return combine(moved, value.timetz())


# ---------------------------------------------------------------------- dates and times
def combine(day: AnyDate, clock: dt.time) -> AnyDateTime:
    """A date at a time of day (with the time's zone)."""
    if isinstance(day, FarDate):
        return FarDateTime(dt.datetime.combine(day.base, clock), day.cycles)
    return dt.datetime.combine(day, clock)


def local_micros(value: AnyDate | AnyDateTime) -> int:
    """Microseconds from 0001-01-01T00:00 to the value's clock time (a date: its midnight)."""
    if is_date(value):
        return ordinal(value) * DAY
    base, cycles = (value.base, value.cycles) if isinstance(value, FarDateTime) else (value, 0)
    days = base.toordinal() + CYCLE_DAYS * cycles
    return days * DAY + ((base.hour * 60 + base.minute) * 60 + base.second) * SECOND + base.microsecond


def _micros(delta: dt.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds


def from_local(micros: int, zone: dt.tzinfo | None) -> AnyDateTime | None:
    """The date and time whose clock time is ``micros`` (as :func:`local_micros`), in ``zone``."""
    days, rest = divmod(micros, DAY)
    day = from_ordinal(days)
    if day is None:
        return None
    seconds, micro = divmod(rest, SECOND)
    clock = dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro, tzinfo=zone)
    return combine(day, clock)


def plus(value: AnyDate | AnyDateTime, delta: dt.timedelta) -> AnyDate | AnyDateTime | None:
    """A date or a date and time plus a days and time duration (a date: the day it falls in)."""
    micros = local_micros(value) + _micros(delta)
    if is_date(value):
        return from_ordinal(micros // DAY)
    return from_local(micros, value.tzinfo)


def midnight_utc(value: AnyDate) -> AnyDateTime:
    """A date as a date and time (subtracted from one): its midnight, UTC."""
    return combine(value, dt.time(0, tzinfo=dt.UTC))


def _keys(left: AnyDateTime, right: AnyDateTime) -> tuple[int, int] | None:
    """Two numbers that order the values as Python orders its own: clock times when both have
    no zone or the same zone, else instants; None for one with a zone and one without."""
    if (left.tzinfo is None) != (right.tzinfo is None):
        return None
    a, b = local_micros(left), local_micros(right)
    if left.tzinfo is None or left.tzinfo is right.tzinfo:
        return a, b
    offset_a, offset_b = left.utcoffset(), right.utcoffset()
    if offset_a is None or offset_b is None:
        return None
    return a - _micros(offset_a), b - _micros(offset_b)


def keys(left: AnyDate | AnyDateTime, right: AnyDate | AnyDateTime) -> tuple[int, int] | None:
    """Ordering keys of two dates (their day numbers) or of two dates and times."""
    if is_date(left) and is_date(right):
        return ordinal(left), ordinal(right)
    if is_datetime(left) and is_datetime(right):
        return _keys(left, right)
    return None


def equal(left: AnyDate | AnyDateTime, right: AnyDate | AnyDateTime) -> bool | None:
    """FEEL ``=`` of two dates or two dates and times: to the second, as ``semantics.equal``."""
    if is_date(left) and is_date(right):
        return ordinal(left) == ordinal(right)
    if not (is_datetime(left) and is_datetime(right)):
        return None
    found = _keys(left, right)
    return found is not None and found[0] // SECOND == found[1] // SECOND


def difference(left: AnyDate | AnyDateTime, right: AnyDate | AnyDateTime) -> dt.timedelta | None:
    """``left - right``: days between two dates; else a date taken as its midnight UTC."""
    if is_date(left) and is_date(right):
        return dt.timedelta(days=ordinal(left) - ordinal(right))
    left = midnight_utc(left) if is_date(left) else left
    right = midnight_utc(right) if is_date(right) else right
    found = _keys(left, right)
    return None if found is None else dt.timedelta(microseconds=found[0] - found[1])
