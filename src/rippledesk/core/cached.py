"""Values kept in the cache until a write drops them, one generation number per scope.

Page parts that every request shows (the crisis banner, the SLA policy behind the inbox's
clocks, the frame's channel, team and workspace lists) change rarely but are read all the
time. Each is cached under its scope's current generation; ``forget`` moves the generation on,
so every copy in the scope goes at once, whatever else its key holds (a channel reach, a user).
The cache is per process: other processes of a deployment see a change when their copy's TTL
runs out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


def _generation_key(scope: str) -> str:
    return f"rippledesk:generation:{scope}"


def remembered(scope: str, name: str, build: Callable[[], T], ttl: int) -> T:
    """``build()``, or the copy of it cached in this generation of ``scope`` within ``ttl`` s."""
    generation = cache.get_or_set(_generation_key(scope), 0, None)
    key = f"rippledesk:{scope}:{generation}:{name}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = build()
    cache.set(key, value, ttl)
    return value


def forget(scope: str) -> None:
    """Drop every copy in ``scope`` now, for the writer's next read, and again when the current
    transaction commits, in case another request cached the old state in between."""
    _next_generation(scope)
    transaction.on_commit(partial(_next_generation, scope))


def _next_generation(scope: str) -> None:
    try:
        cache.incr(_generation_key(scope))
    except ValueError:  # no generation yet: nothing cached either
        cache.set(_generation_key(scope), 1, None)
