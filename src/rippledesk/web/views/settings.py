"""A person's API tokens, and the workspace's canned responses."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rippledesk.conversations.canned import VARIABLES, do_delete_canned, do_save_canned
from rippledesk.conversations.models import CannedResponse
from rippledesk.core.errors import ActionError
from rippledesk.web.views.frame import frame, seat_for, signed_in
from rippledesk.workspaces.models import ApiToken
from rippledesk.workspaces.tokens import do_create_token, do_revoke_token


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """Create and revoke the signed-in person's tokens; a new secret is shown once."""
    user = signed_in(request)
    secret = None
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                do_revoke_token(
                    user, int(request.POST["revoke"]) if request.POST["revoke"].isdigit() else 0
                )
                flash.success(request, "Token revoked.")
                return redirect("web:tokens")
            _token, secret = do_create_token(user, request.POST.get("name", ""))
        except ActionError as exc:
            error = exc
    context = {
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
        "secret": secret,
        "error": error,
    }
    return render(request, "web/tokens.html", context, status=error.status if error else 200)


@login_required
def canned_responses(request: HttpRequest, workspace: str) -> HttpResponse:
    seat = seat_for(request, workspace)
    error = None
    form = {"shortcut": "", "title": "", "body": ""}
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                do_delete_canned(seat, request.POST["delete"])
                flash.success(request, "Canned response deleted.")
            else:
                form = {k: request.POST.get(k, "") for k in form}
                do_save_canned(seat, **form)
                flash.success(request, f"Saved /{form['shortcut']}.")
            return redirect("web:canned", workspace=seat.workspace.slug)
        except ActionError as exc:
            error = exc
    context = {
        **frame(request, seat, section="canned"),
        "canned": CannedResponse.objects.filter(workspace=seat.workspace),
        "variables": list(VARIABLES),
        "form": form,
        "error": error,
    }
    return render(request, "web/canned.html", context, status=error.status if error else 200)
