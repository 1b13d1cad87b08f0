"""Hostile, broken and merely unusual inputs and outputs of ``dtrun``, for tests/adversarial
(issue 16) and scripts/fuzz_inputs.py.

- ``guide``: a small workbook (age integer and required, hr with allowed values, weight);
- special files: ``fifo``, ``char_device`` (a null device made with mknod in a test's
  folder: never the real /dev/null), ``socket_file``; ``feed`` and ``drain`` a named pipe on
  a thread;
- ``dtrun``: the command in a child process with a timeout (a hang fails the test instead
  of blocking CI), standard output closed or piped as asked; ``SLOW_WRITER``: a child that
  stops for good after writing its first block (to signal it while it writes);
- ``leftovers``: hidden temporary files left in a folder;
- Hypothesis strategies for column names, cell texts and encodings.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from helpers.workbooks import make_workbook

INPUTS = [("age", "integer", "[0..120]", "yes"), ("hr", "string", '"positive","negative"', "no"),
          ("weight", "number", None, "no")]
TABLES = {
    "band": ("U", ["age", "band", "Reference"], "ioa", None, [
        ["B1", "< 65", '"adult"', "Guide 1.1"], ["B2", ">= 65", '"senior"', "Guide 1.2"]]),
    "dose": ("U", ["band", "weight", "mg"], "iio", None, [["D1", '"adult"', "-", "8 * weight"],
                                                          ["D2", '"senior"', "-", "6 * weight"]]),
}
CSV = "id,age,hr,weight\np1,40,positive,70\np2,75,negative,\np3,abc,positive,60\n"
CLI = [sys.executable, "-m", "engine.cli"]


def guide(folder: Path, name: str = "guide.xlsx", **changes: Any) -> Path:
    """The small guideline workbook (``changes``: other ``inputs`` or ``tables``)."""
    return make_workbook(folder, name, inputs=changes.get("inputs", INPUTS), tables=changes.get("tables", TABLES))


def patients(folder: Path, content: str | bytes = CSV, name: str = "patients.csv") -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# ---------------------------------------------------------------------- special files
def fifo(folder: Path, name: str = "pipe") -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def char_device(folder: Path, name: str = "null") -> Path:
    """A character device like /dev/null (major 1, minor 3), made in ``folder`` (needs root,
    as CI runs; the caller skips otherwise)."""
    path = folder / name
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return path


def socket_file(folder: Path, name: str = "sock") -> tuple[Path, socket.socket]:
    path = folder / name
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    return path, server


class _Thread(threading.Thread):
    def __init__(self, target: Any) -> None:
        super().__init__(target=target, daemon=True)
        self.data = b""


def feed(pipe: Path, data: bytes, pieces: int = 7) -> threading.Thread:
    """A thread that writes ``data`` into the named pipe (in a few pieces, as zcat would)."""
    def write() -> None:
        with open(pipe, "wb") as handle:
            step = max(1, len(data) // pieces)
            for start in range(0, len(data), step):
                handle.write(data[start:start + step])
                handle.flush()

    thread = _Thread(write)
    thread.start()
    return thread


def drain(pipe: Path) -> _Thread:
    """A thread that reads the named pipe to its end (``.data`` once joined)."""
    def read() -> None:
        with open(pipe, "rb") as handle:
            thread.data = handle.read()

    thread = _Thread(read)
    thread.start()
    return thread


def unblock(pipe: Path) -> None:
    """Open the pipe's other ends without blocking, so that a thread stuck on it returns."""
    for flags in (os.O_RDONLY | os.O_NONBLOCK, os.O_WRONLY | os.O_NONBLOCK):
        try:
            os.close(os.open(pipe, flags))
        except OSError:
            pass


def leftovers(folder: Path) -> list[str]:
    """Hidden temporary files or folders (``.name.XXXX.tmp``) left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


# ---------------------------------------------------------------------- the command in a child process
def dtrun(args: Sequence[Any], cwd: Path, timeout: float = 120, stdout_closed: bool = False,
          stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    """``dtrun ARGS`` in a child process; a hang past ``timeout`` raises TimeoutExpired (the
    child is killed).  ``stdout_closed``: the child starts with standard output closed."""
    command = [*CLI, *map(str, args)]
    if stdout_closed:
        command, stdout = ["sh", "-c", 'exec "$@" >&-', "sh", *command], None
    return subprocess.run(command, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout)


# A child that runs dtrun and, after its first block is written and flushed, stops for good
# (a long sleep): SIGTERM or SIGHUP then comes while the result is being written.
SLOW_WRITER = """
import sys, time
from engine.files import results
original = results.ResultWriter.write_columns
def slow(self, inputs, columns):
    original(self, inputs, columns)
    self._sink.flush()
    time.sleep(600)
results.ResultWriter.write_columns = slow
from engine.cli import main
main(sys.argv[1:])
"""


# ---------------------------------------------------------------------- strategies
FORMULA_STARTS = "=+-@\t\r"
NAMES = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00\n\r"),
                min_size=1, max_size=12).filter(lambda t: t.strip() != "")
FORMULA_NAMES = st.builds(lambda start, rest: start + rest, st.sampled_from(list("=+-@")), NAMES)
ACCENTED = st.text(alphabet="abcdeéèüöäßçñøÅÉÜ€ ", min_size=1, max_size=10)
