"""Top-level URL map."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from rippledesk.api.errors import unknown_route
from rippledesk.api.main import api
from rippledesk.channels import webhooks

urlpatterns = [
    path("admin/", admin.site.urls),
    path("hooks/<str:token>/", webhooks.receive, name="webhook"),
    # Under /api/ every answer is JSON: ninja's own root page and unmatched paths included.
    re_path(r"^api/?$", unknown_route),
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_route),
    path("", include("rippledesk.web.urls")),
]
