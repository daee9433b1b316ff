"""Keeps every answer under ``/api/`` in the API's error shape, whoever produced it.

ninja answers a wrong method with a plain-text 405, and anything that fails before or outside
ninja (Django's own 404, 500 or CSRF pages) would be HTML; this turns such answers into the
one error body. It also refuses NUL characters in the path and query string up front, since
PostgreSQL cannot store or compare them and they are never meaningful input, and a query
parameter given twice (no parameter of this API is a list).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from rippledesk.api.errors import http_code
from rippledesk.core.errors import json_error

PREFIX = "/api/"


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (request.path == "/api" or request.path.startswith(PREFIX)):
            return self.get_response(request)
        if "\x00" in request.path:
            return json_error(404, "not_found", "Not found")
        for key, values in request.GET.lists():
            field = key.replace("\x00", "")
            if "\x00" in key or any("\x00" in v for v in values):
                return json_error(422, "invalid", f"{field}: NUL characters are not allowed", field)
            if len(values) > 1:  # no parameter of this API is a list
                return json_error(422, "invalid", f"{field}: give this parameter once", field)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return _reshaped(response)
        return response


def _reshaped(response: HttpResponse) -> HttpResponse:
    status = response.status_code
    if status == 405:
        message = f"Method not allowed here; use {response.get('Allow', 'another method')}."
    elif status >= 500:
        message = "Something went wrong on our side; it has been logged."
    else:
        message = response.reason_phrase
    reshaped = json_error(status, http_code(status), message)
    for header in ("Allow", "WWW-Authenticate"):
        if header in response:
            reshaped[header] = response[header]
    return reshaped
