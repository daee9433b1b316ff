"""The crisis tick: once a minute, recount the open buckets, judge them, track incidents.

The tick is its own job on the database queue (``triage.crisis_tick``), apart from ingest:
messages are stored and analysed whatever happens here, and a failure in one workspace is
logged and leaves the others (and the next tick) alone. Each tick

1. finds, by binary search on the analysis table's primary key, the analyses made since the
   oldest open bucket began (with a margin), and counts them per series and bucket;
2. per workspace: folds the buckets that have settled into each series' baseline, stores the
   open buckets' counts, judges them, and opens, extends or re-opens incidents;
3. resolves incidents whose series has been quiet, and queues the alerts of new ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rippledesk.analysis.models import MessageAnalysis
from rippledesk.jobs.api import enqueue, ensure_waiting, job
from rippledesk.triage.crisis.alerts import queue_alerts
from rippledesk.triage.crisis.counting import Tally, analysed_since, tally
from rippledesk.triage.crisis.detect import (
    SETTLE_BUCKETS,
    Baseline,
    Params,
    bucket_of,
    bucket_start,
    expectation,
    fold,
    fold_silence,
    judge,
)
from rippledesk.triage.crisis.incidents import Tracker
from rippledesk.triage.crisis.models import (
    OPEN_STATUSES,
    Crisis,
    CrisisBucket,
    CrisisSeries,
    CrisisSettings,
)
from rippledesk.triage.crisis.queries import forget_banner
from rippledesk.triage.crisis.tracking import SeriesKey, evaluation_order

log = logging.getLogger(__name__)
TICK = timedelta(minutes=1)
# Analyses made shortly before their message's bucket opened (clock skew, slow commits).
RECOUNT_MARGIN = timedelta(minutes=5)
KEEP_BUCKETS = 35 * 24 * 4


@dataclass
class Outcome:
    """What one tick did, for tests and the log."""

    workspaces: int = 0
    spikes: int = 0
    opened: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def params_for(settings: CrisisSettings) -> Params:
    return Params(alpha=settings.alpha, min_count=settings.min_messages)


def crisis_settings(workspace_id: int, now: datetime) -> CrisisSettings:
    """The workspace's settings row, created (watching from ``now``) when missing."""
    row, _ = CrisisSettings.objects.get_or_create(
        workspace_id=workspace_id, defaults={"watching_since": now, "updated_at": now}
    )
    if row.watching_since is None:
        row.watching_since = now
        CrisisSettings.objects.filter(pk=row.pk).update(watching_since=now)
    return row


def first_analysis_after(moment: datetime) -> int:
    """The highest analysis id made before ``moment`` (0 if none): ids rise with time, so a
    binary search over the primary key finds it in a few indexed lookups."""
    low, high = (
        0,
        int(MessageAnalysis.objects.order_by("-id").values_list("id", flat=True).first() or 0),
    )
    # invariant: every id <= low was made before moment; the answer lies in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        row = (
            MessageAnalysis.objects.filter(id__gte=middle)
            .order_by("id")
            .values_list("id", "created_at")
            .first()
        )
        if row is None or row[1] >= moment:
            high = middle - 1
        else:
            low = row[0]
    return low


def do_evaluate(now: datetime | None = None) -> Outcome:
    """Run one tick at ``now`` (default: the clock)."""
    now = now or timezone.now()
    current = bucket_of(now)
    first_open = current - SETTLE_BUCKETS
    after_id = first_analysis_after(bucket_start(first_open) - RECOUNT_MARGIN)
    found = tally(analysed_since(after_id, now), first_open, current)
    busy = set(
        Crisis.objects.filter(status__in=OPEN_STATUSES).values_list("workspace_id", flat=True)
    )
    outcome = Outcome()
    for workspace_id in sorted(set(found) | busy):
        try:
            with transaction.atomic():
                done = evaluate_workspace(workspace_id, found.get(workspace_id, {}), now)
                # Incidents may have opened, grown or ended: banners are read afresh.
                forget_banner(workspace_id)
        except Exception:  # one workspace's trouble must not stop the others
            log.exception("crisis detection failed for workspace %s", workspace_id)
            outcome.failed.append(workspace_id)
            continue
        outcome.workspaces += 1
        outcome.spikes += done.spikes
        outcome.opened += done.opened
        outcome.reopened += done.reopened
        outcome.resolved += done.resolved
    _prune(current)
    return outcome


