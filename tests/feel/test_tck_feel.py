"""A fixed sample of the DMN TCK's FEEL literal-expression cases through the FEEL evaluator
(``scripts/run_tck_full.py``): every case of compliance level 2 that is a literal expression,
and 27 level-3 folders, each with the number of cases it passes today, so that a regression
shows.  Skipped where ``../shared/tck-full`` is absent (set DTRUN_TCK_FULL)."""

from __future__ import annotations

import os
import sys

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import run_tck_full  # noqa: E402

TCK = run_tck_full.Path(os.environ.get("DTRUN_TCK_FULL", ROOT.parent / "shared" / "tck-full" / "TestCases"))
needs_tck = pytest.mark.skipif(not (TCK / "compliance-level-3").is_dir(),
                               reason=f"the full DMN TCK is not at {TCK} (set DTRUN_TCK_FULL)")

# folder → cases passed (the rest refused: decision tables, BKMs, values Python cannot hold)
SAMPLE = {
    "compliance-level-3/0057-feel-context": 11, "compliance-level-3/0068-feel-equality": 114,
    "compliance-level-3/0103-feel-is-function": 50, "compliance-level-3/1146-feel-context-put-function": 24, "compliance-level-3/0061-feel-median-function": 14,
    "compliance-level-3/0067-feel-split-function": 9, "compliance-level-3/0069-feel-list": 35,
    "compliance-level-3/0070-feel-instance-of": 142, "compliance-level-3/0075-feel-exponent": 12,
    "compliance-level-3/0082-feel-coercion": 16, "compliance-level-3/0083-feel-unicode": 14,
    "compliance-level-3/0084-feel-for-loops": 24, "compliance-level-3/0090-feel-paths": 4,
    "compliance-level-3/0093-feel-at-literals": 19, "compliance-level-3/0100-arithmetic": 1087, "compliance-level-3/1100-feel-decimal-function": 10,
    "compliance-level-3/1103-feel-substring-function": 11, "compliance-level-3/1109-feel-replace-function": 28,
    "compliance-level-3/1111-feel-matches-function": 33, "compliance-level-3/1115-feel-date-function": 51,
    "compliance-level-3/1117-feel-date-and-time-function": 74, "compliance-level-3/1120-feel-duration-function": 48,
    "compliance-level-3/1121-feel-years-and-months-duration-function": 34,
    "compliance-level-3/1145-feel-context-function": 18, "compliance-level-3/1147-feel-context-merge-function": 14,
    "compliance-level-3/1155-list-replace-function": 22, "compliance-level-3/1156-range-function": 56,
}


@needs_tck
@pytest.mark.parametrize("folder", sorted(SAMPLE))
def test_a_sample_of_level_3_passes(folder):
    outcomes = run_tck_full.run_folder(TCK / folder)
    failed = [f"{o.case}: {o.reason}" for o in outcomes if o.status == "failed"]
    assert not failed
    assert sum(o.status == "passed" for o in outcomes) == SAMPLE[folder]
    assert all(o.reason for o in outcomes if o.status == "refused")  # every refusal says why


@needs_tck
def test_every_literal_expression_case_of_level_2_passes():
    outcomes = [o for folder in sorted((TCK / "compliance-level-2").iterdir()) if folder.is_dir()
                for o in run_tck_full.run_folder(folder)]
    assert [o for o in outcomes if o.status == "failed"] == []
    assert sum(o.status == "passed" for o in outcomes) == 72
    refused = {o.reason for o in outcomes if o.status == "refused"}
    assert all("not a literal expression" in r or "business knowledge model" in r or "decision service" in r
               for r in refused), refused
