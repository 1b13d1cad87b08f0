"""Write a synthetic patient file for the HER2 workbook (CSV or Parquet by extension).

    python scripts/make_patients.py --n 100000 --seed 1 -o /tmp/patients.csv

Rows are generated and written a million at a time, so that ten million fit in memory.

Every input of decision_tables/her2_mbc_brain_mets.xlsx, with plausible mixes, about 2%
missing optional values and 0.5% invalid values (misspellings, out-of-range numbers, text
in number columns), so that evaluation exercises its error paths too.  Values are written
as text, as hospital exports write them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

PROPOSALS = ["trastuzumab_pertuzumab_taxane", "trastuzumab_pertuzumab", "trastuzumab_pertuzumab_endocrine",
             "tucatinib_trastuzumab_capecitabine", "trastuzumab_deruxtecan", "trastuzumab_emtansine"]


BLOCK = 1_000_000  # rows generated and written at a time, so that any size fits in memory


def make_patients(n: int, seed: int = 0, start: int = 0) -> pd.DataFrame:
    """``n`` patients numbered from ``start``; block 0 of a seed is what earlier versions wrote."""
    rng = np.random.default_rng(seed if start == 0 else [seed, start])

    def choice(options: list[str], p: list[float] | None = None) -> np.ndarray:
        return rng.choice(np.array(options, dtype=object), size=n, p=p)

    prior = choice(["none", "trastuzumab", "trastuzumab_pertuzumab"], [0.6, 0.25, 0.15])
    months = np.round(rng.gamma(2.0, 9.0, n), 1).astype(str).astype(object)
    months[prior == "none"] = ""
    frame = pd.DataFrame({
        "patient_id": [f"P{i:08d}" for i in range(start, start + n)],
        "her2_status": choice(["positive", "negative"], [0.9, 0.1]),
        "hr_status": choice(["positive", "negative"], [0.55, 0.45]),
        "prior_adjuvant_her2": prior,
        "months_since_adjuvant_her2": months,
        "taxane_contraindicated": choice(["false", "true"], [0.85, 0.15]),
        "brain_mets_count": rng.poisson(2.5, n).astype(str).astype(object),
        "brain_mets_symptomatic": choice(["false", "true"], [0.7, 0.3]),
        "mass_effect": choice(["false", "true"], [0.85, 0.15]),
        "largest_brain_met_cm": np.round(rng.gamma(2.0, 0.8, n), 1).astype(str).astype(object),
        "weight_kg": np.round(rng.normal(70, 14, n).clip(35, 160), 1).astype(str).astype(object),
        "proposed_first_line": choice(PROPOSALS + [""], [0.6, 0.1, 0.08, 0.07, 0.05, 0.05, 0.05]),
    })
    for column in ("months_since_adjuvant_her2", "largest_brain_met_cm", "weight_kg", "proposed_first_line"):
        frame.loc[rng.random(n) < 0.02, column] = ""
    _spoil(frame, rng)
    # The inputs of workbook 2.0.0, drawn after the others so that every earlier column of a
    # seed stays what earlier versions wrote.
    frame.insert(3, "prior_metastatic_her2_therapy",
                 choice(["none", "trastuzumab_pertuzumab_based", "other"], [0.9, 0.07, 0.03]))
    frame.insert(7, "chemotherapy_candidate", choice(["true", "false"], [0.92, 0.08]))
    return frame


def _spoil(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """About 0.5% of rows get one invalid value."""
    n = len(frame)
    rows = np.flatnonzero(rng.random(n) < 0.005)
    spoilers = [("her2_status", "postive"), ("hr_status", "unknown"), ("brain_mets_count", "-1"),
                ("weight_kg", "72kg"), ("taxane_contraindicated", ""), ("largest_brain_met_cm", "25")]
    for row, pick in zip(rows, rng.integers(0, len(spoilers), len(rows))):
        column, value = spoilers[pick]
        frame.iat[row, frame.columns.get_loc(column)] = value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of patients")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", required=True, help="file.csv or file.parquet")
    args = parser.parse_args()
    write_patients(args.n, args.seed, Path(args.output))


def write_patients(n: int, seed: int, path: Path) -> None:
    """Generate and write block by block (BLOCK rows at a time)."""
    parquet = path.suffix.lower() in (".parquet", ".pq")
    writer = None
    try:
        for start in range(0, max(n, 1), BLOCK):
            frame = make_patients(min(BLOCK, n - start), seed, start)
            if parquet:
                import pyarrow as pa
                import pyarrow.parquet as pq

                table = pa.Table.from_pandas(frame, preserve_index=False)
                writer = writer or pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
            else:
                frame.to_csv(path, index=False, mode="w" if start == 0 else "a", header=start == 0)
    finally:
        if writer is not None:
            writer.close()


if __name__ == "__main__":
    main()
