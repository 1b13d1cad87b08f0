"""What a DAK model's messages call things: the DAK's sheets and cells, Decision IDs, data elements.

Owns the :class:`~engine.model.source.Words` of a WHO SMART Guidelines DAK and
:class:`DakSource`, the source of a model read from a DAK decision-logic workbook (or a WHO
DAK ``.dmn`` file).  The model is built from the grids of a dtrun workbook
(``engine.formats.dak.regroup``); the source knows which DAK cell each grid cell came from and
names it so: ``workbook`` = the DAK file, ``sheet`` = its sheet (``ANC.DT.25 Anaemia IFA``),
cells as A1 references in that sheet, a table by its Decision ID (``ANC.DT.25``), rules by
``R<row>`` with the DAK sheet's row (``R12a``, ``R12b`` for the alternatives of row 12), data
elements by their labels (``Danger signs``).
"""

from __future__ import annotations

import re

from engine.formats.dak.document import DakDocument
from engine.model.hit_policy import HitPolicy
from engine.model.source import Source, Words

DAK_WORDS = Words(
    kind="dak",
    table="decision table {table}",
    tables="decision tables",
    input='data element "{name}"',
    cell="cell",
    empty_table="decision table {table} has no rule dtrun can read",
    empty_table_fix="write its rules one per row under the Input(s) heading",
    empty_table_warning="decision table {table} has no rule dtrun can read, so it gives no result for any record",
    declare_allowed="list its input options in the data dictionary (--dictionary)",
    widen_allowed="add the value to the data element's input options in the data dictionary",
    add_output_value="(a DAK lists no output values)",
    upstream_values_fix="(a DAK lists no output values)",
    unused_input='data element "{name}" is in the data dictionary but no decision table tests it',
    unused_input_fix="nothing to do unless a table should test it",
    gap_fix="add a rule for these records, or confirm that the DAK means no recommendation for them",
    unknown_input_fix="add the data element to the data dictionary",
    unknown_name_fix="use the label of a data element of the data dictionary",
    priority_fix="(a DAK states no priorities)",
    priority_place="",
    subsumed_rule="rule {rule} is redundant: rule {other} gives the same outputs and matches every record {rule} "
                  "matches",
    one_output="hit policy {policy} needs exactly one output column, the decision table has {count}",
    one_output_fix="use --hit-policy {collect} (collect) to get lists",
    retyped='data element "{name}" is {declared} in the data dictionary, but the cells test {found} values; taken '
            "as {found} (--input-types cells)",
    required_here="a value is required in this decision table",
    retyped_fix="correct the data dictionary's Data Type, or the cells",
    cycle="decision tables depend on each other in a cycle: {cycle}",
    cycle_fix="a decision table may only use outputs of tables that do not use its own",
    own_output="the decision table reads its own output {heading}",
    own_output_fix="a decision table can read the outputs of other tables only",
    input_columns="by the data element's label (Danger signs), its name (Danger_signs) or its Data Element ID",
    no_tests="no test cases (a DAK has none: convert it to a workbook with dtrun convert and add a Tests sheet)",
    inputs_title="Data elements",
    table_title="Decision table {table}",
)


class DakSource(Source):
    """The source of a model read from a DAK."""

    def __init__(self, document: DakDocument) -> None:
        super().__init__(document.path, DAK_WORDS)
        self._places, self._names = dict(document.places), dict(document.names)
        self._tables, self._rows, self._texts = dict(document.tables), dict(document.rule_rows), dict(document.texts)
        self.stated_policy = document.stated_policy  # a DAK states none: lint checks U as warnings

    def place(self, sheet: str, cell: str = "") -> tuple[str, str]:
        found = self._places.get((sheet, cell))
        if found is not None:
            return found
        if sheet in self._tables:
            where, _, id_cell = self._tables[sheet]
            return where, (id_cell if cell else "")
        whole = self._places.get((sheet, ""))
        return whole if whole is not None else (sheet, cell)

    def text(self, sheet: str, cell: str, text: str) -> str:
        return self._texts.get((sheet, cell), text)

    def table_place(self, table: str) -> tuple[str, str]:
        if table in self._tables:
            sheet, _, id_cell = self._tables[table]
            return sheet, id_cell
        return table, "A1"

    def table_name(self, sheet: str) -> str | None:
        """The Decision ID of a table (``ANC.DT.25``), by its sheet in the model, or by the DAK
        sheet when that holds one table only; None otherwise (a finding made while reading the
        DAK names its table itself: ``Problem.table``)."""
        if sheet in self._tables:
            return self._tables[sheet][1]
        ids = {decision for where, decision, _ in self._tables.values() if where == sheet}
        return ids.pop() if len(ids) == 1 else None

    def name(self, name: str) -> str:
        if name in self._names:
            return self._names[name]
        table, dot, output = name.partition(".")
        if dot and table in self._tables:
            return f"{self._tables[table][1]} {output}"
        return name

    def column(self, table: str, letter: str) -> str:
        where, cell = self.place(table, f"{letter}1")
        return f"column {''.join(c for c in cell if c.isalpha())} of {where}" if cell else f"column {letter}"

    def row(self, table: str, row: int) -> int | None:
        return self._rows.get((table, row), row)

    def policy(self, policy: HitPolicy) -> str:
        return policy.code

    def written_row(self, table: str, rule_id: str) -> str:
        """The DAK row a rule comes from: ``R12`` for ``R12a``, ``R12b1`` and ``R12b2`` (one row with
        OR across data elements, split into exclusive rules per alternative)."""
        found = re.match(r"R\d+", rule_id)
        return found.group(0) if found else rule_id


def dak_source(document: DakDocument) -> DakSource:
    return DakSource(document)
