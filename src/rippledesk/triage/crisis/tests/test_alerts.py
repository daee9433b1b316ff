"""Alerts over real transports on loopback: a signed webhook to an HTTP server, email to SMTP."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from tests.crisis_desk import quarter, spike, store, watch

from rippledesk.jobs.api import handler_for
from rippledesk.jobs.models import Job
from rippledesk.triage.crisis import alerts
from rippledesk.triage.crisis.actions import SettingsForm, do_save_settings, do_send_test_alert
from rippledesk.triage.crisis.evaluate import do_evaluate
from rippledesk.triage.crisis.models import CrisisAlert, CrisisSettings
from rippledesk.triage.crisis.webhook import verify
from rippledesk.workspaces.access import Seat, seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User, Workspace

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver(ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1 that answers with the statuses it is told to."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[tuple[int, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/crisis"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((dict(self.headers.items()), body))
        status, headers = self.server.answers.pop(0) if self.server.answers else (200, {})
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        answer = b"ok" if status < 300 else b"invalid_token"
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def admin() -> Seat:
    workspace = do_get_or_create_workspace("acme", "Acme Air")
    user = User.objects.create_user("ada", email="ada@acme.example", password="x-long-pass")
    do_add_member(workspace, user, Role.ADMIN)
    seat = seat_in(user, workspace)
    assert seat is not None
    return seat


def configure(seat: Seat, url: str, *, email: bool = False) -> CrisisSettings:
    return do_save_settings(
        seat,
        SettingsForm(
            enabled=True,
            email_enabled=email,
            recipients="",
            webhook_url=url,
            alpha="0.001",
            min_messages="6",
        ),
    )


def fire(workspace: Workspace, tmp_path: Path) -> None:
    now = timezone.now()
    watch(workspace, now - timedelta(days=2))
    store(workspace, spike("lost_luggage", "AcmeAir", quarter(now), 12), tmp_path)
    assert do_evaluate(timezone.now()).opened


def test_the_webhook_is_slack_json_signed_for_the_receiver(
    admin: Seat, receiver: Receiver, tmp_path: Path
) -> None:
    config = configure(admin, receiver.url)
    assert len(config.webhook_secret) >= 40
    fire(admin.workspace, tmp_path)
    (headers, body) = receiver.requests[0]
    assert len(receiver.requests) == 1
    assert verify(
        config.webhook_secret,
        headers["X-Rippledesk-Timestamp"],
        headers["X-Rippledesk-Signature"],
        body,
    )
    assert not verify(
        "another secret", headers["X-Rippledesk-Timestamp"], headers["X-Rippledesk-Signature"], body
    )
    assert not verify(
        config.webhook_secret,
        headers["X-Rippledesk-Timestamp"],
        headers["X-Rippledesk-Signature"],
        body + b" ",
    )
    stale = int(headers["X-Rippledesk-Timestamp"]) + 600
    assert not verify(
        config.webhook_secret,
        headers["X-Rippledesk-Timestamp"],
        headers["X-Rippledesk-Signature"],
        body,
        now=stale,
    )
    alert = CrisisAlert.objects.get()
    assert headers["X-Rippledesk-Event"] == "crisis.opened"
    assert headers["X-Rippledesk-Delivery"] == str(alert.pk)
    payload = json.loads(body)
    assert payload["text"].startswith("Crisis: Lost luggage on X (Twitter) AcmeAir")
    assert [block["type"] for block in payload["blocks"]] == ["header", "section", "actions"]
    assert "12 messages, 12 of them negative" in payload["blocks"][1]["text"]["text"]
    assert payload["blocks"][2]["elements"][0]["url"].endswith(f"/w/acme/crisis/{alert.crisis_id}/")
    assert (alert.status, alert.attempts, alert.last_error) == ("sent", 1, "")


def test_a_struggling_receiver_is_retried_a_refusing_one_is_not(
    admin: Seat, receiver: Receiver, tmp_path: Path
) -> None:
    configure(admin, receiver.url)
    receiver.answers = [(503, {})]
    fire(admin.workspace, tmp_path)
    alert = CrisisAlert.objects.get()
    assert (alert.status, alert.attempts) == ("pending", 1)
    assert "answered 503" in alert.last_error
    retry = Job.objects.get(name=alerts.JOB)
    assert retry.run_at - timezone.now() > timedelta(seconds=20)
    handler_for(alerts.JOB)(retry.payload)  # the worker's turn comes: the receiver is back
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("sent", 2)
    first, second = receiver.requests
    assert first[0]["X-Rippledesk-Delivery"] == second[0]["X-Rippledesk-Delivery"]

    for status, headers, words in [
        (404, {}, "answered 404: invalid_token"),
        (301, {"Location": "https://hooks.example/new"}, "redirect to https://hooks.example/new"),
    ]:
        receiver.answers = [(status, headers)]
        sent = do_send_test_alert(admin)
        sent[0].refresh_from_db()
        assert (sent[0].status, sent[0].attempts) == ("failed", 1)
        assert words in sent[0].last_error
    assert Job.objects.filter(name=alerts.JOB, status="queued").count() == 1  # only the 503's


def test_an_unreachable_receiver_is_given_up_after_the_last_try(admin: Seat) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    configure(admin, f"http://127.0.0.1:{closed}/hook")
    (alert,) = do_send_test_alert(admin)
    for _ in range(alerts.MAX_ATTEMPTS):
        alerts.deliver(alert.pk)
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("failed", alerts.MAX_ATTEMPTS)
    assert "cannot reach the webhook" in alert.last_error
    assert alerts.deliver(alert.pk) is None  # nothing left to do


def test_retry_delays_grow_and_stop_at_two_hours() -> None:
    assert [alerts.retry_delay(n).total_seconds() for n in range(1, 7)] == [
        30,
        120,
        480,
        1920,
        7200,
        7200,
    ]


class Mailbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "alerts@desk.example"
    yield box
    controller.stop()


def test_email_goes_to_managers_and_admins_over_smtp(
    admin: Seat, smtp: Mailbox, tmp_path: Path
) -> None:
    manager = User.objects.create_user("max", email="max@acme.example", password="x-long-pass")
    do_add_member(admin.workspace, manager, Role.MANAGER)
    agent = User.objects.create_user("ava", email="ava@acme.example", password="x-long-pass")
    do_add_member(admin.workspace, agent, Role.AGENT)
    configure(admin, "", email=True)
    fire(admin.workspace, tmp_path)
    (raw,) = smtp.received
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["Subject"] == "[rippledesk] Crisis: Lost luggage on X (Twitter) AcmeAir"
    assert message["From"] == "alerts@desk.example"
    assert sorted(message["To"].split(", ")) == ["ada@acme.example", "max@acme.example"]
    text = message.get_content()
    assert "So far 12 messages, 12 of them negative" in text
    assert "http://127.0.0.1:8000/w/acme/crisis/" in text
    assert CrisisAlert.objects.get().status == "sent"


def test_email_without_a_mail_server_is_skipped_with_the_reason(admin: Seat, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    configure(admin, "", email=True)
    (alert,) = do_send_test_alert(admin)
    alert.refresh_from_db()
    assert alert.status == "skipped"
    assert "RIPPLEDESK_SMTP_HOST" in alert.last_error
