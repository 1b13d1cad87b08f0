"""Standard output and standard error when the reader goes away, or was never there.

Owns ``standard_streams``: while a command runs, ``sys.stdout`` and ``sys.stderr`` are
wrapped so that a reader that leaves early (``dtrun ... | head``: a broken pipe) makes the
rest of what is written vanish, without an error, and the command goes on to end with the
status it would have had.  ``gone(stream)`` tells a writer that nobody reads any more, so
that it can skip making the text.  A closed standard output (``>&-``) is ``None`` in Python;
``standard_output`` turns it into an ``OutputError`` for the commands that write their
product there.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from engine._core.errors import OutputError

CLOSED = "standard output is closed"


class _Guarded:
    """A stream (text or binary) whose writes vanish once its reader has gone."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._binary: _Guarded | None = None
        self.gone = False

    def write(self, data: Any) -> int:
        if not self.gone:
            try:
                return int(self._stream.write(data) or 0)
            except BrokenPipeError:
                self._leave()
        return len(data)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._leave()

    @property
    def buffer(self) -> _Guarded:
        if self._binary is None:
            self._binary = _Guarded(self._stream.buffer)
            self._binary._text = self  # type: ignore[attr-defined]
        return self._binary

    def _leave(self) -> None:
        """From now on write nowhere: the descriptor is pointed at /dev/null, so that what
        is still buffered (here or in Python's own stream) is flushed there at exit."""
        self.gone = True
        text = getattr(self, "_text", None)
        if text is not None:
            text.gone = True
        if self._binary is not None:
            self._binary.gone = True
        with contextlib.suppress(AttributeError, OSError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def standard_streams() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` guarded against a reader that leaves, while the
    block runs (a closed stream stays ``None``)."""
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None and not isinstance(sys.stdout, _Guarded):
        sys.stdout = _Guarded(sys.stdout)  # type: ignore[assignment]
    if sys.stderr is not None and not isinstance(sys.stderr, _Guarded):
        sys.stderr = _Guarded(sys.stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        for guarded in (sys.stdout, sys.stderr):
            if isinstance(guarded, _Guarded):
                guarded.flush()
        sys.stdout, sys.stderr = saved


def standard_output(binary: bool = False) -> Any:
    """``sys.stdout`` (or its byte stream), or an ``OutputError`` when it is closed."""
    stream = sys.stdout
    if stream is None:
        raise OutputError(f"{CLOSED}; give -o FILE, or redirect it to a file (> FILE)")
    return stream.buffer if binary else stream


def gone(stream: Any) -> bool:
    """Whether the reader of ``stream`` has left (a broken pipe): nothing written is read."""
    return bool(getattr(stream, "gone", False))
