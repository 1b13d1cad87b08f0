"""Which encoding a CSV patient file is in, decided on the whole file, and streams read once.

Owns the scan of a file in blocks (never held whole) and what it decides: a file whose
bytes are all UTF-8 is UTF-8 (with its BOM: ``utf-8-sig``); a file with a UTF-16 BOM is
UTF-16; a file in which no byte sequence is UTF-8 beyond ASCII (every accented letter a
single byte) is Windows-1252, and the summary line says so; a file that holds both valid
UTF-8 sequences of accented letters and bytes that are not UTF-8 is damaged or mixes two
encodings, and is refused with the offset and line of the first bad byte, because either
reading would garble some names without a word.  The scan also tells whether the file
holds a ``"`` (a file without one cannot have a line break inside a field).

A named pipe (``<(zcat patients.csv.gz)``) can be read only once: ``Replay`` gives the
bytes already read for the header, then the rest of the pipe, checking UTF-8 as they pass
(the encoding of a pipe is decided on its first block).
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from engine._core.errors import InputDataError

SCAN_BLOCK = 1 << 24
UTF8 = ("utf-8", "utf-8-sig")
# a UTF-8 sequence of 2 to 4 bytes (RFC 3629): in a file that is not UTF-8, such a sequence
# is a sign that parts of it are UTF-8 after all
_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
                        rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
                        rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_NOT_CP1252 = b"\x81\x8d\x8f\x90\x9d"  # the five bytes Windows-1252 leaves undefined
NEWLINE = b"\n"


@dataclass(frozen=True)
class Scan:
    """What one pass over a file's bytes found."""

    utf8: bool  # every byte is UTF-8
    quoted: bool  # a '"' somewhere
    invalid_at: int | None = None  # the offset of the first byte that is not UTF-8
    multibyte: bool = False  # a UTF-8 sequence of an accented letter (or any non-ASCII character)
    undefined_at: int | None = None  # the offset of a byte Windows-1252 does not define


def scan(path: Path) -> Scan:
    """The whole file, read in blocks: UTF-8 or not (and where not), quotes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    quoted = multibyte = False
    invalid_at = undefined_at = None
    offset, tail = 0, b""
    with path.open("rb") as handle:
        while block := handle.read(SCAN_BLOCK):
            quoted = quoted or b'"' in block
            if invalid_at is None and not (block.isascii() and not decoder.getstate()[0]):
                pending = len(decoder.getstate()[0])
                try:
                    multibyte = multibyte or not decoder.decode(block).isascii()
                except UnicodeDecodeError as error:
                    invalid_at = offset - pending + error.start
            if invalid_at is not None:
                multibyte = multibyte or bool(_MULTIBYTE.search(tail + block))
                undefined_at = undefined_at if undefined_at is not None else _first_of(block, _NOT_CP1252, offset)
                if quoted and multibyte:
                    break
            offset += len(block)
            tail = block[-3:]
    if invalid_at is None:
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            invalid_at = offset - pending  # a character cut off at the end of the file
    return Scan(invalid_at is None, quoted, invalid_at, multibyte, undefined_at)


def head_scan(head: bytes, complete: bool) -> Scan:
    """``scan`` of the first bytes of a stream (``complete``: the stream ends there)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=complete)
        return Scan(True, True, multibyte=not head.isascii())
    except UnicodeDecodeError as error:
        return Scan(False, True, error.start, bool(_MULTIBYTE.search(head)), _first_of(head, _NOT_CP1252, 0))


def _first_of(block: bytes, characters: bytes, offset: int) -> int | None:
    found = [i for i in (block.find(bytes([c])) for c in characters) if i >= 0]
    return offset + min(found) if found else None


