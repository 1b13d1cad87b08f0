"""Reading a DAK condition cell: ``engine.feel.dak`` (the DAK pseudo-code grammar) when it is
there, else a stand-in for its commonest shapes (TODO: delete the stand-in once dak-grammar is merged)."""

from __future__ import annotations

try:  # pragma: no cover - which one depends on the branch
    from engine.feel.dak import DakCondition, DakSyntaxError, ElementTest, read_condition, suggest_name
except ImportError:  # pragma: no cover
    from engine.formats.dak._standin import (  # type: ignore[assignment]
        DakCondition,
        DakSyntaxError,
        ElementTest,
        read_condition,
        suggest_name,
    )

__all__ = ["DakCondition", "DakSyntaxError", "ElementTest", "read_condition", "suggest_name"]
