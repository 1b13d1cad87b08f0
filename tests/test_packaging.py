"""The package as others install it: a wheel (what ``pipx install .`` and ``pip install .`` build).

The base install carries what evaluate, lint, test, show, diff and convert need; Dask, the
test tools and the peer benchmark are extras (issue 21, item 8).  The wheel is built from
this checkout (setuptools from the package index, as pip does), then installed into a folder of its
own and run from there, so that a file missing from the wheel (the grammar, say) fails here
and not on a user's machine.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import ROOT

pytestmark = pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the source checkout")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")  # setuptools' build folder, out of the checkout
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                             "--wheel-dir", str(out), str(ROOT)], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "TMPDIR": str(build)})
    assert result.returncode == 0, result.stderr
    (found,) = out.glob("dtrun-*.whl")
    return found


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name))


def test_the_base_install_needs_no_dask_and_the_extras_are_named(wheel: Path) -> None:
    metadata = _metadata(wheel)
    requires = metadata.get_all("Requires-Dist") or []
    base = [r for r in requires if "extra ==" not in r]
    assert not [r for r in base if r.lower().startswith(("dask", "distributed", "pytest", "hypothesis"))], base
    assert {"openpyxl", "pandas", "lark", "click", "pyarrow", "defusedxml"} <= {r.split(">")[0].split("=")[0].split(
        "[")[0].strip().lower() for r in base}
    assert {"dask", "test", "bench"} <= set(metadata.get_all("Provides-Extra") or [])
    assert any(r.startswith("dask") and 'extra == "dask"' in r for r in requires)


def test_the_wheel_holds_the_grammar_and_the_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert {"engine/feel/grammar.lark", "engine/feel/dak.lark"} <= set(names)
    assert {"engine/review/templates/lint_report.html", "engine/review/templates/lint_report.md"} <= set(names)
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "decision_tables/"))]
    assert "dtrun = engine.cli:main" in entry_points


def test_the_installed_wheel_runs_the_main_job_from_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}  # before the editable checkout on sys.path
    where = subprocess.run([sys.executable, "-c", "import engine; print(engine.__file__)"], capture_output=True,
                           text=True, cwd=tmp_path, env=env, check=True).stdout.strip()
    assert Path(where).is_relative_to(target), where
    workbook = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"
    patients = ROOT / "decision_tables" / "examples" / "her2_patients.csv"
    result = subprocess.run([sys.executable, str(target / "bin" / "dtrun"), "evaluate", str(workbook), str(patients),
                             "-o", str(tmp_path / "results.csv")], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "results.csv").read_text(encoding="utf-8").count("\n") > 1
    # the reports' Jinja2 templates load from the installed package (package data)
    report = subprocess.run([sys.executable, str(target / "bin" / "dtrun"), "lint", str(workbook), "--format", "html"],
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert report.returncode in (0, 1), report.stderr
    assert "<h1>dtrun lint report</h1>" in report.stdout and "local_therapy" in report.stdout
