"""Incidents in words, the same in the desk, the API, emails and webhooks."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.urls import reverse

from rippledesk.triage.crisis.models import Crisis, CrisisStatus
from rippledesk.triage.crisis.webhook import Summary


def topic_label(topic: str) -> str:
    return topic.replace("_", " ") if topic else "all topics"


def channel_label(crisis: Crisis) -> str:
    channel = crisis.channel
    return f"{channel.get_kind_display()} {channel.name}" if channel else "all channels"


def kinds_label(crisis: Crisis) -> str:
    kinds = [
        name
        for name, on in (("volume", crisis.volume_spike), ("negativity", crisis.negativity_spike))
        if on
    ]
    return " and ".join(kinds) or "volume"


def headline(crisis: Crisis) -> str:
    """``Lost luggage on X (Twitter) AcmeCare``; ``Everything on all channels`` for the total."""
    what = topic_label(crisis.topic).capitalize() if crisis.topic else "Everything"
    return f"{what} on {channel_label(crisis)}"


def incident_url(crisis: Crisis) -> str:
    base = str(getattr(settings, "RIPPLEDESK_BASE_URL", "")).rstrip("/")
    path = reverse("web:crisis", args=[crisis.workspace.slug, crisis.pk])
    return f"{base}{path}"


def summarize(crisis: Crisis, event: str) -> Summary:
    try:
        zone = ZoneInfo(crisis.workspace.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    started = crisis.started_at.astimezone(zone)
    peak = crisis.peak_at.astimezone(zone)
    prefix = "Crisis re-opened" if event == "reopened" else "Crisis"
    still = "still spiking" if crisis.status != CrisisStatus.RESOLVED else "over"
    lines = (
        f"Workspace: {crisis.workspace.name}",
        f"Where: {channel_label(crisis)}; topic: {topic_label(crisis.topic)}",
        f"Spike in {kinds_label(crisis)}, {still}",
        f"Started {started:%Y-%m-%d %H:%M} ({zone.key})",
        f"Peak: {crisis.peak_count} customers wrote in the 15 minutes from {peak:%H:%M}, "
        f"about {crisis.peak_expected:.1f} expected",
        f"So far {crisis.message_count} messages, {crisis.negative_count} of them negative",
    )
    return Summary(
        title=f"{prefix}: {headline(crisis)}",
        lines=lines,
        url=incident_url(crisis),
        event=event,
    )


def test_summary(workspace_name: str) -> Summary:
    return Summary(
        title="Test alert from rippledesk",
        lines=(
            f"Workspace: {workspace_name}",
            "Crisis alerts of this workspace will arrive here.",
        ),
        url="",
        event="test",
    )
