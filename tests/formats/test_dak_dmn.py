"""A WHO-DAK-shaped ``.dmn`` file built here (the shape of ../shared/dak/immz: pseudo-code in each
entry's ``description``, plain language in its ``text``, no hit policy, no types): recognised,
read from the pseudo-code, evaluated with C, and its unreadable entry reported at its rule and
entry.  Runs without the WHO material."""

from __future__ import annotations

from pathlib import Path

from engine.analysis.lint import lint_workbook
from engine.evaluation.record import evaluate_record
from engine.formats import kind_of, load, read

NS = "https://www.omg.org/spec/DMN/20240513/MODEL/"


def _entry(kind: str, pseudo: str, text: str) -> str:
    return (f"<dmn:{kind}><dmn:description>{pseudo}</dmn:description><dmn:text>{text}</dmn:text></dmn:{kind}>")


def _dak_dmn(path: Path, rules: list[tuple[str, str, str]]) -> Path:
    """One decision table, inputs 'Clients age' (a computed input, as WHO labels it) and
    'Fever'; each rule (age entry, fever entry, care plan)."""
    body = "".join(
        f'<dmn:rule id="r{n}">{_entry("inputEntry", age, "age")}{_entry("inputEntry", fever, "fever")}'
        f'{_entry("outputEntry", plan, plan)}<dmn:annotationEntry><dmn:text>–</dmn:text></dmn:annotationEntry>'
        "</dmn:rule>" for n, (age, fever, plan) in enumerate(rules, 1))
    path.write_text(
        f'<dmn:definitions xmlns:dmn="{NS}" namespace="http://example.org/dak" id="DAK.DT.X" label="X">'
        '<dmn:decision id="DAK.DT.X" label="IMMZ.X Decide"><dmn:decisionTable id="DAK.DT.X">'
        '<dmn:input id="i1" label="Clients age"/><dmn:input id="i2" label="Fever"/>'
        '<dmn:output id="o1" label="Care Plan"/>'
        f"{body}</dmn:decisionTable></dmn:decision></dmn:definitions>", encoding="utf-8")
    return path


RULES = [
    ("Today's date − \"Date of birth\" &lt; 9 months", "–", "Not due"),
    ("Today's date − \"Date of birth\" ≥ 9 months", "\"Fever\" = FALSE", "Vaccinate"),
    ("Today's date − \"Date of birth\" ≥ 9 months", "\"Fever\" = TRUE", "Defer"),
]


def _plan(model, record: dict) -> list:  # type: ignore[no-untyped-def]
    table = model.tables[0]
    return evaluate_record(model, record).outputs[f"{table.name}.{table.outputs[0].name}"]


def test_a_dak_shaped_dmn_file_is_read_from_its_pseudo_code(tmp_path: Path) -> None:
    path = _dak_dmn(tmp_path / "x.dmn", RULES)
    assert kind_of(path) == "dak-dmn"
    model = load(path)
    assert "Fever" in model.inputs
    age = next(name for name in model.inputs if name != "Fever")
    # by hand from the rules: under 9 months R1 whatever the fever; from 9 months, R2 or R3 by fever
    assert _plan(model, {age: 6, "Fever": True}) == ["Not due"]
    assert _plan(model, {age: 9, "Fever": False}) == ["Vaccinate"]
    assert _plan(model, {age: 12, "Fever": True}) == ["Defer"]
    assert model.tables[0].hit_policy.code == "C"  # a DAK states no hit policy: every match


def test_an_unreadable_entry_is_reported_at_its_rule_and_the_others_still_checked(tmp_path: Path) -> None:
    broken = [*RULES[:2], ("Today's date − \"Date of birth\" ≥ 9 months", "Fever\" = TRUE", "Defer")]
    path = _dak_dmn(tmp_path / "x.dmn", broken)
    findings = lint_workbook(path)
    syntax = [f for f in findings if f.code == "dak-syntax"]
    assert len(syntax) == 1
    assert "rule 3" in " ".join(syntax[0].cells) and "opening quote" in syntax[0].advice
    assert syntax[0].table  # every finding names its table
    assert any(f.code == "gap" for f in findings)  # the fever-true patients over 9 months: rule 3 is left out
    assert read(path, recover=True).tables  # what could be read is there
