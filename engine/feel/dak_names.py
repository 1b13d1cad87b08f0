"""Which known name a DAK data-element name most likely means: the same but for case, spaces,
punctuation, or a one-letter typo (``Persistant behaviours`` → ``Persistent behaviours``).

Owns ``suggest_name``, which the DAK reader asks about every name against the data dictionary.
Conservative by design: a typo is proposed only for names of five letters or more, and only when
exactly one known name is that close; otherwise nothing is proposed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

EXACT = "exact"
SPACES = "same but for spaces"
CASE = "same but for case"
CASE_AND_SPACES = "same but for case and spaces"
PUNCTUATION = "same but for punctuation"
TYPO = "a typo: one letter differs"
_MIN_TYPO_LENGTH = 5


def _spaces(name: str) -> str:
    return " ".join(name.split())


def _punctuation(name: str) -> str:
    return re.sub(r"[\W_]+", "", name).casefold()


_RULES: tuple[tuple[str, Callable[[str], str]], ...] = (
    (EXACT, lambda n: n),
    (SPACES, _spaces),
    (CASE, str.casefold),
    (CASE_AND_SPACES, lambda n: _spaces(n).casefold()),
    (PUNCTUATION, _punctuation),
)


def suggest_name(name: str, known: Iterable[str]) -> tuple[str, str] | None:
    """The known name ``name`` most likely means and the rule that pairs them (``"exact"``,
    ``"same but for spaces"``, ``"same but for case"``, ``"same but for case and spaces"``,
    ``"same but for punctuation"``, ``"a typo: one letter differs"``), or None."""
    names = list(dict.fromkeys(known))
    for rule, key in _RULES:
        wanted = key(name)
        if not wanted:
            continue
        found = [k for k in names if key(k) == wanted]
        if len(found) == 1:
            return found[0], rule
        if found:
            return None  # two known names equally near: not a guess to make
    plain = _spaces(name).casefold()
    if len(plain) < _MIN_TYPO_LENGTH:
        return None
    close = [k for k in names if one_edit(plain, _spaces(k).casefold())]
    return (close[0], TYPO) if len(close) == 1 else None


def one_edit(a: str, b: str) -> bool:
    """True if ``b`` is ``a`` with one letter changed, added, removed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    at = next((i for i, (x, y) in enumerate(zip(short, long)) if x != y), len(short))
    return short[at:] == long[at + 1:]
