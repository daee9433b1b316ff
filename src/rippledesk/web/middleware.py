"""Turns an action's refusal into the right page, so views need no try/except of their own.

A :class:`~rippledesk.core.errors.NotFound` becomes the ordinary 404 page (indistinguishable
from a URL that never existed); other refusals become a short page with the status and the
message that names the field. The JSON API has its own handler with the API's error body.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import page_not_found

from rippledesk.core.errors import ActionError, NotFound


class ActionErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            return page_not_found(request, Http404(exception.message))
        if isinstance(exception, ActionError):
            return render(
                request,
                "web/error.html",
                {"error": exception},
                status=exception.status,
            )
        return None
