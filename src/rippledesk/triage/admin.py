from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from rippledesk.triage.models import AgentState, SlaTarget, TeamRouting
from rippledesk.triage.rules.models import Rule, RuleRun


@admin.register(AgentState)
class AgentStateAdmin(admin.ModelAdmin[AgentState]):
    list_display = ["membership", "availability", "capacity", "changed_at"]
    list_filter = ["availability"]


@admin.register(TeamRouting)
class TeamRoutingAdmin(admin.ModelAdmin[TeamRouting]):
    list_display = ["team", "policy", "last_assigned"]
    list_filter = ["policy"]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin[SlaTarget]):
    list_display = ["workspace", "priority", "first_response_minutes", "warn_before_minutes"]
    list_filter = ["workspace"]


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shown, not edited: rules change on the Rules page, where every change is checked."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ["name", "workspace", "trigger", "enabled", "position", "last_fired_at"]
    list_filter = ["workspace", "enabled", "trigger"]


@admin.register(RuleRun)
class RuleRunAdmin(ReadOnlyAdmin):
    list_display = ["rule", "conversation", "trigger", "outcome", "depth", "at"]
    list_filter = ["outcome", "trigger"]
