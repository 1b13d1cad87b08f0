"""A longer randomized campaign against ``dtrun evaluate``, run by hand: any exit 70 (or a
traceback, or a hang) is reported with a reproducer.

    python scripts/fuzz_inputs.py                         # 500 cases against the HER2 workbook
    python scripts/fuzz_inputs.py --cases 5000 --seed 7 --out /tmp/fuzz
    python scripts/fuzz_inputs.py --workbook guide.xlsx --keep-going

Hypothesis makes patient files the way exports and hostile users do: header lines of the
workbook's input names, other names, names that start like a formula, blank or repeated
names, very long headers; rows of the header's width or not, with texts, numbers (huge,
negative, ``1e400``, ``NaN``), quotes, line breaks and delimiters inside fields, blank
lines; UTF-8 with or without a BOM, Windows-1252, UTF-16, Latin-1, or bytes flipped and
files cut off at random; comma, semicolon, tab or bar; ``\\n``, ``\\r\\n`` or ``\\r`` line
ends, with or without the last one; sometimes the same rows as Parquet.  Each file is run
through ``dtrun evaluate`` in this process (click's CliRunner) with random options:
``--chunk-size``, ``--format csv|json|parquet``, ``-o -`` or a file, ``--delimiter`` and
``--encoding`` (valid or not), ``--na-values``, ``--explain``, ``--no-escape-formulas``.

What counts as a failure: exit status 70 ("a bug in dtrun"), an exception that escapes the
command, "Traceback" in its output, an exit status outside the documented table (0, 2, 3,
4), or a case that runs longer than ``--timeout`` seconds.  The documented outcomes (0
with rows, 2, 4 with one line) all pass.

By default the first failure stops the campaign, Hypothesis shrinks it to a small case, and
the smallest is written to ``--out``/``smallest/``: ``patients.<ext>`` (the exact bytes),
``command.txt`` (the dtrun command line to rerun it, from that folder, with the workbook's
path) and ``output.txt`` (what dtrun printed).  With ``--keep-going`` every failure is
written, unshrunk, to ``case-N/``, and the campaign runs all its cases.  The exit status of the script is
1 when it found a failure, else 0.
"""

from __future__ import annotations

import argparse
import io
import shlex
import shutil
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
DOCUMENTED = {0, 2, 3, 4}


@dataclass
class Campaign:
    workbook: Path
    out: Path
    timeout: int
    keep_going: bool
    names: list[str]
    found: list[Path] = field(default_factory=list)
    ran: int = 0


class Hang(Exception):
    pass


def _strategies(names: list[str]) -> Any:
    from hypothesis import strategies as st

    text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
    numbers = st.sampled_from(["0", "-1", "12.5", "1e400", "-0", "NaN", "inf", "9007199254740993", "1" * 60,
                               "2,5", " 7 ", "", "NA", "null", "=1+1", "@x", "+3", "-", "\t1"])
    cells = st.one_of(numbers, text, st.sampled_from(["positive", "negative", 'a"b', "x\ny", "a,b", "a;b"]))
    name = st.one_of(st.sampled_from(names), text, st.builds(lambda s: "=" + s, text), st.just(""),
                     st.builds(lambda n: "c" * n, st.integers(1, 70_000)))
    header = st.lists(name, min_size=1, max_size=8)
    shape = st.fixed_dictionaries({
        "header": header,
        "rows": st.lists(st.lists(cells, min_size=0, max_size=9), max_size=25),
        "encoding": st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]),
        "delimiter": st.sampled_from([",", ";", "\t", "|"]),
        "ending": st.sampled_from(["\n", "\r\n", "\r"]),
        "last_ending": st.booleans(),
        "blank_lines": st.integers(0, 3),
        "flips": st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=3),
        "cut": st.one_of(st.none(), st.floats(0, 1)),
        "parquet": st.integers(0, 9).map(lambda n: n == 0),
    })
    options = st.fixed_dictionaries({
        "chunk": st.sampled_from([None, None, 1, 2, 7]),
        "format": st.sampled_from(["csv", "csv", "json", "parquet"]),
        "to_file": st.booleans(),
        "delimiter": st.sampled_from([None, None, None, ",", ";", ";;", "\\t", "x"]),
        "encoding": st.sampled_from([None, None, None, "utf-8", "cp1252", "latin-1", "nonsense"]),
        "na": st.sampled_from(["", "NA", "NA,null"]),
        "explain": st.booleans(),
        "escape": st.booleans(),
    })
    return shape, options


def _file_bytes(shape: dict[str, Any]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=shape["delimiter"], lineterminator=shape["ending"])
    writer.writerow(shape["header"])
    for number, row in enumerate(shape["rows"]):
        writer.writerow(row)
        if number < shape["blank_lines"]:
            buffer.write(shape["ending"])
    text = buffer.getvalue()
    if not shape["last_ending"]:
        text = text[: -len(shape["ending"])] if text.endswith(shape["ending"]) else text
    data = text.encode(shape["encoding"], errors="replace")
    for where, byte in shape["flips"]:
        if data:
            at = int(where * (len(data) - 1))
            data = data[:at] + bytes([byte]) + data[at + 1:]
    if shape["cut"] is not None:
        data = data[: int(shape["cut"] * len(data))]
    return data


