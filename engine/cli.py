"""The ``dtrun`` command: a thin Click layer over the library API.

Each command parses its options, calls the library, and turns ``DtrunError``s into one
clear line on standard error and a documented exit status.  Heavy imports happen inside
the commands, so that ``dtrun --help`` and ``dtrun --version`` start fast.
"""

from __future__ import annotations

import click

from engine import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dtrun")
def main() -> None:
    """Apply DMN-style decision tables kept in Excel workbooks to patient records,
    and check the tables for overlapping rules, missing rules and other defects."""


if __name__ == "__main__":  # pragma: no cover
    main()
