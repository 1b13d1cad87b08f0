"""Static analysis of decision tables, without evaluating them: the lint checks (``lint``),
what the searches mean per hit policy (``verify``), the searches over rules as boxes
(``search``), findings (``findings``) and the regions where two versions differ
(``behaviour``)."""

from __future__ import annotations

from types import ModuleType

from engine._core.lazy import exports


def _lint() -> ModuleType:
    from engine.analysis import lint

    return lint


def _findings() -> ModuleType:
    from engine.analysis import findings

    return findings


def _behaviour() -> ModuleType:
    from engine.analysis import behaviour

    return behaviour


__getattr__, __dir__ = exports(__name__, {
    _lint: ("lint_model", "lint_workbook", "lint_file"),
    _findings: ("Finding", "CODES"),
    _behaviour: ("behaviour_changes",),
})
