"""Issue 16, the outputs: what ``-o`` may name, what the machine may refuse, and signals.

Classes 1 (special files written into, not replaced), 6 (an output that is an input),
15 (the environment refusing: a read-only folder, a full disk, a closed or broken standard
output, a missing folder, a folder, a device one may not open), 17 (SIGTERM and SIGHUP
remove the temporary file) and 21 (a link given as -o is replaced, not written through).
Each promise: one line on standard error, a documented exit status, nothing destroyed,
no hidden temporary file left, never "a bug in dtrun" (70).
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.adversarial import (
    CSV,
    SLOW_WRITER,
    char_device,
    drain,
    dtrun,
    fifo,
    guide,
    leftovers,
    patients,
    socket_file,
    unblock,
)

from engine.cli import main
from engine.cli.support import EXIT_DATA, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return guide(tmp_path)


@pytest.fixture
def people(tmp_path: Path) -> Path:
    return patients(tmp_path)


def _writers(book: Path, people: Path, out: Path) -> dict[str, list[object]]:
    """Every command that writes a file, writing ``out``."""
    return {
        "evaluate": ["evaluate", book, people, "-o", out],
        "evaluate-json": ["evaluate", book, people, "--format", "json", "-o", out],
        "lint": ["lint", book, "-o", out],
        "show": ["show", book, "-o", out],
        "diff": ["diff", book, book, "-o", out],
    }


# ====================================================================== class 1: special files
@pytest.mark.parametrize("command", ["evaluate", "evaluate-json", "lint", "show", "diff"])
def test_a_named_pipe_given_as_output_is_written_into_not_replaced(tmp_path, book, people, command):
    pipe = fifo(tmp_path, "out.pipe")
    reader = drain(pipe)
    try:
        result = invoke(*_writers(book, people, pipe)[command])
    finally:
        reader.join(30)
        unblock(pipe)
    assert result.exit_code in (EXIT_OK, EXIT_FINDINGS), result.output
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode), "the named pipe was replaced by a file"
    assert reader.data, "nothing came through the pipe"
    assert leftovers(tmp_path) == []


def _device(tmp_path: Path, name: str = "null") -> Path:
    try:
        return char_device(tmp_path, name)
    except PermissionError:
        pytest.skip("making a character device needs root (CI runs as root)")


@pytest.mark.parametrize("command", ["evaluate", "evaluate-json", "lint", "show", "diff"])
def test_a_character_device_given_as_output_is_written_into_not_replaced(tmp_path, book, people, command):
    device = _device(tmp_path)
    result = invoke(*_writers(book, people, device)[command])
    assert result.exit_code in (EXIT_OK, EXIT_FINDINGS), result.output
    assert stat.S_ISCHR(os.lstat(device).st_mode), "the device was replaced by a file"
    assert leftovers(tmp_path) == []


def test_a_link_to_a_device_is_written_through_and_kept(tmp_path, book, people):
    device = _device(tmp_path)
    link = tmp_path / "stdout"
    link.symlink_to(device)
    result = invoke("evaluate", book, people, "-o", link)
    assert result.exit_code == EXIT_OK, result.output
    assert link.is_symlink() and stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_socket_given_as_output_is_refused(tmp_path, book, people):
    path, server = socket_file(tmp_path)
    try:
        result = invoke("evaluate", book, people, "-o", path)
    finally:
        server.close()
    assert result.exit_code == EXIT_DATA
    assert f"error: {path}: is a socket; dtrun writes files, character devices" in result.stderr
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


# ====================================================================== class 6: an output that is an input
def _same_file_cases(tmp_path: Path, book: Path, people: Path) -> dict[str, tuple[list[object], Path]]:
    dmn_link = tmp_path / "model.dmn"
    dmn_link.symlink_to(book)
    patient_link = tmp_path / "link.csv"
    patient_link.symlink_to(people)
    hard = tmp_path / "hard.xlsx"
    os.link(book, hard)
    folder = tmp_path / "annotated"
    folder.mkdir()
    (folder / book.name).symlink_to(book)
    return {
        "evaluate -o PATIENTS": (["evaluate", book, people, "-o", people], people),
        "evaluate -o a link to PATIENTS": (["evaluate", book, people, "-o", patient_link], people),
        "evaluate --format csv -o WORKBOOK": (["evaluate", book, people, "--format", "csv", "-o", book], book),
        "lint -o WORKBOOK": (["lint", book, "-o", book], book),
        "lint -o a hard link": (["lint", book, "-o", hard], book),
        "lint --annotate WORKBOOK": (["lint", book, "--annotate", book], book),
        "lint --annotate FOLDER with it": (["lint", tmp_path / book.name, "--annotate", folder], book),
        "show -o WORKBOOK": (["show", book, "-o", book], book),
        "diff -o NEW": (["diff", book, hard, "-o", hard], book),
        "convert to a link": (["convert", book, dmn_link], book),
    }


@pytest.mark.parametrize("case", ["evaluate -o PATIENTS", "evaluate -o a link to PATIENTS",
                                  "evaluate --format csv -o WORKBOOK", "lint -o WORKBOOK", "lint -o a hard link",
                                  "lint --annotate WORKBOOK", "lint --annotate FOLDER with it", "show -o WORKBOOK",
                                  "diff -o NEW", "convert to a link"])
def test_an_output_that_is_an_input_is_a_usage_error_and_destroys_nothing(tmp_path, book, people, case):
    args, read = _same_file_cases(tmp_path, book, people)[case]
    before = read.read_bytes()
    result = invoke(*args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert read.read_bytes() == before
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("Error: ") and "which dtrun reads; writing it would destroy it" in message
    assert str(read) in message or str(read.name) in message, message  # names both
    assert leftovers(tmp_path) == []


def test_a_dask_output_folder_that_holds_the_input_is_a_usage_error(tmp_path, book):
    pytest.importorskip("dask.dataframe")
    import pandas as pd

    folder = tmp_path / "results"
    folder.mkdir()
    pd.DataFrame({"id": ["a"], "age": ["4"]}).to_parquet(folder / "part.00000.parquet")
    (folder / "_dtrun.json").write_text("{}")
    result = invoke("evaluate", book, folder, "--engine", "dask", "-o", folder)
    assert result.exit_code == EXIT_USAGE and "names the patient file" in result.stderr
    result = invoke("evaluate", book, folder / "*.parquet", "--engine", "dask", "-o", folder)
    assert result.exit_code == EXIT_USAGE and "is the folder that holds the patient file" in result.stderr
    assert (folder / "part.00000.parquet").exists()


# ====================================================================== class 15: the environment refuses
@pytest.mark.parametrize("code, words", [(errno.EROFS, "the disk is read-only"),
                                         (errno.EACCES, "permission denied")])
def test_a_folder_one_cannot_write_into_is_one_line_with_the_commands_status(tmp_path, book, people, monkeypatch,
                                                                              code, words):
    def refused(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refused)  # as root, chmod cannot make a folder read-only
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    for args, status in ((["evaluate", book, people, "-o", out], EXIT_DATA), (["lint", book, "-o", out], EXIT_USAGE),
                         (["show", book, "-o", out], EXIT_USAGE), (["convert", book, tmp_path / "m.dmn"], EXIT_DATA)):
        result = invoke(*args)
        assert result.exit_code == status, (args, result.output)
        assert f"cannot write the file: {words}" in result.stderr and "bug in dtrun" not in result.stderr
    assert out.read_text() == "old\n"


class _FullDisk:
    """A file whose writes fail once ``room`` bytes are written, as on a full disk."""

    def __init__(self, handle: object, room: int) -> None:
        self.handle, self.room = handle, room

    def write(self, data: bytes) -> int:
        self.room -= len(data)
        if self.room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.handle.write(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self.handle, name)


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
@pytest.mark.parametrize("room", [0, 100])
def test_a_full_disk_keeps_the_old_output_and_leaves_no_temporary_file(tmp_path, book, people, monkeypatch, fmt,
                                                                        room):
    import builtins

    from engine.files import results

    monkeypatch.setattr(results, "open", lambda *a, **k: _FullDisk(builtins.open(*a, **k), room), raising=False)
    out = tmp_path / f"out.{fmt}"
    out.write_text("old\n")
    result = invoke("evaluate", book, people, "-o", out)
    assert result.exit_code == EXIT_DATA, result.output
    assert f"error: {out}: cannot write the file: no space is left on the disk. Free some space" in result.stderr
    assert f"({out} is left as it was)" in result.stderr
    assert out.read_text() == "old\n" and leftovers(tmp_path) == []


def test_a_full_disk_while_writing_a_report(tmp_path, book, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", full)
    result = invoke("lint", book, "-o", tmp_path / "report.txt")
    assert result.exit_code == EXIT_USAGE and "no space is left on the disk" in result.stderr
    assert leftovers(tmp_path) == []


def test_a_device_one_may_not_open_is_permission_denied(tmp_path, book, people, monkeypatch):
    """``-o /dev/null`` as an ordinary user: the device is written into, and a refusal to open
    it (simulated: CI runs as root) is one line."""
    import builtins

    from engine.files import results

    device = _device(tmp_path)

    def refused(path, *args, **kwargs):
        if Path(path) == device:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(results, "open", refused, raising=False)
    result = invoke("evaluate", book, people, "-o", device)
    assert result.exit_code == EXIT_DATA
    assert f"error: {device}: cannot write the file: permission denied" in result.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_an_output_in_a_missing_folder(tmp_path, book, people):
    for args, status in ((["evaluate", book, people, "-o", tmp_path / "no" / "r.csv"], EXIT_DATA),
                         (["lint", book, "-o", tmp_path / "no" / "r.txt"], EXIT_USAGE),
                         (["show", book, "-o", tmp_path / "no" / "r.txt"], EXIT_USAGE)):
        result = invoke(*args)
        assert result.exit_code == status and "the folder" in result.stderr and "does not exist" in result.stderr


def test_an_output_that_is_a_folder_leaves_no_hidden_file(tmp_path, book, people):
    folder = tmp_path / "results"
    folder.mkdir()
    for args, status in ((["evaluate", book, people, "-o", folder], EXIT_DATA), (["lint", book, "-o", folder], EXIT_USAGE),
                         (["show", book, "-o", folder], EXIT_USAGE), (["diff", book, book, "-o", folder], EXIT_USAGE)):
        result = invoke(*args)
        assert result.exit_code == status, result.output
        assert f"error: {folder}: is a folder; give the name of a file" in result.stderr
    assert leftovers(tmp_path) == [] and folder.is_dir()


@pytest.mark.parametrize("args, status", [
    (["evaluate", "{book}", "{people}"], EXIT_DATA),
    (["lint", "{book}"], EXIT_USAGE),
    (["show", "{book}"], EXIT_USAGE),
    (["test", "{book}"], EXIT_USAGE),
])
def test_a_closed_standard_output_is_one_line(tmp_path, book, people, args, status):
    args = [a.format(book=book, people=people) for a in args]
    result = dtrun(args, tmp_path, stdout_closed=True)
    assert result.returncode == status, result.stderr
    assert b"error: standard output is closed" in result.stderr and b"Traceback" not in result.stderr


def test_a_reader_that_leaves_early_changes_neither_the_status_nor_standard_error(tmp_path, book):
    """``dtrun ... | head``: the same exit status as without head, no message about the pipe."""
    big = patients(tmp_path, "id,age\n" + "".join(f"p{i},{i % 100}\n" for i in range(200_000)), "big.csv")
    gap = guide(tmp_path, "gap.xlsx", tables={"band": ("U", ["age", "band"], "io", None, [["B1", "< 65", '"a"']])})
    for args, status in ((["evaluate", book, big], EXIT_OK), (["lint", gap], EXIT_FINDINGS), (["show", book], EXIT_OK)):
        alone = dtrun(args, tmp_path)
        child = subprocess.Popen([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=tmp_path,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        child.stdout.read(10)
        child.stdout.close()  # as head does after its lines
        try:
            error = child.stderr.read()
            child.wait(120)
        finally:
            child.kill()
        assert child.returncode == alone.returncode == status, (args, error)
        assert b"error:" not in error and b"Traceback" not in error and b"Broken pipe" not in error, error
        assert [line for line in error.splitlines() if not line.startswith(b"dtrun: ")] == \
            [line for line in alone.stderr.splitlines() if not line.startswith(b"dtrun: ")]


# ====================================================================== class 17: SIGTERM and SIGHUP
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_writing_removes_the_temporary_file_and_keeps_the_old_output(tmp_path, book, people, number):
    out = tmp_path / "results.csv"
    out.write_text("old results\n")
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, "evaluate", str(book), str(people), "-o", str(out)],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(600):  # until the first block is in the temporary file (a wait, not a timing)
            if any(leftovers(tmp_path)) and any((tmp_path / n).stat().st_size for n in leftovers(tmp_path)):
                break
            assert child.poll() is None, child.communicate()
            time.sleep(0.1)
        assert leftovers(tmp_path), "the child never started writing"
        child.send_signal(number)
        child.wait(60)
    finally:
        child.kill()
    assert child.returncode == -number  # ended by the signal, as before
    assert leftovers(tmp_path) == []
    assert out.read_text() == "old results\n"


# ====================================================================== class 21: a link given as -o
def test_a_link_given_as_output_is_replaced_not_written_through(tmp_path, book, people):
    elsewhere = tmp_path / "kept.csv"
    elsewhere.write_text("not to be touched\n")
    link = tmp_path / "results.csv"
    link.symlink_to(elsewhere)
    result = invoke("evaluate", book, people, "-o", link)
    assert result.exit_code == EXIT_OK
    assert not link.is_symlink() and link.read_text().startswith('"id","age"')
    assert elsewhere.read_text() == "not to be touched\n"


def test_no_environment_failure_is_called_a_bug(tmp_path, book, people, monkeypatch):
    """The last line of defence: an OSError of the machine (here on reading) is not exit 70."""
    from engine.files import patients as reading

    def unreadable(*args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(people))

    monkeypatch.setattr(reading, "scan", unreadable)
    result = invoke("evaluate", book, people)
    assert result.exit_code == EXIT_DATA and result.exit_code != EXIT_INTERNAL
    assert f"error: {people}: input/output error" in result.stderr
    assert CSV  # the fixture's content is unchanged
