"""Reads on workspaces, and who may see which (the ``access_*`` layer).

Superusers see every workspace; everyone else sees the workspaces they hold a membership in.
A workspace (or anything in it) outside that set answers 404, never 403, so a URL does not
reveal whether another business's desk or conversation exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from rippledesk.workspaces.models import User, Workspace


def visible_workspaces(user: User) -> QuerySet[Workspace]:
    if user.is_superuser:
        return Workspace.objects.order_by("name", "pk")
    return Workspace.objects.filter(memberships__user=user).order_by("name", "pk")


def access_workspace(user: User, slug: str) -> Workspace:
    """The workspace ``slug`` if ``user`` may see it; Http404 otherwise."""
    workspace = visible_workspaces(user).filter(slug=slug).first()
    if workspace is None:
        raise Http404("No such workspace")
    return workspace
