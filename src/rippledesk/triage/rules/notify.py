"""Notifications: a line in the desk for a person (the bell in the top bar), and an email when
the desk has an SMTP server (``RIPPLEDESK_SMTP_HOST``).

Email goes out from a job, never from the code that raised the notification: a slow or
unreachable mail server must not hold up the event that caused it. Each notification is
emailed at most once (``emailed_at``), so a retried job does not send it twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from rippledesk.conversations.models import Conversation
from rippledesk.jobs.api import enqueue, job
from rippledesk.triage.rules.models import Notification
from rippledesk.workspaces.access import Seat
from rippledesk.workspaces.models import Membership, Role, User, Workspace

LIST_LIMIT = 100


def managers(workspace: Workspace) -> list[User]:
    """The workspace's managers and admins, by username."""
    return [
        m.user
        for m in Membership.objects.filter(workspace=workspace, role__in=(Role.MANAGER, Role.ADMIN))
        .select_related("user")
        .order_by("user__username")
    ]


def do_notify(
    workspace: Workspace,
    users: Iterable[User],
    text: str,
    *,
    source: str,
    conversation: Conversation | None = None,
) -> list[Notification]:
    """One notification per person (each once); emailed later when the desk can send mail."""
    now = timezone.now()
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                workspace=workspace,
                user=user,
                conversation=conversation,
                source=source[:200],
                text=text,
                created_at=now,
            )
        )
    created = Notification.objects.bulk_create(rows)
    if created and settings.RIPPLEDESK_NOTIFY_EMAIL:
        enqueue("triage.notify_email", {"ids": [n.pk for n in created]})
    return created


def _link(notification: Notification) -> str:
    base = settings.RIPPLEDESK_BASE_URL
    if notification.conversation is None:
        return base + reverse("web:notifications", args=[notification.workspace.slug])
    return base + reverse(
        "web:conversation",
        args=[notification.workspace.slug, notification.conversation.number],
    )


@job("triage.notify_email")
def _email_job(payload: dict[str, Any]) -> None:
    ids = [int(pk) for pk in payload.get("ids", [])]
    waiting = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related(
        "user", "workspace", "conversation"
    )
    for notification in waiting:
        address = notification.user.email
        if not address:
            continue  # shown in the desk only
        subject = f"[{notification.workspace.name}] {notification.text.splitlines()[0][:80]}"
        body = f"{notification.text}\n\n{notification.source}\n{_link(notification)}\n"
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def notifications_for(seat: Seat) -> QuerySet[Notification]:
    return Notification.objects.filter(workspace=seat.workspace, user=seat.user)


def unread_count(seat: Seat) -> int:
    return notifications_for(seat).filter(read_at__isnull=True).count()


def recent(seat: Seat) -> list[Notification]:
    return list(
        notifications_for(seat)
        .select_related("conversation")
        .order_by("-created_at", "-pk")[:LIST_LIMIT]
    )


def do_mark_read(seat: Seat) -> int:
    """Mark all the seat's unread notifications read; how many were."""
    return notifications_for(seat).filter(read_at__isnull=True).update(read_at=timezone.now())
