"""Alerts about incidents: an email to the people in charge and a signed webhook.

Each delivery is a :class:`CrisisAlert` row and a ``triage.crisis_alert`` job, so the tick that
found the incident never waits on a mail server or a receiver. The job retries transient
failures itself (30 s, 2 min, 8 min, 32 min, 2 h), records each error on the row, and never
raises, so an unreachable receiver costs a row, not the queue or the tick. Permanent failures
(a 4xx from the receiver, a refused recipient) stop at once with the reason kept for the
settings page.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone

from rippledesk.channels.adapters import DeliveryError
from rippledesk.jobs.api import enqueue, job
from rippledesk.triage.crisis import webhook
from rippledesk.triage.crisis.describe import summarize, test_summary
from rippledesk.triage.crisis.models import (
    AlertKind,
    AlertStatus,
    Crisis,
    CrisisAlert,
    CrisisSettings,
)
from rippledesk.triage.crisis.webhook import Summary
from rippledesk.workspaces.models import Membership, Role

log = logging.getLogger(__name__)
JOB = "triage.crisis_alert"
MAX_ATTEMPTS = 6
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class Skipped(Exception):
    """Nothing to deliver to (no recipients, no mail server): not a failure to retry."""


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, four times longer after each next one, at most 2 hours."""
    return min(timedelta(hours=2), timedelta(seconds=30 * 4 ** max(0, attempts - 1)))


def queue_alerts(crisis_id: int, event: str, now: datetime) -> list[CrisisAlert]:
    """One alert per configured way out; the jobs run after the current transaction commits."""
    crisis = Crisis.objects.select_related("workspace").get(pk=crisis_id)
    config = CrisisSettings.objects.filter(workspace=crisis.workspace).first()
    kinds = []
    if config is None or config.email_enabled:
        kinds.append(AlertKind.EMAIL)
    if config is not None and config.webhook_url:
        kinds.append(AlertKind.WEBHOOK)
    alerts = [
        CrisisAlert.objects.create(
            workspace=crisis.workspace, crisis=crisis, kind=kind, event=event, created_at=now
        )
        for kind in kinds
    ]
    for alert in alerts:
        enqueue(JOB, {"alert": alert.pk})
    return alerts


def queue_test_alerts(config: CrisisSettings, now: datetime) -> list[CrisisAlert]:
    kinds = [AlertKind.EMAIL] if config.email_enabled else []
    if config.webhook_url:
        kinds.append(AlertKind.WEBHOOK)
    alerts = [
        CrisisAlert.objects.create(
            workspace_id=config.workspace_id, kind=kind, event="test", created_at=now
        )
        for kind in kinds
    ]
    for alert in alerts:
        enqueue(JOB, {"alert": alert.pk})
    return alerts


def recipients(config: CrisisSettings | None, workspace_id: int) -> list[str]:
    """The configured addresses, else every manager and admin of the workspace with one."""
    if config is not None and config.recipients.strip():
        return [a.strip() for a in config.recipients.split(",") if a.strip()]
    people = Membership.objects.filter(
        workspace_id=workspace_id, role__in=(Role.MANAGER, Role.ADMIN)
    ).exclude(user__email="")
    return sorted({m.user.email for m in people.select_related("user")})


def _summary(alert: CrisisAlert) -> Summary:
    if alert.crisis is None:
        return test_summary(alert.workspace.name)
    return summarize(alert.crisis, alert.event)


def send_email(alert: CrisisAlert, config: CrisisSettings | None) -> None:
    if settings.EMAIL_BACKEND == _SMTP_BACKEND and not settings.EMAIL_HOST:
        raise Skipped("no outgoing mail server is configured (set RIPPLEDESK_SMTP_HOST)")
    to = recipients(config, alert.workspace_id)
    if not to:
        raise Skipped("no recipients: no manager or admin has an email address")
    summary = _summary(alert)
    body = "\n".join([*summary.lines, "", summary.url]).strip() + "\n"
    try:
        send_mail(f"[rippledesk] {summary.title}", body, None, to)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise DeliveryError(f"the mail server refused: {error}", permanent=True) from None
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"cannot send email: {error}", permanent=False) from None


def send_webhook(alert: CrisisAlert, config: CrisisSettings | None) -> None:
    if config is None or not config.webhook_url:
        raise Skipped("the webhook URL was removed")
    payload = webhook.slack_payload(_summary(alert))
    webhook.post(
        config.webhook_url,
        config.webhook_secret,
        payload,
        event=alert.event,
        delivery=str(alert.pk),
    )


def deliver(alert_id: int) -> CrisisAlert | None:
    """Try one pending alert once; the row after the try (None if it is not pending)."""
    alert = (
        CrisisAlert.objects.select_related("workspace", "crisis__workspace", "crisis__channel")
        .filter(pk=alert_id, status=AlertStatus.PENDING)
        .first()
    )
    if alert is None:
        return None
    # Claim this attempt; a second worker running the same job finds the count moved on.
    claimed = CrisisAlert.objects.filter(
        pk=alert.pk, status=AlertStatus.PENDING, attempts=alert.attempts
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return None
    alert.attempts += 1
    config = CrisisSettings.objects.filter(workspace_id=alert.workspace_id).first()
    send = send_email if alert.kind == AlertKind.EMAIL else send_webhook
    now = timezone.now()
    try:
        send(alert, config)
    except Skipped as reason:
        _finish(alert, AlertStatus.SKIPPED, str(reason))
    except DeliveryError as error:
        if error.permanent or alert.attempts >= MAX_ATTEMPTS:
            _finish(alert, AlertStatus.FAILED, str(error))
        else:
            CrisisAlert.objects.filter(pk=alert.pk).update(last_error=str(error)[:2000])
            alert.last_error = str(error)
            enqueue(JOB, {"alert": alert.pk}, delay=retry_delay(alert.attempts))
    else:
        _finish(alert, AlertStatus.SENT, "", sent_at=now)
    return alert


def _finish(alert: CrisisAlert, status: str, error: str, sent_at: datetime | None = None) -> None:
    CrisisAlert.objects.filter(pk=alert.pk).update(
        status=status, last_error=error[:2000], sent_at=sent_at
    )
    alert.status, alert.last_error, alert.sent_at = status, error, sent_at
    if status == AlertStatus.FAILED:
        log.warning("crisis alert %s (%s) failed: %s", alert.pk, alert.kind, error)


@job(JOB)
def _deliver_job(payload: dict[str, Any]) -> None:
    alert_id = payload.get("alert")
    if not isinstance(alert_id, int) or isinstance(alert_id, bool):
        log.warning("crisis alert job without an alert id: %r", payload)
        return
    try:
        deliver(alert_id)
    except Exception:  # raising would fail the enqueuing transaction's other callbacks inline
        log.exception("crisis alert %s could not be delivered", alert_id)
        _retry_later(alert_id)


def _retry_later(alert_id: int) -> None:
    """After an unexpected error: try again later, or give up after ``MAX_ATTEMPTS``."""
    alert = CrisisAlert.objects.filter(pk=alert_id, status=AlertStatus.PENDING).first()
    if alert is None:
        return
    if alert.attempts >= MAX_ATTEMPTS:
        _finish(alert, AlertStatus.FAILED, "gave up after an unexpected error (see the log)")
    else:
        enqueue(JOB, {"alert": alert.pk}, delay=retry_delay(max(1, alert.attempts)))
