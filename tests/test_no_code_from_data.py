"""No code from data: nothing in ``engine/`` can turn text from a workbook or a patient file
into code that runs.

Cell texts are compiled from the Lark parse tree only (``engine.feel.syntax`` → ``engine.feel.scalar``
/ ``engine.feel.vectorized``); nothing may hand text to Python's evaluator, a deserialiser that
runs code, a dynamic import, or a shell.  The check reads the syntax tree of every module,
so comments and docstrings that mention ``eval(`` do not count, but an aliased import does.
"""

from __future__ import annotations

import ast

import pytest
from helpers import ROOT

ENGINE = ROOT / "engine"

BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint"}  # called by name
METHODS = {  # called as x.name(...): each runs code or unpickles what it is given
    "eval", "exec", "query",  # pandas' DataFrame.eval/query and pandas.eval evaluate expression strings
    "import_module", "__import__", "read_pickle", "to_pickle", "system", "popen", "spawnl", "spawnv",
    "execv", "execve", "execl",
}
MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib", "jsonpickle",
           "subprocess", "pty", "code", "codeop", "runpy"}
IMPORTLIB_ALLOWED = {"importlib.resources", "importlib.metadata"}  # reading package files and versions is fine


def violations(source: str, filename: str = "<source>") -> list[str]:
    """Each forbidden call or import in ``source``, as 'file:line: what'."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in BUILTINS:
                found.append(f"{where}: {func.id}(...)")
            elif isinstance(func, ast.Attribute) and func.attr in METHODS:
                found.append(f"{where}: .{func.attr}(...)")
            elif isinstance(func, ast.Name) and func.id == "getattr" and any(
                    isinstance(a, ast.Constant) and a.value in BUILTINS | METHODS for a in node.args[1:2]):
                found.append(f"{where}: getattr(..., {node.args[1].value!r})")  # type: ignore[attr-defined]
            if any(k.arg == "allow_pickle" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                   for k in node.keywords):
                found.append(f"{where}: allow_pickle=...")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found += _module(alias.name, where)
        elif isinstance(node, ast.ImportFrom) and node.module == "importlib":
            if any(a.name not in ("resources", "metadata") for a in node.names):
                found.append(f"{where}: from importlib import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += _module(node.module, where)
            if node.module in ("os", "builtins") and any(a.name in METHODS | BUILTINS for a in node.names):
                found.append(f"{where}: from {node.module} import {', '.join(a.name for a in node.names)}")
    return found


def _module(name: str, where: str) -> list[str]:
    if name.split(".")[0] in MODULES:
        return [f"{where}: import {name}"]
    if name == "importlib" or (name.startswith("importlib.") and name not in IMPORTLIB_ALLOWED):
        return [f"{where}: import {name}"]
    return []


def test_engine_runs_no_code_from_data():
    modules = sorted(ENGINE.rglob("*.py"))
    assert len(modules) > 10
    found = [v for path in modules for v in violations(path.read_text(encoding="utf-8"), str(path))]
    assert not found, "code-from-data constructs in engine/:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    "eval(text)",
    "exec(text)",
    "compile(text, 'x', 'eval')",
    "__import__(name)",
    "import importlib\nimportlib.import_module(name)",
    "from importlib import import_module",
    "import pickle",
    "import pickle as p",
    "from pickle import loads",
    "import marshal",
    "import _pickle",
    "frame.eval('a + b')",
    "frame.query(text)",
    "pd.eval(text)",
    "pd.read_pickle(path)",
    "getattr(builtins, 'eval')(text)",
    "np.load(path, allow_pickle=True)",
    "import subprocess",
    "os.system(command)",
    "from os import system",
])
def test_the_check_finds_each_forbidden_construct(source: str):
    assert violations(source), source


@pytest.mark.parametrize("source", [
    '"""Never call eval( or exec( or import pickle here."""',
    "# eval(text) would be wrong",
    "text = 'pickle'",
    "re.compile(pattern)",
    "evaluate(record)",
    "model.evaluate(record)",
    "from importlib import resources",
    "import importlib.metadata",
    "np.load(path, allow_pickle=False)",
])
def test_the_check_ignores_comments_strings_and_look_alikes(source: str):
    assert violations(source) == [], source
