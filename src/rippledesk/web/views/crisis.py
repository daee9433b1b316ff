"""The Crisis view: incidents of the workspace, one incident's messages, alert settings."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rippledesk.core.errors import ActionError, NotFound
from rippledesk.triage.crisis.actions import (
    ALPHAS,
    SettingsForm,
    check_admin,
    do_acknowledge,
    do_resolve,
    do_rotate_secret,
    do_save_settings,
    do_send_test_alert,
    settings_of,
)
from rippledesk.triage.crisis.describe import channel_label, headline, kinds_label, topic_label
from rippledesk.triage.crisis.detect import BUCKET_SECONDS
from rippledesk.triage.crisis.models import OPEN_STATUSES, CrisisAlert
from rippledesk.triage.crisis.queries import (
    access_crisis,
    chart,
    crisis_messages,
    topic_breakdown,
    visible_crises,
)
from rippledesk.web.views.frame import frame, seat_for

RECENT = 50
BUCKET = timedelta(seconds=BUCKET_SECONDS)
MESSAGES_SHOWN = 300


@login_required
def crisis_list(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    rows = visible_crises(seat).select_related("channel", "acknowledged_by")
    open_rows = list(rows.filter(status__in=OPEN_STATUSES).order_by("-started_at", "-pk"))
    recent = list(rows.exclude(status__in=OPEN_STATUSES).order_by("-started_at", "-pk")[:RECENT])
    config = settings_of(seat)
    context = {
        **frame(request, seat, section="crisis"),
        "open_rows": [(c, headline(c)) for c in open_rows],
        "recent": [(c, headline(c)) for c in recent],
        "alpha_text": f"1 in {round(1 / config.alpha):,}",
        "min_messages": config.min_messages,
        "enabled": config.enabled,
    }
    return render(request, "web/crisis_list.html", context)


def _act(request: HttpRequest, workspace: str, crisis_id: int) -> HttpResponse:
    seat = seat_for(request, workspace)
    action = request.POST.get("action", "")
    try:
        if action == "acknowledge":
            do_acknowledge(seat, crisis_id)
            flash.success(request, "Acknowledged: the banner stays until the crisis is resolved.")
        elif action == "resolve":
            do_resolve(seat, crisis_id)
            flash.success(request, "Resolved.")
        else:
            flash.error(request, f"Unknown action {action!r}.")
    except ActionError as error:
        if isinstance(error, NotFound):
            raise
        flash.error(request, error.message)
    return redirect("web:crisis", workspace=seat.workspace.slug, crisis_id=crisis_id)


@login_required
def crisis_page(request: HttpRequest, workspace: str, crisis_id: int) -> HttpResponse:
    if request.method == "POST":
        return _act(request, workspace, crisis_id)
    seat = seat_for(request, workspace)
    crisis = access_crisis(seat, crisis_id)
    messages = crisis_messages(seat, crisis)
    bars = chart(crisis)
    shown = list(messages[: MESSAGES_SHOWN + 1])
    context = {
        **frame(request, seat, section="crisis"),
        "crisis": crisis,
        "title": headline(crisis),
        "topic": topic_label(crisis.topic),
        "channel": channel_label(crisis),
        "kinds": kinds_label(crisis),
        "bars": bars,
        "chart_from": bars[0].start,
        "chart_to": bars[-1].start + BUCKET,
        "shown": shown[:MESSAGES_SHOWN],
        "more": len(shown) > MESSAGES_SHOWN,
        "negative_ids": set(
            crisis.links.filter(negative=True).values_list("message_id", flat=True)
        ),
        "conversations": len({m.conversation_id for m in shown[:MESSAGES_SHOWN]}),
        "alerts": list(crisis.alerts.order_by("created_at", "pk")),
        "topics": [
            (topic_label(t) if t else "no topic", n) for t, n in topic_breakdown(seat, crisis)
        ],
    }
    return render(request, "web/crisis_detail.html", context)


def _form(request: HttpRequest) -> SettingsForm:
    return SettingsForm(
        enabled=request.POST.get("enabled") == "on",
        email_enabled=request.POST.get("email_enabled") == "on",
        recipients=request.POST.get("recipients", ""),
        webhook_url=request.POST.get("webhook_url", ""),
        alpha=request.POST.get("alpha", ""),
        min_messages=request.POST.get("min_messages", ""),
    )


@login_required
def crisis_settings(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    check_admin(seat)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "rotate":
                do_rotate_secret(seat)
                flash.success(request, "New signing secret: give it to your webhook receiver.")
            elif action == "test":
                sent = do_send_test_alert(seat)
                flash.success(request, f"Test alert queued ({', '.join(a.kind for a in sent)}).")
            else:
                do_save_settings(seat, _form(request))
                flash.success(request, "Crisis alert settings saved.")
            return redirect("web:crisis-settings", workspace=seat.workspace.slug)
        except ActionError as exc:
            error = exc
    config = settings_of(seat)
    form = _form(request) if error else None
    context = {
        **frame(request, seat, section="crisis"),
        "config": config,
        "form": form,
        "error": error,
        "alphas": [(f"{a:g}", a == config.alpha) for a in ALPHAS],
        "alerts": list(
            CrisisAlert.objects.filter(workspace=seat.workspace)
            .select_related("crisis")
            .order_by("-created_at", "-pk")[:20]
        ),
    }
    status = error.status if error else 200
    return render(request, "web/crisis_settings.html", context, status=status)
