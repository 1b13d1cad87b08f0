"""DMN models written in code: ``dmn(body)`` wraps elements in a ``definitions`` document;
``decision``, ``clause`` and ``rule`` write a decision table's parts; ``without_spans``
compares ASTs by meaning."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

# Item definitions and input data of the DMN models of the lint and golden tests: allowed values
# on two inputs (Person age may be missing, Blood type is required: its allowed values do not
# allow null), an input compared with another, and one no table reads.
ITEMS = """
<itemDefinition id="t_age" name="t_age"><typeRef>number</typeRef>
  <allowedValues><text>[0..120], null</text></allowedValues></itemDefinition>
<itemDefinition id="t_blood" name="t_blood"><typeRef>string</typeRef>
  <allowedValues><text>"A","B","AB","O"</text></allowedValues></itemDefinition>
<inputData id="i_age" name="Person age"><variable name="Person age" typeRef="t_age"/></inputData>
<inputData id="i_min" name="Min age"><variable name="Min age" typeRef="number"/></inputData>
<inputData id="i_blood" name="Blood type"><variable name="Blood type" typeRef="t_blood"/></inputData>
<inputData id="i_unused" name="Unused thing"><variable name="Unused thing" typeRef="number"/></inputData>"""


def dmn(body: str, version: str = "1.3", extra_ns: str = "") -> str:
    from engine.formats.dmn.names import VERSIONS

    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{VERSIONS[version].model}" {extra_ns} '
            f'id="defs" name="Test model" namespace="urn:test">{body}</definitions>')


def write(tmp_path: Path, text: str, name: str = "model.dmn") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rule(rule_id: str, inputs: list[str], outputs: list[str], label: str = "") -> str:
    entries = "".join(f"<inputEntry><text>{t}</text></inputEntry>" for t in inputs)
    entries += "".join(f"<outputEntry><text>{t}</text></outputEntry>" for t in outputs)
    return f'<rule id="{rule_id}"{f" label={label!r}" if label else ""}>{entries}</rule>'


def clause(clause_id: str, expression: str, label: str = "") -> str:
    shown = f' label="{label}"' if label else ""
    return f'<input id="{clause_id}"{shown}><inputExpression><text>{expression}</text></inputExpression></input>'


def decision(decision_id: str, name: str, policy: str, inputs: str, outputs: str, rules: str) -> str:
    return (f'<decision id="{decision_id}" name="{name}"><decisionTable id="dt_{decision_id}" {policy}>'
            f'{inputs}{outputs}{rules}</decisionTable></decision>')


def without_spans(node: Any) -> Any:
    """An AST with every position removed, to compare meaning, not layout."""
    from engine.feel.syntax import Span

    if isinstance(node, Span):
        return None
    if is_dataclass(node):
        return (type(node).__name__, *(without_spans(getattr(node, f.name)) for f in fields(node)))
    if isinstance(node, tuple):
        return tuple(without_spans(n) for n in node)
    return node
