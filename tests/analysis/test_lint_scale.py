"""Lint on wide text tables (issues 16 and 17): a table whose every rule names one text in
each of its columns (the dmn-js performance fixture, scaled down) is linted with one finding
per column for the texts no rule names, true gap boxes that stay readable, and at most 20
findings of a code per table in text output.  Times are measured by benchmarks/bench_lint_scale.py."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from helpers import write

from engine.cli import main


def wide_table(rules: int, columns: int) -> str:
    """A DMN table as dmn-js's performance fixture: string inputs without allowed values, every
    rule a distinct tuple of texts."""
    inputs = "".join(f'<input id="c{k}"><inputExpression typeRef="string"><text>input{k}</text></inputExpression>'
                     "</input>" for k in range(columns))
    rows = "".join(f'<rule id="rule{r}">' + "".join(f'<inputEntry><text>"value {r} {k}"</text></inputEntry>'
                                                  for k in range(columns))
                   + f'<outputEntry><text>"out {r}"</text></outputEntry></rule>' for r in range(rules))
    return ('<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
            'id="perf" name="Performance" namespace="urn:perf">'
            + "".join(f'<inputData id="i{k}" name="input{k}"><variable name="input{k}" typeRef="string"/></inputData>'
                      for k in range(columns))
            + f'<decision id="decision" name="Big table"><decisionTable id="table" hitPolicy="UNIQUE">{inputs}'
            f'<output id="out" name="result" typeRef="string"/>{rows}</decisionTable></decision></definitions>')


def test_a_wide_text_table_is_linted_readably(tmp_path: Path) -> None:
    path = write(tmp_path, wide_table(120, 4), "perf.dmn")
    text = CliRunner().invoke(main, ["lint", str(path)])
    data = CliRunner().invoke(main, ["lint", str(path), "--format", "json"])
    assert text.exit_code == data.exit_code == 1
    findings = json.loads(data.output)
    gaps = [f for f in findings if f.get("code") == "gap"]
    unnamed = [f for f in gaps if "is a text that no rule names" in f["message"]]
    assert len(unnamed) == 4 and all(f["box"] is None for f in unnamed)  # 120 texts named: no box of them
    boxes = [f for f in gaps if f not in unnamed]
    assert len(boxes) >= 120 * 3  # for each rule, a record that agrees with it up to one column
    assert all(len(json.dumps(f["box"])) < 400 for f in boxes)  # not("value 3 1"), never 119 texts
    lines = text.output.splitlines()
    assert sum("error[gap]" in line for line in lines) == 20
    assert f"{len(gaps) - 20} more gap findings here are not listed ({len(gaps)} in all)" in text.output
    assert lines[-1].startswith(f"{len(findings) - sum(f['severity'] != 'error' for f in findings)} errors")
