"""The DMN TCK's test files read for the runners (``run_tck.py``, ``run_tck_full.py``): XML
elements by local name, a ``<value>``, ``<component>`` set or ``<list>`` as a FEEL value (from its
``xsi:type``; a value this implementation cannot hold as :class:`Refused`), and the test cases
with typed inputs that ``run_tck.py`` runs (:class:`Case`, :func:`read_cases`).  XML is parsed
with defusedxml.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from engine.feel import semantics, temporal

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


class Refused(Exception):
    """A case dtrun does not run here, and why."""


def local(element: Any) -> str:
    return element.tag.rpartition("}")[2]


def children(element: Any, name: str) -> list[Any]:
    return [c for c in element if local(c) == name]


@dataclass(frozen=True)
class Case:
    """One TCK ``testCase``: input values (typed FEEL values, None for nil) and expected results."""

    id: str
    inputs: dict[str, Any]
    results: dict[str, Any]  # result node (decision) name → expected value, dict or list
    service: str = ""  # the decision service the case invokes (invocableName), if any


def read_cases(path: Path) -> list[Case]:
    """Every ``testCase`` of a TCK test file: its inputs as typed FEEL values (from their
    ``xsi:type``: numbers, texts, booleans, dates, times, dates and times, durations, lists,
    components), its expected results, and the decision service it invokes, if any."""
    from defusedxml.ElementTree import parse

    cases = []
    for case in children(parse(path).getroot(), "testCase"):
        inputs = {_qualified(node): xml_value(node) for node in children(case, "inputNode")}
        results = {node.get("name"): xml_value(children(node, "expected")[0])
                   for node in children(case, "resultNode")}
        service = case.get("invocableName", "") if case.get("type") == "decisionService" else ""
        cases.append(Case(case.get("id", ""), inputs, results, service))
    return cases


def _qualified(node: Any) -> str:
    """An input's name; ``{namespace}name`` for an input of an imported model (TCK 0089)."""
    return (f"{{{node.get('namespace')}}}" if node.get("namespace") else "") + node.get("name")


def xml_value(element: Any) -> Any:
    """A TCK ``<value>``, ``<component>`` set or ``<list>`` as a FEEL value."""
    components = children(element, "component")
    if components:
        return {c.get("name"): xml_value(c) for c in components}
    lists = children(element, "list")
    if lists:
        return [xml_value(item) for item in children(lists[0], "item")]
    values = children(element, "value")
    if values:
        return xml_value(values[0])
    if element.get(f"{XSI}nil") == "true":
        return None
    if local(element) != "value":
        return None
    kind, text = (element.get(f"{XSI}type") or "").split(":")[-1], element.text or ""
    try:
        return _typed(kind, text)
    except temporal.Unsupported as error:
        return Refused(f"the case's value {text.strip()} holds {error}")


def _typed(kind: str, text: str) -> Any:
    if kind in ("decimal", "double", "integer", "int", "long", "float", "short"):
        try:
            return semantics.feel_value(Decimal(text.strip()))
        except InvalidOperation:
            return text.strip()  # NaN, INF: not FEEL numbers
    if kind == "boolean":
        return text.strip() == "true"
    if kind == "date":
        return temporal.parse_date(text.strip())
    if kind == "dateTime":
        return temporal.parse_datetime(text.strip())
    if kind == "time":
        return temporal.parse_time(text.strip())
    if kind == "duration":
        return temporal.parse_duration(text.strip())
    return text
