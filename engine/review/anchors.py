"""The ids of places in dtrun's HTML pages: a cell of a sheet (or a part of a DMN element).

One definition for every page and picture that links to a cell: ``dtrun show --format html``
gives each shown cell this id, and the coverage pictures (``engine.review.pictures``) link a
rule's box to its first cell by it.
"""

from __future__ import annotations

import re


def anchor(sheet: str, ref: str) -> str:
    """The HTML id of cell ``ref`` of ``sheet`` (``c-dose-A4``); ``ref`` '' for the sheet itself."""
    return "c-" + re.sub(r"[^A-Za-z0-9_-]", "-", f"{sheet}-{ref}")
