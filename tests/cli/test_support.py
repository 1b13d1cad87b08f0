"""What every command shares: --debug, and a bug in dtrun reported as one line (exit 70)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from helpers import make_workbook

from engine.cli import main
from engine.cli.support import EXIT_INTERNAL, EXIT_WORKBOOK


def _crash(*_: object, **__: object) -> None:
    raise RuntimeError("boom")


def _book(tmp_path: Path) -> Path:
    return make_workbook(tmp_path, "g.xlsx", inputs=[("n", "integer", None, "yes")],
                         tables={"t": ("U", ["n", "out"], "io", None, [["R1", "-", '"x"']])})


def test_a_bug_is_one_line_with_the_way_to_report_it(tmp_path: Path, monkeypatch) -> None:
    import engine.analysis.lint

    monkeypatch.setattr(engine.analysis.lint, "lint_model", _crash)
    book = _book(tmp_path)
    result = CliRunner().invoke(main, ["lint", str(book)])
    assert result.exit_code == EXIT_INTERNAL
    assert "internal error (RuntimeError: boom)" in result.output and "--debug" in result.output
    assert "Traceback" not in result.output


def test_debug_lets_the_traceback_through(tmp_path: Path, monkeypatch) -> None:
    import engine.analysis.lint

    monkeypatch.setattr(engine.analysis.lint, "lint_model", _crash)
    result = CliRunner().invoke(main, ["--debug", "lint", str(_book(tmp_path))])
    assert isinstance(result.exception, RuntimeError)


def test_debug_shows_the_traceback_of_an_explained_error_too(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    quiet = CliRunner().invoke(main, ["test", str(broken)])
    loud = CliRunner().invoke(main, ["--debug", "test", str(broken)])
    assert quiet.exit_code == loud.exit_code == EXIT_WORKBOOK
    assert "Traceback" not in quiet.output and "Traceback" in loud.output


def test_a_table_without_rules_is_pointed_out_when_it_is_used(tmp_path: Path) -> None:
    book = make_workbook(tmp_path, "e.xlsx", inputs=[("n", "integer", None, "yes")],
                         tables={"t": ("U", ["n", "out"], "io", None, [])})
    patients = tmp_path / "p.csv"
    patients.write_text("n\n1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(book), str(patients)])
    assert result.exit_code == 0
    assert "t!A4: warning: table t has no rules" in result.stderr


def test_debug_may_also_follow_the_command(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    result = CliRunner().invoke(main, ["test", str(broken), "--debug"])
    assert result.exit_code == EXIT_WORKBOOK and "Traceback" in result.output
