"""The examples in docs/feel.md run as shown (a doctest)."""

from __future__ import annotations

import datetime as dt
import doctest

from helpers import ROOT


def test_the_feel_page_runs_as_written() -> None:
    result = doctest.testfile(str(ROOT / "docs" / "feel.md"), module_relative=False, globs={"date": dt.date},
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 7 and result.failed == 0


def test_the_examples_in_the_modules_run() -> None:
    from engine.feel import interpret, unary

    for module in (interpret, unary):
        assert doctest.testmod(module).failed == 0
    import engine.feel

    assert engine.feel.evaluate_text("1 + 1") == 2 and engine.feel.test_text("? > 1", 2) is True
