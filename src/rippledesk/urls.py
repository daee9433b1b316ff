"""Top-level URL map."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from rippledesk.channels import webhooks

urlpatterns = [
    path("admin/", admin.site.urls),
    path("hooks/<str:token>/", webhooks.receive, name="webhook"),
    path("", include("rippledesk.web.urls")),
]
