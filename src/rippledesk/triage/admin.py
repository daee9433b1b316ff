from __future__ import annotations

from django.contrib import admin

from rippledesk.triage.models import AgentState, SlaTarget, TeamRouting


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
