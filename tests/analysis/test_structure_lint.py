"""``dtrun lint`` over the components of a structured input: a component is an input of its
own, so every search finds exactly what it finds for a plain input.  Oracle: brute-force
enumeration for a hand table, and, for random tables (``helpers.random_spec``, whose plain
form ``test_verify.py`` checks against brute force), the findings of the same table whose
inputs are the components ``s.<name>`` of a required structure ``s``."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from helpers import random_spec, sheets_for

from engine.analysis.lint import lint_model
from engine.formats.xlsx.build import build_model


def _structured(sheets: dict[str, list[list[Any]]], names: list[str]) -> dict[str, list[list[Any]]]:
    """The same workbook with the inputs ``names`` made components of a required structure ``s``."""
    inputs = sheets["Inputs"]
    rows = [inputs[0], ["s", "structure", None, "yes"]]
    rows += [[f"s.{r[0]}", *r[1:]] if r[0] in names else list(r) for r in inputs[1:]]
    table = [list(r) for r in sheets["t"]]
    table[0] = [f"s.{h}" if h in names else h for h in table[0]]
    return {**sheets, "Inputs": rows, "t": table}


def _renamed(text: str, names: list[str]) -> str:
    for name in names:
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?!\w)", f"s.{name}", text)
    return text


def _key(finding: Any, names: list[str] | None = None) -> tuple[Any, ...]:
    rename = (lambda t: _renamed(t, names)) if names else (lambda t: t)  # noqa: E731
    box = None if finding.box is None else {rename(k): v for k, v in finding.box.items()}
    example = None if finding.example is None else {rename(k): v for k, v in finding.example.items()}
    cells = finding.cells if finding.sheet != "Inputs" else ()
    return (finding.code, finding.sheet, cells, finding.rules, rename(finding.message), rename(finding.hint),
            repr(box), repr(example))


@pytest.mark.parametrize("seed", range(60))
def test_lint_finds_for_components_what_it_finds_for_inputs(seed: int) -> None:
    spec = random_spec(random.Random(seed))
    sheets = spec.sheets()
    names = [c.name for c in spec.columns]
    plain = lint_model(build_model("m.xlsx", sheets))
    structured = lint_model(build_model("m.xlsx", _structured(sheets, names)))
    assert sorted(map(repr, (_key(f, names) for f in plain))) == sorted(map(repr, (_key(f) for f in structured)))


def test_a_gap_over_a_component_is_found_exactly() -> None:
    sheets = sheets_for(inputs=[("applicant", "structure", None, "yes"), ("applicant.age", "integer", "[0..9]", "yes"),
                                ("applicant.sex", "string", '"f","m"', "yes")],
                        tables={"t": ("U", ["applicant.age", "applicant.sex", "band"], "iio", None,
                                      [["R1", "< 3", "-", '"a"'], ["R2", "[3..9]", '"f"', '"b"'],
                                       ["R3", "[3..5]", '"m"', '"c"']])})
    findings = lint_model(build_model("m.xlsx", sheets))
    gaps = [f for f in findings if f.code == "gap"]
    # brute force: the (age, sex) that no rule matches
    rules = [lambda a, s: a < 3, lambda a, s: 3 <= a <= 9 and s == "f", lambda a, s: 3 <= a <= 5 and s == "m"]
    uncovered = {(a, s) for a in range(10) for s in "fm" if not any(r(a, s) for r in rules)}
    assert uncovered == {(a, "m") for a in range(6, 10)}
    assert len(gaps) == 1 and gaps[0].box == {"applicant.age": "[6..9]", "applicant.sex": '"m"'}
    assert (gaps[0].example["applicant.age"], gaps[0].example["applicant.sex"]) in uncovered