def evaluate_workspace(
    workspace_id: int, tallies: dict[SeriesKey, dict[int, Tally]], now: datetime
) -> Outcome:
    """One workspace's part of a tick; the caller holds the transaction."""
    outcome = Outcome()
    settings = crisis_settings(workspace_id, now)
    current = bucket_of(now)
    if not settings.enabled:  # watching stopped: let the open incidents end as they would
        outcome.resolved = Tracker(workspace_id, now, Params()).resolve_quiet(current)
        return outcome
    params = params_for(settings)
    assert settings.watching_since is not None  # set by crisis_settings
    origin = bucket_of(settings.watching_since)
    first_open = current - SETTLE_BUCKETS
    _fold_settled(workspace_id, first_open, params)
    series = _series(workspace_id, list(tallies), origin, first_open, params)
    tracker = Tracker(workspace_id, now, params)
    rows: list[CrisisBucket] = []
    for key in evaluation_order(list(tallies)):
        row = series[key]
        expected = expectation(_baseline(row), params)
        for bucket in sorted(tallies[key]):
            counted = tallies[key][bucket]
            verdict = judge(counted.count, counted.negatives, expected, params)
            rows.append(
                CrisisBucket(
                    series=row,
                    bucket=bucket,
                    count=counted.count,
                    negatives=counted.negatives,
                    expected=verdict.expected,
                    expected_negatives=verdict.expected_negatives,
                )
            )
            if verdict.spiking and bucket >= origin + params.warmup:
                outcome.spikes += 1
                tracker.spike(row, bucket, verdict, counted)
    _store_open_buckets(workspace_id, rows, first_open)
    outcome.resolved += tracker.resolve_quiet(current)
    for crisis_id, event in tracker.announce:
        (outcome.opened if event == "opened" else outcome.reopened).append(crisis_id)
        queue_alerts(crisis_id, event, now)
    return outcome


def _baseline(row: CrisisSeries) -> Baseline:
    return Baseline(
        origin=row.origin,
        through=row.through,
        level=row.level,
        negative_level=row.negative_level,
        dispersion=row.dispersion,
        negative_dispersion=row.negative_dispersion,
    )


def _save_baseline(row: CrisisSeries, state: Baseline) -> None:
    row.through, row.level, row.negative_level = state.through, state.level, state.negative_level
    row.dispersion, row.negative_dispersion = state.dispersion, state.negative_dispersion
    row.save(
        update_fields=["through", "level", "negative_level", "dispersion", "negative_dispersion"]
    )


def _fold_settled(workspace_id: int, first_open: int, params: Params) -> None:
    """Fold every stored bucket that has settled (older than ``first_open``) into its series."""
    pending = (
        CrisisBucket.objects.filter(
            series__workspace_id=workspace_id,
            bucket__lt=first_open,
            bucket__gt=F("series__through"),
        )
        .order_by("series_id", "bucket")
        .values_list("series_id", "bucket", "count", "negatives")
    )
    by_series: dict[int, list[tuple[int, int, int]]] = {}
    for series_id, bucket, count, negatives in pending:
        by_series.setdefault(series_id, []).append((bucket, count, negatives))
    for row in CrisisSeries.objects.filter(pk__in=list(by_series)):
        state = _baseline(row)
        for bucket, count, negatives in by_series[row.pk]:
            state = fold(state, bucket, count, negatives, params)
        _save_baseline(row, state)


def _series(
    workspace_id: int, keys: list[SeriesKey], origin: int, first_open: int, params: Params
) -> dict[SeriesKey, CrisisSeries]:
    """The series rows for ``keys`` (created on first sight), their baselines brought up to the
    bucket before ``first_open`` (the buckets since their last count were silent)."""
    found: dict[SeriesKey, CrisisSeries] = {}
    for key in keys:
        row, _ = CrisisSeries.objects.get_or_create(
            workspace_id=workspace_id,
            topic=key.topic,
            channel_id=key.channel_id,
            defaults={"origin": origin, "through": origin - 1},
        )
        state = _baseline(row)
        caught_up = fold_silence(state, first_open - 1, params)
        if caught_up != state:
            _save_baseline(row, caught_up)
        found[key] = row
    return found


def _store_open_buckets(workspace_id: int, rows: list[CrisisBucket], first_open: int) -> None:
    """Replace the open buckets' counts with this tick's recount."""
    CrisisBucket.objects.filter(series__workspace_id=workspace_id, bucket__gte=first_open).delete()
    CrisisBucket.objects.bulk_create(rows, batch_size=500)


def _prune(current: int) -> None:
    """Forget counts older than five weeks that are already part of their series' baseline."""
    CrisisBucket.objects.filter(
        bucket__lt=current - KEEP_BUCKETS, bucket__lte=F("series__through")
    ).delete()


@job("triage.crisis_tick")
def _tick(payload: dict[str, Any]) -> None:
    try:
        outcome = do_evaluate()
        if outcome.opened or outcome.reopened:
            log.info("crisis detection: opened %s, re-opened %s", outcome.opened, outcome.reopened)
    except Exception:  # the chain must go on: the next tick may succeed
        log.exception("crisis detection tick failed")
    finally:
        enqueue("triage.crisis_tick", {}, delay=TICK)


def ensure_watching() -> None:
    """Start the once-a-minute tick unless one is already waiting."""
    ensure_waiting("triage.crisis_tick", delay=timedelta(seconds=5))
