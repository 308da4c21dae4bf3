"""A per-build memo so digest sections stay set-based.

The digest calls a section once per (group, audience, language); a section that queries the whole ward once and
memoises the result here answers every group from that one query instead of one query per group:

    counts = await memo(("alerts", scope.ward_code, start, end), lambda: ward_counts(session, ...))
    figure = counts.get(scope.group_id, 0)

Outside a digest build (a test calling a section directly), the factory simply runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")
_cache: ContextVar[dict[Hashable, Any] | None] = ContextVar("digest_memo", default=None)


async def memo(key: Hashable, factory: Callable[[], Awaitable[T]]) -> T:
    cache = _cache.get()
    if cache is None:
        return await factory()
    if key not in cache:
        cache[key] = await factory()
    return cache[key]


@contextlib.contextmanager
def building() -> Iterator[None]:
    """Open a memo for the length of one ward's build."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)
