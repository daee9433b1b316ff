"""Routes of the web desk. Conversations are addressed by workspace slug and number (#42)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path
from django.views.generic import RedirectView

from rippledesk.web.views import (
    channels,
    conversation,
    crisis,
    inbox,
    listening,
    notifications,
    routing,
    rules,
    search,
    settings,
    sla,
    team,
)

app_name = "web"
_C = "w/<slug:workspace>/conversations/<int:number>/"
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
    path("conversations/", inbox.home, name="conversation-list"),
    path("account/tokens/", settings.tokens, name="tokens"),
    path("w/<slug:workspace>/inbox/", inbox.inbox, name="inbox"),
    path("w/<slug:workspace>/inbox/rows/", inbox.inbox_rows_fragment, name="inbox-rows"),
    path(
        "w/<slug:workspace>/conversations/",
        RedirectView.as_view(pattern_name="web:inbox", query_string=True),
        name="workspace-conversations",
    ),
    path(_C, conversation.conversation_page, name="conversation"),
    path(_C + "reply/", conversation.reply, name="reply"),
    path(_C + "assign/", conversation.assign, name="assign"),
    path(_C + "status/", conversation.set_status, name="status"),
    path(_C + "presence/", conversation.presence, name="presence"),
    path(_C + "timeline/", conversation.timeline_fragment, name="timeline"),
    path(_C + "suggestions/", conversation.suggestions_fragment, name="suggestions"),
    path(_C + "canned/<slug:shortcut>/", conversation.canned_text, name="canned-text"),
    path(_C + "files/<int:attachment_id>/", conversation.attachment, name="attachment"),
    path("w/<slug:workspace>/search/", search.search, name="search"),
    path("w/<slug:workspace>/team/", team.team_load, name="team-load"),
    path("w/<slug:workspace>/sla/", sla.sla, name="sla"),
    path("w/<slug:workspace>/routing/", routing.routing, name="routing"),
    path("w/<slug:workspace>/availability/", team.availability, name="availability"),
    path("w/<slug:workspace>/canned/", settings.canned_responses, name="canned"),
    path("w/<slug:workspace>/channels/", channels.channels, name="channels"),
    path("w/<slug:workspace>/listening/", listening.listening, name="listening"),
    path("w/<slug:workspace>/rules/", rules.rules, name="rules"),
    path("w/<slug:workspace>/rules/new/", rules.rule_form, name="rule-new"),
    path("w/<slug:workspace>/rules/<int:rule_id>/", rules.rule_form, name="rule-edit"),
    path("w/<slug:workspace>/rules/log/", rules.rule_log, name="rule-log"),
    path("w/<slug:workspace>/notifications/", notifications.notifications, name="notifications"),
    path("w/<slug:workspace>/crisis/", crisis.crisis_list, name="crisis-list"),
    path("w/<slug:workspace>/crisis/settings/", crisis.crisis_settings, name="crisis-settings"),
    path("w/<slug:workspace>/crisis/<int:crisis_id>/", crisis.crisis_page, name="crisis"),
]
