"""The decision model: frozen dataclasses for inputs, tables, columns and rules.

A :class:`Model` is what ``load_workbook`` returns: the data dictionary (``Inputs``), the
``About`` metadata and the decision tables in evaluation (topological) order, every cell
already compiled.  Every piece knows where it came from (workbook, sheet, cell), so that
evaluation errors and lint findings can point at it.  Evaluation lives in
``engine.evaluation`` (``engine.evaluate`` and ``engine.evaluate_frame`` in the API).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine._core.errors import Location, Problem
from engine.feel.conditions import CompiledExpression, CompiledUnaryTests
from engine.model.computed import Computed
from engine.model.hit_policy import HitPolicy
from engine.model.source import Source

PLAIN_TYPES = ("number", "integer", "string", "boolean", "date")  # the types a list may hold
# FEEL's other temporal types (DMN 1.5 §10.3.2.3): values of engine.feel.temporal, ordered
TEMPORAL_TYPES = ("date and time", "time", "days and time duration", "years and months duration")
INPUT_TYPES = PLAIN_TYPES + TEMPORAL_TYPES
LIST_OF = "list of "  # a list-valued input: "list of string", "list of number", ...
TYPE_SPELLINGS = INPUT_TYPES + tuple(LIST_OF + kind for kind in PLAIN_TYPES)


def type_name(text: str) -> str:
    """A Type cell's text as a type: lower case, spaces made single (``List  of String``:
    ``list of string``); unknown types come back as written, lower case."""
    return " ".join(str(text).lower().split())


def is_list(kind: str) -> bool:
    """Whether an input of type ``kind`` holds lists (``list of string``; not ``list of strings``,
    a type that cannot be read)."""
    return kind.startswith(LIST_OF) and kind[len(LIST_OF):] in PLAIN_TYPES


def element_type(kind: str) -> str:
    """The type of one value: the elements' type of a list type, else the type itself."""
    return kind[len(LIST_OF):] if is_list(kind) else kind


def known_type(kind: str) -> bool:
    return kind in TYPE_SPELLINGS


@dataclass(frozen=True)
class InputDef:
    """One row of the ``Inputs`` sheet."""

    name: str
    type: str  # one of TYPE_SPELLINGS: INPUT_TYPES, or "list of " one of PLAIN_TYPES
    allowed: CompiledUnaryTests | None
    required: bool
    location: Location
    unit: str = ""
    code: str = ""
    description: str = ""
    unread: tuple[str, ...] = ()  # its Type or Allowed values cell, when it could not be read (Model.problems)
    expression: Computed | None = None  # a computed input: its value from other inputs (engine.model.computed)
    expression_cell: str = ""  # where the expression is written (Inputs!F3, or a DMN inputExpression)


STRUCTURE = "structure"  # an Inputs row grouping the components named <structure>.<component> below it


@dataclass(frozen=True)
class Structure:
    """A structured input (Type ``structure``): its components are inputs of their own, named
    ``<name>.<component>`` (``applicant.age``); ``required``: a record must give the structure
    (a value for at least one component); a required component must have a value whenever
    the structure is given (``engine.model.structures``)."""

    name: str
    required: bool
    location: Location
    components: tuple[str, ...]  # the component inputs' full names, in sheet order
    description: str = ""
    component_required: tuple[str, ...] = ()  # the components whose own Required is yes


@dataclass(frozen=True)
class InputColumn:
    """An input column of a table: ``name`` is the input it reads (``table.output`` for an
    upstream output); ``allowed`` narrows its allowed values for this table (row 3);
    ``required``: this table needs a value even where the input may be missing (a DMN
    input clause whose inputValues do not allow null)."""

    heading: str
    name: str
    column: str  # spreadsheet column letter
    allowed: CompiledUnaryTests | None = None
    allowed_text: str = ""
    required: bool = False


@dataclass(frozen=True)
class OutputColumn:
    """An output column: ``values`` lists the allowed output values in priority order;
    ``default`` is its value when no rule matches (a DMN model's defaultOutputEntry)."""

    name: str
    column: str
    values: tuple[Any, ...] = ()
    allowed: CompiledUnaryTests | None = None
    allowed_text: str = ""
    default: CompiledExpression | None = None


