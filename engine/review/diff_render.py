"""How a ``dtrun diff`` reads: text (like a compiler's report), markdown (for a pull request)
and json (for tools).

Owns the wording of a :class:`~engine.diff.WorkbookDiff`: one line per change, indented by
level, cells as code in markdown, the behaviour summary and verdict, and the json keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from engine.model.source import Words
from engine.review.diff import (
    ADDED,
    CHANGED,
    FORMATS,
    Change,
    ItemDiff,
    RuleDiff,
    TableDiff,
    WorkbookDiff,
)
from engine.review.show import md_code, md_text


def render(diff: WorkbookDiff, fmt: str = "text") -> str:
    if fmt == "json":
        return as_json(diff)
    if fmt in ("text", "markdown"):
        return _Writer(fmt == "markdown", diff.words).document(diff)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def box_text(box: Mapping[str, str]) -> str:
    """A region as the lint findings write it: 'age [10..12), hr "positive"'; every record if unconstrained."""
    parts = [f"{name} {test}" for name, test in box.items() if test not in ("-", "")]
    return ", ".join(parts) or "every record"


def example_text(example: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={_value(value)}" for name, value in example.items())


def _value(value: Any) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False, default=str)


def summary(diff: WorkbookDiff) -> str:
    if not diff.semantic:
        verdict = "behaviour not compared (engine.analysis.behaviour is not available)"
        return verdict + ("; treated as a change in behaviour" if diff.changes_behaviour else "")
    if not diff.behaviour:
        if diff.changes_behaviour:
            return ("change in behaviour: tables were added or removed (the tables present in both "
                    "versions answer as before)")
        return "no change in behaviour"
    tables = len({change.table for change in diff.behaviour})
    regions = len(diff.behaviour)
    return (f"change in behaviour: {regions} region{'s' * (regions != 1)} of the input space in {tables} "
            f"table{'s' * (tables != 1)} now get{'s' * (regions == 1)} a different outcome")


class _Writer:
    """The text and markdown forms: one line per change, indented by level."""

    def __init__(self, markdown: bool, words: Words) -> None:
        self.markdown, self.words = markdown, words
        self.lines: list[str] = []

    def code(self, text: str) -> str:
        if not text:
            return "(blank)"
        return md_code(text, in_table=False) if self.markdown else text

    def plain(self, text: str) -> str:
        return md_text(text) if self.markdown else text

    def heading(self, text: str) -> None:
        self.lines += ["", f"## {self.plain(text)}", ""] if self.markdown else ["", text]

    def item(self, level: int, text: str) -> None:
        self.lines.append(("  " * level + "- " if self.markdown else "  " * (level + 1)) + text)

    def document(self, diff: WorkbookDiff) -> str:
        title = f"dtrun diff {diff.old} -> {diff.new}"
        self.lines.append(f"# {self.plain(title)}" if self.markdown else title)
        if not diff.changed:
            self.lines += ["", "The two workbooks have the same content."]
        for label, items in (("About", diff.about), ("Inputs", diff.inputs)):
            if items:
                self.heading(label)
                for item in items:
                    self._item(item, label == "About")
        if diff.tables:
            self.heading("Tables")
            for table in diff.tables:
                self._table(table)
        if diff.tests:
            self.heading("Tests")
            for case in diff.tests:
                self._item(case, False)
        if diff.waivers:
            self.heading("Waivers (findings accepted; not a change in behaviour)")
            for waiver in diff.waivers:
                self._item(waiver, False)
        self._behaviour(diff)
        return "\n".join(self.lines) + "\n"

    def _change(self, change: Change, cell: bool = True) -> str:
        where = change.new_cell or change.old_cell
        if cell and change.old_cell and change.new_cell and change.old_cell != change.new_cell:
            where = f"{change.old_cell} -> {change.new_cell}"
        place = f" ({where})" if cell and where else ""
        return f"{self.plain(change.what)}{place}: {self.code(change.old)} -> {self.code(change.new)}"

    def _item(self, item: ItemDiff, about: bool) -> None:
        name = self.plain(item.name)
        if item.status == CHANGED:
            if about:
                self.item(0, f"{name}: {self._change(item.changes[0], False).partition(': ')[2]}")
                return
            self.item(0, f"{name} changed")
            for change in item.changes:
                self.item(1, self._change(change, False))
            return
        details = ", ".join(f"{self.plain(c.what)} {self.code(c.new or c.old)}" for c in item.changes)
        self.item(0, f"{name} {item.status}" + (f": {details}" if details else ""))

    def _table(self, table: TableDiff) -> None:
        name = self.plain(table.name)
        if table.status != CHANGED:
            self.item(0, f"{self.words.say('table', table=name)} {table.status} ({table.size})")
            return
        self.item(0, f"{self.words.say('table', table=name)} changed")
        for change in table.changes:
            self.item(1, self._change(change, change.what != "rule order"))
        for label in table.columns_added:
            self.item(1, f"column {self.plain(label)} added")
        for label in table.columns_removed:
            self.item(1, f"column {self.plain(label)} removed")
        for rule in table.rules:
            self._rule(rule)

    def _rule(self, rule: RuleDiff) -> None:
        rule_id = self.plain(rule.id)
        if rule.status == CHANGED:
            for change in rule.cells:
                self.item(1, f"rule {rule_id}, column {self._change(change)}")
            return
        row = rule.new_row if rule.status == ADDED else rule.old_row
        cells = ", ".join(f"{self.plain(c.what)} {self.code(c.new or c.old)}" for c in rule.cells
                          if c.role != "annotation")
        where = f" (row {row})" if row is not None else ""  # a DMN rule has no row: its name says where it is
        self.item(1, f"rule {rule_id} {rule.status}{where}: {cells}")

    def _behaviour(self, diff: WorkbookDiff) -> None:
        self.heading("Behaviour")
        self.item(0, self.plain(summary(diff)))
        for change in diff.behaviour:
            self.item(0, f"{self.words.say('table', table=self.plain(change.table))}, records with "
                         f"{self.code(box_text(change.box))}: "
                         f"{self.code(change.old)} -> {self.code(change.new)}")
            self.item(1, f"e.g. {self.code(example_text(change.example))}")


def as_json(diff: WorkbookDiff) -> str:
    from dataclasses import asdict

    document = {
        "old": diff.old, "new": diff.new, "changes_behaviour": diff.changes_behaviour,
        "behaviour_compared": diff.semantic, "summary": summary(diff),
        "about": [asdict(i) for i in diff.about], "inputs": [asdict(i) for i in diff.inputs],
        "tables": [asdict(t) for t in diff.tables], "tests": [asdict(c) for c in diff.tests],
        "waivers": [asdict(w) for w in diff.waivers],
        "behaviour": [{"table": c.table, "box": dict(c.box), "example": dict(c.example), "old": c.old, "new": c.new}
                      for c in diff.behaviour],
    }
    return json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n"
