"""The error classes, where issue 2 gave them (``engine.errors``); they live in ``engine._core.errors``."""

from engine._core.errors import (  # noqa: F401 - re-exported
    ConditionError,
    DtrunError,
    InputDataError,
    Problem,
    WorkbookError,
)

__all__ = ["ConditionError", "DtrunError", "InputDataError", "Problem", "WorkbookError"]
