"""Reading a DAK condition cell: the DAK pseudo-code grammar of the language layer
(``engine.feel.dak``), as the DAK readers use it."""

from __future__ import annotations

from engine.feel.dak import DakCondition, DakSyntaxError, ElementTest, read_condition, suggest_name

__all__ = ["DakCondition", "DakSyntaxError", "ElementTest", "read_condition", "suggest_name"]
