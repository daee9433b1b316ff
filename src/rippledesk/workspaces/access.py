"""Who may see and do what in a workspace: the one ``access_*`` layer for web and API alike.

A :class:`Seat` is a user's place in one workspace: their role and the channel accounts they
reach. Admins and managers reach every channel account of the workspace; an agent reaches the
accounts granted to the teams they belong to, and nothing else (an agent in no team sees no
conversation). Superusers act as admins everywhere. Anything outside a seat's reach answers
"not found", never "forbidden", so ids of other desks and channels reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from rippledesk.core.errors import NotFound
from rippledesk.workspaces.models import Membership, Role, Team, User, Workspace


@dataclass(frozen=True)
class Seat:
    user: User
    workspace: Workspace
    role: str
    # None: every channel account of the workspace.
    channel_ids: frozenset[int] | None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_manage(self) -> bool:
        """Managers and admins: see the whole desk, assign anyone, see the team's load."""
        return self.role in (Role.MANAGER, Role.ADMIN)

    def reaches_channel(self, channel_account_id: int) -> bool:
        return self.channel_ids is None or channel_account_id in self.channel_ids


def visible_workspaces(user: User) -> QuerySet[Workspace]:
    if user.is_superuser:
        return Workspace.objects.order_by("name", "pk")
    return Workspace.objects.filter(memberships__user=user).order_by("name", "pk")


def seat_in(user: User, workspace: Workspace) -> Seat | None:
    """The user's seat in ``workspace``, or None if they have none."""
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    return _seat(user, workspace, membership)


def _seat(user: User, workspace: Workspace, membership: Membership | None) -> Seat | None:
    if membership is None:
        if user.is_superuser:
            return Seat(user, workspace, Role.ADMIN, None)
        return None
    role = Role.ADMIN if user.is_superuser else membership.role
    if role in (Role.MANAGER, Role.ADMIN):
        return Seat(user, workspace, role, None)
    granted = Team.channel_accounts.through.objects.filter(
        team__workspace=workspace, team__members=membership
    ).values_list("channelaccount_id", flat=True)
    return Seat(user, workspace, role, frozenset(granted))


def access_seat(user: User, slug: str) -> Seat:
    """The user's seat in the workspace ``slug``; NotFound if there is none.

    Every page and API call starts here, so a member's seat is read with its workspace in one
    statement (plus the team grants for an agent).
    """
    membership = (
        Membership.objects.select_related("workspace")
        .filter(workspace__slug=slug, user=user)
        .first()
    )
    if membership is not None:
        seat = _seat(user, membership.workspace, membership)
    else:
        workspace = Workspace.objects.filter(slug=slug).first()
        seat = seat_in(user, workspace) if workspace is not None else None
    if seat is None:
        raise NotFound("No such workspace", field="workspace")
    return seat
