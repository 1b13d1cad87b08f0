"""The data elements a DAK's tables test, as the ``Inputs`` sheet of a dtrun workbook.

Owns what an input is made of (``docs/dak.md``): its name (the label with the characters a
name cannot hold turned into ``_``), its type (the data dictionary's, else what the cells
test), its allowed values (a Coding element's options: each option's label and its shorter
value, which match each other), its unit (one unit per element: an element written in days
and years across rows is converted to the smallest), and the other names a patient file may
head its column with (the label, the Data Element ID).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import fields, replace
from typing import Any

from engine._core.cells import cell_ref
from engine.feel.dak import unit_key
from engine.feel.syntax import Comparison, Interval, Literal, UnaryTests, identifier
from engine.feel.unparse import literal
from engine.formats.dak.condition import ElementTest
from engine.formats.dak.dictionary import LIST_TYPE, Dictionary, dtrun_type
from engine.formats.dak.document import DakDocument
from engine.formats.xlsx.layout import INPUT_HEADINGS

SCALES = ({"day": 1, "week": 7, "month": 365.25 / 12, "year": 365.25},  # a unit's size, per kind
          {"µg": 0.001, "mg": 1, "g": 1000})
_NOT_VALUES = {"", "yes/no", "n/a"}


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3`` … if taken; the name chosen is taken."""
    import itertools

    chosen = name
    for number in itertools.count(2):
        if chosen not in taken:
            break
        chosen = f"{name}_{number}"
    taken.add(chosen)
    return chosen


class Inputs:
    """The data elements the tables test, as the Inputs sheet's rows."""

    def __init__(self, document: DakDocument, dictionary: Dictionary | None, list_inputs: bool) -> None:
        self.document, self.dictionary, self.list_inputs = document, dictionary, list_inputs
        self.names: dict[str, str] = {}  # element → input name
        self.kinds: dict[str, set[str]] = {}  # element → kinds of literals its cells test
        self.units: dict[str, Counter[str]] = {}
        self.first: dict[str, tuple[str, str]] = {}  # element → its first DAK cell
        self.written_in: dict[str, set[str]] = {}  # element → the units its cells write (unit_key)

    def scale(self, element: str, unit: str | None) -> tuple[float, str] | None:
        """(factor, common unit) when the element is written in several units of one kind
        (days and years): its numbers are converted to the smallest (``docs/dak.md``)."""
        units = self.written_in.get(element, set())
        if len(units) < 2 or not unit:
            return None
        for table in SCALES:
            if units <= set(table):
                common = min(units, key=lambda u: table[u])
                return table[unit_key(unit)] / table[common], common
        return None

    def name(self, element: str) -> str:
        if element not in self.names:
            self.names[element] = unique(identifier(element), set(self.names.values()))
        return self.names[element]

    def element(self, element: str) -> Any:
        return self.dictionary.elements.get(element) if self.dictionary else None

    def equivalents(self, element: str) -> dict[str, tuple[str, ...]]:
        """Each option label and value of a Coding element → the texts that mean it."""
        found = self.element(element)
        if found is None:
            return {}
        same: dict[str, tuple[str, ...]] = {}
        for option in found.options:
            names = tuple(dict.fromkeys(t for t in (option.label, option.value) if t.lower() not in _NOT_VALUES))
            for text in names:
                same[text] = names
        return same

    def seen(self, element: str, test: ElementTest, where: tuple[str, str]) -> None:
        self.first.setdefault(element, where)
        kinds = self.kinds.setdefault(element, set())
        for node in test.tests.tests:
            ends = [node.endpoint] if isinstance(node, Comparison) else [node.low, node.high]
            for end in ends:
                if isinstance(end, Literal) and end.value is not None:
                    kinds.add(type(end.value).__name__)
        if test.unit:
            self.units.setdefault(element, Counter())[test.unit] += 1

    def type_of(self, element: str) -> str:
        found = self.element(element)
        if found is not None and found.data_type:
            return dtrun_type(found, self.list_inputs)
        kinds = self.kinds.get(element, set())
        if kinds == {"bool"}:
            return "boolean"
        if kinds and kinds <= {"int", "float"}:
            return "number"
        if kinds == {"date"}:
            return "date"
        return "string"

    def write(self, document: DakDocument) -> None:
        rows: list[list[Any]] = [list(INPUT_HEADINGS)]
        for number, (element, name) in enumerate(self.names.items(), start=2):
            found = self.element(element)
            kind = self.type_of(element)
            allowed = ""
            options = self.equivalents(element)
            if options and kind in ("string", LIST_TYPE):
                allowed = ",".join(literal(t) for t in options)
            unit = self.units[element].most_common(1)[0][0] if element in self.units else (found.unit if found else "")
            conversion = self.scale(element, unit)
            unit = (conversion[1] + "s" if conversion[1] in SCALES[0] else conversion[1]) if conversion else unit
            rows.append([name, kind, allowed, "no", unit, found.id if found else "",
                         found.description if found else ""])
            where = self.first.get(element, ("", ""))
            for column in range(1, len(INPUT_HEADINGS) + 1):
                document.places[("Inputs", cell_ref(number, column))] = where
            if name != element:
                document.names[name] = element
            document.aliases[name] = tuple(a for a in (element, found.id if found else "") if a and a != name)
        document.sheets["Inputs"] = rows
        document.places[("Inputs", "")] = ("data elements", "")


def scaled(node: Any, factor: float) -> Any:
    """``node`` with every number multiplied by ``factor`` (a whole number stays whole where it can)."""
    if isinstance(node, Literal) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        value = node.value * factor
        return replace(node, value=int(value) if float(value).is_integer() else round(value, 6))
    if isinstance(node, (Comparison, Interval, UnaryTests)):
        return replace(node, **{f.name: scaled(getattr(node, f.name), factor) for f in fields(node)})
    if isinstance(node, tuple):
        return tuple(scaled(item, factor) for item in node)
    return node
