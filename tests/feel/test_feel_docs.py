"""The examples in docs/feel.md run as shown (a doctest)."""

from __future__ import annotations

import datetime as dt
import doctest

from helpers import ROOT


def test_the_feel_page_runs_as_written() -> None:
    result = doctest.testfile(str(ROOT / "docs" / "feel.md"), module_relative=False, globs={"date": dt.date},
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 7 and result.failed == 0
