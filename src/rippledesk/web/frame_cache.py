"""Short-lived copies of the lists every desk page shows around its content.

The workspace switcher, the channel list and the team list change a few times in a desk's
life, but every page and two-second refresh read them: on PostgreSQL three round trips of the
inbox's eleven. They are kept per process for ``TTL`` seconds (``core.cached``), and any save or
delete of a workspace, membership, team or channel account drops them all (signals, registered
in ``WebConfig.ready``), so this process shows a change at once and other processes of a
multi-process deployment within ``TTL``. Writes that bypass signals (queryset ``update``) wait
for the TTL. None of this decides access: the seat is read afresh per request, and these lists
are filtered by it after the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rippledesk.core.cached import forget, remembered

T = TypeVar("T")
TTL = 10  # seconds
_SCOPE = "frame"


def frame_list(name: str, build: Callable[[], T]) -> T:
    """``build()``, or its copy from the last ``TTL`` seconds if nothing listed changed since."""
    return remembered(_SCOPE, name, build, TTL)


def forget_all(**_: Any) -> None:
    """Signal receiver: every cached frame list is out of date."""
    forget(_SCOPE)
