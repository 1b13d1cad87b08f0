"""Random small decision tables (``random_spec``) for the brute-force oracle of ``dtrun lint``
(tests/analysis/test_verify.py) and of ``dtrun diff``'s behaviour (tests/analysis/test_behaviour.py):
a few inputs of each kind, cells drawn from lists that cut every domain at known points, and
representatives of every piece, so that enumerating them is exact."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from helpers.workbooks import sheets_for

BRIEF_CELLS = ["-", "2", "< 2", ">= 3", "[1..3]", "(0..2]", '"a"', '"a","b"', 'not("a")', "true", "null",
               "not(null)", "not(< 2)", "1, 3"]
CELLS_BY_KIND = {
    "integer": ["2", "< 2", ">= 3", "[1..3]", "(0..2]", "1, 3", "not(< 2)", "null", "not(null)", "!= 2",
                "< 2, null", "0", "4", "[2..4]", "not(1, 3)", "5"],
    "string": ['"a"', '"a","b"', 'not("a")', '"c"', 'not("a", "b")', "null", "not(null)", '"b", null',
               '!= "b"', '"d"'],
    "boolean": ["true", "false", "not(true)", "null", "not(null)", "true, null", "not(false)"],
    "number": ["2", "< 2", ">= 3", "[1..3]", "(0..2]", "1, 3", "not(< 2)", "null", "not(null)", "!= 2", "(1..3)",
               "> 2.5", "<= 1", "< 2, null"],
}
# FEEL cells beyond S-FEEL (engine.feel.feel_sets): those that mean a set (with literals at the
# cut points above), those run on each value of a finite domain, and some that lint must skip
FEEL_CELLS_BY_KIND = {
    "integer": ["? < 2", "? >= 1 and ? <= 3", "? in [1..3]", "? in (0, > 3)", "? between 1 and 3", "? = null",
                "? != null", "not(? > 2)", "2 < ?", "odd(?)", "even(?) or ? = null", "? in [1, 3]",
                "? > 1 or ? = null", "not(? in [0, 4])"],
    "number": ["? < 2.5", "? > 1 and ? < 3", "? in (1..3]", "? between 0 and 2", "? = null", "not(? <= 2)",
               "? in [2, 4]", "? >= 3 or ? = null", "floor(?) = 2", "? != 2.5"],
    "string": ['? = "a"', '? != "b"', '? in ["a", "b"]', '? < "b"', "? = null", 'not(? = "a") and ? != null',
               'starts with(?, "a")', '? in ("c", null)'],
    "boolean": ["?", "not(?)", "? = true", "? = false or ? = null", "? != null", "not(? = true)"],
}
# Temporal inputs (random_spec(..., temporal=True)): literals that cut each line at a few points
# (a time with a zone and one without, which do not order together; = to the second) and
# representatives of every piece, sub-second ones included.
TEMPORAL_CELLS = {
    "time": ['@"08:00:00"', '< @"12:00:00"', '>= @"08:00:00"', '[@"08:00:00"..@"12:00:00")', '> @"10:00:00Z"',
             'not(@"12:00:00")', '@"10:00:00Z", @"08:00:00"', '<= time("12:00:00+02:00")', "null", "not(null)",
             '!= @"08:00:00"', '(@"08:00:00"..@"12:00:00"]'],
    "days and time duration": ['>= @"PT12H"', '< @"PT12H"', '[@"PT1H"..@"P1D")', '@"P1D"', 'not(@"PT12H")',
                               '> duration("PT36H")', "null", "not(null)", '<= @"PT1H", >= @"P2D"', '@"PT12H"'],
    "years and months duration": ['>= @"P3M"', '< @"P3M"', '[@"P1M"..@"P1Y"]', '@"P6M"', 'not(@"P6M")',
                                  '> duration("P18M")', "null", '< @"P1M", > @"P1Y"', '@"P1Y"'],
}


def _temporal_representatives() -> dict[str, tuple[Any, ...]]:
    import datetime as dt

    from engine.feel.temporal import YearsMonths

    utc = dt.UTC
    clocks = [(7,), (8,), (8, 0, 0, 500000), (8, 0, 1), (9,), (10,), (10, 0, 0, 500000), (11,), (12,),
              (12, 0, 0, 500000), (13,)]
    times = tuple(dt.time(*c) for c in clocks) + tuple(dt.time(*c, tzinfo=utc) for c in clocks)
    hours = [0.5, 1, 1.5, 12, 12.0001, 18, 24, 24.0001, 30, 36, 36.0001, 40, 48, 50]
    durations = tuple(dt.timedelta(hours=h) for h in hours)
    months = tuple(YearsMonths(m) for m in (0, 1, 2, 3, 4, 6, 7, 12, 13, 18, 19))
    return {"time": times, "days and time duration": durations, "years and months duration": months}


# every piece of the string line that the literals "a" "b" "c" "d" cut it into has a representative
STRING_REPRESENTATIVES = ("", "A", "a", "a0", "b", "b0", "c", "c0", "d", "zz")
# likewise for numbers in [0..4]: every literal above, and a value between each two
NUMBER_REPRESENTATIVES = (0, 0.5, 1, 1.5, 2, 2.25, 2.5, 2.75, 3, 3.5, 4)
POLICIES = ("U", "A", "P", "F", "C")
PRIORITIES = '"x","y"'


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # integer | number | string | boolean
    allowed: str | None  # the Inputs sheet's "Allowed values"
    required: bool

    @property
    def values(self) -> tuple[Any, ...]:
        """Every value the input can hold (None: missing), or representatives of them."""
        if self.kind == "integer":
            base: tuple[Any, ...] = tuple(range(0, 5 if self.allowed == "[0..4]" else 4))
        elif self.kind == "number":
            base = NUMBER_REPRESENTATIVES
        elif self.kind == "string":
            base = ("a", "b", "c") if self.allowed else STRING_REPRESENTATIVES
        elif self.kind in TEMPORAL_CELLS:
            from engine.feel.conditions import compile_unary_tests

            allowed = compile_unary_tests(self.allowed) if self.allowed else None
            base = tuple(v for v in _temporal_representatives()[self.kind] if allowed is None or allowed.matches(v))
        else:
            base = (False, True)
        return base if self.required else base + (None,)

    def typed(self, value: Any) -> Any:
        """An example's value as the input holds it (lint writes temporal values as FEEL text)."""
        if self.kind in TEMPORAL_CELLS and isinstance(value, str):
            from engine.feel.temporal import parse_literal

            return parse_literal(value)
        return value

    def admits(self, value: Any) -> bool:
        """Is ``value`` (an example's value) one the input can hold?"""
        if value is None:
            return not self.required
        if self.kind == "string" and not self.allowed:
            return isinstance(value, str)
        if self.kind == "number":
            return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 4
        if self.kind in TEMPORAL_CELLS:
            from engine.feel import values

            return values.kind_of(value) == {"time": values.TIME, "days and time duration": values.DT_DURATION,
                                             "years and months duration": values.YM_DURATION}[self.kind]
        return any(type(value) is type(v) and value == v for v in self.values)


