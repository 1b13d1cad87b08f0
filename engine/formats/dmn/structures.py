"""Structured input data in DMN: an inputData whose type is an itemDefinition with
itemComponents (``applicant`` of type ``tApplicant``: ``age``, ``sex``), read by input
expressions that are paths (``applicant.age``).

Owns both directions.  Import: such an inputData becomes the ``Inputs`` rows of a workbook's
structured input (a ``structure`` row, then one row per component, ``applicant.age``), each
cell placed at the inputData or its itemComponent, and the paths renamed to the components'
names; a component that is itself a structure, or a collection of structures, is refused by
the caller as before.  Export: a model's structure as one itemDefinition with an
itemComponent per component (its Required, unit and code in a ``dtrun:input`` extension) and
one inputData (``engine.formats.dmn.export``).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement

from engine._core.cells import cell_ref
from engine.feel.syntax import IDENTIFIER, identifier
from engine.formats.dmn.names import DTRUN_NAMESPACE, local_name, namespace_of, plain_type
from engine.formats.xlsx.layout import INPUT_HEADINGS
from engine.model.types import STRUCTURE


def components(reader: Any, element: Any) -> list[Any] | None:
    """The itemComponents of an inputData's type, when it is a structure (not a collection)."""
    variables = reader.children(element, "variable")
    type_ref = (variables[0].get("typeRef") if variables else None) or element.get("typeRef")
    item = reader.items.get(plain_type(type_ref))
    if item is None or item.get("isCollection") == "true":
        return None
    return reader.children(item, "itemComponent") or None


def name_components(reader: Any, element: Any, parts: list[Any]) -> None:
    """The DMN paths ``applicant.age`` (and ``applicant.monthly income``) given their dtrun
    names ``applicant.age`` (``applicant.monthly_income``), for the renaming of expressions."""
    dmn, ours = element.get("name", ""), reader.doc.inputs[element.get("name", "")]
    for part in parts:
        name = part.get("name", "")
        reader.doc.inputs[f"{dmn}.{name}"] = f"{ours}.{name if IDENTIFIER.fullmatch(name) else identifier(name)}"


def structure_rows(reader: Any, element: Any, parts: list[Any], first: int, where: str) -> list[list[Any]]:
    """The Inputs rows of a structured inputData from row ``first``: the structure, then its
    components, each cell placed at the inputData or the itemComponent."""
    dmn, ours = element.get("name", ""), reader.doc.inputs[element.get("name", "")]
    extra = _extension(reader, element)
    required = extra.get("required") == "true" if extra is not None else False
    rows = [[ours, STRUCTURE, None, "yes" if required else "no", None, None, reader.description(element)]]
    _place(reader, first, where, "")
    for number, part in enumerate(parts, start=first + 1):
        name = part.get("name", "")
        _place(reader, number, where, f'itemComponent "{name}"')
        kind, allowed = reader.resolve_type(reader.text(part, "typeRef") or part.get("typeRef"), element)
        if reader.children(part, "allowedValues"):
            allowed = reader.renamed(reader.text(reader.children(part, "allowedValues")[0])) or allowed
        own = _extension(reader, part)
        given = own.attrib if own is not None else {}
        rows.append([reader.doc.inputs[f"{dmn}.{name}"], given.get("type") or kind or "",
                     allowed or None, "yes" if given.get("required") == "true" else "no", given.get("unit"),
                     given.get("code"),
                     reader.description(part)])
    return rows


def _place(reader: Any, row: int, where: str, part: str) -> None:
    for column in range(1, len(INPUT_HEADINGS) + 1):
        what = {1: "", 2: "typeRef"}.get(column, INPUT_HEADINGS[column - 1].lower())
        reader.doc.places[("Inputs", cell_ref(row, column))] = (where, ", ".join(p for p in (part, what) if p))


def _extension(reader: Any, element: Any) -> Any:
    return next((e for x in reader.children(element, "extensionElements") for e in x
                 if namespace_of(e) == DTRUN_NAMESPACE and local_name(e) == "input"), None)


# ---------------------------------------------------------------------- export
def structure_items(writer: Any, root: Element, structure: Any) -> None:
    """A structure's itemDefinition, its components' own types written before it."""
    model = writer.model
    for component in structure.components:
        if model.inputs[component].expression is None:
            writer.item_definition(root, model.inputs[component])
    type_name = f"t_{structure.name}"
    item = SubElement(root, "itemDefinition", {"id": writer.ids.id(f"itemDefinition_{structure.name}"),
                                               "name": type_name})
    for component in structure.components:
        definition = model.inputs[component]
        if definition.expression is not None:  # computed: written as its input clauses' inputExpression
            continue
        part = SubElement(item, "itemComponent", {"id": writer.ids.id(f"itemComponent_{component}"),
                                                  "name": writer.dmn_name(component).split(".", 1)[1]})
        if definition.description:
            SubElement(part, "description").text = definition.description
        extra = {"type": definition.type, "required": "true" if component in structure.component_required else None,
                 "unit": definition.unit or None, "code": definition.code or None}
        SubElement(SubElement(part, "extensionElements"), "dtrun:input", {k: v for k, v in extra.items() if v})
        SubElement(part, "typeRef").text = writer.type_name(definition)


def structure_input(writer: Any, root: Element, structure: Any) -> None:
    """A structure's inputData, of the type ``structure_items`` wrote."""
    type_name = f"t_{structure.name}"
    name = _dmn_name(writer, structure)
    element = SubElement(root, "inputData", {"id": writer.element_ids[structure.name], "name": name})
    if structure.description:
        SubElement(element, "description").text = structure.description
    SubElement(SubElement(element, "extensionElements"), "dtrun:input",
               {"type": STRUCTURE, "required": "true" if structure.required else "false"})
    SubElement(element, "variable", {"id": writer.ids.id(f"variable_{structure.name}"),
                                     "name": name, "typeRef": type_name})


def _dmn_name(writer: Any, structure: Any) -> str:
    """The structure's name as the paths of its components' DMN names write it."""
    first = writer.dmn_name(structure.components[0]) if structure.components else structure.name
    return first.split(".", 1)[0] if "." in first else structure.name
