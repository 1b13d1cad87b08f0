"""The architecture holds: layers import only downward, no import cycles, a light start.

The module graph is built here from the source (every ``import`` statement, also those inside
functions, which import-linter sees too; imports under ``if TYPE_CHECKING:`` are for type
checkers and left out), independently of import-linter, which CI runs on the same layers.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

ENGINE = ROOT / "engine"
# Bottom to top; a layer may import the layers before it.  analysis and evaluation are siblings.
LAYERS = ("_core", "feel", "model", "formats", "evaluation|analysis", "files", "review", "serve", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(ENGINE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ENGINE.rglob("*.py")}


def imports(path: Path) -> set[str]:
    """What ``path`` imports: ``import a.b`` gives ``a.b``; ``from a import b`` gives the
    module ``a.b`` when there is one (importing a submodule), else ``a`` (a name of ``a``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                assert not child.level, f"{path}: relative import"  # dtrun writes absolute imports
                for alias in child.names:
                    submodule = f"{child.module}.{alias.name}"
                    found.add(submodule if submodule in MODULES else child.module or "")
            visit(child)

    visit(tree)
    return found


def graph() -> dict[str, set[str]]:
    return {name: {m for m in imports(path) if m in MODULES and m != name} for name, path in MODULES.items()}


def layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    for rank, names in enumerate(LAYERS):
        if parts[1] in names.split("|"):
            return rank
    return None


def test_the_graph_sees_function_local_imports():
    edges = graph()
    assert "engine.formats.dmn.importer" in edges["engine.formats"]  # imported inside load()
    assert "engine.files.scale" in edges["engine"]  # the API's lazy imports are plain imports too


def test_every_subpackage_is_in_a_layer():
    subpackages = {p.parent.name for p in ENGINE.glob("*/__init__.py")}
    assert subpackages == {name for names in LAYERS for name in names.split("|")}


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for module, targets in graph().items():
        for target in targets:
            here, there = layer(module), layer(target)
            if here is not None and there is not None and there > here:
                upward.append(f"{module} -> {target}")
            if {here, there} == {LAYERS.index("evaluation|analysis")} and module.split(".")[1] != target.split(".")[1]:
                upward.append(f"{module} -> {target} (siblings)")
    assert not upward, "imports against the layers:\n" + "\n".join(sorted(upward))


def test_the_layer_check_notices_an_upward_import():
    assert layer("engine.model.types") < layer("engine.evaluation.record")
    assert layer("engine.cli.check") > layer("engine.review.show") > layer("engine.files.pipeline")
    assert layer("engine.evaluation.frame") == layer("engine.analysis.lint")


def test_no_import_cycles():
    edges = graph()
    cycles = strongly_connected(edges)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(sorted(c)) for c in cycles)


def test_the_cycle_finder_finds_a_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """The groups of two or more modules that import each other, directly or not (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cli_imports_the_api_of_each_subpackage_only():
    """The commands call ``engine.files``, ``engine.review``, ... (their package APIs),
    never a module inside another subpackage."""
    modules = set(graph())
    deep = []
    for path in (ENGINE / "cli").glob("*.py"):
        for target in imports(path) & modules:
            parts = target.split(".")
            own = parts[1] == "cli" or parts[:3] == ["engine", "_core", "version"]
            if parts[0] == "engine" and len(parts) > 2 and not own:
                deep.append(f"{path.name}: {target}")
    assert not deep, "the cli reaches into modules:\n" + "\n".join(sorted(deep))


def test_only_the_cli_imports_click():
    users = [module for module, path in ((module_name(p), p) for p in ENGINE.rglob("*.py"))
             if "click" in {name.split(".")[0] for name in imports(path)}]
    assert users and all(module.startswith("engine.cli") for module in users), users


@pytest.mark.parametrize("command", [["--version"], ["new", "{tmp}/new.xlsx"]])
def test_light_commands_import_neither_pandas_nor_pyarrow(command, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    script = ("import sys; from engine.cli import main\n"
              "try:\n    main(args=sys.argv[1:], prog_name='dtrun')\nexcept SystemExit:\n    pass\n"
              "heavy = sorted(m for m in ('pandas', 'pyarrow', 'numpy', 'matplotlib') if m in sys.modules)\n"
              "print('HEAVY', ','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120)
    line = [line for line in result.stdout.splitlines() if line.startswith("HEAVY")]
    assert line, result.stdout + result.stderr
    heavy = line[0].split(" ", 1)[1] if " " in line[0] else ""
    assert "pandas" not in heavy and "pyarrow" not in heavy and "matplotlib" not in heavy, heavy


def test_the_light_command_check_notices_pandas(tmp_path):
    script = "import sys, pandas; print('HEAVY', ','.join(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "pandas" in result.stdout


def exported_names(package: Path) -> set[str]:
    """The names a package's ``exports(...)`` call gives (``"name"`` or ``"name:attribute"``)."""
    tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "exports"]
    return {c.value.partition(":")[0] for call in calls for c in ast.walk(call)
            if isinstance(c, ast.Constant) and isinstance(c.value, str) and c is not call.args[0]}


def test_no_package_exports_a_name_of_one_of_its_modules():
    """``from engine.analysis import lint`` must import the module: an exported name that is
    also a submodule's would make the package's __getattr__ import itself (it did, forever)."""
    clashes = []
    for init in [ENGINE / "__init__.py", *ENGINE.glob("**/__init__.py")]:
        package = init.parent
        submodules = {p.stem for p in package.glob("*.py")} | {p.name for p in package.iterdir() if p.is_dir()}
        clashes += [f"{module_name(init)}.{name}" for name in exported_names(package) & submodules]
    assert exported_names(ENGINE / "analysis") and not clashes, clashes


def test_the_public_api_lists_every_name_it_gives():
    import engine

    given = {entry.partition(":")[0] for names in engine._API.values() for entry in names}
    assert set(engine.__all__) == given | {"__version__"} and len(engine.__all__) == len(set(engine.__all__))
    for name in engine.__all__:
        assert getattr(engine, name) is not None, name


def test_test_modules_import_the_helpers_never_each_other():
    tests = ROOT / "tests"
    crossing = [f"{path.relative_to(tests)}: {name}" for path in tests.rglob("test_*.py")
                for name in imports(path) if name.split(".")[0].startswith("test_") or name.startswith("conftest")]
    assert not crossing, crossing
    assert imports(tests / "analysis" / "test_behaviour.py") & {"helpers", "helpers.tables"}  # the check sees them
