"""The ``dtrun`` command: a thin Click layer over the library API.

Each command parses its options, calls the library, and turns ``DtrunError``s into one
clear message on standard error and a documented exit status (``engine.cli.support``).
Heavy imports happen inside the commands, so that ``dtrun --help`` and ``dtrun --version``
start fast.  The commands live in their own modules: ``evaluate``, ``check`` (lint, test),
``review`` (new, tidy, show, diff), ``explain``, ``convert`` and ``serve``.
"""

from __future__ import annotations

import os

import click

from engine._core.version import __version__
from engine.cli.support import Group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dtrun")
@click.option("--debug", is_flag=True, help="On an error, also show the Python traceback (for bug reports).")
def main(debug: bool) -> None:
    """Apply DMN-style decision tables kept in Excel workbooks to patient records,
    and check the tables for overlapping rules, missing rules and other defects."""
    # dtrun does no linear algebra: without this, numpy's OpenBLAS starts a thread per core
    # that spins while idle, and took the second core from pyarrow's threads (0.3-0.8 s of
    # system time per million records evaluated).  Set before numpy is first imported.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


from engine.cli.check import lint, test_command  # noqa: E402 - the commands, registered on the group
from engine.cli.convert import convert  # noqa: E402
from engine.cli.evaluate import evaluate  # noqa: E402
from engine.cli.explain import explain  # noqa: E402
from engine.cli.review import diff, new, show, tidy  # noqa: E402
from engine.cli.serve import serve  # noqa: E402

for _command in (evaluate, explain, lint, test_command, convert, new, tidy, show, diff, serve):
    main.add_command(_command)