def _parquet_bytes(shape: dict[str, Any]) -> bytes | None:
    import pandas as pd

    names = shape["header"]
    width = len(names)
    rows = [(row + [""] * width)[:width] for row in shape["rows"]]
    try:
        frame = pd.DataFrame(rows, columns=names, dtype=object)
        buffer = io.BytesIO()
        frame.to_parquet(buffer)
    except Exception:  # noqa: BLE001 - pandas refuses some frames (duplicate names): not a case then
        return None
    return buffer.getvalue()


def _run(campaign: Campaign, shape: dict[str, Any], options: dict[str, Any], work: Path) -> tuple[list[str], Any]:
    from click.testing import CliRunner

    from engine.cli import main

    data = _parquet_bytes(shape) if shape["parquet"] else None
    suffix = ".parquet" if data is not None else ".csv"
    data = data if data is not None else _file_bytes(shape)
    patients = work / f"patients{suffix}"
    patients.write_bytes(data)
    args = ["evaluate", str(campaign.workbook), patients.name]
    if options["chunk"]:
        args += ["--chunk-size", str(options["chunk"])]
    output = f"results.{options['format']}" if options["to_file"] or options["format"] == "parquet" else "-"
    args += ["--format", options["format"], "-o", output]
    for option in ("delimiter", "encoding"):
        if options[option] is not None:
            args += [f"--{option}", options[option]]
    if options["na"]:
        args += ["--na-values", options["na"]]
    args += ["--explain"] * options["explain"] + ["--no-escape-formulas"] * (not options["escape"])
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(campaign.timeout)
    try:
        import os

        here = Path.cwd()
        os.chdir(work)
        try:
            result = CliRunner().invoke(main, args)
        finally:
            os.chdir(here)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return args, result


def _hang(number: int, frame: Any) -> None:
    raise Hang("the case ran past --timeout")


def _failure(result: Any) -> str | None:
    if isinstance(result.exception, Hang):
        return "hang"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"exception {type(result.exception).__name__}: {result.exception}"
    if result.exit_code == 70:
        return "exit 70"
    if result.exit_code not in DOCUMENTED:
        return f"exit {result.exit_code}, not a documented status"
    if "Traceback" in result.output:
        return "a traceback in the output"
    return None


def _write_case(campaign: Campaign, work: Path, args: list[str], result: Any, why: str) -> Path:
    case = campaign.out / (f"case-{len(campaign.found) + 1}" if campaign.keep_going else "smallest")
    if case.exists():  # while Hypothesis shrinks: each smaller case replaces the one before
        shutil.rmtree(case)
    case.mkdir(parents=True)
    for path in work.iterdir():
        if path.name.startswith("patients"):
            (case / path.name).write_bytes(path.read_bytes())
    (case / "command.txt").write_text("cd " + shlex.quote(str(case)) + " && dtrun " + shlex.join(args) + "\n")
    (case / "output.txt").write_text(f"{why}\nexit status {result.exit_code}\n{result.output}\n")
    if case not in campaign.found:
        campaign.found.append(case)
    return case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500, help="how many cases to run (default 500)")
    parser.add_argument("--seed", type=int, default=None, help="a seed, to run the same campaign again")
    parser.add_argument("--workbook", type=Path, default=WORKBOOK, help="the workbook (default: the HER2 one)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-cases"), help="where reproducers go")
    parser.add_argument("--timeout", type=int, default=60, help="seconds a case may run (default 60)")
    parser.add_argument("--keep-going", action="store_true", help="write every failure, do not stop at the first")
    args = parser.parse_args(argv)

    import tempfile

    from hypothesis import HealthCheck, given, seed, settings

    from engine.formats import load

    model = load(args.workbook)
    names = sorted({*model.inputs, *(n for t in model.tables for n in t.output_names)})
    campaign = Campaign(args.workbook.resolve(), args.out.resolve(), args.timeout, args.keep_going, names)
    shape, options = _strategies(names)

    @settings(max_examples=args.cases, deadline=None, database=None, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(shape=shape, options=options)
    def case(shape: dict[str, Any], options: dict[str, Any]) -> None:
        campaign.ran += 1
        with tempfile.TemporaryDirectory(prefix="dtrun-fuzz-") as folder:
            command, result = _run(campaign, shape, options, Path(folder))
            why = _failure(result)
            if why is not None:
                where = _write_case(campaign, Path(folder), command, result, why)
                if campaign.keep_going:
                    print(f"FAILURE ({why}): {where}", file=sys.stderr)
                if not campaign.keep_going:
                    raise AssertionError(why)
        if campaign.ran % 50 == 0:
            print(f"{campaign.ran} cases run, {len(campaign.found)} failures", file=sys.stderr)

    if args.seed is not None:
        case = seed(args.seed)(case)
    try:
        case()
    except AssertionError as error:
        print(f"the smallest failing case ({error}) is {campaign.found[-1]}: see command.txt", file=sys.stderr)
        return 1
    print(f"{campaign.ran} cases run, {len(campaign.found)} failures"
          + "".join(f"\n  {path}" for path in campaign.found), file=sys.stderr)
    return 1 if campaign.found else 0


if __name__ == "__main__":
    sys.exit(main())
