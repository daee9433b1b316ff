"""The errors actions raise, shared by the web UI and the JSON API.

Every refusal names what was wrong (``code``), says it in words (``message``) and, where one
input field is to blame, names it (``field``). ``web`` and ``api`` turn these into a flash
message or the API's one error body, with the status each class carries.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


class ActionError(Exception):
    """A request the desk refuses; ``status`` is the HTTP status that fits it."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidInput(ActionError):
    status = 422
    code = "invalid"


class NotFound(ActionError):
    """Missing, or not visible to the caller: the two look the same, so nothing leaks."""

    status = 404
    code = "not_found"


class PermissionDenied(ActionError):
    """The caller can see the thing but their role may not do this to it."""

    status = 403
    code = "forbidden"


class Conflict(ActionError):
    """The thing changed since the caller last read it (another agent got there first)."""

    status = 409
    code = "conflict"


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The one JSON error shape, for the API and every other JSON endpoint (webhooks, chat)."""
    return {"error": {"code": code, "message": message, "field": field}}


def json_error(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, field), status=status)
