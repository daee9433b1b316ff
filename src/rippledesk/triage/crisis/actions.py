"""What people do about crises: acknowledge, resolve, and (admins) set up the alerts.

``check_*`` functions validate and authorise; ``do_*`` functions write. Managers and admins
act on incidents; only admins change where alerts go, since a webhook URL sends the
workspace's customer complaints outside the desk.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from rippledesk.core.errors import Conflict, InvalidInput, PermissionDenied
from rippledesk.triage.crisis.alerts import queue_test_alerts
from rippledesk.triage.crisis.models import (
    OPEN_STATUSES,
    Crisis,
    CrisisAlert,
    CrisisSettings,
    CrisisStatus,
)
from rippledesk.triage.crisis.queries import access_crisis, forget_banner
from rippledesk.workspaces.access import Seat

ALPHAS = (0.01, 0.001, 0.0001, 0.00001)
MAX_RECIPIENTS = 50
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def check_manage(seat: Seat) -> None:
    if not seat.can_manage:
        raise PermissionDenied("Only managers and admins act on crises.", field="role")


def check_admin(seat: Seat) -> None:
    if not seat.is_admin:
        raise PermissionDenied("Only admins change crisis alert settings.", field="role")


def do_acknowledge(seat: Seat, crisis_id: int, now: datetime | None = None) -> Crisis:
    """Someone is on it: the incident stays open (and keeps growing) but stops shouting."""
    check_manage(seat)
    with transaction.atomic():
        crisis = access_crisis(seat, crisis_id, for_update=True)
        if crisis.status == CrisisStatus.RESOLVED:
            raise Conflict("This crisis is already resolved.", field="status")
        if crisis.status == CrisisStatus.ACKNOWLEDGED:
            return crisis
        crisis.status = CrisisStatus.ACKNOWLEDGED
        crisis.acknowledged_by = seat.user
        crisis.acknowledged_at = crisis.updated_at = now or timezone.now()
        crisis.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
        forget_banner(seat.workspace.pk)
    return crisis


def do_resolve(seat: Seat, crisis_id: int, now: datetime | None = None) -> Crisis:
    """Handled: the banner goes, and spikes of the same fire within the cooldown stay quiet."""
    check_manage(seat)
    with transaction.atomic():
        crisis = access_crisis(seat, crisis_id, for_update=True)
        if crisis.status not in OPEN_STATUSES:
            raise Conflict("This crisis is already resolved.", field="status")
        crisis.status = CrisisStatus.RESOLVED
        crisis.resolved_by = seat.user
        crisis.resolved_automatically = False
        crisis.resolved_at = crisis.updated_at = now or timezone.now()
        crisis.save(
            update_fields=[
                "status",
                "resolved_by",
                "resolved_at",
                "resolved_automatically",
                "updated_at",
            ]
        )
        forget_banner(seat.workspace.pk)
    return crisis


def check_webhook_url(raw: str) -> str:
    """The URL to POST alerts to, cleaned; "" turns the webhook off.

    HTTPS only, except to this machine (127.0.0.1, ::1, localhost) for a receiver running
    beside the desk. No user name or password in the URL: they would be shown on the settings
    page and written to logs; the signature is how receivers authenticate us.
    """
    url = raw.strip()
    if not url:
        return ""
    field = "webhook_url"
    if len(url) > 2000:
        raise InvalidInput("The webhook URL is longer than 2,000 characters.", field=field)
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidInput("The webhook URL contains spaces or control characters.", field=field)
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(
            "The webhook URL has a port that is not a number.", field=field
        ) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidInput(
            "The webhook URL must be a full https:// address, like "
            "https://hooks.slack.com/services/T000/B000/XXXX.",
            field=field,
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "Leave the user name and password out of the webhook URL; receivers check the "
            "X-Rippledesk-Signature header instead.",
            field=field,
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise InvalidInput(
            "The webhook URL must start with https:// (plain http:// is only allowed to "
            "127.0.0.1 or localhost).",
            field=field,
        )
    if port == 0:
        raise InvalidInput("The webhook URL's port must be 1-65535.", field=field)
    return url


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_recipients(raw: str) -> str:
    """Comma- or line-separated addresses, cleaned to ``a@x.org, b@y.org``."""
    found = [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]
    if len(found) > MAX_RECIPIENTS:
        raise InvalidInput(
            f"{len(found)} recipients; at most {MAX_RECIPIENTS}.", field="recipients"
        )
    for address in found:
        try:
            validate_email(address)
        except ValidationError:
            raise InvalidInput(
                f"{address!r} is not an email address.", field="recipients"
            ) from None
    return ", ".join(dict.fromkeys(found))


@dataclass(frozen=True)
class SettingsForm:
    """What the settings page and the API send; strings as typed, checked here."""

    enabled: bool
    email_enabled: bool
    recipients: str
    webhook_url: str
    alpha: str
    min_messages: str


def check_settings(form: SettingsForm) -> dict[str, object]:
    try:
        alpha = float(form.alpha)
    except ValueError:
        raise InvalidInput(f"Sensitivity {form.alpha!r} is not a number.", field="alpha") from None
    if alpha not in ALPHAS:
        choices = ", ".join(f"{a:g}" for a in ALPHAS)
        raise InvalidInput(f"Sensitivity must be one of {choices}.", field="alpha")
    if not form.min_messages.strip().isdigit() or not 3 <= int(form.min_messages) <= 1000:
        raise InvalidInput(
            "The minimum number of messages must be a whole number from 3 to 1000.",
            field="min_messages",
        )
    return {
        "enabled": form.enabled,
        "email_enabled": form.email_enabled,
        "recipients": check_recipients(form.recipients),
        "webhook_url": check_webhook_url(form.webhook_url),
        "alpha": alpha,
        "min_messages": int(form.min_messages),
    }


def settings_of(seat: Seat) -> CrisisSettings:
    """The workspace's settings (a row with the defaults when there is none yet)."""
    found = CrisisSettings.objects.filter(workspace=seat.workspace).first()
    return found or CrisisSettings(workspace=seat.workspace, updated_at=timezone.now())


def do_save_settings(seat: Seat, form: SettingsForm) -> CrisisSettings:
    check_admin(seat)
    values = check_settings(form)
    now = timezone.now()
    with transaction.atomic():
        row, _ = CrisisSettings.objects.select_for_update().get_or_create(
            workspace=seat.workspace, defaults={"updated_at": now}
        )
        for name, value in values.items():
            setattr(row, name, value)
        if row.webhook_url and not row.webhook_secret:
            row.webhook_secret = secrets.token_urlsafe(32)
        row.updated_at = now
        row.save()
    return row


def do_rotate_secret(seat: Seat) -> CrisisSettings:
    """A new signing secret; receivers must be given it before they accept alerts again."""
    check_admin(seat)
    with transaction.atomic():
        row, _ = CrisisSettings.objects.select_for_update().get_or_create(
            workspace=seat.workspace, defaults={"updated_at": timezone.now()}
        )
        row.webhook_secret = secrets.token_urlsafe(32)
        row.updated_at = timezone.now()
        row.save(update_fields=["webhook_secret", "updated_at"])
    return row


def do_send_test_alert(seat: Seat) -> list[CrisisAlert]:
    """Send a test through every configured way out, so an admin sees the setup works."""
    check_admin(seat)
    row = settings_of(seat)
    if not row.email_enabled and not row.webhook_url:
        raise InvalidInput("Turn on email alerts or save a webhook URL first.", field="webhook_url")
    with transaction.atomic():
        return queue_test_alerts(row, timezone.now())
