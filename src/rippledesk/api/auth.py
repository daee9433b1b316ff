"""Who is calling: an API token (integrations) or the desk's signed-in session (the UI).

Tokens come as ``Authorization: Bearer <secret>`` or ``X-Api-Token: <secret>`` and need no CSRF
token. Session calls that change something must carry Django's CSRF token (``X-CSRFToken``), as
any form of the desk does; the check runs only once a session user is found, so a request with
no credentials at all is told 401, not 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer
from ninja.utils import check_csrf

from rippledesk.core.errors import NotFound, PermissionDenied
from rippledesk.workspaces.access import Seat, access_seat
from rippledesk.workspaces.models import User
from rippledesk.workspaces.tokens import authenticate_token

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return authenticate_token(token)


class HeaderToken(APIKeyHeader):
    param_name = "X-Api-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return authenticate_token(key)


class DeskSession(APIKeyCookie):
    """The signed-in desk user; unsafe methods also need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if request.method not in _SAFE_METHODS and not exempt and check_csrf(request):
            raise PermissionDenied(
                "CSRF check failed: a session request that changes something must send the "
                "X-CSRFToken header with the csrftoken cookie's value.",
                code="csrf_failed",
            )
        return user


AUTH = [BearerToken(), HeaderToken(), DeskSession()]


def caller(request: HttpRequest) -> User:
    """The authenticated user (the auth classes above ran before any view)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise NotFound("Not signed in")
    return user


def seat(request: HttpRequest, workspace: str) -> Seat:
    """The caller's seat in ``workspace``; NotFound (404) when they have none."""
    return access_seat(caller(request), workspace)
