"""How many threads the GEOS-heavy steps of one ``screen`` call may use.

shapely releases the GIL inside GEOS, so a nearest-boundary search over a million
plots cut into chunks runs on every core of one process (measured 1.94x on 2
cores). By default that is every CPU the process may use, at most
:data:`MAX_THREADS`; ``LAHAN_GEO_THREADS`` or :func:`limited` set another number.
The dask engine screens each partition with one thread: there the cluster's
workers are the parallelism.

Results never depend on the number of threads: each plot's answer is computed
on its own, and chunks are put back in order.

Examples
--------
>>> with limited(1):
...     threads()
1
>>> [len(c) for c in chunks(10, 3, minimum=1)]
[4, 3, 3]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

__all__ = ["MAX_THREADS", "chunks", "limited", "map_chunks", "map_groups", "threads", "worth"]

#: The most threads used by default.
MAX_THREADS = 8

#: Fewer items than this per thread are not worth a thread (a nearest-boundary search
#: takes ~10 us per plot, starting a thread ~0.1 ms).
MIN_PER_THREAD = 2_000

_LIMIT: ContextVar[int | None] = ContextVar("lahan_geo_threads", default=None)


def threads() -> int:
    """Return the number of threads the current ``screen`` call may use."""
    limit = _LIMIT.get()
    if limit is not None:
        return limit
    env = os.environ.get("LAHAN_GEO_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_THREADS))


@contextmanager
def limited(n: int) -> Iterator[None]:
    """Use at most ``n`` threads inside the ``with`` block (this context only)."""
    token = _LIMIT.set(max(1, int(n)))
    try:
        yield
    finally:
        _LIMIT.reset(token)


def chunks(n: int, parts: int, minimum: int | None = None) -> list[np.ndarray]:
    """Cut ``range(n)`` into at most ``parts`` consecutive chunks of ``minimum`` or more.

    ``minimum`` defaults to :data:`MIN_PER_THREAD`.
    """
    minimum = MIN_PER_THREAD if minimum is None else minimum
    parts = max(1, min(parts, n // max(minimum, 1)))
    return np.array_split(np.arange(n), parts)


def map_chunks(fn: Callable[[np.ndarray], Any], n: int) -> list[Any]:
    """Return ``[fn(chunk) for chunk in chunks(n, threads())]``, run on that many threads."""
    return map_groups(fn, chunks(n, threads()))


def worth(n: int) -> int:
    """Return how many threads ``n`` items are worth: :func:`threads`, fewer for few items."""
    return len(chunks(n, threads()))


def map_groups(fn: Callable[[Any], Any], groups: list[Any]) -> list[Any]:
    """Return ``[fn(g) for g in groups]``, one thread per group."""
    if len(groups) < 2:
        return [fn(g) for g in groups]
    with ThreadPoolExecutor(len(groups)) as pool:
        return list(pool.map(fn, groups))
