"""Process-wide thread pools for work that runs without Python's lock (Arrow, numpy).

Owns the pools through which ``engine.evaluation.frame`` (input columns) and ``engine.files.csv_text`` (CSV
pieces) use a second core: each is made on first use, once per process, and made anew in
a child process after ``fork``: the parent's threads do not exist there, and a pool that
believes it still has them queues work that never runs (a forked worker that evaluated a
large frame hung for good).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_pools: dict[str, ThreadPoolExecutor] = {}
_lock = threading.Lock()


def pool(name: str, workers: int) -> ThreadPoolExecutor:
    """The pool called ``name`` (``workers`` threads, named dtrun-<name>), made on first use."""
    with _lock:
        found = _pools.get(name)
        if found is None:
            found = _pools[name] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"dtrun-{name}")
        return found


def _forget_after_fork() -> None:
    global _lock
    _lock = threading.Lock()  # the parent may have held it at the fork
    _pools.clear()


if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
    os.register_at_fork(after_in_child=_forget_after_fork)
