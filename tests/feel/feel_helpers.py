"""What the FEEL expression tests share: evaluate a text, show a value as FEEL writes it."""

from __future__ import annotations

from typing import Any

from engine.feel import interpret, semantics


def show(value: Any) -> str:
    """A value as FEEL text, strings quoted: ``"a"``, ``[1, 2]``, ``null``, ``P1D``."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return '"' + value + '"'
    return semantics.to_text(value) or repr(value)


def feel(text: str, **variables: Any) -> str:
    return show(interpret.evaluate_text(text, variables))