def decide(path: Path, head: bytes, given: str | None, found: Scan, stream: bool = False) -> str:
    """The encoding to read the file in (see the module's docstring), or an InputDataError
    that says where the file stops being UTF-8."""
    if given:
        if _is_utf8(given) and not found.utf8:
            raise InputDataError(not_utf8(path, found.invalid_at or 0, given, head, stream))
        return given
    if head.startswith(codecs.BOM_UTF8):
        if not found.utf8:
            raise InputDataError(not_utf8(path, found.invalid_at or 0, "utf-8-sig", head, stream))
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if found.utf8:
        return "utf-8"
    if found.multibyte:
        raise InputDataError(mixed(path, found.invalid_at or 0, head, stream))
    if found.undefined_at is not None:
        byte = _byte_at(path, found.undefined_at, head, stream)
        raise InputDataError(f"{path}: cannot decode as utf-8 or cp1252: byte {found.undefined_at:,}"
                             f"{_line_of(path, found.undefined_at, head, stream)} is 0x{byte:02X}, which neither "
                             "encoding has; give --encoding with the file's encoding (e.g. --encoding latin-1)")
    return "cp1252"


def not_utf8(path: Path, offset: int, encoding: str, head: bytes = b"", stream: bool = False) -> str:
    byte = _byte_at(path, offset, head, stream)
    return (f"{path}: cannot decode as {encoding}: byte {offset:,}{_line_of(path, offset, head, stream)} is "
            f"0x{byte:02X}, which is not {encoding}; give --encoding with the file's encoding (e.g. --encoding "
            "cp1252), or correct that byte")


def mixed(path: Path, offset: int, head: bytes = b"", stream: bool = False) -> str:
    byte = _byte_at(path, offset, head, stream)
    return (f"{path}: cannot decode as utf-8: byte {offset:,}{_line_of(path, offset, head, stream)} is "
            f"0x{byte:02X}, which is not UTF-8, but other accented letters in the file are UTF-8: the file is damaged "
            "there or mixes two encodings, and reading it either way would garble some texts. Correct that line (or "
            "save the file again as UTF-8), or give --encoding cp1252 if the whole file is Windows-1252")


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig", "utf8-sig")


def is_utf8(encoding: str) -> bool:
    """Whether ``encoding`` is UTF-8 (with or without BOM), the encoding that goes unsaid."""
    return _is_utf8(encoding)


def _byte_at(path: Path, offset: int, head: bytes, stream: bool) -> int:
    if stream or offset < len(head):
        return head[offset] if offset < len(head) else 0
    with path.open("rb") as handle:
        handle.seek(offset)
        return (handle.read(1) or b"\0")[0]


def _line_of(path: Path, offset: int, head: bytes, stream: bool) -> str:
    """' (line N)' for the byte at ``offset`` (counted by line feeds; only when a message needs it)."""
    if stream or offset < len(head):
        return f" (line {head.count(NEWLINE, 0, offset) + 1:,})" if offset <= len(head) else ""
    lines, done = 0, 0
    with path.open("rb") as handle:
        while done < offset and (block := handle.read(min(SCAN_BLOCK, offset - done))):
            lines += block.count(NEWLINE)
            done += len(block)
    return f" (line {lines + 1:,})"


class Replay(io.RawIOBase):
    """A stream that can be read once: ``head`` (read already), then the rest of ``rest``;
    with ``utf8``, a byte that is not UTF-8 stops the reading with an InputDataError that
    names its offset."""

    def __init__(self, path: Path, head: bytes, rest: BinaryIO, utf8: bool) -> None:
        super().__init__()
        self.path, self._head, self._rest = path, memoryview(head), rest
        self._decoder = codecs.getincrementaldecoder("utf-8")() if utf8 else None
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if len(self._head):
            size = min(len(buffer), len(self._head))
            data = bytes(self._head[:size])
            self._head = self._head[size:]
        else:
            data = self._rest.read(len(buffer))
        self._check(data)
        buffer[:len(data)] = data
        return len(data)

    def _check(self, data: bytes) -> None:
        if self._decoder is not None and (data or self._decoder.getstate()[0]) and not (
                data.isascii() and not self._decoder.getstate()[0]):
            pending = self._decoder.getstate()[0]
            try:
                self._decoder.decode(data, final=not data)
            except UnicodeDecodeError as error:
                at = self._offset - len(pending) + error.start
                byte = (pending + data)[error.start]
                raise InputDataError(f"{self.path}: cannot decode as utf-8: byte {at:,} is 0x{byte:02X}, which is not "
                                     "UTF-8, though the first block of this named pipe was (a pipe is read once, as "
                                     "it comes); give --encoding with the file's encoding (e.g. --encoding cp1252)"
                                     ) from None
        self._offset += len(data)
