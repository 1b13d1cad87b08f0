"""How long the condition language takes to read cells, and the FEEL evaluator to evaluate.

    python benchmarks/bench_parse.py [--runs 25] [--all]

Parses every distinct text of the shipped workbook's cells (``--all``: and the golden rows of
``tests/feel/data``, many of them mistakes whose hints are worded) with both entry points,
the parse cache cleared before each run; prints the median and best CPU time (process time,
so that other processes on a shared machine count less).  Then evaluates a few FEEL
expressions many times.  Run it in two checkouts to compare (same Python, same machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
GOLDEN = [ROOT / "tests" / "feel" / "data" / f"{name}_golden.tsv" for name in ("unary_tests", "expressions")]
EXPRESSIONS = ['round half up(8 * weight_kg, 0)', "for i in 1..100 return i * i",
               'if age >= 18 then "adult" else "minor"', "sum(for x in [1, 2, 3] return x / 3)",
               'date("2025-01-15") + duration("P1M")', 'some s in symptoms satisfies s in ("cough", "fever")']


def cell_texts(everything: bool) -> list[str]:
    import openpyxl

    texts: set[str] = set()
    for sheet in openpyxl.load_workbook(WORKBOOK, read_only=True).worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts.update(v for v in row if isinstance(v, str) and v.strip())
            texts.update(str(v) for v in row if isinstance(v, (int, float)) and not isinstance(v, bool))
    if everything:
        for path in GOLDEN:
            texts.update(line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines()
                         if line and not line.startswith("#") and "\t" in line)
    return sorted(texts)


def parse_all(texts: list[str]) -> float:
    from engine.feel import syntax

    syntax.parse_unary_tests.cache_clear()
    syntax.parse_expression.cache_clear()
    start = time.process_time()
    for text in texts:
        for parse in (syntax.parse_unary_tests, syntax.parse_expression):
            try:
                parse(text)
            except ValueError:
                pass
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--all", action="store_true", help="also the golden rows (mostly mistakes)")
    args = parser.parse_args()
    from engine.feel import syntax

    syntax._parser()  # built once per process, not measured
    texts = cell_texts(args.all)
    runs = [parse_all(texts) for _ in range(args.runs)]
    print(f"parse {len(texts)} texts x 2 entry points: median {statistics.median(runs) * 1000:.1f} ms, "
          f"best {min(runs) * 1000:.1f} ms ({args.runs} runs)")
    try:
        from engine.feel import interpret
    except ImportError:
        return  # a checkout without the FEEL evaluator
    variables = {"weight_kg": 50.475, "age": 40, "symptoms": ["rash", "cough"]}
    for text in EXPRESSIONS:
        node = syntax.parse_feel_expression(text, variables)
        scope = {k: interpret.semantics.feel_value(v) for k, v in variables.items()}
        start, count = time.process_time(), 2000
        for _ in range(count):
            interpret.run(node, scope)
        print(f"evaluate {text!r}: {(time.process_time() - start) / count * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
