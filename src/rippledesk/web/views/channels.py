"""Channel accounts: what the workspace listens on, and connecting a new one (admins)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.connectors import CONNECTORS
from rippledesk.channels.models import ChannelAccount
from rippledesk.core.errors import ActionError, PermissionDenied
from rippledesk.web.views.frame import frame, seat_for


@login_required
def channels(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    if not seat.is_admin:
        raise PermissionDenied("Channels are managed by admins.", field="role")
    error = None
    chosen = request.POST.get("kind") or request.GET.get("kind") or next(iter(CONNECTORS), "")
    if request.method == "POST":
        connector = CONNECTORS.get(chosen)
        config = {
            key: request.POST.get(f"config_{key}", "").strip()
            for key, _, _ in (connector.fields if connector else ())
        }
        try:
            account = do_connect_channel(
                seat.workspace,
                chosen,
                request.POST.get("name", ""),
                {k: v for k, v in config.items() if v},
            )
            flash.success(
                request, f"Connected {account.name}. Give the platform its webhook URL below."
            )
            return redirect("web:channels", workspace=seat.workspace.slug)
        except ActionError as exc:
            error = exc
    accounts = (
        ChannelAccount.objects.filter(workspace=seat.workspace)
        .annotate(conversation_total=Count("conversations"))
        .order_by("kind", "name")
    )
    rows = [
        (
            account,
            request.build_absolute_uri(reverse("webhook", args=[account.webhook_token]))
            if account.webhook_token
            else "",
        )
        for account in accounts
    ]
    connector = CONNECTORS.get(chosen)
    fields = [
        (key, label, secret, "" if secret else request.POST.get(f"config_{key}", ""))
        for key, label, secret in (connector.fields if connector else ())
    ]
    context = {
        **frame(request, seat, section="channels"),
        "fields": fields,
        "rows": rows,
        "connectors": list(CONNECTORS.values()),
        "chosen": chosen,
        "error": error,
        "posted": request.POST,
    }
    return render(request, "web/channels.html", context, status=error.status if error else 200)
