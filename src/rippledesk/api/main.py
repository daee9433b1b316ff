"""The :class:`~ninja.NinjaAPI` behind ``/api/``: auth, error handling and the routers.

OpenAPI is served at ``/api/openapi.json`` and interactive docs at ``/api/docs``; the docs
page's Swagger UI comes from django-ninja's packaged static files ("ninja" is an installed
app), so it works offline.
"""

from __future__ import annotations

from ninja import NinjaAPI

from rippledesk.api import (
    canned,
    conversation_actions,
    conversations,
    crisis,
    customers,
    rules,
    search,
    sla,
    workspaces,
)
from rippledesk.api.auth import AUTH
from rippledesk.api.errors import install

api = NinjaAPI(
    title="rippledesk API",
    version="1",
    description=(
        "The agent desk as JSON. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `rippledesk token create --user NAME`) or the desk's session "
        "(unsafe methods then need the X-CSRFToken header). Errors always look like "
        '`{"error": {"code": ..., "message": ..., "field": ...}}`; lists are paged with '
        "`limit` (1-100) and the previous page's `next_cursor`."
    ),
    auth=AUTH,
    urls_namespace="api",
)
install(api)
for module in (
    workspaces,
    conversations,
    conversation_actions,
    customers,
    search,
    canned,
    sla,
    rules,
    crisis,
):
    api.add_router("/", module.router)
