"""``dtrun serve``: the tables of a workbook, a DMN model or a folder of them, over HTTP.

The layer above ``review`` and below ``cli``: ``engine.serve.api`` is the JSON API (an ASGI
application on Starlette, from the ``serve`` extra), ``engine.serve.pages`` the web pages
beside it (``form``: the patient form, ``patient``: one patient's results), and
``engine.serve.models`` the models it serves and how they are reloaded (``Watcher``:
``--watch``).  Nothing here is imported unless ``dtrun serve`` runs.
"""

from __future__ import annotations

from types import ModuleType

from engine._core.lazy import exports


def _api() -> ModuleType:
    from engine.serve import api

    return api


def _models() -> ModuleType:
    from engine.serve import models

    return models


__getattr__, __dir__ = exports(__name__, {
    _api: ("create_app", "MAX_RECORDS", "MAX_BODY", "OPENAPI"),
    _models: ("Models", "Served", "Watcher"),
})
