"""Public names of a package that live in its modules, imported on first use.

Owns the mechanism behind every package's API (``engine``, ``engine.files``, ...): a module
``__getattr__`` (PEP 562) that imports the module holding a name when the name is first
asked for, so that ``import engine`` and ``dtrun --version`` do not import pandas, pyarrow or
openpyxl, and each command imports only what it uses.  Each package names its modules with
small functions holding a plain ``import`` statement, never a module name in a string: the
import checks (import-linter, tests/test_architecture.py) see every one of them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any


def exports(package: str, modules: dict[Callable[[], ModuleType], Iterable[str]]
            ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``modules`` maps a function that
    imports and returns a module to the names the package takes from it (``"name"``, or
    ``"name:attribute"`` for an attribute the package gives another name)."""
    where = {}
    for module, names in modules.items():
        for entry in names:
            name, _, attribute = entry.partition(":")
            where[name] = (module, attribute or name)

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = where[name]
        value = getattr(module(), attribute)
        setattr(sys.modules[package], name, value)  # asked for once; then an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__
