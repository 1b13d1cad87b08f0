"""Writes that never destroy: a file appears complete or not at all; a device is written into.

Owns ``atomic_path`` and what kind of target an output is.  A regular file (or a new name)
is written as a temporary file in its folder, renamed over the target only when the work
that writes it succeeds, so that a failed or interrupted run leaves no partial file and
the old file intact; the finished file gets the permissions of the one it replaces (else
the umask's).  A symbolic link to a regular file is replaced by the new file, not written
through (the file it pointed to is left as it was).  A character device (``/dev/null``, a
terminal) or a named pipe, also through a link (``/dev/stdout``), is written into directly:
no temporary file, nothing renamed over it.  A folder or any other kind of file is refused.

Failures of the system (no space left, a read-only disk, no permission) become an
``OutputError`` that names the file and says what to do; the temporary file is removed on
every failure, and on SIGTERM and SIGHUP once ``remove_on_signals`` is installed (the
``dtrun`` command does; SIGINT unwinds as an exception).  Every command that writes a file
writes it through here.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any

from engine._core.errors import OutputError

# what the system said, in words, and what to do about it
_REASONS = {
    errno.ENOSPC: ("no space is left on the disk", "free some space, or write to another disk"),
    errno.EDQUOT: ("the disk quota is used up", "free some space, or write to another disk"),
    errno.EFBIG: ("the file is too large for this disk", "write to another disk"),
    errno.EROFS: ("the disk is read-only", "write to another folder"),
    errno.EACCES: ("permission denied", "write to a folder you may write to, or ask for permission"),
    errno.EPERM: ("the system does not allow it", "write to a folder you may write to, or ask for permission"),
    errno.EIO: ("the disk reported an input/output error", "check the disk, or write to another one"),
    errno.ENOENT: ("a folder of the path does not exist", "check the path"),
    errno.ENOTDIR: ("a part of the path is not a folder", "check the path"),
    errno.ENAMETOOLONG: ("the name is too long", "give a shorter name"),
}
ENVIRONMENT = frozenset(_REASONS) | {errno.EMFILE, errno.ENFILE, errno.ELOOP, errno.ETXTBSY, errno.EISDIR}

_live: set[Path] = set()  # temporary files and folders being written: removed on SIGTERM/SIGHUP
_lock = threading.RLock()  # re-entrant: the signal handler runs in the thread it interrupts


class atomic_path:
    """A temporary path beside ``target`` that replaces it on success and vanishes on failure;
    for a device or a named pipe, ``target`` itself (``direct`` is then true)."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.direct = False

    def __enter__(self) -> Path:
        self.existed = os.path.exists(self.target)
        self.direct = written_into(self.target)
        if self.direct:
            return self.target
        folder = self.target.parent if str(self.target.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(f"{self.target}: the folder {folder} does not exist")
        try:
            handle, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=folder)
        except OSError as error:
            raise self.error(error) from None
        os.close(handle)
        self.temporary = Path(name)
        track(self.temporary)
        return self.temporary

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if kind is None:
            self.commit()
            return
        self.discard()
        if isinstance(error, OSError) and error.errno in ENVIRONMENT and not isinstance(error, BrokenPipeError):
            raise self.error(error) from None  # the body only writes the temporary file

    def commit(self) -> None:
        """The temporary file becomes the target (a direct target is written already)."""
        if self.direct:
            return
        try:
            os.chmod(self.temporary, file_mode(self.target))
            os.replace(self.temporary, self.target)
        except OSError as error:
            self.discard()
            raise self.error(error) from None
        untrack(self.temporary)

    def discard(self) -> None:
        """The temporary file removed; the target left as it was."""
        if not self.direct:
            self.temporary.unlink(missing_ok=True)
            untrack(self.temporary)

    def error(self, error: OSError) -> OutputError:
        return output_error(self.target, error, self.existed and not self.direct)


def written_into(target: Path) -> bool:
    """Whether ``target`` is written into directly (a character device or a named pipe, also
    through links, or a file reached through /proc such as /dev/stdout redirected to a file)
    rather than replaced; a folder, a socket or a block device is refused."""
    try:
        mode = os.stat(target).st_mode  # follows links
    except FileNotFoundError:
        return False  # a new file (or a link to nothing, which is replaced)
    except OSError as error:
        raise output_error(target, error, False) from None
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return True
    if stat.S_ISDIR(mode):
        raise OutputError(f"{target}: is a folder; give the name of a file")
    if stat.S_ISREG(mode):
        return _through_proc(target)
    kind = "a socket" if stat.S_ISSOCK(mode) else "a block device" if stat.S_ISBLK(mode) else "a special file"
    raise OutputError(f"{target}: is {kind}; dtrun writes files, character devices (such as /dev/null) and "
                      "named pipes. Give the name of a file")


def _through_proc(target: Path) -> bool:
    """Whether a link on the way to ``target`` lies in /proc (``/dev/stdout``, ``/dev/fd/1``):
    it names an open file of a process, which must be written into, not replaced."""
    path = os.path.abspath(target)
    for _ in range(40):
        if os.path.realpath(os.path.dirname(path)).startswith("/proc/"):
            return True
        if not os.path.islink(path):
            return False
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    return False


def output_error(target: Path | str, error: OSError, existed: bool) -> OutputError:
    """What the system refused, as one sentence that names the file and says what to do."""
    said = (error.strerror or str(error)).lower()
    reason, hint = _REASONS.get(error.errno or 0, (said, "check the path and the disk"))
    kept = f"{target} is left as it was" if existed else "no file was written"
    return OutputError(f"{target}: cannot write the file: {reason}. {hint[0].upper()}{hint[1:]} ({kept})")


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
    """``text`` (UTF-8) to ``target``, atomically (a device or named pipe: directly)."""
    with atomic_path(Path(target)) as temporary:
        temporary.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------- SIGTERM and SIGHUP
def track(path: Path) -> None:
    """``path`` (a temporary file or folder) is removed if a signal ends the process."""
    with _lock:
        _live.add(path)


def untrack(path: Path) -> None:
    with _lock:
        _live.discard(path)


def remove_on_signals(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGHUP)) -> None:
    """On ``signals``, remove every temporary file and folder being written, then end the
    process by the same signal (its parent sees it as killed, as before).  Installed only
    from the main thread and only over the default action, so that a program that handles
    these signals itself keeps its handlers."""
    if threading.current_thread() is not threading.main_thread():
        return
    for number in signals:
        if signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _remove_and_die)


def _remove_and_die(number: int, frame: Any) -> None:
    with _lock:
        paths = list(_live)
        _live.clear()
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)