@dataclass(frozen=True)
class Spec:
    policy: str
    columns: tuple[Col, ...]
    rules: tuple[tuple[tuple[str, ...], str], ...]  # (input cells, output "x" or "y")
    output_allowed: str | None

    def sheets(self) -> dict[str, list[list[Any]]]:
        inputs = [(c.name, c.kind, c.allowed, "yes" if c.required else "no") for c in self.columns]
        headings = [c.name for c in self.columns] + ["out"]
        allowed = [None] * len(self.columns) + [self.output_allowed]
        rules = [[f"R{i + 1}", *cells, f'"{out}"'] for i, (cells, out) in enumerate(self.rules)]
        return sheets_for(inputs=inputs, tables={"t": (self.policy, headings, "i" * len(self.columns) + "o",
                                                       allowed, rules)})

    def __str__(self) -> str:
        cols = ", ".join(f"{c.name}:{c.kind}{' ' + c.allowed if c.allowed else ''}"
                         f"{'' if c.required else ' (may be missing)'}" for c in self.columns)
        lines = [f"hit policy {self.policy}; inputs {cols}"]
        lines += [f"  R{i + 1}: " + " | ".join(cells) + f" -> {out}" for i, (cells, out) in enumerate(self.rules)]
        return "\n".join(lines)


def random_spec(rnd: random.Random, max_columns: int = 3, feel: float = 0.0, temporal: bool = False) -> Spec:
    """A random table; ``feel``: the share of its non-blank cells drawn from ``FEEL_CELLS_BY_KIND``;
    ``temporal``: its inputs are times and durations (and integers)."""
    columns = []
    for k in range(rnd.randint(1, max_columns)):
        kind = rnd.choice(("integer",) * 4 + ("string",) * 4 + ("boolean",) * 2 + ("number",)) if not temporal else \
            rnd.choice(("integer", *TEMPORAL_CELLS, *TEMPORAL_CELLS))
        if kind in TEMPORAL_CELLS:
            allowed = rnd.choice((None, None, {"time": '[@"07:00:00"..@"13:00:00"]', "days and time duration":
                                               '[@"PT0S"..@"P3D"]', "years and months duration": ">= @\"P0M\""}[kind]))
        elif kind == "integer":
            allowed = rnd.choice(("[0..4]", "[0..3]"))
        elif kind == "number":
            allowed = "[0..4]"
        elif kind == "string":
            allowed = rnd.choice(('"a","b","c"', '"a","b","c"', None))
        else:
            allowed = None
        columns.append(Col(f"{kind[0]}{k + 1}", kind, allowed, rnd.random() < 0.5))

    def cell(col: Col) -> str:
        roll = rnd.random()
        if roll < 0.3:
            return "-"
        if feel and rnd.random() < feel:  # (no draw without FEEL: the other corpora stay as they were)
            return rnd.choice(FEEL_CELLS_BY_KIND[col.kind])
        if roll < 0.42:
            return rnd.choice(BRIEF_CELLS)  # sometimes of the wrong type: type-mismatch, never matches
        return rnd.choice(CELLS_BY_KIND[col.kind] if col.kind in CELLS_BY_KIND else TEMPORAL_CELLS[col.kind])

    rules = tuple((tuple(cell(c) for c in columns), rnd.choice("xy")) for _ in range(rnd.randint(1, 6)))
    policy = rnd.choice(POLICIES)
    output_allowed = PRIORITIES if policy == "P" or rnd.random() < 0.5 else None
    return Spec(policy, tuple(columns), rules, output_allowed)


def parse_cell(text: str, what: str) -> Any:
    """A box or merged cell that lint wrote, read back (lint writes them in the table's notation)."""
    from engine._core.errors import ConditionError
    from engine.feel.conditions import compile_unary_tests

    try:
        return compile_unary_tests(text)
    except ConditionError as error:
        raise AssertionError(f"the {what} text {text!r} is not a valid cell: {error}") from None
