"""dtrun: declarative DMN-style decision tables for clinical guideline logic.

The package is named ``engine``; the distribution and the command are ``dtrun``.
Heavy modules (pandas, openpyxl) are imported only where they are used, so that
``import engine`` and ``dtrun --version`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from engine.model.types import Model


def load_workbook(path: Any, limits: Any = None) -> "Model":
    """Load and compile a decision-table workbook (``.xlsx``); raises WorkbookError.
    ``limits`` (``engine.xlsx_scan.Limits``) bounds what a file may unpack to."""
    from engine.formats.xlsx.build import load_workbook as _load

    return _load(path) if limits is None else _load(path, limits=limits)


__all__ = ["__version__", "load_workbook"]
