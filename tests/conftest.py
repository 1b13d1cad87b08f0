"""Shared fixtures: the repository's paths, and tests/ on sys.path for ``tests/workbooks.py``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

EXAMPLE_WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
EXAMPLE_PATIENTS = ROOT / "decision_tables" / "examples" / "her2_patients.csv"
# The DMN TCK cases lie in shared/ beside the checkout (as on developers' machines and in CI).
TCK = Path(os.environ.get("DTRUN_TCK", ROOT.parent / "shared" / "tck"))




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
