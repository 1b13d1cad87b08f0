"""What authors and reviewers read: clinician tests run (``testing``) and their results as
JUnit XML (``junit``), a workbook shown (``show``), two versions compared (``diff``, worded by
``diff_render``), lint findings rendered (``report``) and marked in a copy of the workbook
(``annotate``), one patient explained (``explanation``), a table's rules drawn over two inputs
(``pictures``)."""

from __future__ import annotations

from types import ModuleType

from engine._core.lazy import exports


def _testing() -> ModuleType:
    from engine.review import testing

    return testing


def _junit() -> ModuleType:
    from engine.review import junit

    return junit


def _diff() -> ModuleType:
    from engine.review import diff

    return diff


def _diff_render() -> ModuleType:
    from engine.review import diff_render

    return diff_render


def _report() -> ModuleType:
    from engine.review import report

    return report


def _show() -> ModuleType:
    from engine.review import show

    return show


def _explanation() -> ModuleType:
    from engine.review import explanation

    return explanation


def _pictures() -> ModuleType:
    from engine.review import pictures

    return pictures


def _annotate() -> ModuleType:
    from engine.review import annotate

    return annotate


__getattr__, __dir__ = exports(__name__, {
    _testing: ("run_tests", "TestReport", "show_expected", "show_value:show"),
    _junit: ("render_junit:render", "JunitSuite:Suite", "failure_message"),
    _diff: ("compare", "WorkbookDiff"),
    _diff_render: ("render_diff:render",),
    _report: ("render_findings:render",),
    _show: ("render_model:render", "broken_text", "DEFAULT_WIDTH"),
    _annotate: ("annotate_all",),
    _pictures: ("coverage_svg", "coverage_pictures:pictures", "pictures_and_reasons", "Region"),
    _explanation: ("record_from", "render_explanation:render"),
})
