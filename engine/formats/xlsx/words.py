"""What a workbook's messages call things: sheets, rows and cells (``docs/workbook-format.md``).

Owns the :class:`~engine.model.source.Words` of the workbook format and the source of a
model read from a workbook, which names everything as the workbook does (``sheet!B7``,
rule ids, hit policy codes).
"""

from __future__ import annotations

from engine.formats.xlsx.layout import SPECIAL_SHEETS
from engine.model.source import Source, Words

WORKBOOK_WORDS = Words(
    kind="workbook",
    table="table {table}",
    tables="tables",
    input="input {name}",
    cell="cell",
    empty_table="table {table} has no rules",
    empty_table_fix="write the rules from row 4 on, one per row",
    empty_table_warning="table {table} has no rules, so it gives no result for any record. Write its rules from "
                        "row 4 on",
    declare_allowed="declare its allowed values in the Inputs sheet (or in row 3 of the table)",
    widen_allowed="widen the allowed values in the Inputs sheet or row 3",
    add_output_value="add it to row 3",
    upstream_values_fix="give the upstream output's values in its row 3",
    unused_input="input {name} is declared but no table reads it",
    unused_input_fix="use it in a table, or delete its row if it is not needed",
    gap_fix="add a rule for these records (if the guideline is silent, say so with an explicit outcome such as "
            "clinical_judgement)",
    unknown_input_fix="add it to the Inputs sheet, or write table.output",
    unknown_name_fix="use the name of an input from the Inputs sheet or an output of another table",
    priority_fix='list them in row 3, highest priority first, e.g. "urgent","routine"',
    priority_place="(row 3)",
    subsumed_rule="rule {rule} is redundant: rule {other} gives the same outputs and matches every record {rule} "
                  "matches",
    one_output="hit policy {policy} needs exactly one output column, the table has {count}",
    one_output_fix="split the table, or use {collect} (collect) to get lists",
    retyped="input {name} is declared {declared} in the Inputs sheet, but its cells test {found} values; taken as "
            "{found} (--input-types cells)",
    required_here="a value is required in this table",
    retyped_fix="declare the type the cells test in the Inputs sheet, or correct the cells",
    cycle="tables depend on each other in a cycle: {cycle}",
    cycle_fix="a table may only read outputs of tables that do not read its own outputs",
    own_output="the table reads its own output {heading}",
    own_output_fix="a table can read the outputs of other tables only",
    input_columns="exactly as in the workbook's Inputs sheet",
    no_tests="no test cases (add a Tests sheet: see docs/workbook-format.md)",
    inputs_title="Inputs (data dictionary)",
    table_title="Table {table}",
)


class WorkbookSource(Source):
    """The source of a model read from a workbook: every sheet but the special ones (About,
    Inputs, Tests, Waivers) and those named with a leading ``_`` is a table, named by its sheet."""

    def table_name(self, sheet: str) -> str | None:
        return None if not sheet or sheet in SPECIAL_SHEETS or sheet.startswith("_") else sheet


def workbook_source(path: str) -> Source:
    """The source of a model read from the workbook ``path``."""
    return WorkbookSource(path, WORKBOOK_WORDS)
