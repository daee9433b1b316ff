"""The API's one error body, ``{"error": {"code", "message", "field"}}``, for every failure.

Action refusals (:mod:`rippledesk.core.errors`), ninja's own request validation, failed
authentication, unknown routes and unexpected exceptions all answer in this shape, so a client
needs one error path. A 500 says nothing about its cause; the traceback goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, field_validator, model_validator

from rippledesk.core.errors import ActionError, error_body, json_error

logger = logging.getLogger("rippledesk.api")

_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
}


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class InputSchema(Schema):
    """Base of every request body: text with NUL characters is refused, naming the field
    (PostgreSQL cannot store them, and no person types one). Strict: ``false`` is not 0, and
    0 is not ``false``."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _object(cls, value: Any) -> Any:
        # ninja's Schema reads attributes of anything (wrapped in its DjangoGetter first); a
        # request body must be a JSON object.
        if not isinstance(value._obj if isinstance(value, DjangoGetter) else value, dict):
            raise ValueError("send a JSON object")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL characters are not allowed")
        return value


def http_code(status: int) -> str:
    return _HTTP_CODES.get(status, "server_error" if status >= 500 else "error")


def field_of(loc: Sequence[Any], params: Sequence[str] = ()) -> str | None:
    """The dotted field name in a pydantic ``loc``, without ninja's source and wrapper names."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in params:
        parts = parts[1:]  # the view's body parameter name (e.g. ``payload``)
    return ".".join(parts) or None


def _validation(api: NinjaAPI, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = first.get("loc", ())
    field = field_of(loc, ("payload",))
    text = str(first.get("msg", "Invalid input"))
    if loc and loc[-1] == "payload":
        field, text = "body", "send a JSON object as the request body"
    message = f"{field}: {text}" if field else text
    return api.create_response(request, error_body("invalid", message, field), status=422)


def _action(api: NinjaAPI, request: HttpRequest, exc: ActionError) -> HttpResponse:
    return api.create_response(request, {"error": exc.as_dict()}, status=exc.status)


def _http(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if isinstance(exc, AuthenticationError):
        response = api.create_response(
            request,
            error_body(
                "unauthenticated",
                "Send 'Authorization: Bearer <token>' or sign in to the desk first.",
            ),
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="rippledesk"'
        return response
    if status == 400 and str(exc).startswith("Cannot parse request body"):
        body = error_body("invalid_json", "The request body is not valid JSON.", "body")
        return api.create_response(request, body, status=400)
    return api.create_response(request, error_body(http_code(status), str(exc)), status=status)


def _not_found(api: NinjaAPI, request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", "Not found"), status=404)


def _unexpected(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    body = error_body("server_error", "Something went wrong on our side; it has been logged.")
    return api.create_response(request, body, status=500)


def respond(api: NinjaAPI, request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    """The error body for any exception raised while answering an API request."""
    if isinstance(exc, ActionError):
        return _action(api, request, exc)
    if isinstance(exc, ValidationError):
        return _validation(api, request, exc)
    if isinstance(exc, HttpError):
        return _http(api, request, exc)
    if isinstance(exc, Http404):
        return _not_found(api, request, exc)
    return _unexpected(api, request, exc if isinstance(exc, Exception) else exc())


def install(api: NinjaAPI) -> None:
    """Route every exception through :func:`respond` (ninja picks handlers by class MRO)."""
    for kind in (Exception, ActionError, ValidationError, HttpError, Http404):
        api.add_exception_handler(kind, lambda request, exc: respond(api, request, exc))


def unknown_route(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything under ``/api/`` that no endpoint matched: the error body, not an HTML page."""
    return json_error(404, "not_found", f"No API endpoint at {request.path}")
