"""Polling listening sources: fetch, keep what mentions the business, analyse, store.

One ``listening.tick`` job runs every minute (``ensure_polling`` starts the chain) and polls the
sources that are due. New mentions and the source's cursor are saved in one transaction, so a
crash never loses or repeats an entry; mentions are unique per source and platform id anyway.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rippledesk.analysis.types import MessageContext
from rippledesk.core.sql import insert_ignoring_conflicts
from rippledesk.jobs.api import enqueue, ensure_waiting, job
from rippledesk.listening.feeds import MAX_FEED, parse_feed
from rippledesk.listening.models import ListeningSource, Mention, SourceKind

TIMEOUT = 15
TICK = timedelta(minutes=1)
X_API = "https://api.x.com"


@dataclass(frozen=True)
class Heard:
    external_id: str
    author: str
    title: str
    text: str
    url: str
    published_at: datetime
    audience: int | None = None


def _get(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(
        url, headers={"User-Agent": "rippledesk-listening", **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return bytes(response.read(MAX_FEED + 1))


def _matches(keywords: Sequence[str], *texts: str) -> bool:
    if not keywords:
        return True
    blob = " ".join(texts).lower()
    return any(word in blob for word in keywords)


def fetch_feed(source: ListeningSource) -> tuple[list[Heard], str]:
    keywords = [k.strip().lower() for k in source.keywords.split(",") if k.strip()]
    entries = parse_feed(_get(source.url))
    heard = [
        Heard(e.external_id, e.author, e.title, e.text, e.url, e.published_at)
        for e in entries
        if _matches(keywords, e.title, e.text)
    ]
    newest = max((e.published_at for e in entries), default=None)
    return heard, newest.isoformat() if newest else source.cursor


def fetch_x_search(source: ListeningSource) -> tuple[list[Heard], str]:
    params = {
        "query": source.query,
        "max_results": "100",
        "tweet.fields": "created_at,author_id",
        "expansions": "author_id",
        "user.fields": "username,public_metrics",
    }
    if source.cursor:
        params["since_id"] = source.cursor
    base = str(source.config.get("api_base") or X_API).rstrip("/")
    token = str(source.config.get("bearer_token", ""))
    data = json.loads(
        _get(
            f"{base}/2/tweets/search/recent?{urllib.parse.urlencode(params)}",
            {"Authorization": f"Bearer {token}"},
        )
    )
    users = {
        u["id"]: u for u in (data.get("includes") or {}).get("users", []) if isinstance(u, dict)
    }
    heard = []
    for tweet in data.get("data") or []:
        user = users.get(tweet.get("author_id"), {})
        handle = str(user.get("username", ""))
        when = str(tweet.get("created_at", ""))
        heard.append(
            Heard(
                external_id=str(tweet["id"]),
                author=handle,
                title="",
                text=str(tweet.get("text", "")),
                url=f"https://x.com/{handle or 'i'}/status/{tweet['id']}",
                published_at=datetime.fromisoformat(when.replace("Z", "+00:00"))
                if when
                else datetime.now(UTC),
                audience=(user.get("public_metrics") or {}).get("followers_count"),
            )
        )
    return heard, str((data.get("meta") or {}).get("newest_id") or source.cursor)


def poll(source: ListeningSource) -> int:
    """Fetch the source now; how many new mentions were stored. Errors are kept on the source."""
    now = timezone.now()
    try:
        heard, cursor = (
            fetch_x_search(source) if source.kind == SourceKind.X_SEARCH else fetch_feed(source)
        )
    except (OSError, ValueError, KeyError) as error:
        ListeningSource.objects.filter(pk=source.pk).update(
            last_polled_at=now, last_error=str(error)[:2000]
        )
        return 0
    from rippledesk.analysis.pipeline import get_analyzer  # noqa: PLC0415 - numpy, only when polling

    analyzer = get_analyzer()
    # A poll is a background job of at most a page of mentions, and a mention is stored once,
    # with no refine job after it: the sentiment encoder reads every unsure one, past the budget
    # that keeps bulk imports fast (analysis/cascade.py).
    analyze = getattr(analyzer, "analyze_complete", analyzer.analyze)
    results = (
        analyze(
            [f"{h.title}\n{h.text}".strip() for h in heard],
            [MessageContext(visibility="public_post", audience=h.audience) for h in heard],
        )
        if heard
        else []
    )
    rows = [
        (
            source.pk,
            h.external_id,
            h.author,
            h.title,
            h.text or h.title,
            h.url,
            h.published_at,
            h.audience,
            "new",
            r.sentiment if r.analysable else "",
            r.ripple_risk,
            now,
        )
        for h, r in zip(heard, results, strict=True)
    ]
    fields = (
        "source",
        "external_id",
        "author",
        "title",
        "body",
        "url",
        "published_at",
        "audience",
        "status",
        "sentiment",
        "ripple_risk",
        "created_at",
    )
    with transaction.atomic():
        added = insert_ignoring_conflicts(Mention, fields, rows, ("source", "external_id"))
        ListeningSource.objects.filter(pk=source.pk).update(
            cursor=cursor, last_polled_at=now, last_error=""
        )
    source.cursor, source.last_polled_at, source.last_error = cursor, now, ""
    return added


def due_sources() -> list[ListeningSource]:
    now = timezone.now()
    sources = ListeningSource.objects.filter(active=True).filter(
        Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=now - timedelta(minutes=1))
    )
    return [
        s
        for s in sources
        if s.last_polled_at is None or now - s.last_polled_at >= timedelta(minutes=s.every_minutes)
    ]


@job("listening.tick")
def _tick(payload: dict[str, Any]) -> None:
    for source in due_sources():
        poll(source)
    enqueue("listening.tick", {}, delay=TICK)


def ensure_polling() -> None:
    """Start the polling chain unless a tick is already waiting."""
    ensure_waiting("listening.tick", delay=timedelta(seconds=5))
