"""A request's body read within ``--max-body``: counted as it arrives (a client may send no
``Content-Length``, or a false one), a 413 with the caller's advice past the limit."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request


async def read_body(request: Request, max_body: int, too_large: Callable[[int, int], str]) -> bytes:
    """The body's bytes; past ``max_body``, a 413 saying ``too_large(size, max_body)``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise HTTPException(413, too_large(int(declared), max_body))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise HTTPException(413, too_large(size, max_body))
        chunks.append(chunk)
    return b"".join(chunks)
