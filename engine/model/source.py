"""Where a model came from, and how every message names its places and its things.

A :class:`Source` belongs to each loaded model.  It knows the kind of file (a workbook, a
DMN model), how to name a place in it (``sheet!cell`` in a workbook; a DMN element and a
part of it, ``decision "Dish" (id d1)`` / ``rule 2 (id r2), inputEntry 1``), how to name
its things (inputs, tables, rules, hit policies: a DMN model's own names, ``UNIQUE``) and
the format's :class:`Words`, so that every message is made in the author's terms from the
start.  The base class names everything as the model does (a workbook's sheets, cells,
rule ids and codes); ``engine.formats.dmn.words`` overrides it for DMN.  Each format's
words live in its own package (``engine.formats.xlsx.words``, ``engine.formats.dmn.words``).
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass, fields

from engine.model.hit_policy import HitPolicy


@dataclass(frozen=True)
class Words:
    """The phrases of one file format that messages need; a field with ``{placeholders}`` is
    a template (``Words.say`` fills it in).  tests/model/test_source.py keeps the formats'
    words in step: the same placeholders in every format."""

    kind: str  # "workbook" | "dmn"
    table: str  # a table by name: "table {table}"
    tables: str  # several tables, as a subject: "tables"
    input: str  # an input by name: "input {name}"
    cell: str  # what holds a rule's condition or output: "cell"
    empty_table: str  # "{table} has no rules"-like, with the table named
    empty_table_fix: str
    empty_table_warning: str  # what dtrun evaluate, test and show say of a table without rules
    widen_allowed: str  # where an input's allowed values are widened
    declare_allowed: str  # where an input's allowed values are declared
    add_output_value: str  # where an output value is added to the allowed ones
    upstream_values_fix: str  # where an upstream output's values are listed
    unused_input: str
    unused_input_fix: str
    gap_fix: str  # what to do about records no rule matches
    unknown_input_fix: str  # a column heading that names nothing
    unknown_name_fix: str  # a name in a cell that names nothing
    priority_fix: str  # where the priority order of P and O tables is written
    priority_place: str  # the same, in a phrase: "(row 3)"
    subsumed_rule: str  # {rule} is redundant: {other} gives the same outputs and covers it
    one_output: str  # an aggregation with several outputs: {policy}, {count}
    one_output_fix: str  # {collect}: the name of hit policy C
    retyped: str  # --input-types cells: {name} declared {declared}, its cells test {found}
    retyped_fix: str
    required_here: str  # a table needs a value that its input may lack
    cycle: str  # {cycle}: "a → b → a"
    cycle_fix: str
    own_output: str  # {heading}
    own_output_fix: str
    input_columns: str  # how a patient file names its columns
    no_tests: str  # a model without test cases
    inputs_title: str  # the data dictionary, as a heading
    table_title: str  # a table, as a heading: {table}

    def say(self, field: str, **values: str) -> str:
        """The phrase ``field`` with its placeholders filled in."""
        return getattr(self, field).format(**values)

    @classmethod
    def placeholders(cls, words: Words) -> dict[str, frozenset[str]]:
        """Each field's placeholders (for the test that keeps the formats in step)."""
        return {f.name: frozenset(name for _, name, _, _ in string.Formatter().parse(getattr(words, f.name)) if name)
                for f in fields(cls)}


class Source:
    """A model's file and how messages name what is in it.  This base class names
    everything as the model does (a workbook's sheets, cells, rule ids, hit policy codes)."""

    def __init__(self, path: str, words: Words) -> None:
        self.path, self.words = path, words

    @property
    def kind(self) -> str:
        return self.words.kind

    def place(self, sheet: str, cell: str = "") -> tuple[str, str]:
        """Where a sheet cell of the model came from: (sheet or element, cell or part)."""
        return sheet, cell

    def places(self, sheet: str, cells: Iterable[str]) -> tuple[str, tuple[str, ...]]:
        """Where several cells of one sheet came from: (sheet or element, its parts, each once)."""
        where, parts = self.place(sheet)[0], []
        for cell in cells:
            where, part = self.place(sheet, cell)
            if part and part not in parts:
                parts.append(part)
        return where, tuple(parts)

    def text(self, sheet: str, cell: str, text: str) -> str:
        """A cell's text as the author wrote it (the model may hold it renamed)."""
        return text

    def table_name(self, sheet: str) -> str | None:
        """The decision table a finding about ``sheet`` (a sheet of the model, or the place a
        loader's problem names) concerns, as the file names it: a workbook's table sheet, a DMN
        decision's name, a DAK's Decision ID; None for a sheet that holds no table (the Inputs
        sheet, the file itself).  This base class knows no tables."""
        return None

    def table_place(self, table: str) -> tuple[str, str]:
        """Where a table is, as a whole (a finding about all of it)."""
        return table, "A1"

    def name(self, name: str) -> str:
        """How an input, a table or ``table.output`` is named in messages."""
        return name

    def rule(self, table: str, rule_id: str) -> str:
        """How a sentence names a rule, after the word 'rule': ``R1`` (a DMN model: its number,
        the id being in the finding's own field and place)."""
        return rule_id

    def rule_label(self, table: str, rule_id: str) -> str:
        """How a listing names a rule, after the word 'rule': ``R1``, or ``1 (id r1)``."""
        return rule_id

    def rules(self, table: str, rule_ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.rule(table, rule_id) for rule_id in rule_ids)

    def column(self, table: str, letter: str) -> str:
        """How a reviewer finds a column of a table: ``column D``."""
        return f"column {letter}"

    def row(self, table: str, row: int) -> int | None:
        """The row a reviewer finds a rule at (None where rules have no rows of their own)."""
        return row

    def policy(self, policy: HitPolicy) -> str:
        """How a hit policy is named in messages: ``U``, ``C+``."""
        return policy.code
