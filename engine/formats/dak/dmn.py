"""A WHO DAK ``.dmn`` file → the blocks of a DAK workbook → :class:`~engine.model.Model`.

Owns reading the DMN files WHO publishes for its DAKs (the immunization DAK's ``IMMZ.D2``,
``IMMZ.D5`` tables): each entry holds the DAK pseudo-code in its ``<description>`` and a
plain-language sentence in its ``<text>``, inputs are labelled (their ``inputExpression`` may
be a computation such as ``Today's date − "Date of birth"``), rules may give fewer
``outputEntry`` elements than outputs are declared (the last ones, ``Annotations`` and
``Reference(s)``, are the rule's ``annotationEntry`` elements), and no hit policy is stated.
Each decision table becomes a :class:`~engine.formats.dak.blocks.DakBlock` (an input entry read
from its description, where the input's expression stands for the input named by its label:
a patient file gives the computed value under that label), then the DAK workbook's reading
applies.  Output cells are the entries' plain-language text.  The XML is read with defusedxml
(``engine.formats.dmn.read``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.formats.dak.blocks import DakBlock, DakCell, DakColumn, DakRule
from engine.formats.dak.document import DakDocument
from engine.model.types import Model

_SCAN_BYTES = 50 << 20
_DESCRIBED_ENTRY = re.compile(rb"<(?:\w+:)?inputEntry\b[^>]*>\s*<(?:\w+:)?description\b")
_DASHES = ("–", "-", "—", "")


def is_dak_dmn(path: str | Path) -> bool:
    """Whether the ``.dmn`` file holds DAK pseudo-code: input entries with a description."""
    try:
        with open(path, "rb") as handle:
            return bool(_DESCRIBED_ENTRY.search(handle.read(_SCAN_BYTES)))
    except OSError:
        return False


def load_dak_dmn(path: str | Path, dictionary: str | Path | None = None, hit_policy: str | None = None,
                 recover: bool = False) -> Model:
    return read_dak_dmn(path, dictionary, hit_policy, recover)[1]


def read_dak_dmn(path: str | Path, dictionary: str | Path | None = None, hit_policy: str | None = None,
                 recover: bool = False) -> tuple[DakDocument, Model]:
    from engine._core.errors import WorkbookError
    from engine.formats.dak.reader import build_dak_model
    from engine.formats.dmn.read import DmnDocument, parse_dmn

    checked = DmnDocument(str(path))
    root = parse_dmn(Path(path), checked)
    if root is None:
        raise WorkbookError(checked.problems)
    document = DakDocument(str(path), stated_policy=hit_policy is not None)
    blocks = [_block(decision, table) for decision in _all(root, "decision")
              for table in _all(decision, "decisionTable")]
    about = {"Title": root.get("label") or root.get("name") or Path(path).name,
             "Source": f"WHO SMART Guidelines DAK {Path(path).name}"}
    return build_dak_model(document, blocks, dictionary, hit_policy, recover, about)


def _local(element: Any) -> str:
    return str(element.tag).rpartition("}")[2]


def _all(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child) == name]


def _text(element: Any, child: str) -> str:
    found = _all(element, child)
    return " ".join((found[0].text or "").split()) if found else ""


def _entry(element: Any) -> str:
    """An input entry's pseudo-code: its description, else its text."""
    described = _text(element, "description")
    return described if described else _text(element, "text")


def _block(decision: Any, table: Any) -> DakBlock:
    label = decision.get("label") or decision.get("name") or decision.get("id", "")
    where = f'decision "{label}" (id {decision.get("id", "")})'
    inputs = _all(table, "input")
    columns = []
    for number, clause in enumerate(inputs, start=1):
        name = clause.get("label") or clause.get("name") or f"input {number}"
        expression = next((_text(e, "text") for e in _all(clause, "inputExpression")), "")
        columns.append(DakColumn("input", number, name, f'input {number} "{name}"', name,
                                 expression if expression and expression != name else ""))
    rules = _all(table, "rule")
    declared = _all(table, "output")
    count = max((len(_all(r, "outputEntry")) for r in rules), default=0)
    for number in range(count):
        name = (declared[number].get("label") or declared[number].get("name") or "") if number < len(declared) else ""
        columns.append(DakColumn("output", len(inputs) + number + 1, name, f"output {number + 1}", name))
    notes = max((len(_all(r, "annotationEntry")) for r in rules), default=0)
    for number in range(notes):
        index = count + number
        name = (declared[index].get("label") or "") if index < len(declared) else ""
        columns.append(DakColumn("annotation", len(inputs) + index + 1, name, f"annotation {number + 1}", name))
    found = []
    for number, rule in enumerate(rules, start=1):
        place = f"rule {number} (id {rule.get('id', '')})"
        cells: list[DakCell | None] = []
        for kind, entries in (("inputEntry", _all(rule, "inputEntry")), ("outputEntry", _all(rule, "outputEntry")),
                              ("annotationEntry", _all(rule, "annotationEntry"))):
            width = {"inputEntry": len(inputs), "outputEntry": count, "annotationEntry": notes}[kind]
            for position in range(width):
                entry = entries[position] if position < len(entries) else None
                text = "" if entry is None else (_entry(entry) if kind == "inputEntry" else _text(entry, "text"))
                if text in _DASHES and kind != "inputEntry":
                    text = ""
                cells.append(DakCell(text, f"{place}, {kind} {position + 1}") if text else None)
        found.append(DakRule(number, tuple(cells), place, place))
    title = _text(decision, "question")
    return DakBlock(where, decision.get("id", ""), title, "decisionTable", "", "", tuple(columns), tuple(found))
