"""Benchmark ``dtrun lint`` on large generated decision tables (issue 4's speed targets).

For each size (rules x input columns; default 100, 500 and 1,500 rules x 3, 9 and 15
columns) a fresh subprocess generates a table with ``generate_tables.py`` (not timed),
writes it as a workbook (not timed), then times

* ``load_workbook`` (openpyxl + parsing + compiling every cell), and
* ``lint_model`` (all checks: overlaps, gaps, masking, redundancy, values; the searches
  run on the loaded model),

as the median of 5 runs (3 runs, or 1, when a single run takes long: the table says how
many), wall-clock and CPU time, and reports the process's peak memory (``ru_maxrss``: it
includes Python, openpyxl and the generator), the findings by code, and for comparison
with Calvanese et al.'s merged output: the overlapping pairs, the maximal cliques of the
pairwise-overlap graph (what their clique decomposition lists), and the gap boxes after
greedily merging boxes that differ in one column only.  A run that exceeds
``--timeout`` seconds or ``--max-rss`` GiB is stopped and reported as such.

It also times whole processes (median of 5): ``dtrun lint decision_tables/`` and
``dtrun --version``.  It prints a Markdown report and writes it into
``docs/benchmarks.md`` under the section "Lint" (other sections are kept).

    python benchmarks/bench_lint.py                       # everything (can take an hour)
    python benchmarks/bench_lint.py --sizes 1500x3,1500x9 --timeout 120 --no-docs
    python benchmarks/bench_lint.py --setup /tmp/patch.py --no-docs   # A/B an engine change

Targets (issue 4, this 2-core machine): 1,500 x 3 < 1 s; 1,500 x 9 < 5 s;
1,500 x 15 < 60 s; peak memory < 1 GiB; ``dtrun lint decision_tables/`` < 1 s.
Reference: Calvanese et al. (2018) took 196 s (overlaps) + 704 s (gaps) for 1,500 x 15.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOCS = ROOT / "docs" / "benchmarks.md"
DEFAULT_SIZES = [(r, c) for r in (100, 500, 1500) for c in (3, 9, 15)]
TARGETS = {(1500, 3): 1.0, (1500, 9): 5.0, (1500, 15): 60.0}
MEMORY_TARGET_MIB = 1024
PROCESS_TARGET = 1.0
REFERENCE = {(1500, 15): "196 s overlaps + 704 s gaps"}
SECTION = "Lint"


def _engine_dir() -> Path:
    """The engine package the children import (PYTHONPATH may point at a snapshot)."""
    import importlib.util

    spec = importlib.util.find_spec("engine")
    return Path(spec.origin).parent if spec and spec.origin else ROOT / "engine"


ENGINE = _engine_dir()


# ---------------------------------------------------------------------- child: one size
def _child(args: argparse.Namespace) -> None:
    """Runs in its own process; prints one JSON object per line as results come in."""
    import resource

    sys.path.insert(0, str(HERE))
    if args.setup:
        exec(compile(Path(args.setup).read_text(), args.setup, "exec"), {"__name__": "bench_setup"})
    from generate_tables import generate, write_workbook

    from engine.analysis.lint import lint_model
    from engine.formats.xlsx.build import load_workbook

    started = time.monotonic()

    def emit(**data: Any) -> None:
        data["at"] = time.monotonic() - started
        data["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(data, default=str), flush=True)

    table = generate(args.rules, args.columns, args.seed)
    narrowed = sum(p.endswith("(narrow)") for p in table.perturbations)
    folder = Path(tempfile.mkdtemp(prefix="bench_lint_"))
    try:
        path = write_workbook(table, folder / f"generated_{args.rules}x{args.columns}.xlsx")
        emit(event="generated", perturbed=len(table.perturbations), narrowed=narrowed,
             widened=len(table.perturbations) - narrowed)
        load_wall, load_cpu = [], []
        model = None
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            model = load_workbook(path)
            load_wall.append(time.perf_counter() - wall)
            load_cpu.append(time.process_time() - cpu)
        emit(event="load", wall=load_wall, cpu=load_cpu)
        assert model is not None
        lint_wall: list[float] = []
        lint_cpu: list[float] = []
        while True:
            wall, cpu = time.perf_counter(), time.process_time()
            findings = lint_model(model)
            lint_wall.append(time.perf_counter() - wall)
            lint_cpu.append(time.process_time() - cpu)
            emit(event="lint-run", wall=lint_wall[-1], cpu=lint_cpu[-1])
            if len(lint_wall) == 1:
                emit(event="lint-first", codes=dict(Counter(f.code for f in findings)),
                     **_comparison(model, findings))
            first = lint_wall[0]
            wanted = args.runs if first < args.slow else args.min_runs
            if len(lint_wall) >= wanted or sum(lint_wall) + first > args.budget:
                break
        if lint_wall[0] < args.tracemalloc_below:
            import tracemalloc

            tracemalloc.start()
            lint_model(model)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            emit(event="tracemalloc", peak_mib=peak / 2 ** 20)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    emit(event="done")


def _comparison(model: Any, findings: list[Any]) -> dict[str, Any]:
    """Numbers to set beside Calvanese et al.'s merged output: overlapping pairs and the
    maximal cliques of the pairwise-overlap graph (their clique decomposition), and our
    gap boxes greedily merged where they differ in one column only."""
    from engine.analysis import search
    from engine.analysis.column_checks import table_columns

    table = model.tables[0]
    columns, _ = table_columns(model, table, {})
    if columns is None:
        return {}
    active = (1 << len(table.rules)) - 1
    adjacency = {r: search.intersecting(columns, r, active & ~(1 << r)) for r in range(len(table.rules))}
    pairs = sum(bin(v).count("1") for v in adjacency.values()) // 2
    cliques = _maximal_cliques(adjacency)
    groups = [f for f in findings if f.code == "overlap"]
    gaps = [f.box for f in findings if f.code == "gap" and f.box]
    domains = {c.heading: c.full.domain for c in columns}
    return {"pairs": pairs, "cliques": len(cliques), "largest_clique": max(map(len, cliques), default=0),
            "largest_group": max((len(f.rules) for f in groups), default=0),
            "gaps_merged": _merged_count(gaps, domains)}


def _maximal_cliques(adjacency: dict[int, int]) -> list[list[int]]:
    """Bron-Kerbosch with pivoting on bitsets; cliques of two or more vertices."""
    found: list[list[int]] = []

    def bits(value: int) -> list[int]:
        out = []
        while value:
            low = value & -value
            out.append(low.bit_length() - 1)
            value ^= low
        return out

    def expand(group: int, candidates: int, excluded: int) -> None:
        if not candidates and not excluded:
            if group & (group - 1):
                found.append(bits(group))
            return
        pivot = max(bits(candidates | excluded), key=lambda u: bin(candidates & adjacency[u]).count("1"))
        for v in bits(candidates & ~adjacency[pivot]):
            expand(group | 1 << v, candidates & adjacency[v], excluded & adjacency[v])
            candidates &= ~(1 << v)
            excluded |= 1 << v

    for r, neighbours in adjacency.items():
        if neighbours:
            expand(1 << r, neighbours & ~((1 << (r + 1)) - 1), neighbours & ((1 << r) - 1))
    return found


def _merged_count(boxes: list[dict[str, str]], domains: dict[str, Any]) -> int:
    """How many boxes remain when boxes equal in all columns but one are joined, repeatedly."""
    from engine.feel.conditions import compile_unary_tests

    def as_set(heading: str, text: str) -> Any:
        return compile_unary_tests(text).to_set(domains[heading])

    headings = list(domains)
    current = [tuple(as_set(h, box[h]) for h in headings) for box in boxes]
    changed = True
    while changed and len(current) > 1:
        changed = False
        for j in range(len(headings)):
            joined: dict[tuple[Any, ...], Any] = {}
            for box in current:
                key = box[:j] + box[j + 1:]
                joined[key] = joined[key] | box[j] if key in joined else box[j]
            if len(joined) < len(current):
                current = [key[:j] + (values,) + key[j:] for key, values in joined.items()]
                changed = True
    return len(current)


# ---------------------------------------------------------------------- parent
def run_size(rules: int, columns: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--rules", str(rules), "--columns",
               str(columns), "--seed", str(args.seed), "--runs", str(args.runs), "--timeout", str(args.timeout),
               "--slow", str(args.slow), "--tracemalloc-below", str(args.tracemalloc_below),
               "--min-runs", str(args.min_runs), "--budget", str(args.budget)]
    if args.setup:
        command += ["--setup", args.setup]
    result: dict[str, Any] = {"rules": rules, "columns": columns, "stopped": None, "peak_rss_mib": 0.0}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    lines: list[str] = []
    import threading

    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    seen, last, started = 0, time.monotonic(), time.monotonic()
    while process.poll() is None:
        time.sleep(0.2)
        rss = _rss_mib(process.pid)
        result["peak_rss_mib"] = max(result["peak_rss_mib"], rss)
        if len(lines) != seen:
            seen, last = len(lines), time.monotonic()
        if rss > args.max_rss * 1024:
            result["stopped"] = f"stopped at {rss / 1024:.1f} GiB RSS, {_since(lines, started)}"
        elif time.monotonic() - last > args.timeout:
            result["stopped"] = f"stopped: a step took over {args.timeout:.0f} s"
        if result["stopped"]:
            process.kill()
            break
    process.wait()
    reader.join(timeout=5)
    runs: dict[str, list[float]] = {"wall": [], "cpu": []}
    for line in lines:
        data = json.loads(line)
        result[data["event"]] = data
        result["peak_rss_mib"] = max(result["peak_rss_mib"], data.get("max_rss_mib", 0.0))
        if data["event"] == "lint-run":
            runs["wall"].append(data["wall"])
            runs["cpu"].append(data["cpu"])
    if runs["wall"]:
        result["lint"] = runs
    if process.returncode and not result["stopped"]:
        result["stopped"] = "failed: " + (process.stderr.read().strip().splitlines() or ["?"])[-1]
    return result


def _since(lines: list[str], started: float) -> str:
    """How long the step that was stopped had run."""
    events = [json.loads(line) for line in lines]
    elapsed = time.monotonic() - started
    if not any(e["event"] == "load" for e in events):
        return f"{elapsed:.0f} s after the start"
    return f"after {elapsed - events[-1]['at']:.0f} s of lint"


def _rss_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", status) or re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def time_process(command: list[str], runs: int = 5) -> dict[str, Any]:
    import resource

    walls, cpus, statuses = [], [], set()
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        statuses.add(done.returncode)
    return {"wall": walls, "cpu": cpus, "status": sorted(statuses)}


# ---------------------------------------------------------------------- report
def machine_facts() -> dict[str, str]:
    def run(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    from importlib import metadata

    versions = []
    for name in ("dtrun", "openpyxl", "lark", "numpy", "pandas", "click"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
               platform.processor() or "?")
    commit = run("git", "-C", str(ENGINE.parent), "rev-parse", "--short", "HEAD") or f"{ENGINE} (not a git checkout)"
    dirty = run("git", "-C", str(ENGINE.parent), "status", "--porcelain", "--", "engine")
    digest = engine_digest()
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": run("nproc"),
        "cpu": cpu,
        "memory": run("free", "-h").splitlines()[1].split()[1] if shutil.which("free") else "?",
        "load": run("cat", "/proc/loadavg"),
        "python": platform.python_version(),
        "packages": ", ".join(versions),
        "engine": f"{commit}{' + uncommitted changes in engine/' if dirty else ''} "
                  f"(sha256 of verify.py+search.py+lint.py+sets.py+trisets.py+column_checks.py: {digest})",
    }


def engine_digest() -> str:
    names = ("verify.py", "search.py", "lint.py", "sets.py", "trisets.py", "column_checks.py")
    return hashlib.sha256(b"".join((ENGINE / n).read_bytes() for n in names
                                   if (ENGINE / n).exists())).hexdigest()[:12]


def _median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def _secs(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def render(results: list[dict[str, Any]], processes: dict[str, dict[str, Any]], facts: dict[str, str],
           args: argparse.Namespace) -> str:
    lines = [f"## {SECTION}", "",
             f"Measured {facts['date']} with `python benchmarks/bench_lint.py` (seed {args.seed}; "
             f"{facts['note'] + '; ' if facts.get('note') else ''}"
             f"timeout {args.timeout:.0f} s per run). Machine: {facts['nproc']} cores ({facts['cpu']}), "
             f"{facts['memory']} memory, load average at the start {facts['load']}; Python {facts['python']}; "
             f"{facts['packages']}. Engine: {facts['engine']}.", "",
             "Tables from `benchmarks/generate_tables.py` (CART-like trees over random data, leaves as rules, "
             "10% of the rules perturbed: one bound widened or narrowed), hit policy U. *lint* is `lint_model` "
             "(every check; overlaps and gaps together) on the loaded model, *load* is `load_workbook`; "
             f"medians of {args.runs} runs ({args.min_runs} when the first run took over {args.slow:.0f} s, fewer "
             f"when {args.budget:.0f} s of runs were used up: column *runs*), wall-clock (CPU in brackets: the "
             "machine is shared and noisy). Peak memory is the "
             "benchmark process's peak RSS (Python, openpyxl, generator and lint together).", "",
             "| rules × cols | load | lint | runs | target | met | peak RSS | findings by code | "
             "overlap groups / pairs / cliques | gaps / merged / narrowed |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        size = (r["rules"], r["columns"])
        load = r.get("load", {})
        lint = r.get("lint") or {}
        first = r.get("lint-first", {})
        target = TARGETS.get(size)
        wall = _median(lint.get("wall"))
        if r["stopped"] and not lint:
            unfinished = "did not finish" if "RSS" in r["stopped"] else f"> {args.timeout:.0f} s"
            lint_text, runs, met = f"{unfinished} ({r['stopped']})", "0", "no" if target else "–"
        else:
            lint_text = f"{_secs(wall)} ({_secs(_median(lint.get('cpu')))})"
            runs = str(len(lint.get("wall", [])))
            if r["stopped"]:
                lint_text += f"; {r['stopped']}"
            met = ("yes" if wall is not None and wall < target and r["peak_rss_mib"] < MEMORY_TARGET_MIB else "no") \
                if target else "–"
        codes = ", ".join(f"{k} {v}" for k, v in sorted(first.get("codes", {}).items())) or "–"
        gen = r.get("generated", {})
        compare = (f"{first.get('codes', {}).get('overlap', 0)} / {first.get('pairs', '–')} / "
                   f"{first.get('cliques', '–')}") if first else "–"
        gaps = (f"{first.get('codes', {}).get('gap', 0)} / {first.get('gaps_merged', '–')} / "
                f"{gen.get('narrowed', '–')}") if first else f"– / – / {gen.get('narrowed', '–')}"
        rss = f"{r['peak_rss_mib']:.0f} MiB"
        if "tracemalloc" in r:
            rss += f" (lint {r['tracemalloc']['peak_mib']:.1f} MiB)"
        lines.append(f"| {size[0]:,} × {size[1]} | {_secs(_median(load.get('wall')))} | {lint_text} | {runs} | "
                     f"{f'< {target:g} s' if target else '–'} | {met} | {rss} | {codes} | {compare} | {gaps} |")
    lines += ["", "Processes (median of 5, wall-clock; CPU in brackets):", "",
              "| command | time | target | met | exit status |", "|---|---|---|---|---|"]
    for name, timing in processes.items():
        wall = _median(timing["wall"])
        target = PROCESS_TARGET if "lint" in name else None
        met = ("yes" if wall < target else "no") if target else "–"
        lines.append(f"| `{name}` | {_secs(wall)} ({_secs(_median(timing['cpu']))}) | "
                     f"{'< 1 s' if target else '–'} | {met} | {', '.join(map(str, timing['status']))} |")
    lines += ["", "Reference: Calvanese et al. (2018) report 1,500 rules × 15 columns in 196 s for overlaps and "
              "704 s for gaps (their tables: decision trees learnt from a credit data set). *overlap groups* are "
              "our findings (maximal sets of rules that can all match one record), *pairs* the overlapping pairs "
              "of rules, *cliques* the maximal cliques of the pairwise-overlap graph, which is what a clique "
              "decomposition of overlapping pairs lists; with interval cells the two coincide (Helly), with "
              "lists of categories a clique may have no common record. *gaps* are our gap findings, *merged* "
              "the boxes left after joining boxes that differ in one column only, *narrowed* the perturbations "
              "that made a rule smaller (each opens one missing region).", ""]
    return "\n".join(lines)


def write_docs(section: str, facts: dict[str, str], path: Path = DOCS, name: str = SECTION) -> None:
    """Replace (or add) the section ``name`` of ``path`` with ``section``."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        text = ("# Benchmarks\n\nResults of the scripts in `benchmarks/`. Machine where they were last run: "
                f"`nproc` {facts['nproc']}; `free -h`: {facts['memory']}; Python {facts['python']}; "
                f"{facts['packages']}; {facts['date']}.\n\n")
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    try:
        from engine._core.atomic import atomic_path
    except ImportError:  # an engine before the layered packages (an A/B run of an older commit)
        from engine.results import atomic_path  # type: ignore[no-redef]

    with atomic_path(path) as temporary:
        temporary.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        rules, _, columns = part.strip().partition("x")
        sizes.append((int(rules), int(columns)))
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=DEFAULT_SIZES,
                        help="comma-separated RULESxCOLUMNS, default 100x3,...,1500x15")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measure (default 5)")
    parser.add_argument("--slow", type=float, default=30.0,
                        help="a first lint run slower than this many seconds gets 3 runs instead (default 30)")
    parser.add_argument("--min-runs", type=int, default=3, help="runs of a slow size (default 3)")
    parser.add_argument("--budget", type=float, default=1800.0,
                        help="no further run of a size is started past this many seconds of lint (default 1800)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one lint run may take (default 600)")
    parser.add_argument("--json", default=None, help="also save the raw results to this JSON file")
    parser.add_argument("--from-json", default=None, help="render (and write) results saved with --json; run nothing")
    parser.add_argument("--max-rss", type=float, default=4.0, help="GiB of RSS at which a run is stopped (default 4)")
    parser.add_argument("--tracemalloc-below", type=float, default=20.0,
                        help="measure lint's own allocations (tracemalloc) when a run takes less (default 20 s)")
    parser.add_argument("--setup", default=None,
                        help="a Python file each child runs first (to try an engine change); implies --no-docs")
    parser.add_argument("--note", default="", help="a remark for the report's first line (e.g. what else ran)")
    parser.add_argument("--no-docs", action="store_true", help="print only; do not write docs/benchmarks.md")
    parser.add_argument("--no-processes", action="store_true", help="skip the whole-process timings")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rules", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--columns", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        for key, value in saved["args"].items():
            setattr(args, key, value)
        section = render(saved["results"], saved["processes"], saved["facts"], args)
        print(section)
        if not args.no_docs and not args.setup:
            write_docs(section, saved["facts"])
        return
    facts = machine_facts()
    facts["note"] = args.note
    results = []
    for rules, columns in args.sizes:
        print(f"{rules} x {columns} ...", file=sys.stderr, flush=True)
        result = run_size(rules, columns, args)
        lint = result.get("lint") or {}
        print(f"  lint {lint.get('wall')}  {result['stopped'] or ''}", file=sys.stderr, flush=True)
        results.append(result)
    processes: dict[str, dict[str, Any]] = {}
    if not args.no_processes:
        dtrun = shutil.which("dtrun", path=str(Path(sys.executable).parent)) or "dtrun"
        processes["dtrun lint decision_tables/"] = time_process([dtrun, "lint", "decision_tables/"])
        processes["dtrun --version"] = time_process([dtrun, "--version"])
    if engine_digest() not in facts["engine"]:
        facts["engine"] += "; NOTE: these engine files changed while the benchmark ran"
    section = render(results, processes, facts, args)
    if args.json:
        kept = {k: getattr(args, k) for k in ("seed", "timeout", "runs", "min_runs", "setup")}
        Path(args.json).write_text(json.dumps({"args": kept, "facts": facts, "results": results,
                                               "processes": processes}, indent=1, default=str))
    print(section)
    if not args.no_docs and not args.setup:
        write_docs(section, facts)
        print(f"(written to {DOCS.relative_to(ROOT)}, section {SECTION})", file=sys.stderr)


if __name__ == "__main__":
    main()
