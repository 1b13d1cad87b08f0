"""The condition language's compile API, where issue 2 gave it (``engine.conditions``); it lives
in ``engine.feel.conditions``."""

from engine.feel.conditions import (  # noqa: F401 - re-exported
    CompiledExpression,
    CompiledUnaryTests,
    compile_expression,
    compile_unary_tests,
)

__all__ = ["CompiledExpression", "CompiledUnaryTests", "compile_expression", "compile_unary_tests"]
