"""The counts a population page shows (``dtrun evaluate --report``, ``dtrun serve``), read
back from the page's ``data-*`` attributes, and the same counts from a ``Population``, so
that a test compares what is shown with what was computed."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _Counts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, int]] = {}
        self.table = self.rule = self.output = ""
        self.key: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if "data-table" in named:
            self.table = named["data-table"] or ""
        if "data-rule" in named:
            self.rule = named["data-rule"] or ""
        if "data-output" in named:
            self.output = named["data-output"] or ""
        for attribute, key in (("data-count", "{}"), ("data-fired", "rule {rule}"), ("data-value", "{output} = {}")):
            if attribute in named:
                self.key = key.format(named[attribute], rule=self.rule, output=self.output)

    def handle_data(self, data: str) -> None:
        if self.key is not None and data.strip():
            self.found.setdefault(self.table, {})[self.key] = int(data.replace(",", ""))
            self.key = None


def shown_counts(html: str) -> dict[str, dict[str, int]]:
    """Per table ('' for the whole file) the counts shown: 'records', 'gap', ..., 'rule R1',
    'table.output = value' ('table.output = ' for the records without a value)."""
    parser = _Counts()
    parser.feed(html)
    return parser.found


def population_counts(population: Any) -> dict[str, dict[str, int]]:
    """The same keys, from a ``engine.review.population.Population``."""
    found = {"": {"records": population.records, "with_errors": population.with_errors,
                  "with_warnings": population.with_warnings}}
    for table in population.tables:
        want = {"gap": table.gap, "overlap": table.overlap, "conflict": table.conflict,
                "not_evaluated": table.not_evaluated, "errors": table.errors}
        want.update({f"rule {r.id}": r.fired for r in table.rules})
        for output in table.outputs:
            want.update({f"{output.output} = {text}": count for text, count in output.values})
            if output.missing:
                want[f"{output.output} = "] = output.missing
        found[table.name] = want
    return found
