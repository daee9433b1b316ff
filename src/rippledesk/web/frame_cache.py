"""Short-lived copies of the lists every desk page shows around its content.

The workspace switcher, the channel list and the team list change a few times in a desk's
life, but every page and two-second refresh read them: on PostgreSQL three round trips of the
inbox's eleven. They are kept per process for ``TTL`` seconds under a generation number that
any save or delete of a workspace, membership, team or channel account moves on (signals,
registered in ``WebConfig.ready``), so this process shows a change at once and other processes
of a multi-process deployment within ``TTL``. Writes that bypass signals (queryset
``update``) wait for the TTL. None of this decides access: the seat is read afresh per request,
and these lists are filtered by it after the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")
TTL = 10  # seconds
_GENERATION = "rippledesk:frame-generation"


def remembered(name: str, build: Callable[[], T]) -> T:
    """``build()``, or this generation's copy of it from the last ``TTL`` seconds."""
    generation = cache.get_or_set(_GENERATION, 0, None)
    key = f"rippledesk:frame:{generation}:{name}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = build()
    cache.set(key, value, TTL)
    return value


def forget_all(**_: Any) -> None:
    """Signal receiver: every cached frame list is out of date."""
    try:
        cache.incr(_GENERATION)
    except ValueError:  # no generation yet: nothing cached either
        cache.set(_GENERATION, 1, None)