@dataclass(frozen=True)
class AnnotationColumn:
    name: str
    column: str


@dataclass(frozen=True)
class Rule:
    """A rule; ``broken`` lists its cells that could not be read, as (cell, text as written),
    in a model read with problems (``Model.problems``): such an input cell stands as ``-``
    and such an output cell as ``null``, so that the rule matches at least what it would."""

    id: str
    row: int
    inputs: tuple[CompiledUnaryTests, ...]
    outputs: tuple[CompiledExpression, ...]
    annotations: tuple[str, ...] = ()
    broken: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    hit_policy: HitPolicy
    inputs: tuple[InputColumn, ...]
    outputs: tuple[OutputColumn, ...]
    rules: tuple[Rule, ...]
    location: Location
    annotations: tuple[AnnotationColumn, ...] = ()
    depends_on: tuple[str, ...] = ()  # names of upstream tables
    unread: tuple[str, ...] = ()  # heading, role and allowed-values cells that could not be read (Model.problems)

    @property
    def incomplete(self) -> bool:
        """Some cell of this table could not be read (a model read with problems)."""
        return bool(self.unread) or any(rule.broken for rule in self.rules)

    def qualified(self, output: OutputColumn) -> str:
        return f"{self.name}.{output.name}"

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(self.qualified(o) for o in self.outputs)

    def annotation(self, rule: Rule, name: str) -> str:
        """The text of annotation column ``name`` (case-insensitive) in ``rule``; '' if none."""
        for column, text in zip(self.annotations, rule.annotations):
            if column.name.lower() == name.lower():
                return text
        return ""

    def cell(self, rule: Rule, column: InputColumn | OutputColumn | AnnotationColumn) -> str:
        return f"{column.column}{rule.row}"

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.rules)

    @property
    def priorities(self) -> tuple[tuple[Any, ...], ...]:
        return tuple(o.values for o in self.outputs)

    @property
    def has_defaults(self) -> bool:
        """Every output has a value for records no rule matches."""
        return bool(self.outputs) and all(o.default is not None for o in self.outputs)


@dataclass(frozen=True)
class Model:
    """A loaded, compiled workbook or DMN model.  Positions in it (``Location``, column
    letters, rule rows) are those of the workbook's sheets, or of the sheet grids a DMN model
    is read into; ``source`` names them in the author's terms."""

    workbook: str  # file name as given by the user
    inputs: Mapping[str, InputDef]
    tables: tuple[Table, ...]  # in evaluation order
    source: Source  # the file it was read from, and how messages name its places and things
    about: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)  # plain output name → table.output
    tests: tuple[Any, ...] = ()  # engine.testing.TestCase, from the Tests sheet
    warnings: tuple[Problem, ...] = ()  # the loader's warnings (hidden sheets, rows, columns; macros)
    input_aliases: Mapping[str, str] = field(default_factory=dict)  # input → another column name (its DMN name)
    column_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # input → yet other column names
    # a model read with recovery (engine.formats.read(path, recover=True)): what could not be
    # read, and the table sheets that could not be built; empty for a model fit to evaluate
    problems: tuple[Problem, ...] = ()
    unbuilt: tuple[str, ...] = ()
    # the Waivers sheet (engine.model.waivers.Waiver): findings the authors accept, and the
    # problems of its layout (a missing heading); none for a DMN model
    waivers: tuple[Any, ...] = ()
    waiver_problems: tuple[Problem, ...] = ()
    structures: Mapping[str, Structure] = field(default_factory=dict)  # structured inputs by name

    @property
    def title(self) -> str:
        return self.about.get("Title", "")

    @property
    def version(self) -> str:
        return self.about.get("Version", "")

    @property
    def label(self) -> str:
        """What ``_model`` holds in results: the workbook's name and version."""
        from pathlib import Path

        name = Path(self.workbook).name
        return f"{name}@{self.version}" if self.version else name

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)
