"""Applying the tracking decisions of one workspace's tick to its incidents.

The rules live in ``tracking.py`` (pure); this module reads the workspace's incidents once per
tick, writes what the decisions say, groups the spiking buckets' messages under their incident
and notes which incidents must be announced (opened or re-opened).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q

from rippledesk.triage.crisis.counting import Tally
from rippledesk.triage.crisis.detect import (
    SETTLE_BUCKETS,
    Params,
    Verdict,
    bucket_of,
    bucket_start,
)
from rippledesk.triage.crisis.models import (
    OPEN_STATUSES,
    Crisis,
    CrisisMessage,
    CrisisSeries,
    CrisisStatus,
)
from rippledesk.triage.crisis.tracking import (
    Decision,
    Latest,
    SeriesKey,
    decide,
    is_over,
    still_burning,
)


def key_of(series: CrisisSeries) -> SeriesKey:
    return SeriesKey(series.topic, series.channel_id)


def _latest_view(crisis: Crisis) -> Latest:
    return Latest(
        is_open=crisis.is_open,
        last_bucket=crisis.last_bucket,
        resolved_at=crisis.resolved_at,
        resolved_by_person=crisis.status == CrisisStatus.RESOLVED
        and not crisis.resolved_automatically,
    )


@dataclass
class Tracker:
    """One workspace's incidents during one tick."""

    workspace_id: int
    now: datetime
    params: Params
    announce: list[tuple[int, str]] = field(default_factory=list)  # (crisis id, event)
    # Incidents that may still speak for a fire: open ones and recently ended ones.
    _recent: dict[int, tuple[SeriesKey, Crisis]] = field(default_factory=dict)
    _latest: dict[int, Crisis | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        horizon = bucket_of(self.now) - SETTLE_BUCKETS - self.params.quiet - self.params.cooldown
        rows = (
            Crisis.objects.filter(workspace_id=self.workspace_id)
            .filter(Q(status__in=OPEN_STATUSES) | Q(last_bucket__gte=horizon))
            .select_related("series")
            .order_by("-last_bucket", "-pk")
        )
        for crisis in rows:
            self._recent[crisis.pk] = (key_of(crisis.series), crisis)
            self._latest.setdefault(crisis.series_id, crisis)

    def latest(self, series: CrisisSeries) -> Crisis | None:
        if series.pk not in self._latest:
            self._latest[series.pk] = (
                Crisis.objects.filter(series=series).order_by("-last_bucket", "-pk").first()
            )
        return self._latest[series.pk]

    def overlapped(self, key: SeriesKey, series_id: int, bucket: int) -> bool:
        """An incident of another, overlapping series already tells this fire."""
        return any(
            key.overlaps(other)
            and crisis.series_id != series_id
            and still_burning(_latest_view(crisis), bucket, self.params)
            for other, crisis in self._recent.values()
        )

    def spike(self, series: CrisisSeries, bucket: int, verdict: Verdict, tally: Tally) -> Decision:
        """Record that ``bucket`` of ``series`` spiked; return what became of it."""
        latest = self.latest(series)
        decision = decide(_latest_view(latest) if latest else None, bucket, self.params)
        key = key_of(series)
        if decision in (Decision.OPEN, Decision.REOPEN) and self.overlapped(key, series.pk, bucket):
            return Decision.SUPPRESSED
        if latest is None or decision == Decision.OPEN:
            crisis = self._create(series, bucket, verdict)
            self.announce.append((crisis.pk, "opened"))
        else:
            crisis = latest
            if decision == Decision.REOPEN:
                self._reopen(crisis)
                self.announce.append((crisis.pk, "reopened"))
            self._extend(crisis, bucket, verdict)
        self._link(crisis, tally)
        crisis.updated_at = self.now
        crisis.save()
        self._latest[series.pk] = crisis
        self._recent[crisis.pk] = (key, crisis)
        return decision

    def resolve_quiet(self, current_bucket: int) -> list[int]:
        """Resolve the open incidents whose series has stopped spiking; their ids."""
        ended = [
            crisis
            for _, crisis in self._recent.values()
            if crisis.is_open and is_over(crisis.last_bucket, current_bucket, self.params)
        ]
        for crisis in ended:
            Crisis.objects.filter(pk=crisis.pk, status__in=OPEN_STATUSES).update(
                status=CrisisStatus.RESOLVED,
                resolved_at=self.now,
                resolved_automatically=True,
                resolved_by=None,
                updated_at=self.now,
            )
            crisis.status = CrisisStatus.RESOLVED
            crisis.resolved_at, crisis.resolved_automatically = self.now, True
        return [crisis.pk for crisis in ended]

    def _create(self, series: CrisisSeries, bucket: int, verdict: Verdict) -> Crisis:
        start = bucket_start(bucket)
        return Crisis.objects.create(
            workspace_id=self.workspace_id,
            series=series,
            topic=series.topic,
            channel_id=series.channel_id,
            status=CrisisStatus.ACTIVE,
            volume_spike=verdict.volume,
            negativity_spike=verdict.negativity,
            first_bucket=bucket,
            last_bucket=bucket,
            started_at=start,
            last_seen_at=bucket_start(bucket + 1),
            peak_count=verdict.count,
            peak_expected=verdict.expected,
            peak_at=start,
            created_at=self.now,
            updated_at=self.now,
        )

    def _reopen(self, crisis: Crisis) -> None:
        crisis.status = CrisisStatus.ACTIVE
        crisis.reopened_count += 1
        crisis.resolved_at = None
        crisis.resolved_by = None
        crisis.resolved_automatically = False
        crisis.acknowledged_at = None
        crisis.acknowledged_by = None

    @staticmethod
    def _extend(crisis: Crisis, bucket: int, verdict: Verdict) -> None:
        crisis.volume_spike = crisis.volume_spike or verdict.volume
        crisis.negativity_spike = crisis.negativity_spike or verdict.negativity
        if bucket > crisis.last_bucket:
            crisis.last_bucket = bucket
            crisis.last_seen_at = bucket_start(bucket + 1)
        if bucket < crisis.first_bucket:
            crisis.first_bucket = bucket
            crisis.started_at = bucket_start(bucket)
        if verdict.count > crisis.peak_count:
            crisis.peak_count = verdict.count
            crisis.peak_expected = verdict.expected
            crisis.peak_at = bucket_start(bucket)

    @staticmethod
    def _link(crisis: Crisis, tally: Tally) -> None:
        CrisisMessage.objects.bulk_create(
            [
                CrisisMessage(crisis=crisis, message_id=m, negative=m in tally.negative_ids)
                for m in tally.message_ids
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        totals = CrisisMessage.objects.filter(crisis=crisis).aggregate(
            total=Count("id"), negative=Count("id", filter=Q(negative=True))
        )
        crisis.message_count = totals["total"]
        crisis.negative_count = totals["negative"]
