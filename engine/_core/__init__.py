"""What every layer of dtrun shares, on the standard library alone: the errors and the
located problem record, cell addresses, atomic writes, standard streams whose reader may
leave, thread pools and lazy exports."""

from __future__ import annotations

from types import ModuleType

from engine._core.lazy import exports


def _errors() -> ModuleType:
    from engine._core import errors

    return errors


def _atomic() -> ModuleType:
    from engine._core import atomic

    return atomic


def _streams() -> ModuleType:
    from engine._core import streams

    return streams


def _cells() -> ModuleType:
    from engine._core import cells

    return cells


def _threads() -> ModuleType:
    from engine._core import threads

    return threads


__getattr__, __dir__ = exports(__name__, {
    _errors: ("DtrunError", "ConditionError", "WorkbookError", "InputDataError", "OutputError", "Problem",
              "Location", "place"),
    _atomic: ("atomic_path", "write_text", "remove_on_signals"),
    _streams: ("standard_streams", "standard_output"),
    _cells: ("cell_ref", "column_letter", "column_number"),
    _threads: ("pool",),
})
