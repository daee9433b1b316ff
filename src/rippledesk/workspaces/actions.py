"""Writes on workspaces and memberships."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import slugify

from rippledesk.workspaces.models import Membership, Role, Team, User, Workspace


def do_get_or_create_workspace(slug: str, name: str | None = None) -> Workspace:
    """The workspace with this slug, created on first use so a fresh desk needs no setup step."""
    clean = slugify(slug)
    if not clean:
        raise ValueError(f"{slug!r} is not a usable workspace slug (letters, digits, dashes)")
    workspace, _ = Workspace.objects.get_or_create(
        slug=clean, defaults={"name": name or clean.replace("-", " ").title()}
    )
    return workspace


def do_add_member(workspace: Workspace, user: User, role: Role) -> Membership:
    membership, created = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
    return membership


def do_create_superuser(username: str, password: str) -> User:
    return User.objects.create_superuser(username, email="", password=password)


def do_reset_superuser_password(user: User, password: str) -> None:
    """Give ``user`` a new password and make sure it can sign in to the admin."""
    user.set_password(password)
    user.is_staff = user.is_superuser = user.is_active = True
    user.save(update_fields=["password", "is_staff", "is_superuser", "is_active"])


def do_save_team(
    workspace: Workspace,
    name: str,
    *,
    members: Iterable[Membership] = (),
    channel_account_ids: Iterable[int] = (),
) -> Team:
    """Create the team ``name`` (or reuse it) and add members and granted channel accounts.

    Granting a channel account lets the team's agents see its conversations.
    """
    team, _ = Team.objects.get_or_create(workspace=workspace, name=name)
    for membership in members:
        if membership.workspace_id != workspace.pk:
            raise ValueError(f"{membership} is not in {workspace}")
        team.members.add(membership)
    ids = list(channel_account_ids)
    if ids:
        team.channel_accounts.add(*workspace.channels.filter(pk__in=ids))
    return team
