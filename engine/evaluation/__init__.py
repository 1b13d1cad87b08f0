"""Evaluation: one record (``record``, the reference meaning), patient values converted by
the ``Inputs`` types (``input_values``, and whole columns in ``columns``), whole frames
column-wise (``frame``, with result columns as codes in ``coded``), which file column
holds each input (``binding``), and why one record got its results (``explain``); a whole
DMN decision requirements graph on the reference path (``drg``, with ``drg_boxed``,
``drg_tables``; its types are ``engine.model.drg_types``')."""

from __future__ import annotations

from types import ModuleType

from engine._core.lazy import exports


def _record() -> ModuleType:
    from engine.evaluation import record

    return record


def _explain() -> ModuleType:
    from engine.evaluation import explain

    return explain


def _drg() -> ModuleType:
    from engine.evaluation import drg

    return drg


def _frame() -> ModuleType:
    from engine.evaluation import frame

    return frame


__getattr__, __dir__ = exports(__name__, {
    _record: ("evaluate_record", "RecordResult"),
    _frame: ("evaluate_frame", "evaluate_columns"),
    _explain: ("explain_record", "nearest_rules", "Explanation"),
    _drg: ("evaluate_drg", "evaluate_service", "DrgResult"),
})
