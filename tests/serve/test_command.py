"""``dtrun serve`` on the command line: what it loads, where it listens, what it warns about.

The server itself is not started: ``uvicorn.run`` is replaced by a recorder, so the test
sees the application and the address dtrun would serve.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")

from engine.cli import main  # noqa: E402

WORKBOOK = ROOT / "decision_tables" / "her2_mbc_brain_mets.xlsx"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append({"app": app, **options}))
    return calls


def test_serves_on_this_machine_by_default_without_a_warning(started: list[dict]) -> None:
    result = CliRunner().invoke(main, ["serve", str(WORKBOOK), "--port", "8123"])
    assert result.exit_code == 0, result.output
    (call,) = started
    assert (call["host"], call["port"]) == ("127.0.0.1", 8123)
    assert "warning" not in result.stderr and "serving her2_mbc_brain_mets on http://127.0.0.1:8123/" in result.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_listening_beyond_this_machine_is_warned_about(started: list[dict], host: str) -> None:
    result = CliRunner().invoke(main, ["serve", str(WORKBOOK), "--host", host])
    assert result.exit_code == 0 and f"warning: listening on {host}" in result.stderr


def test_a_workbook_that_cannot_be_used_stops_it_before_it_listens(started: list[dict], tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    result = CliRunner().invoke(main, ["serve", str(broken)])
    assert result.exit_code == 3 and "broken.xlsx" in result.stderr and not started
    result = CliRunner().invoke(main, ["serve", str(tmp_path / "nothing")])
    assert result.exit_code in (2, 3) and not started


def test_watch_starts_the_watcher_before_it_listens(started: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.serve import models

    watching: list[object] = []
    monkeypatch.setattr(models.Watcher, "start", lambda self: watching.append(self))
    result = CliRunner().invoke(main, ["serve", str(WORKBOOK), "--watch"])
    assert result.exit_code == 0 and len(watching) == 1 and started
    assert "reloaded when the files change" in result.stderr
    result = CliRunner().invoke(main, ["serve", str(WORKBOOK)])
    assert result.exit_code == 0 and len(watching) == 1
