"""A DMN file as a checked XML tree, and the record of what reading it gives.

Owns the first stage of DMN import: the file is read with defusedxml (no DTDs, no entity
declarations, at most ``MAX_BYTES``) and its root must be a ``definitions`` element of a DMN
1.1 to 1.6 namespace.  Also owns :class:`DmnDocument`, which ``engine.formats.dmn.importer`` fills in
(the sheet grids, the problems, the DMN → dtrun name maps, and where each grid cell came from
in the DMN file, in DMN terms: ``decision "Dish" (id d1)`` / ``rule 2 (id r2), inputEntry 1``),
from which ``engine.formats.dmn.words.DmnSource`` names the model's places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine._core.errors import Problem
from engine.formats.dmn.names import read_version

MAX_BYTES = 50 << 20
Grid = list[list[Any]]


@dataclass
class DmnDocument:
    """What a DMN file gives: the sheets, the problems and warnings found while reading it,
    the DMN → dtrun name maps, and where each sheet cell came from in the DMN file."""

    path: str
    sheets: dict[str, Grid] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    decisions: dict[str, str] = field(default_factory=dict)  # DMN decision name → table name
    outputs: dict[str, dict[str | None, str]] = field(default_factory=dict)  # table → DMN output → output
    inputs: dict[str, str] = field(default_factory=dict)  # DMN inputData name → input name
    places: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (sheet, cell) → DMN
    covered: list[tuple[str, str]] = field(default_factory=list)  # sheet cells whose problem is already told
    rules: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, rule id) → "rule 2 (id r2)"
    texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) → text as in the file
    defaults: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (table, output) → (text, part)
    stated_required: set[str] = field(default_factory=set)  # inputs whose dtrun:input extension says Required
    required_columns: set[tuple[str, int]] = field(default_factory=set)  # (table, input position): no null
    item_types: dict[str, Any] = field(default_factory=dict)  # itemDefinition name → engine.model.drg.ItemDefinition
    declared: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (table, output) → its typeRefs

    def problem(self, code: str, message: str, where: str, hint: str = "", cell: str = "",
                severity: str = "error") -> None:
        target = self.problems if severity == "error" else self.warnings
        target.append(Problem(code, message, self.path, where, cell, hint, severity))


def parse_dmn(path: Path, document: DmnDocument) -> Any:
    """The ``definitions`` element of the DMN file ``path``; None (with a problem in
    ``document``) when the file cannot be read, is not safe XML or is not a DMN model."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        if path.stat().st_size > MAX_BYTES:
            document.problem("dmn", f"the file is larger than {MAX_BYTES >> 20} MB", "",
                             "split the model, or check that this is the right file")
            return None
        root = fromstring(path.read_bytes(), forbid_dtd=True)
    except OSError as error:
        document.problem("dmn", f"cannot read the file ({error.strerror or error})", "", "check the path")
        return None
    except DefusedXmlException:
        document.problem("dmn", "the file declares a DTD or entities, which dtrun refuses (they can make an XML "
                         "reader fetch files or exhaust memory)", "", "save the model again from a DMN modeler")
        return None
    except ParseError as error:
        document.problem("dmn", f"the file is not well-formed XML ({error})", "",
                         "open it in a DMN modeler and save it again")
        return None
    namespace, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if local != "definitions" or read_version(namespace) is None:
        document.problem("dmn", f"the file is not a DMN 1.1 to 1.6 model (root element {root.tag!r})", "",
                         "save the model as DMN 1.3 in your modeler")
        return None
    return root
