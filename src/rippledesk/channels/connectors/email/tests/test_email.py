"""Email over real SMTP on loopback: our listener receives, a local sink receives our replies."""

from __future__ import annotations

import smtplib
import socket
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.connectors.email.mime import html_to_text, parse_email
from rippledesk.channels.connectors.email.smtpd import start_listener
from rippledesk.channels.models import ChannelAccount, InboundEvent
from rippledesk.conversations.access import access_conversation
from rippledesk.conversations.actions import do_reply
from rippledesk.conversations.files import read_file
from rippledesk.conversations.models import Attachment, Conversation, Message
from rippledesk.workspaces.access import seat_in
from rippledesk.workspaces.actions import do_add_member, do_get_or_create_workspace
from rippledesk.workspaces.models import Role, User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    """A local SMTP server that keeps what it receives (stands in for the provider)."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def listener() -> Iterator[int]:
    port = free_port()
    controller = start_listener("127.0.0.1", port)
    yield port
    controller.stop()


def connect(smtp_port: int) -> ChannelAccount:
    config = {
        "address": "support@acme.example",
        "smtp_host": "127.0.0.1",
        "smtp_port": str(smtp_port),
        "smtp_security": "none",
    }
    return do_connect_channel(do_get_or_create_workspace("acme"), "email", "Acme support", config)


def wait_for(condition: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def send(port: int, raw: bytes, to: str = "support@acme.example") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("dana.ruiz@example.org", [to], raw)


def test_html_is_reduced_to_text_and_attachments_are_read() -> None:
    mail = parse_email((FIXTURES / "html_with_attachment.eml").read_bytes())
    assert (
        mail.text
        == "Hello,\n\nMy suitcase arrived broken & wet.\n\n- Flight AA12\n- Tag 0001234567\n\nDana"
    )
    assert "alert" not in mail.text
    assert "color" not in mail.text
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        ("suitcase.jpg", "image/jpeg")
    ]
    assert mail.message_id == "<CAF1a2b3c4d5e6@mail.example.org>"
    assert html_to_text("<p>a<br>b</p><script>x()</script>") == "a\nb"


def test_mail_in_then_reply_out_then_the_customers_answer_threads_back(
    listener: int, sink: tuple[Sink, int]
) -> None:
    inbox, sink_port = sink
    account = connect(sink_port)
    send(listener, (FIXTURES / "html_with_attachment.eml").read_bytes())
    wait_for(Message.objects.exists)
    message = Message.objects.get()
    assert message.body.startswith("Hello,\n\nMy suitcase arrived broken & wet.")
    conversation = message.conversation
    assert (conversation.kind, conversation.subject) == (
        "email",
        "Broken suitcase after flight AA12",
    )
    attachment = Attachment.objects.get(message=message)
    assert attachment.filename == "suitcase.jpg"
    assert read_file(attachment).startswith(b"\xff\xd8\xff\xe0")

    agent = User.objects.create_user("agent", password="x-long-password", first_name="Ava")
    do_add_member(account.workspace, agent, Role.MANAGER)
    seat = seat_in(agent, account.workspace)
    assert seat is not None
    reply = do_reply(
        seat, access_conversation(seat, conversation.number), "Sorry Dana, we'll pay for repairs."
    )
    wait_for(lambda: len(inbox.received) == 1)
    sent = BytesParser(policy=policy.default).parsebytes(inbox.received[0])
    assert sent["To"] == "dana.ruiz@example.org"
    assert sent["Subject"] == "Re: Broken suitcase after flight AA12"
    assert sent["In-Reply-To"] == "<CAF1a2b3c4d5e6@mail.example.org>"
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.external_id) == ("sent", sent["Message-ID"])

    answer = EmailMessage()
    answer["From"] = "Dana Ruiz <dana.ruiz@example.org>"
    answer["To"] = "support@acme.example"
    answer["Subject"] = "Re: Broken suitcase after flight AA12"
    answer["Message-ID"] = "<second@mail.example.org>"
    answer["In-Reply-To"] = sent["Message-ID"]
    answer["References"] = f"<CAF1a2b3c4d5e6@mail.example.org> {sent['Message-ID']}"
    answer.set_content("Thank you! Receipt attached later.")
    send(listener, answer.as_bytes())
    wait_for(lambda: Message.objects.filter(external_id="<second@mail.example.org>").exists())
    assert Conversation.objects.count() == 1
    talk = conversation.messages.filter(direction__in=("inbound", "outbound"))
    assert list(talk.order_by("sent_at").values_list("direction", flat=True)) == [
        "inbound",
        "outbound",
        "inbound",
    ]
    # the same mail delivered again adds nothing
    send(listener, answer.as_bytes())
    time.sleep(0.3)
    assert InboundEvent.objects.count() == 2


def test_unknown_recipients_and_unreadable_mail_are_refused(
    listener: int, sink: tuple[Sink, int]
) -> None:
    connect(sink[1])
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(listener, b"From: a@b.example\r\nSubject: x\r\n\r\nhi", to="someone@else.example")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(listener, b"Subject: no sender\r\n\r\nhi")
    assert refused.value.smtp_code == 554
    assert not InboundEvent.objects.exists()


def test_agents_download_attachments_only_within_reach(
    client: Any, listener: int, sink: tuple[Sink, int]
) -> None:
    account = connect(sink[1])
    send(listener, (FIXTURES / "html_with_attachment.eml").read_bytes())
    wait_for(Attachment.objects.exists)
    attachment = Attachment.objects.get()
    number = attachment.message.conversation.number
    manager = User.objects.create_user("manager", password="x-long-password")
    do_add_member(account.workspace, manager, Role.MANAGER)
    client.force_login(manager)
    page = client.get(f"/w/acme/conversations/{number}/")
    url = f"/w/acme/conversations/{number}/files/{attachment.pk}/"
    assert url in page.content.decode()
    download = client.get(url)
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"] == 'attachment; filename="suitcase.jpg"'
    assert download.content.startswith(b"\xff\xd8")
    agent = User.objects.create_user("agent", password="x-long-password")
    do_add_member(account.workspace, agent, Role.AGENT)  # in no team: reaches nothing
    client.force_login(agent)
    assert client.get(url).status_code == 404


def test_imap_polling_fetches_new_mail_once(sink: tuple[Sink, int]) -> None:
    from tests.imap_server import imap_server  # noqa: PLC0415

    from rippledesk.channels.polling import poll_account  # noqa: PLC0415

    with imap_server() as server:
        config = {
            "address": "support@acme.example",
            "smtp_host": "127.0.0.1",
            "smtp_port": str(sink[1]),
            "smtp_security": "none",
            "imap_host": "127.0.0.1",
            "imap_port": str(server.port),
            "imap_security": "none",
            "imap_username": server.user,
            "imap_password": server.password,
        }
        account = do_connect_channel(
            do_get_or_create_workspace("acme"), "email", "IMAP box", config
        )
        server.append((FIXTURES / "html_with_attachment.eml").read_bytes())
        assert poll_account(account) == 1
        assert poll_account(account) == 0  # the cursor moved past it
        second = (
            b"From: Sam <sam@example.org>\r\nSubject: Hi\r\nMessage-ID: <s1@example.org>\r\n\r\n"
        )
        server.append(second + b"Another question")
        assert poll_account(account) == 1
        assert account.poll_cursor.endswith(":2")
    assert sorted(str(i) for i in Message.objects.values_list("external_id", flat=True)) == [
        "<CAF1a2b3c4d5e6@mail.example.org>",
        "<s1@example.org>",
    ]
    assert Attachment.objects.count() == 1
