"""The reference evaluator of a whole DMN decision requirements graph: one set of input
values through the decisions, business knowledge models and decision services of a model
(and of the models it imports).

    >>> result = evaluate_drg(read_drg("model.dmn"), {"Age": Decimal(40)})   # doctest: +SKIP
    >>> result.values["Risk"], result.errors

Owns the order and the scope of evaluation: a decision is evaluated when first needed (so in
the order of its requirements), once, its value coerced to its typeRef; a BKM is a FEEL
function closed over its model; a decision service is a function of its input data and input
decisions (and can be evaluated directly, ``evaluate_service``); an imported model is a
context named by its import.  A decision whose evaluation fails is null and has its error,
naming it; the others go on.  The boxed expressions' meaning is in ``drg_boxed``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.evaluation import drg_boxed
from engine.feel import semantics
from engine.feel.interpret import TYPES
from engine.model.drg import Drg, Knowledge, Service
from engine.model.drg_types import coerce, returns, types_for_instance_of


@dataclass(frozen=True)
class DrgResult:
    """Every decision's value (by name) and the errors, each naming its decision."""

    values: dict[str, Any]
    errors: tuple[str, ...]
    unsupported: tuple[str, ...] = ()  # the errors that are constructs dtrun cannot run

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


class Run:
    """What one evaluation shares across models and services: the errors and where they are."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.unsupported: list[str] = []
        self.stack: list[str] = []

    def fail(self, message: str, unsupported: bool = False) -> None:
        where = f'decision "{self.stack[-1]}": ' if self.stack and not message.startswith("decision ") else ""
        text = where + message
        if text not in self.errors:
            self.errors.append(text)
        if unsupported and text not in self.unsupported:
            self.unsupported.append(text)


class Session(Mapping[str, Any]):
    """The names of one model in one evaluation, as a FEEL scope: input data, decisions
    (evaluated on first use), BKMs and services (functions), imports (contexts)."""

    def __init__(self, graph: Drg, inputs: Mapping[str, Any], run: Run,
                 overrides: Mapping[str, Any] | None = None) -> None:
        self.graph, self.run = graph, run
        qualified = {key: value for key, value in inputs.items() if key.startswith("{")}
        mine = {key[len(graph.namespace) + 2:]: value for key, value in qualified.items()
                if key.startswith("{" + graph.namespace + "}")}
        self.inputs = {name: self._input(name, value) for name, value in {**inputs, **mine}.items()
                       if name in graph.inputs}
        self.overrides = dict(overrides or {})
        self.values: dict[str, Any] = {}
        self.active: set[str] = set()
        self.imports = {prefix: Session(model, {**_mapping(inputs.get(prefix)), **qualified} if prefix else inputs,
                                        run) for prefix, model in graph.imports.items()}
        self.types = types_for_instance_of(graph)
        self.functions: dict[str, Any] = {}

    def _input(self, name: str, value: Any) -> Any:
        value = semantics.feel_value(value)
        coerced, fits = coerce(value, self.graph.inputs[name].type_ref, self.graph)
        if not fits:
            self.run.fail(f'input data "{name}": the value {semantics.to_text(value)} is not a '
                          f'{self.graph.inputs[name].type_ref}; it is taken as null')
        return coerced

    # ------------------------------------------------------------------ Mapping
    def _names(self) -> list[str]:
        unnamed = [s for p, s in self.imports.items() if not p]
        return [*self.graph.inputs, *self.graph.decisions, *self.graph.knowledge, *self.graph.services,
                *(p for p in self.imports if p), *(n for s in unnamed for n in s._names())]

    def __contains__(self, name: object) -> bool:
        if name == TYPES:
            return True
        if not isinstance(name, str):
            return False
        return self.graph.element(name) is not None or (name in self.imports and bool(name)) or any(
            name in s for p, s in self.imports.items() if not p)

    def __getitem__(self, name: str) -> Any:
        if name == TYPES:
            return self.types
        graph = self.graph
        if name in graph.decisions:
            return self.decision(name)
        if name in graph.inputs:
            return self.inputs.get(name)
        if name in graph.knowledge or name in graph.services:
            if name not in self.functions:
                element = graph.knowledge.get(name) or graph.services[name]
                self.functions[name] = (self._bkm(element) if isinstance(element, Knowledge)
                                        else ServiceFunction(self, element))
            return self.functions[name]
        if name in self.imports and name:
            return ImportContext(self.imports[name])
        for prefix, session in self.imports.items():
            if not prefix and name in session:
                return session[name]
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    # ------------------------------------------------------------------ elements
    def decision(self, name: str) -> Any:
        if name in self.overrides:
            return self.overrides[name]
        if name in self.values:
            return self.values[name]
        if name in self.active:
            self.run.fail(f'decision "{name}" requires itself (a cycle of requirements)')
            return None
        decision = self.graph.decisions[name]
        self.active.add(name)
        self.run.stack.append(name)
        try:
            value = drg_boxed.value(decision.expression, self, self)
            value, fits = coerce(value, decision.type_ref, self.graph)
            if not fits:
                self.run.fail(f"its value does not conform to its type {decision.type_ref}: the result is null")
        except (semantics.FeelError, RecursionError) as error:
            self.run.fail(str(error) or "the evaluation went too deep")
            value = None
        except drg_boxed.CannotRun as error:
            self.run.fail(str(error), unsupported=True)
            value = None
        finally:
            self.run.stack.pop()
            self.active.discard(name)
        self.values[name] = value
        return value

    def _bkm(self, knowledge: Knowledge) -> Any:
        function = drg_boxed.value(knowledge.function, self, self)
        if isinstance(function, drg_boxed.BoxedFunction):
            function.label = f'business knowledge model "{knowledge.name}"'
            function.result_type = knowledge.type_ref if knowledge.type_ref != knowledge.name else ""
        return function


class ImportContext(dict):  # type: ignore[type-arg]
    """An imported model seen as a context (``myimport.Say Hello``): entries looked up on use."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def get(self, key: str, default: Any = None) -> Any:
        return self.session[key] if key in self.session else default

    def __contains__(self, key: object) -> bool:
        return key in self.session

    def __getitem__(self, key: str) -> Any:
        return self.session[key]


