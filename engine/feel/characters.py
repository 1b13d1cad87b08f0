"""Characters in a cell that a reader cannot see, or cannot tell from the ones they look like.

Owns :func:`suspicious`: in a cell's text, each invisible character (Unicode formats and
controls: zero-width spaces and joiners, the soft hyphen, direction marks, the byte-order
mark; tabs and line breaks aside) and each confusable one (a Cyrillic or Greek letter drawn
like a Latin one inside a word of Latin letters, such as the Cyrillic ``а`` in ``pаtient``; a
full-width Latin letter or digit).  Such a character inside a quoted text makes a rule silently match nothing that
was typed on an ordinary keyboard; the loaders warn at the cell (code ``invisible-character``).
Plain texts (printable ASCII) are passed over at the cost of two calls.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"[^\W\d_]+")
# Cyrillic and Greek letters drawn like Latin ones (not all of them: μ in μg is meant)
_LOOK_ALIKES = frozenset("аеорсухіјѕԁһӏԛԝАВЕКМНОРСТУХІЈЅԚԜ" "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικν")


@dataclass(frozen=True)
class Suspect:
    """One character to warn about: where (1-based), which, and why it matters."""

    column: int
    char: str
    invisible: bool  # else confusable

    @property
    def code_point(self) -> str:
        """``U+200B ZERO WIDTH SPACE``: how a warning names the character."""
        return f"U+{ord(self.char):04X} {unicodedata.name(self.char, '(a control character)')}"


def suspicious(text: str) -> list[Suspect]:
    """The invisible and confusable characters of ``text``, in order (at most one per kind
    of character, so that a pasted paragraph gives a short warning)."""
    if text.isascii() and not _CONTROL.search(text):
        return []
    found: dict[str, Suspect] = {}
    for index, char in enumerate(text):
        if char not in found and (_invisible(char) or _wide(char)):
            found[char] = Suspect(index + 1, char, _invisible(char))
    for word in _WORD.finditer(text):
        letters = word[0]
        if letters.isascii() or not any("a" <= c <= "z" or "A" <= c <= "Z" for c in letters):
            continue
        for offset, char in enumerate(letters):
            if char not in found and char in _LOOK_ALIKES:
                found[char] = Suspect(word.start() + offset + 1, char, False)
    return sorted(found.values(), key=lambda s: s.column)


def _invisible(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char) in ("Cf", "Cc", "Zl", "Zp")


def _wide(char: str) -> bool:
    return "\uff10" <= char <= "\uff5a" and char.isalnum()  # full-width 0-9, A-Z, a-z

