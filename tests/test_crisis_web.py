"""The crisis banner, the Crisis view, acting on incidents and the alert settings, in the desk."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from rippledesk.triage.crisis.models import Crisis, CrisisSettings
from rippledesk.workspaces.models import Workspace
from tests.api_desk import Desk, make_desk
from tests.crisis_desk import burn, calm, quarter, spike

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path)


def client(desk: Desk, name: str) -> Client:
    signed_in = Client()
    signed_in.force_login(desk.users[name])
    return signed_in


def care_fire(desk: Desk, tmp_path: Path, count: int = 9) -> Crisis:
    outcome = burn(
        desk.acme, spike("lost_luggage", "AcmeCare", quarter(timezone.now()), count), tmp_path
    )
    (crisis_id,) = outcome.opened
    return Crisis.objects.get(pk=crisis_id)


def test_the_banner_shows_on_every_page_to_those_who_reach_it(desk: Desk, tmp_path: Path) -> None:
    crisis = care_fire(desk, tmp_path)
    link = f'href="/w/acme/crisis/{crisis.pk}/"'
    for name in ("manager", "agent"):
        for url in ("/w/acme/inbox/", "/w/acme/listening/", "/w/acme/canned/"):
            page = client(desk, name).get(url).content.decode()
            assert 'class="crisis-banner"' in page, (name, url)
            assert link in page and "lost luggage on AcmeCare" in page
    loner = client(desk, "loner").get("/w/acme/inbox/").content.decode()
    assert "crisis-banner" not in loner  # an agent who does not work AcmeCare
    outsider = client(desk, "outsider").get("/w/globex/inbox/").content.decode()
    assert "crisis-banner" not in outsider


def test_the_crisis_page_groups_the_spike(desk: Desk, tmp_path: Path) -> None:
    crisis = care_fire(desk, tmp_path)
    listing = client(desk, "agent").get("/w/acme/crisis/").content.decode()
    assert (
        f"/w/acme/crisis/{crisis.pk}/" in listing
        and "Lost luggage on X (Twitter) AcmeCare" in listing
    )
    page = client(desk, "agent").get(f"/w/acme/crisis/{crisis.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="chart"' in html and "chart-incident" in html
    numbers = set(re.findall(r'href="/w/acme/conversations/(\d+)/"', html))
    assert len(numbers) == 9  # every message of the spike, each a conversation of its own
    assert html.count("chip-negative") == 9
    assert "Acknowledge" not in html  # agents read; managers act
    assert client(desk, "loner").get(f"/w/acme/crisis/{crisis.pk}/").status_code == 404
    assert client(desk, "outsider").get(f"/w/acme/crisis/{crisis.pk}/").status_code == 404


def test_managers_acknowledge_and_resolve_agents_cannot(desk: Desk, tmp_path: Path) -> None:
    crisis = care_fire(desk, tmp_path)
    url = f"/w/acme/crisis/{crisis.pk}/"
    refused = client(desk, "agent").post(url, {"action": "resolve"}, follow=True)
    assert "Only managers and admins act on crises." in refused.content.decode()
    crisis.refresh_from_db()
    assert crisis.status == "active"

    manager = client(desk, "manager")
    manager.post(url, {"action": "acknowledge"})
    crisis.refresh_from_db()
    assert crisis.status == "acknowledged" and crisis.acknowledged_by == desk.users["manager"]
    assert "(acknowledged)" in manager.get("/w/acme/inbox/").content.decode()

    manager.post(url, {"action": "resolve"})
    crisis.refresh_from_db()
    assert crisis.status == "resolved" and not crisis.resolved_automatically
    assert "crisis-banner" not in manager.get("/w/acme/inbox/").content.decode()
    again = manager.post(url, {"action": "resolve"}, follow=True).content.decode()
    assert "This crisis is already resolved." in again


def test_agents_see_their_part_of_a_crisis_across_channels(desk: Desk, tmp_path: Path) -> None:
    """Four complaints on each channel: neither channel alone is a spike, both together are."""
    now = quarter(timezone.now())
    outcome = burn(
        desk.acme,
        spike("late_flight", "AcmeCare", now, 4) + spike("late_flight", "AcmeShop", now, 4),
        tmp_path,
    )
    crisis = Crisis.objects.get(pk=outcome.opened[0])
    assert outcome.opened == [crisis.pk] and crisis.channel is None
    assert crisis.topic == "late_flight" and crisis.message_count == 8
    url = f"/w/acme/crisis/{crisis.pk}/"
    as_agent = client(desk, "agent").get(url).content.decode()
    as_manager = client(desk, "manager").get(url).content.decode()
    assert len(set(re.findall(r"/w/acme/conversations/(\d+)/", as_agent))) == 4
    assert len(set(re.findall(r"/w/acme/conversations/(\d+)/", as_manager))) == 8
    assert "What the messages are about" not in as_manager  # one topic: nothing to break down
    assert "crisis-banner" in client(desk, "loner").get("/w/acme/inbox/").content.decode()
    assert "No messages of this crisis on the channels you work." in (
        client(desk, "loner").get(url).content.decode()
    )


def test_alert_settings_are_for_admins(desk: Desk) -> None:
    assert client(desk, "manager").get("/w/acme/crisis/settings/").status_code == 403
    admin = client(desk, "admin")
    page = admin.get("/w/acme/crisis/settings/")
    assert page.status_code == 200 and 'name="webhook_url"' in page.content.decode()
    assert "Alert settings" in admin.get("/w/acme/crisis/").content.decode()
    assert "Alert settings" not in client(desk, "manager").get("/w/acme/crisis/").content.decode()


FORM = {
    "action": "save",
    "enabled": "on",
    "email_enabled": "on",
    "recipients": "",
    "alpha": "0.001",
    "min_messages": "6",
}


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://hooks.example.com/x", "must start with https://"),
        ("ftp://hooks.example.com/x", "must be a full https:// address"),
        ("hooks.slack.com/services/T0/B0/X", "must be a full https:// address"),
        ("https://me:pw@hooks.example.com/x", "Leave the user name and password out"),
        ("https://hooks.example.com:99999/x", "port"),
        ("https://hooks.example.com/a b", "spaces or control characters"),
    ],
)
def test_bad_webhook_urls_are_refused_clearly(desk: Desk, url: str, words: str) -> None:
    answer = client(desk, "admin").post("/w/acme/crisis/settings/", {**FORM, "webhook_url": url})
    html = answer.content.decode()
    assert answer.status_code == 422
    assert words in html and "(webhook_url)" in html
    assert url.rsplit("://", maxsplit=1)[-1][:10] in html  # what was typed stays in the form
    assert not CrisisSettings.objects.filter(webhook_url=url).exists()


def test_saving_settings_makes_a_secret_and_rotates_it(desk: Desk) -> None:
    admin = client(desk, "admin")
    hook = "https://hooks.slack.com/services/T000/B000/XXXX"
    saved = admin.post(
        "/w/acme/crisis/settings/",
        {
            **FORM,
            "webhook_url": hook,
            "recipients": "ops@acme.example,\nceo@acme.example",
            "alpha": "0.0001",
            "min_messages": "10",
        },
    )
    assert saved.status_code == 302
    config = CrisisSettings.objects.get(workspace=desk.acme)
    assert config.webhook_url == hook and config.alpha == 0.0001 and config.min_messages == 10
    assert config.recipients == "ops@acme.example, ceo@acme.example"
    secret = config.webhook_secret
    assert secret and secret in admin.get("/w/acme/crisis/settings/").content.decode()
    admin.post("/w/acme/crisis/settings/", {"action": "rotate"})
    config.refresh_from_db()
    assert config.webhook_secret and config.webhook_secret != secret
    refused = admin.post("/w/acme/crisis/settings/", {**FORM, "recipients": "not-an-address"})
    assert (
        refused.status_code == 422
        and "&#x27;not-an-address&#x27; is not an email address" in refused.content.decode()
    )
    refused = admin.post("/w/acme/crisis/settings/", {**FORM, "alpha": "0.5"})
    assert refused.status_code == 422 and "Sensitivity must be one of" in refused.content.decode()


def test_times_are_shown_in_the_workspace_zone(desk: Desk, tmp_path: Path) -> None:
    Workspace.objects.filter(pk=desk.acme.pk).update(time_zone="America/New_York")
    crisis = care_fire(desk, tmp_path)
    html = client(desk, "manager").get(f"/w/acme/crisis/{crisis.pk}/").content.decode()
    local = crisis.started_at.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%H:%M}" in html and "(America/New_York)" in html


def test_a_crisis_of_everything_shows_its_topics(desk: Desk, tmp_path: Path) -> None:
    now = quarter(timezone.now())
    rows = (
        calm("AcmeShop", now, 5)
        + spike("late_flight", "AcmeShop", now, 3)
        + spike("lost_luggage", "AcmeShop", now, 3)
    )
    (crisis_id,) = burn(desk.acme, rows, tmp_path).opened
    crisis = Crisis.objects.get(pk=crisis_id)
    assert (crisis.topic, crisis.channel, crisis.message_count) == ("", desk.shop, 11)
    html = client(desk, "manager").get(f"/w/acme/crisis/{crisis.pk}/").content.decode()
    topics = re.findall(r'<li><span class="chip chip-neutral">([^<]+)</span> (\d+)</li>', html)
    assert topics == [("no topic", "5"), ("late flight", "3"), ("lost luggage", "3")]
