"""The cell language (S-FEEL unary tests and expressions): text → AST (``syntax``, with the
grammar in ``grammar.lark`` and the hints in ``hints``) → compiled forms (``scalar``, the
reference; ``vectorized`` over pandas; ``set_form`` over the sets of ``sets``), the meaning of
one value (``values``), and AST → standard FEEL text (``unparse``); the WHO SMART Guidelines DAK
pseudo-code read into the same AST (``dak``, with its grammar in ``dak.lark``).  Beside it, FEEL
expressions (DMN 1.5 chapter 10, docs/feel.md): the same grammar, evaluated one set of values
at a time by ``interpret`` (unary tests with ``?``: ``unary``) on 34-digit decimals."""

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


def _interpret() -> ModuleType:
    from engine.feel import interpret

    return interpret


def _unary() -> ModuleType:
    from engine.feel import unary

    return unary


__getattr__, __dir__ = exports(__name__, {
    _conditions: ("compile_unary_tests", "compile_expression", "CompiledUnaryTests", "CompiledExpression"),
    _syntax: ("parse_unary_tests", "parse_expression", "parse_feel_expression", "parse_feel_unary_tests"),
    _dak: ("read_condition", "suggest_name", "DakCondition", "ElementTest", "DakSyntaxError"),
    _interpret: ("evaluate_text",),
    _unary: ("test_text",),
})
