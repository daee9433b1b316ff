"""Turning spiking buckets into incidents: one incident per fire, one alert per incident.

Pure decisions, applied to the database by ``evaluate.py``:

- a spike in a series with an open incident (active or acknowledged) extends it;
- a spike within ``quiet`` buckets of a resolved incident's last spike belongs to it and
  re-opens it, unless a person resolved it less than ``cooldown`` buckets ago: then the
  messages are added quietly and nobody is paged again for the tail of a fire they handled;
- otherwise a new incident opens.

Series overlap: "lost luggage on @AcmeCare" lies inside "lost luggage anywhere", "anything on
@AcmeCare" and "anything anywhere". One fire lights several of them at once, so a new incident
is not opened (nor an old one re-opened) while an overlapping series has an incident that
still speaks for the fire (:func:`still_burning`); series are evaluated most specific first,
so the narrowest description of the fire wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rippledesk.triage.crisis.detect import BUCKET_SECONDS, Params, bucket_start


@dataclass(frozen=True, order=True)
class SeriesKey:
    """A topic ("" for every topic) on a channel account (None for every channel)."""

    topic: str
    channel_id: int | None

    def overlaps(self, other: SeriesKey) -> bool:
        """Some message could be in both series."""
        topic_ok = "" in (self.topic, other.topic) or self.topic == other.topic
        channel_ok = (
            None in (self.channel_id, other.channel_id) or self.channel_id == other.channel_id
        )
        return topic_ok and channel_ok

    @property
    def specificity(self) -> int:
        """2 = one topic on one channel … 0 = everything; topics rank above channels."""
        return (2 if self.topic else 0) + (1 if self.channel_id is not None else 0)


def evaluation_order(keys: list[SeriesKey]) -> list[SeriesKey]:
    """Most specific first, then a stable order (so ties resolve the same way every tick)."""
    return sorted(keys, key=lambda k: (-k.specificity, k.topic, k.channel_id or 0))


class Decision(StrEnum):
    OPEN = "open"
    EXTEND = "extend"
    REOPEN = "reopen"
    SILENT = "silent"  # add to a resolved incident without re-opening it
    SUPPRESSED = "suppressed"  # an overlapping series' open incident already tells this fire


@dataclass(frozen=True)
class Latest:
    """The series' most recent incident, as the decision needs it."""

    is_open: bool
    last_bucket: int
    resolved_at: datetime | None
    resolved_by_person: bool


def decide(latest: Latest | None, bucket: int, params: Params) -> Decision:
    if latest is None:
        return Decision.OPEN
    if latest.is_open:
        return Decision.EXTEND
    if bucket <= latest.last_bucket:
        return Decision.SILENT  # a bucket it already covered, recounted
    if latest.resolved_by_person and latest.resolved_at is not None:
        cooldown_ends = latest.resolved_at + timedelta(seconds=params.cooldown * BUCKET_SECONDS)
        if bucket_start(bucket) < cooldown_ends:
            return Decision.SILENT
    if bucket - latest.last_bucket <= params.quiet:
        return Decision.REOPEN
    return Decision.OPEN


def still_burning(latest: Latest, bucket: int, params: Params) -> bool:
    """Does this incident still speak for a fire seen in ``bucket``? Open; or resolved by a
    person within the cooldown; or its last spike within ``quiet`` buckets of this one."""
    if latest.is_open or abs(bucket - latest.last_bucket) <= params.quiet:
        return True
    if latest.resolved_by_person and latest.resolved_at is not None:
        cooldown_ends = latest.resolved_at + timedelta(seconds=params.cooldown * BUCKET_SECONDS)
        return bucket_start(bucket) < cooldown_ends
    return False


def is_over(last_bucket: int, current_bucket: int, params: Params) -> bool:
    """An open incident whose series has not spiked for ``quiet`` buckets resolves itself."""
    return current_bucket - last_bucket > params.quiet
