"""The population view as a page: ``dtrun evaluate --report report.html`` and ``dtrun serve``.

Owns the static page of a ``Population``: ``population.html`` (in ``engine/review/templates``,
rendered through ``engine.review.html``'s environment) holds the view, the macro of
``population_view.html`` that ``dtrun serve``'s page holds too, with its style sheet inlined, so
that the file stands alone: no script, nothing fetched.  The counts are drawn as plain HTML
bars: each a labelled row whose text is the count, readable without the picture, and the same
bytes for the same counts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine.review.population import Population


@lru_cache(maxsize=1)
def _environment() -> Any:
    """``engine.review.html``'s environment, made once: its templates are compiled once."""
    from engine.review.html import environment

    return environment()


def render_population(population: Population) -> str:
    """The static, self-contained HTML page of ``population``."""
    return _environment().get_template("population.html").render(population=population)
