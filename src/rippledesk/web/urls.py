"""Routes of the web desk. Conversations are addressed by workspace slug and number (#42)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path
from django.views.generic import RedirectView

from rippledesk.web import views

app_name = "web"
urlpatterns: list[URLPattern] = [
    path("", RedirectView.as_view(pattern_name="web:conversation-list"), name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("conversations/", views.conversation_list, name="conversation-list"),
    path(
        "w/<slug:workspace>/conversations/",
        views.workspace_conversations,
        name="workspace-conversations",
    ),
    path(
        "w/<slug:workspace>/conversations/<int:number>/",
        views.conversation_detail,
        name="conversation-detail",
    ),
]
