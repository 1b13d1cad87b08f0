"""dtrun: declarative DMN-style decision tables for clinical guideline logic.

The package is named ``engine``; the distribution and the command are ``dtrun``.  This is
the public API (``docs/api.md``); every name is imported on first use, so that ``import
engine`` and ``dtrun --version`` stay fast::

    import engine
    model = engine.load("decision_tables/her2_mbc_brain_mets.xlsx")   # or a .dmn file
    result = engine.evaluate(model, {"her2_status": "positive", ...})
    findings = engine.lint(model)

The layers below (``engine.formats``, ``engine.evaluation``, ``engine.analysis``, ...) are
described in ``docs/architecture.md``; their modules may change between releases, these
names do not.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from engine._core.lazy import exports
from engine._core.version import __version__


def _formats() -> ModuleType:
    import engine.formats

    return engine.formats


def _record() -> ModuleType:
    from engine.evaluation import record

    return record


def _frame() -> ModuleType:
    from engine.evaluation import frame

    return frame


def _scale() -> ModuleType:
    from engine.files import scale

    return scale


def _lint() -> ModuleType:
    from engine.analysis import lint

    return lint


def _findings() -> ModuleType:
    from engine.analysis import findings

    return findings


def _testing() -> ModuleType:
    from engine.review import testing

    return testing


def _diff() -> ModuleType:
    from engine.review import diff

    return diff


def _conditions() -> ModuleType:
    from engine.feel import conditions

    return conditions


def _safety() -> ModuleType:
    from engine.formats.xlsx import safety

    return safety


def _types() -> ModuleType:
    from engine.model import types

    return types


def _policies() -> ModuleType:
    from engine.model import hit_policy

    return hit_policy


def _cases() -> ModuleType:
    from engine.model import cases

    return cases


def _errors() -> ModuleType:
    from engine._core import errors

    return errors


_API = {
    _formats: ("load", "load_workbook:load"),  # load_workbook: issue 3's name, kept
    _safety: ("Limits",),  # what a workbook may unpack to (load's limits)
    _record: ("evaluate:evaluate_record", "RecordResult"),
    _frame: ("evaluate_frame",),
    _scale: ("evaluate_dask",),
    _lint: ("lint",),
    _findings: ("Finding",),
    _testing: ("run_tests", "TestReport"),
    _diff: ("compare", "WorkbookDiff"),
    _conditions: ("compile_unary_tests", "compile_expression"),
    _types: ("Model", "Table", "Rule", "InputDef", "InputColumn", "OutputColumn", "AnnotationColumn"),
    _policies: ("HitPolicy",),
    _cases: ("TestCase",),
    _errors: ("DtrunError", "ConditionError", "WorkbookError", "InputDataError", "Problem", "Location"),
}
__getattr__, __dir__ = exports(__name__, _API)
__all__ = [
    "__version__", "load", "load_workbook", "Limits", "evaluate", "RecordResult", "evaluate_frame", "evaluate_dask",
    "lint", "Finding", "run_tests", "TestReport", "compare", "WorkbookDiff", "compile_unary_tests",
    "compile_expression", "Model", "Table", "Rule", "InputDef", "InputColumn", "OutputColumn",
    "AnnotationColumn", "HitPolicy", "TestCase", "DtrunError", "ConditionError", "WorkbookError",
    "InputDataError", "Problem", "Location",
]  # the names of _API, and the version (tests/test_architecture.py keeps them in step)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors; at run time, __getattr__
    from engine._core.errors import ConditionError, DtrunError, InputDataError, Location, Problem, WorkbookError
    from engine.analysis.findings import Finding
    from engine.analysis.lint import lint
    from engine.evaluation.frame import evaluate_frame
    from engine.evaluation.record import RecordResult
    from engine.evaluation.record import evaluate_record as evaluate
    from engine.feel.conditions import compile_expression, compile_unary_tests
    from engine.files.scale import evaluate_dask
    from engine.formats import load
    from engine.formats import load as load_workbook
    from engine.formats.xlsx.safety import Limits
    from engine.model.cases import TestCase
    from engine.model.hit_policy import HitPolicy
    from engine.model.types import AnnotationColumn, InputColumn, InputDef, Model, OutputColumn, Rule, Table
    from engine.review.diff import WorkbookDiff, compare
    from engine.review.testing import TestReport, run_tests
