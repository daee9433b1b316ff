"""Top-level URL map."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from rippledesk.api.errors import unknown_route
from rippledesk.api.main import api
from rippledesk.channels import webhooks
from rippledesk.channels.connectors.webchat import views as webchat

urlpatterns = [
    path("admin/", admin.site.urls),
    path("hooks/<str:token>/", webhooks.receive, name="webhook"),
    path("chat/<str:token>/", webchat.chat_page, name="webchat-page"),
    path("chat/<str:token>/widget.js", webchat.widget_js, name="webchat-js"),
    path("chat/<str:token>/session", webchat.session, name="webchat-session"),
    path("chat/<str:token>/messages", webchat.messages, name="webchat-messages"),
    # Under /api/ every answer is JSON: ninja's own root page and unmatched paths included.
    re_path(r"^api/?$", unknown_route),
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_route),
    path("", include("rippledesk.web.urls")),
]
