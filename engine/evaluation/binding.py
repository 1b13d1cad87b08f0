"""Patient-file columns named with DMN names, for a model read from a DMN file.

Owns which column of a patient file holds each input of a DMN model: the column named with
dtrun's identifier (``Person_age``) or, as DMN tools and their users name it, with the
inputData's DMN name (``Person age``).  The file's own column names are kept in the output;
only the evaluation reads the column under the input's name.  A workbook model's inputs
are read from the columns named exactly as the input.
"""

from __future__ import annotations

from collections.abc import Collection

from engine._core.errors import InputDataError
from engine.model.types import Model


def input_columns(model: Model, columns: Collection[str]) -> dict[str, str]:
    """Input name → the file's column that holds it (inputs without a column left out), under
    the input's name or its other names (``Model.input_aliases``: a DMN model's DMN names, a DAK's
    data element labels; ``Model.column_aliases``: a DAK's Data Element IDs).  A
    file with a column under both names of one input is refused: which one to read would be
    a guess."""
    names, more = model.input_aliases, model.column_aliases
    found: dict[str, str] = {}
    for name in model.inputs:
        theirs = [n for n in (name, names.get(name), *more.get(name, ())) if n is not None and n in columns]
        if len(theirs) > 1:
            count = "two" if len(theirs) == 2 else str(len(theirs))
            raise InputDataError(f"the patient file has {count} columns for input {theirs[-1]!r}: "
                                 f"{' and '.join(map(repr, theirs))}; keep one of them")
        if theirs:
            found[name] = theirs[0]
    return found


def as_input_names(columns: Collection[str], found: dict[str, str]) -> list[str]:
    """The file's column names with each DMN-named input column under its input name (for
    the checks that look for inputs by name)."""
    renamed = {column: name for name, column in found.items()}
    return [renamed.get(c, c) for c in columns]
