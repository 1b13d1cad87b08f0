"""A DMN file → the decision requirements graph of ``engine.model.drg`` (the DRG evaluator's
model), with the DMN files it imports.

Owns the reading of a whole model: item definitions (types, components, allowed values,
collections), input data, decisions, business knowledge models, decision services and
``import`` elements, resolved by namespace against the other ``.dmn`` files beside the model.
The XML is read by ``engine.formats.dmn.read.parse_dmn`` (defusedxml); the boxed expressions by
``engine.formats.dmn.drg_boxed``.  What cannot be read is collected in ``Drg.problems``, each
naming the decision or element; the element's expression is then a ``Broken`` node.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine._core.errors import WorkbookError
from engine.formats.dmn.drg_boxed import Reader, child, children, local, type_ref
from engine.formats.dmn.read import DmnDocument, parse_dmn
from engine.model import boxed
from engine.model.drg import Decision, Drg, InputData, ItemDefinition, Knowledge, Service

MAX_IMPORT_DEPTH = 8


def read_drg(path: str | Path) -> Drg:
    """The DRG of the DMN file ``path`` (raises ``WorkbookError`` if it is no readable DMN model)."""
    return _read(Path(path), 0)


def item_definitions(root: Any) -> dict[str, ItemDefinition]:
    """The item definitions of a ``definitions`` element, by name (the DMN import's tables
    type their outputs with them: ``engine.formats.dmn.typed``)."""
    reader = Reader(())
    return {item.name: item for item in (_item(e, reader) for e in children(root, "itemDefinition"))}


def _root(path: Path) -> Any:
    document = DmnDocument(str(path))
    root = parse_dmn(path, document)
    if root is None:
        raise WorkbookError(document.problems)
    return root


def _read(path: Path, depth: int) -> Drg:
    root = _root(path)
    problems: list[str] = []
    imports = {}
    for element in children(root, "import"):
        name, namespace = element.get("name", ""), element.get("namespace", "")
        if "dmn" not in (element.get("importType") or "").lower() and "MODEL" not in (element.get("importType") or ""):
            problems.append(f'import "{name}": only DMN models can be imported (importType '
                            f'{element.get("importType")!r})')
            continue
        found = _by_namespace(path, namespace) if depth < MAX_IMPORT_DEPTH else None
        if found is None:
            problems.append(f'import "{name}": no .dmn file beside {path.name} has the namespace {namespace!r}')
            continue
        imports[name] = _read(found, depth + 1)
    names = _names(root, imports)
    reader = Reader(names)
    ids = _ids(root)
    graph = Drg(str(path), root.get("name", path.stem), root.get("namespace", ""), imports=imports)
    for element in children(root, "itemDefinition"):
        item = _item(element, reader)
        graph.types[item.name] = item
    for element in root:
        kind, name, eid = local(element), element.get("name", ""), element.get("id", "")
        variable = child(element, "variable")
        ref = type_ref(variable.get("typeRef")) if variable is not None else ""
        if kind == "inputData":
            graph.inputs[name] = InputData(eid, name, ref)
        elif kind == "decision":
            requires = tuple(_href(r, ids) for req in children(element, "informationRequirement") for r in req)
            knowledge = tuple(_href(r, ids) for req in children(element, "knowledgeRequirement") for r in req)
            logic = reader.logic(element)
            if logic is None:
                problems.append(f'decision "{name}" (id {eid}) has no logic (no boxed expression)')
            graph.decisions[name] = Decision(eid, name, ref, logic, requires, knowledge)
        elif kind == "businessKnowledgeModel":
            logic = child(element, "encapsulatedLogic")
            function = reader.expression(_as_function(logic)) if logic is not None else boxed.Broken(
                f'business knowledge model "{name}" has no encapsulatedLogic', boxed.Place("encapsulatedLogic"))
            knowledge = tuple(_href(r, ids) for req in children(element, "knowledgeRequirement") for r in req)
            graph.knowledge[name] = Knowledge(eid, name, ref, function, knowledge)
        elif kind == "decisionService":
            refs = {part: tuple(_href(r, ids) for r in children(element, part))
                    for part in ("outputDecision", "encapsulatedDecision", "inputDecision", "inputData")}
            graph.services[name] = Service(eid, name, ref, refs["outputDecision"], refs["encapsulatedDecision"],
                                           refs["inputDecision"], refs["inputData"])
    problems += _broken(graph)
    return Drg(graph.path, graph.name, graph.namespace, graph.types, graph.inputs, graph.decisions, graph.knowledge,
               graph.services, imports, tuple(problems))


def _as_function(logic: Any) -> Any:
    """``encapsulatedLogic`` is itself a functionDefinition (DMN 1.1 to 1.5): read as one."""
    copy = logic.makeelement(logic.tag.replace("encapsulatedLogic", "functionDefinition"), dict(logic.attrib))
    copy.extend(list(logic))
    return copy


def _by_namespace(path: Path, namespace: str) -> Path | None:
    for candidate in sorted(path.parent.glob("*.dmn")):
        if candidate.resolve() == path.resolve():
            continue
        try:
            root = _root(candidate)
        except WorkbookError:
            continue
        if root.get("namespace") == namespace:
            return candidate
    return None


def _ids(root: Any) -> dict[str, str]:
    return {e.get("id"): e.get("name", "") for e in root if e.get("id")}


def _href(element: Any, ids: dict[str, str]) -> str:
    """The name of the element an ``href`` points at (``#id``, or ``namespace#id`` of an import)."""
    href = element.get("href", "")
    namespace, _, target = href.rpartition("#")
    return ids.get(target, target) if not namespace else f"{namespace}#{target}"


def _names(root: Any, imports: dict[str, Drg]) -> set[str]:
    """Every name the model's FEEL texts may use (with spaces: read as one name where whole)."""
    names = {e.get(attribute) for e in root.iter() for attribute in ("name", "iteratorVariable") if e.get(attribute)}
    for prefix, model in imports.items():
        for table in (model.inputs, model.decisions, model.knowledge, model.services, model.types):
            names |= {f"{prefix}.{name}" if prefix else name for name in table}
    from engine.feel import builtins

    return {n for n in names if isinstance(n, str) and builtins.lookup(n) is None}  # met by(...): the function


def _item(element: Any, reader: Reader) -> ItemDefinition:
    allowed = child(element, "allowedValues") if child(element, "allowedValues") is not None else \
        child(element, "typeConstraint")
    text = child(allowed, "text").text if allowed is not None and child(allowed, "text") is not None else ""
    tests = reader.tests(text or "", boxed.Place("allowedValues", allowed.get("id", ""))) if text else None
    ref = child(element, "typeRef")
    components = tuple(_item(c, reader) for c in children(element, "itemComponent"))
    return ItemDefinition(element.get("name", ""), type_ref(ref.text if ref is not None else element.get("typeRef")),
                          element.get("isCollection") == "true", components,
                          None if isinstance(tests, boxed.Broken) else tests,
                          child(element, "functionItem") is not None,
                          type_ref(child(element, "functionItem").get("outputTypeRef"))
                          if child(element, "functionItem") is not None else "")


def _broken(graph: Drg) -> list[str]:
    """Every Broken node's reason, naming its decision or BKM."""
    found = []
    for owner, expression in [(f'decision "{d.name}"', d.expression) for d in graph.decisions.values()] + \
            [(f'business knowledge model "{k.name}"', k.function) for k in graph.knowledge.values()]:
        for node in _walk(expression):
            if isinstance(node, boxed.Broken):
                found.append(f"{owner}: {node.reason}")
    return found


def _walk(node: Any) -> Any:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, boxed.Broken):
            yield item
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
        elif type(item).__module__ == boxed.__name__:
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__)
