"""The cell language (S-FEEL unary tests and expressions): text → AST (``syntax``, with the
grammar in ``grammar.lark`` and the hints in ``hints``) → compiled forms (``scalar``, the
reference; ``vectorized`` over pandas; ``set_form`` over the sets of ``sets``), the meaning of
one value (``values``), and AST → standard FEEL text (``unparse``); the WHO SMART Guidelines DAK
pseudo-code read into the same AST (``dak``, with its grammar in ``dak.lark``)."""

from __future__ import annotations

from types import ModuleType

from engine._core.lazy import exports


def _conditions() -> ModuleType:
    from engine.feel import conditions

    return conditions


def _dak() -> ModuleType:
    from engine.feel import dak

    return dak


def _syntax() -> ModuleType:
    from engine.feel import syntax

    return syntax


__getattr__, __dir__ = exports(__name__, {
    _conditions: ("compile_unary_tests", "compile_expression", "CompiledUnaryTests", "CompiledExpression"),
    _syntax: ("parse_unary_tests", "parse_expression"),
    _dak: ("read_condition", "suggest_name", "DakCondition", "ElementTest", "DakSyntaxError"),
})
