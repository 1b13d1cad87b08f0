"""Shared fixtures, and tests/ on sys.path for ``tests/helpers.py`` (what the tests share)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from helpers import EXAMPLE_PATIENTS, EXAMPLE_WORKBOOK  # noqa: E402


@pytest.fixture
def example_workbook() -> Path:
    if not EXAMPLE_WORKBOOK.exists():
        pytest.skip("decision_tables/her2_mbc_brain_mets.xlsx is not in this checkout")
    return EXAMPLE_WORKBOOK


@pytest.fixture
def example_patients() -> Path:
    if not EXAMPLE_PATIENTS.exists():
        pytest.skip("decision_tables/examples/her2_patients.csv is not in this checkout")
    return EXAMPLE_PATIENTS


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="write the golden files of tests/cli/test_golden.py anew from what the commands print")
