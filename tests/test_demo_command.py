"""``rippledesk demo``: one admin, one login file, the bundled sample imported exactly once."""

from __future__ import annotations

import csv
import io
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from rippledesk.conversations.models import Conversation, Message
from rippledesk.core.management.commands.demo import SAMPLE
from rippledesk.triage.rules import examples
from rippledesk.triage.rules.models import Rule, RuleRun
from rippledesk.workspaces.models import Membership, Role, User, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def password_in(output: str) -> str:
    found = re.search(r"^\s*Password: (\S+)$", output, re.MULTILINE)
    assert found, output
    return found.group(1)


def small_sample(tmp_path: Path) -> Path:
    path = tmp_path / "tweets.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["tweet_id", "airline", "name", "text", "tweet_created"])
        writer.writerow(["1", "United", "jo", "@united lost my bag", "16-02-2015 23.43"])
        writer.writerow(["2", "Delta", "sam", "@JetBlue great crew", "17-02-2015 0.00"])
    return path


def test_demo_twice_imports_the_sample_once_and_keeps_one_login(tmp_path: Path) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    distinct = {(r["airline"], r["name"], r["tweet_created"], r["text"]) for r in rows}
    assert len(rows) - len(distinct) == 6  # the real file's exact duplicate rows

    first = demo("--port", "8123")
    assert "http://127.0.0.1:8123/" in first
    assert "Username: admin" in first
    assert f"read {len(rows):,} rows" in first  # the importer's summary line
    messages = Message.objects.count()
    assert messages == len(distinct)
    conversations = Conversation.objects.count()

    second = demo("--port", "8123")
    assert password_in(second) == password_in(first)
    assert "nothing new" in second
    assert Message.objects.count() == messages
    assert Conversation.objects.count() == conversations

    workspace = Workspace.objects.get(slug="demo")
    assert workspace.name == "Demo desk"
    assert set(Conversation.objects.values_list("workspace_id", flat=True)) == {workspace.pk}
    admin = User.objects.get(username="admin")
    assert admin.username == "admin"
    assert admin.is_superuser
    assert admin.is_staff
    assert Membership.objects.get(user__username="admin").role == Role.ADMIN
    assert admin.check_password(password_in(first))

    # The four example rules, seeded once; the imported history set none of them off.
    rules = list(Rule.objects.filter(workspace=workspace).values_list("name", "enabled"))
    assert rules == [
        (examples.LOUD, True),
        (examples.PRAISE, True),
        (examples.CHURN, True),
        (examples.AFTER_HOURS, True),
    ]
    assert not RuleRun.objects.exists()

    login = tmp_path / "demo-login.txt"
    assert stat.S_IMODE(login.stat().st_mode) == 0o600
    assert f"password: {password_in(first)}" in login.read_text(encoding="utf-8")


def test_the_printed_login_opens_the_desk(tmp_path: Path) -> None:
    password = password_in(demo("--data-file", str(small_sample(tmp_path))))
    browser = Client()
    response = browser.post(
        reverse("web:login"), {"username": "admin", "password": password}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/w/demo/inbox/"
    assert b"@united lost my bag" in response.content
    assert b"@JetBlue great crew" in response.content

    # the demo agents sign in with the same password and see their own team's airlines only
    agent = Client()
    agent.post(reverse("web:login"), {"username": "ava", "password": password})
    seen = agent.get("/w/demo/inbox/?view=all").content
    assert b"@united lost my bag" in seen
    assert b"@JetBlue great crew" not in seen  # posted on Delta, the South desk's account
    assert Membership.objects.get(user__username="max").role == Role.MANAGER


def test_the_port_defaults_to_8000(tmp_path: Path) -> None:
    output = demo("--data-file", str(small_sample(tmp_path)))
    assert "http://127.0.0.1:8000/" in output


def test_a_missing_data_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="sample data not found; pass --data-file"):
        demo("--data-file", str(tmp_path / "nope.csv"))
    assert not User.objects.exists()


def test_an_admin_without_a_saved_login_is_not_silently_reset(tmp_path: Path) -> None:
    data = str(small_sample(tmp_path))
    User.objects.create_superuser("admin", password="chosen-by-a-human")
    with pytest.raises(CommandError, match="--reset-password"):
        demo("--data-file", data)
    assert User.objects.get(username="admin").check_password("chosen-by-a-human")

    password = password_in(demo("--data-file", data, "--reset-password"))
    assert User.objects.get(username="admin").check_password(password)
    assert password_in(demo("--data-file", data)) == password


def test_a_lost_login_file_is_written_again_from_a_recreated_admin(tmp_path: Path) -> None:
    data = str(small_sample(tmp_path))
    password = password_in(demo("--data-file", data))
    User.objects.all().delete()  # e.g. a fresh database with the old data directory
    assert password_in(demo("--data-file", data)) == password
    assert User.objects.get(username="admin").check_password(password)
