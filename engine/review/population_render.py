"""The population view as a page: ``dtrun evaluate --report report.html`` and ``dtrun serve``.

Owns the Jinja2 environment of the review layer's templates (``engine/review/templates``:
``population_view.html`` is the view as a macro, ``population.html`` the static page that
holds it with its style sheet inlined, so that the file stands alone) and the page's
numbers.  The counts are drawn as plain HTML bars: each one a labelled row whose text is
the count, readable without the picture, and the same bytes for the same counts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.review.population import Population

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Any:
    """The review layer's templates, escaped as HTML; ``short`` writes a number briefly."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["short"] = short
    return env


def render_population(population: Population) -> str:
    """The static, self-contained HTML page of ``population``."""
    return environment().get_template("population.html").render(population=population)


def short(value: float) -> str:
    """A bin's edge: a whole number without its .0, else up to four significant decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.1f}"
