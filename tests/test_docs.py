"""The examples in docs/api.md run as shown (a doctest, from the repository's root)."""

from __future__ import annotations

import doctest

import pytest
from helpers import ROOT


def test_the_api_page_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10 and result.failed == 0, result


def test_a_wrong_example_would_fail(tmp_path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\n>>> 1 + 1\n3\n\n```\n", encoding="utf-8")
    assert doctest.testfile(str(page), module_relative=False, report=False).failed == 1