class ServiceFunction(semantics.Function):
    """A decision service as a function: its input data, then its input decisions, as parameters."""

    def __init__(self, session: Session, service: Service) -> None:
        self.session, self.service = session, service
        self.parameters = [*service.input_data, *service.input_decisions]

    def call(self, args: Sequence[Any], names: Sequence[str] = ()) -> Any:
        if names:
            if not set(names) <= set(self.parameters):
                self.session.run.fail(f'decision service "{self.service.name}" has no parameter '
                                      f'{sorted(set(names) - set(self.parameters))[0]}')
                return None
            given = dict(zip(names, args))
        else:
            if len(args) != len(self.parameters):
                self.session.run.fail(f'decision service "{self.service.name}" takes {len(self.parameters)} '
                                      f'arguments, not {len(args)}')
                return None
            given = dict(zip(self.parameters, args))
        graph = self.session.graph
        for name, argument in given.items():  # as a function: an argument of another type gives null
            element = graph.element(name)
            if element is not None and not coerce(semantics.feel_value(argument), element.type_ref, graph)[1]:
                self.session.run.fail(f'decision service "{self.service.name}": the argument {name} is not a '
                                      f"{element.type_ref}: the result is null")
                return None
        values = service_values(graph, self.service, given, self.session.run)
        if len(self.service.outputs) == 1:
            return values[self.service.outputs[0]]
        return values


def service_values(graph: Drg, service: Service, given: Mapping[str, Any], run: Run) -> dict[str, Any]:
    """The output decisions of ``service`` for the parameters ``given`` (by name; others null)."""
    overrides = {}
    for name in service.input_decisions:
        decision = graph.decisions.get(name)
        value = semantics.feel_value(given.get(name))
        if decision is not None:
            value, fits = coerce(value, decision.type_ref, graph)
            if not fits:
                run.fail(f'decision service "{service.name}": the value of input decision "{name}" is not a '
                         f"{decision.type_ref}; it is taken as null")
        overrides[name] = value
    inputs = {name: given.get(name) for name in service.input_data}
    session = Session(graph, inputs, run, overrides)
    values = {name: session.decision(name) if name in graph.decisions else None for name in service.outputs}
    output_type = returns(graph, service.type_ref)
    if output_type and len(values) == 1:
        name = service.outputs[0]
        values[name], fits = coerce(values[name], output_type, graph)
        if not fits:
            run.fail(f'decision service "{service.name}": the value of "{name}" is not a {output_type}; it is null')
    return values


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


# ---------------------------------------------------------------------- API
def evaluate_drg(graph: Drg, inputs: Mapping[str, Any], decisions: Sequence[str] | None = None) -> DrgResult:
    """Every decision of ``graph`` (or those named) for ``inputs`` (input data name → value;
    an import's inputs as a context under the import's name, or as ``{namespace}name``)."""
    run = Run()
    session = Session(graph, inputs, run)
    names = list(decisions) if decisions is not None else list(graph.decisions)
    values = {}
    for name in names:
        if name in graph.decisions:
            values[name] = session.decision(name)
        elif name in session:
            values[name] = session[name]
        else:
            run.fail(f'the model has no decision "{name}"')
            values[name] = None
    return DrgResult(values, tuple(run.errors), tuple(run.unsupported))


def evaluate_service(graph: Drg, name: str, inputs: Mapping[str, Any]) -> DrgResult:
    """Decision service ``name`` evaluated directly: its input data and input decisions from
    ``inputs`` (others null); the values of its output decisions."""
    run = Run()
    service = graph.services.get(name)
    if service is None:
        return DrgResult({}, (f'the model has no decision service "{name}"',))
    values = service_values(graph, service, inputs, run)
    return DrgResult(values, tuple(run.errors), tuple(run.unsupported))
