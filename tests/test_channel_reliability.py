"""Nothing lost, nothing doubled: duplicate deliveries, concurrency and a killed worker."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from rippledesk.channels.actions import do_connect_channel
from rippledesk.channels.connectors.twilio_sms.adapter import signature
from rippledesk.channels.models import ChannelAccount, InboundEvent
from rippledesk.conversations.models import Message
from rippledesk.jobs.models import Job
from rippledesk.jobs.worker import run_pending
from rippledesk.workspaces.actions import do_get_or_create_workspace
from tests.conftest import REPO

TOKEN = "twilio-auth-token-for-tests"
BODY = "MessageSid=SMdup1&From=%2B14155552671&To=%2B15005550006&Body=Where+is+my+parcel%3F"
pytestmark = pytest.mark.django_db(transaction=True)


def connect() -> ChannelAccount:
    workspace = do_get_or_create_workspace("acme")
    config = {"account_sid": "AC" + "0" * 32, "auth_token": TOKEN, "from_number": "+15005550006"}
    return do_connect_channel(workspace, "sms", "+15005550006", config, check_credentials=False)


def deliver(url: str, body: str) -> int:
    form = urllib.parse.parse_qs(body)
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(TOKEN, url, form),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.status)


def test_the_same_webhook_ten_times_at_once_stores_one_message(
    live_server: Any, settings: Any
) -> None:
    settings.RIPPLEDESK_JOBS = "database"
    account = connect()
    url = f"{live_server.url}/hooks/{account.webhook_token}/"
    statuses: list[int] = []
    start = threading.Barrier(10)

    def send() -> None:
        start.wait()
        statuses.append(deliver(url, BODY))

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 10
    assert InboundEvent.objects.count() == 1
    assert Job.objects.count() == 1  # only the first delivery queued work
    run_pending()
    run_pending()
    assert Message.objects.filter(external_id="SMdup1").count() == 1


def test_a_worker_killed_mid_job_leaves_the_message_exactly_once(
    live_server: Any, settings: Any
) -> None:
    settings.RIPPLEDESK_JOBS = "database"
    account = connect()
    assert deliver(f"{live_server.url}/hooks/{account.webhook_token}/", BODY) == 200
    database = str(connection.settings_dict["NAME"])
    crashed = subprocess.run(
        [sys.executable, str(REPO / "tests" / "tools" / "crashing_worker.py"), database],
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert crashed.returncode == -9, crashed.stderr.decode()[-2000:]
    assert not Message.objects.exists()  # the half-done transaction died with the worker
    job = Job.objects.get()
    assert (job.status, job.attempts) == ("running", 1)
    assert InboundEvent.objects.get().processed_at is None
    # the lease of the dead worker runs out; the next worker takes the job again
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert run_pending() == 1
    assert Message.objects.filter(external_id="SMdup1").count() == 1
    assert Job.objects.get().status == "done"
    assert run_pending() == 0
