"""Which data element each name in a DAK's tables means.

Owns the pairing of the names the tables write (``"Persistant behaviours"``) with the data
elements they mean: with a dictionary, its Data Element Label written exactly (spaces
normalised), else the label ``suggest_name`` finds (case, spaces, a typo), reported as a
pairing an editor confirms (``dak-pairing``, info); a name with no plausible label is
``dak-name`` (warning).  Without a dictionary, a name written two ways across the tables is
paired with its more frequent spelling and reported as ``dak-name``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from engine.formats.dak.condition import suggest_name


@dataclass(frozen=True)
class Pairing:
    written: str  # as the table writes it
    element: str  # the label (or spelling) it is taken as
    rule: str  # "exact", suggest_name's rule, or "" (no match: kept as written)
    found_in: str  # "dictionary", "tables" or ""


def plain(name: str) -> str:
    return " ".join(name.split())


def _distinct(a: str, b: str) -> bool:
    """Names that differ in a word of one or two characters or in a number (``Hepatitis B`` /
    ``Hepatitis C``, ``TTCV 1`` / ``TTCV 2``) name different things, not a typo."""
    left, right = plain(a).casefold().split(), plain(b).casefold().split()
    if len(left) != len(right):
        return False
    return any(x != y and (len(x) <= 2 or len(y) <= 2 or any(c.isdigit() for c in x + y))
               for x, y in zip(left, right))


def _suggest(name: str, known: list[str]) -> tuple[str, str] | None:
    found = suggest_name(name, known)
    return None if found is None or _distinct(name, found[0]) else found


def pair_names(used: Counter[str], labels: list[str] | None) -> dict[str, Pairing]:
    """Each name used (with how often) → its pairing."""
    pairings: dict[str, Pairing] = {}
    if labels is not None:
        exact = {plain(label): label for label in labels}
        for name in used:
            if '"' in name:  # a value computed from data elements (IF "X" = TRUE ON MORE THAN ONE CONTACT)
                pairings[name] = Pairing(name, plain(name), "exact", "")
                continue
            if plain(name) in exact:
                pairings[name] = Pairing(name, exact[plain(name)], "exact", "dictionary")
                continue
            found = _suggest(plain(name), list(exact.values()))
            pairings[name] = (Pairing(name, found[0], found[1], "dictionary") if found
                              else Pairing(name, plain(name), "", ""))
        return pairings
    # no dictionary: the spellings of the tables themselves, the most used first
    chosen: list[str] = []
    for name, _ in sorted(used.items(), key=lambda item: (-item[1], item[0])):
        if plain(name) in chosen:
            pairings[name] = Pairing(name, plain(name), "exact", "tables")
            continue
        found = _suggest(plain(name), chosen) if chosen else None
        if found:
            pairings[name] = Pairing(name, found[0], found[1], "tables")
        else:
            chosen.append(plain(name))
            pairings[name] = Pairing(name, plain(name), "exact", "tables")
    return pairings
