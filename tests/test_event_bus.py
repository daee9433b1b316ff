"""A failing event subscriber is logged; the message stays stored and other subscribers run."""

from __future__ import annotations

from pathlib import Path

import pytest

from rippledesk.conversations.models import Message
from rippledesk.core import events
from rippledesk.core.events import MessagesStored, subscribe
from rippledesk.triage.tests.support import mentions, setup_team


@pytest.mark.django_db
@pytest.mark.handler_failures_expected
def test_a_broken_subscriber_does_not_lose_the_message_or_stall_the_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    setup_team("manual")
    seen: list[MessagesStored] = []

    def broken(event: MessagesStored) -> None:
        raise RuntimeError("automation bug")

    subscribe(MessagesStored, broken)
    subscribe(MessagesStored, seen.append)
    try:
        mentions(tmp_path, [("@AcmeCare my bag is lost", "u1")])
    finally:
        events._handlers[MessagesStored].remove(broken)
        events._handlers[MessagesStored].remove(seen.append)
    assert Message.objects.count() == 1
    assert len(seen) == 1
    failures = [r for r in caplog.records if r.name == "rippledesk.events"]
    assert "automation bug" in (failures[0].exc_text or "")
    assert "broken" in failures[0].getMessage()
