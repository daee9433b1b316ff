"""Queue policies: which waiting message an agent who frees up takes next.

Pure functions over (priority, ripple risk, arrival) so the desk and the triage simulation
(``benchmarks/triage_sim.py``) rank the same way.

- ``fifo``: oldest first, the baseline every desk starts from.
- ``risk``: riskiest first, then oldest. Fastest for the dangerous messages, but under load a
  low-risk customer can wait forever behind a stream of riskier ones.
- ``aged``: riskiest first, but waiting earns risk: each ``AGING_MINUTES`` of waiting counts
  as much as the whole risk scale (0..1). Since every waiting message ages at the same rate,
  the order between two of them never changes while they wait, so the key is static:
  ``arrival / AGING_MINUTES - risk``. A message of risk 0 waits at most ``AGING_MINUTES``
  longer than a message of risk 1 that arrived at the same time: the tail is bounded.
- ``priority``: priority class first (urgent, high, normal, low; the class follows from ripple
  risk, intent and urgency, see ``analysis/ripple.py``), then oldest within a class. The
  dangerous few jump the queue; everyone else keeps first-come, first-served order, so the
  median customer barely notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Policy = Literal["fifo", "risk", "aged", "priority"]
POLICIES: tuple[Policy, ...] = ("fifo", "risk", "aged", "priority")
AGING_MINUTES = 1440.0  # a day of waiting is worth the whole risk scale
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


@dataclass(frozen=True, slots=True)
class Waiting:
    arrived_at: datetime
    ripple_risk: float
    priority: str
    tie: int = 0  # a stable tie-break (e.g. the message id)


def queue_key(
    policy: Policy, item: Waiting, aging_minutes: float = AGING_MINUTES
) -> tuple[float, ...]:
    """Smaller keys are served first."""
    stamp = item.arrived_at.timestamp()
    if policy == "fifo":
        return (stamp, item.tie)
    if policy == "risk":
        return (-item.ripple_risk, stamp, item.tie)
    if policy == "aged":
        return (stamp / 60 / aging_minutes - item.ripple_risk, stamp, item.tie)
    return (PRIORITY_RANK.get(item.priority, 2), stamp, item.tie)
