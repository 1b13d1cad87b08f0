"""What a DMN model's messages call things: decisions, rules by number and id, entries.

Owns the :class:`~engine.model.source.Words` of DMN and :class:`DmnSource`, the source of a
model read from a DMN file.  The model is built from sheet grids (``engine.formats.dmn.importer``);
the source knows which DMN element each grid cell came from and names it as a DMN modeler
shows it: ``decision "Dish" (id d1)`` with a part ``rule 2 (id r2), inputEntry 1``,
``input 1 "Season" (id c1)`` or ``decisionTable``; inputs, decisions and outputs by their
DMN names (``Person age``, not ``Person_age``); hit policies by DMN's names (``UNIQUE``,
``COLLECT SUM``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from engine.formats.dmn.names import dmn_hit_policy
from engine.formats.dmn.read import DmnDocument
from engine.model.hit_policy import HitPolicy
from engine.model.source import Source, Words

TABLE_PART = "decisionTable"  # a place in a decision table that is no element of its own
_DECISION = re.compile(r'decision "(.*)"(?: \(id [^()]*\))?')  # names.describe of a decision

DMN_WORDS = Words(
    kind="dmn",
    table='decision "{table}"',
    tables="decisions",
    input='inputData "{name}"',
    cell="entry",
    empty_table='decision "{table}" has a decision table without rules',
    empty_table_fix="add rules to the decision table",
    empty_table_warning='decision "{table}" has a decision table without rules, so it gives no result for any '
                        "record. Add rules to the decision table",
    declare_allowed="declare its allowed values (the inputData's itemDefinition allowedValues, or the input's "
                    "inputValues)",
    widen_allowed="widen the input's allowed values (inputValues) or the inputData's itemDefinition allowedValues",
    add_output_value="add it to the output's allowed values (outputValues)",
    upstream_values_fix="give the required decision's output its allowed values (outputValues)",
    unused_input='inputData "{name}" is declared but no decision table reads it',
    unused_input_fix="read it in a decision table (an input whose inputExpression is its name), or delete the "
                     "inputData if it is not needed",
    gap_fix="add a rule for these records, or give the outputs a defaultOutputEntry if a default is meant",
    unknown_input_fix="add an inputData for it, or name a decision it requires",
    unknown_name_fix="use the name of an inputData or of a decision the table requires",
    priority_fix="list them in the output's allowed values (outputValues), highest priority first, e.g. "
                 '"urgent","routine"',
    priority_place="(the output's allowed values)",
    subsumed_rule="rule {rule} is redundant: rule {other} gives the same outputs and matches every record that "
                  "rule {rule} matches",
    one_output="hit policy {policy} needs exactly one output, the decision table has {count}",
    one_output_fix="split the decision, or use {collect} to get lists",
    retyped='inputData "{name}" is declared {declared} (typeRef), but its entries test {found} values; taken as '
            "{found} (--input-types cells)",
    required_here="a value is required (the input's inputValues do not allow null)",
    retyped_fix="correct the typeRef of the inputData and its input expressions (Camunda Modeler writes string "
                "unless told otherwise), or the entries",
    cycle="decisions depend on each other in a cycle: {cycle}",
    cycle_fix="a decision may only require decisions that do not require it",
    own_output="the decision table reads its own output {heading}",
    own_output_fix="a decision table can read the outputs of the decisions it requires only",
    input_columns="as the model's inputData (its DMN name or dtrun's identifier)",
    no_tests="no test cases (a DMN model has no place for them: convert it to a workbook with dtrun convert "
             "and add a Tests sheet)",
    inputs_title="Input data (inputData)",
    table_title='Decision "{table}"',
)


class DmnSource(Source):
    """The source of a model read from a DMN file."""

    def __init__(self, path: str, places: Mapping[tuple[str, str], tuple[str, str]],
                 rules: Mapping[tuple[str, str], str], names: Mapping[str, str], tables: frozenset[str],
                 texts: Mapping[tuple[str, str], str]) -> None:
        """``places``: (sheet, cell) → (element, part) for the cells of the grids the model was
        built from, and (sheet, '') → (element, '') per sheet; ``rules``: (table, rule id) →
        ``rule 2 (id r2)``; ``names``: dtrun name → DMN name where they differ; ``tables``: the
        sheets that are decision tables; ``texts``: (sheet, cell) → the entry's text in the file,
        where the model holds it with dtrun's names."""
        super().__init__(path, DMN_WORDS)
        self._places, self._rules, self._names, self._tables = dict(places), dict(rules), dict(names), tables
        self._texts = dict(texts)
        self._elements = {places[(table, "")][0]: table for table in tables if (table, "") in places}

    def place(self, sheet: str, cell: str = "") -> tuple[str, str]:
        found = self._places.get((sheet, cell))
        if found is not None:
            return found
        whole = self._places.get((sheet, ""))
        if whole is None:  # not a grid of this model: the file itself, or already a DMN element
            return sheet, cell
        return whole[0], (TABLE_PART if cell and sheet in self._tables else "")

    def text(self, sheet: str, cell: str, text: str) -> str:
        return self._texts.get((sheet, cell), text)

    def table_place(self, table: str) -> tuple[str, str]:
        return self.place(table)[0], TABLE_PART

    def table_name(self, sheet: str) -> str | None:
        """The decision's name, for its table's grid or its element (``decision "Dish" (id d1)``,
        also of a decision that was refused before it had a grid)."""
        table = sheet if sheet in self._tables else self._elements.get(sheet)
        if table is not None:
            return self.name(table)
        found = _DECISION.fullmatch(sheet)
        return found[1] if found else None

    def name(self, name: str) -> str:
        return self._names.get(name, name)

    def rule(self, table: str, rule_id: str) -> str:
        label = self.rule_label(table, rule_id)  # "2 (id r2)": its number, for sentences
        return label.partition(" (")[0] if (table, rule_id) in self._rules else rule_id

    def rule_label(self, table: str, rule_id: str) -> str:
        return self._rules.get((table, rule_id), rule_id).removeprefix("rule ")

    def column(self, table: str, letter: str) -> str:
        return self.place(table, f"{letter}1")[1]

    def row(self, table: str, row: int) -> int | None:
        return None  # a rule is named by its number and id

    def policy(self, policy: HitPolicy) -> str:
        return " ".join(filter(None, dmn_hit_policy(policy)))


def bare_dmn_source(path: str) -> DmnSource:
    """The source of a DMN file whose model could not be built: it names decisions by their elements."""
    return DmnSource(path, {}, {}, {}, frozenset(), {})


def dmn_source(document: DmnDocument) -> DmnSource:
    """The source of the model built from ``document``: where each grid cell came from, how
    rules are named, and each dtrun name's DMN name (a decision with one output names that
    output's value, ``Age Band``; with several, ``Age Band.band``)."""
    names = {ours: theirs for theirs, ours in document.inputs.items()}
    for decision, table in document.decisions.items():
        names[table] = decision
        outputs = document.outputs.get(table, {})
        for theirs, ours in outputs.items():
            names[f"{table}.{ours}"] = decision if len(outputs) == 1 else f"{decision}.{theirs or ours}"
    names = {ours: theirs for ours, theirs in names.items() if ours != theirs}
    return DmnSource(document.path, document.places, document.rules, names, frozenset(document.decisions.values()),
                     document.texts)
