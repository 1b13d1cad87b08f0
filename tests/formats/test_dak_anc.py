"""The WHO antenatal care DAK as shipped (../shared/dak/anc): every one of its 38 decision tables is
found, at least 95% of its condition cells are read, every cell not read has its finding at that
cell, and docs/dak.md's per-table counts are the ones scripts/dak_report.py computes from it now.
Skipped when ../shared/dak is absent."""

from __future__ import annotations

import importlib.util

import pytest
from helpers import ROOT
from helpers.dak import ANC, ANC_DICTIONARY

from engine.formats.dak.reader import read_dak

pytestmark = pytest.mark.skipif(not (ANC.is_file() and ANC_DICTIONARY.is_file()),
                                reason="../shared/dak/anc (WHO DAK material) is not here")


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("dak_report", ROOT / "scripts" / "dak_report.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_every_table_is_found_and_most_cells_are_read() -> None:
    document, model = read_dak(ANC, ANC_DICTIONARY, recover=True)
    ids = [c.decision_id for c in document.counts]
    assert ids == [f"ANC.DT.{n:02d}" for n in range(1, 39)]
    cells = sum(c.condition_cells for c in document.counts)
    read = sum(c.read for c in document.counts)
    assert read / cells >= 0.95
    unread = [w for w in model.warnings if w.code == "dak-syntax"]
    assert len(unread) == cells - read  # each cell not read has its finding, at its own cell
    assert all(w.cell and w.sheet.startswith("ANC.DT.") and w.table for w in unread)
    assert not model.problems


def test_the_documented_counts_are_the_computed_ones() -> None:
    script = _script()
    assert script.report(ANC, ANC_DICTIONARY) == script.documented(), (
        "docs/dak.md is out of date: run python scripts/dak_report.py --write")
