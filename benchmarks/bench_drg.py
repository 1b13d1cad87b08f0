"""The DRG evaluator's speed: records per second through a whole DMN model, one record at a
time on FEEL's reference path (``engine.evaluation.evaluate_drg``), and the whole TCK.

    python benchmarks/bench_drg.py [--records 2000] [--tck ../shared/tck-full/TestCases]

The model is the one of ``tests/cli/test_evaluate_drg.py`` (a BKM invoked from a boxed context
and a literal list: five decisions' worth of FEEL per record); the records are made here
(weights and birth dates from a seeded generator), never committed.  With ``--tck``, the time
of ``scripts/run_tck.py`` over compliance levels 2 and 3 (both paths, every case).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--tck", default=None)
    args = parser.parse_args()
    import datetime as dt

    from cli.test_evaluate_drg import MODEL

    from engine.evaluation import evaluate_drg
    from engine.formats import read_drg

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dose.dmn"
        path.write_text(MODEL, encoding="utf-8")
        started = time.perf_counter()
        graph = read_drg(path)
        read = time.perf_counter() - started
    rng = random.Random(1)
    records = [{"Patient": {"weight": Decimal(rng.randint(3000, 120000)) / 1000,
                            "born": dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 30000))}}
               for _ in range(args.records)]
    started = time.perf_counter()
    for record in records:
        evaluate_drg(graph, record)
    seconds = time.perf_counter() - started
    print(f"read the model: {read * 1000:.1f} ms; {args.records} records in {seconds:.2f} s: "
          f"{args.records / seconds:,.0f} records/s")
    if args.tck:
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "scripts" / "run_tck.py"), args.tck], check=False,
                       stdout=subprocess.DEVNULL)
        print(f"run_tck.py over levels 2 and 3: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
