"""Atomic writes: a file appears complete or not at all, and never destroys what was there.

Owns ``atomic_path``: a temporary file in the target's folder, renamed over the target only
when the work that writes it succeeds, so that a failed or interrupted run leaves no partial
file and the old file intact; the finished file gets the permissions of the one it replaces
(else the umask's).  Every command that writes a file writes it through here.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from engine._core.errors import InputDataError


class atomic_path:
    """A temporary path beside ``target`` that replaces it on success and vanishes on failure."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __enter__(self) -> Path:
        folder = self.target.parent if str(self.target.parent) else Path(".")
        if not folder.is_dir():
            raise InputDataError(f"{self.target}: the folder {folder} does not exist")
        handle, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=folder)
        os.close(handle)
        self.temporary = Path(name)
        return self.temporary

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if kind is None:
            os.chmod(self.temporary, file_mode(self.target))
            os.replace(self.temporary, self.target)
        else:
            self.temporary.unlink(missing_ok=True)


def file_mode(target: Path) -> int:
    """The permissions the finished file gets: those of the file it replaces, else what a
    new file gets under the user's umask (the temporary file itself is private, 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def write_text(target: str | Path, text: str) -> None:
    """``text`` (UTF-8) to ``target``, atomically."""
    with atomic_path(Path(target)) as temporary:
        temporary.write_text(text, encoding="utf-8")
