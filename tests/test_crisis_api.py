"""The crisis endpoints of the JSON API: reads with the desk's access rules, and the actions."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from rippledesk.triage.crisis.models import Crisis
from tests.api_desk import Desk, error_of, make_desk
from tests.crisis_desk import burn, quarter, spike

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path)


@pytest.fixture
def fires(desk: Desk, tmp_path: Path) -> tuple[Crisis, Crisis]:
    """One crisis on AcmeCare (lost luggage) and one on AcmeShop (cancelled flights)."""
    now = quarter(timezone.now())
    burn(
        desk.acme,
        spike("lost_luggage", "AcmeCare", now, 9) + spike("cancelled_flight", "AcmeShop", now, 7),
        tmp_path,
    )
    care = Crisis.objects.get(channel=desk.care)
    shop = Crisis.objects.get(channel=desk.shop)
    return care, shop


def test_list_and_read(desk: Desk, fires: tuple[Crisis, Crisis]) -> None:
    care, shop = fires
    listed = desk.call("GET", "/api/w/acme/incidents", as_="manager").json()
    assert {item["id"] for item in listed["items"]} == {care.pk, shop.pk}
    assert listed["next_cursor"] is None
    one = desk.call("GET", f"/api/w/acme/incidents/{care.pk}", as_="manager").json()
    assert one["title"] == "Lost luggage on X (Twitter) AcmeCare"
    assert one["channel"] == {"id": desk.care.pk, "kind": "x", "name": "AcmeCare"}
    assert (one["status"], one["topic"], one["message_count"]) == ("active", "lost_luggage", 9)
    assert one["volume_spike"] and one["negativity_spike"]
    assert one["topics"] == [{"topic": "lost_luggage", "messages": 9}]
    inside = [b for b in one["buckets"] if b["in_incident"]]
    assert [b["count"] for b in inside] == [9]
    assert inside[0]["expected"] == pytest.approx(0.25)


def test_agents_see_the_channels_they_work(desk: Desk, fires: tuple[Crisis, Crisis]) -> None:
    care, shop = fires
    listed = desk.call("GET", "/api/w/acme/incidents", as_="agent").json()
    assert [item["id"] for item in listed["items"]] == [care.pk]
    hidden = desk.call("GET", f"/api/w/acme/incidents/{shop.pk}", as_="agent")
    assert hidden.status_code == 404 and error_of(hidden)["field"] == "crisis"
    assert desk.call("GET", "/api/w/acme/incidents", as_="loner").json()["items"] == []
    assert desk.call("GET", f"/api/w/acme/incidents/{care.pk}", as_="outsider").status_code == 404


def test_messages_page_oldest_first(desk: Desk, fires: tuple[Crisis, Crisis]) -> None:
    care, _ = fires
    url = f"/api/w/acme/incidents/{care.pk}/messages?limit=4"
    first = desk.call("GET", url, as_="agent").json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = desk.call("GET", f"{url}&cursor={cursor}", as_="agent").json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 9
    item = first["items"][0]
    assert item["negative"] is True and item["channel"]["name"] == "AcmeCare"
    assert item["conversation_number"] >= 1
    sent = [item["sent_at"] for item in first["items"]]
    assert sent == sorted(sent)


def test_acknowledge_and_resolve(desk: Desk, fires: tuple[Crisis, Crisis]) -> None:
    care, _ = fires
    base = f"/api/w/acme/incidents/{care.pk}"
    refused = desk.call("POST", base + "/acknowledge", as_="agent")
    assert refused.status_code == 403 and error_of(refused)["field"] == "role"
    acked = desk.call("POST", base + "/acknowledge", as_="manager")
    assert acked.status_code == 200
    assert acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledged_by"]["username"] == "manager"
    assert desk.call("POST", base + "/acknowledge", as_="admin").json()["status"] == "acknowledged"
    done = desk.call("POST", base + "/resolve", as_="admin").json()
    assert done["status"] == "resolved" and done["resolved_by"]["username"] == "admin"
    assert not done["resolved_automatically"]
    again = desk.call("POST", base + "/resolve", as_="admin")
    assert again.status_code == 409 and error_of(again)["field"] == "status"
    late = desk.call("POST", base + "/acknowledge", as_="manager")
    assert late.status_code == 409
    resolved = desk.call("GET", "/api/w/acme/incidents?status=resolved", as_="manager").json()
    assert [item["id"] for item in resolved["items"]] == [care.pk]
    still_open = desk.call("GET", "/api/w/acme/incidents?status=open", as_="manager").json()
    assert care.pk not in [item["id"] for item in still_open["items"]]


def test_bad_input(desk: Desk, fires: tuple[Crisis, Crisis]) -> None:
    bad_status = desk.call("GET", "/api/w/acme/incidents?status=burning", as_="manager")
    assert bad_status.status_code == 422 and error_of(bad_status)["field"] == "status"
    bad_cursor = desk.call("GET", "/api/w/acme/incidents?cursor=nonsense", as_="manager")
    assert bad_cursor.status_code == 422 and error_of(bad_cursor)["field"] == "cursor"
    assert desk.call("GET", "/api/w/acme/incidents/0", as_="manager").status_code == 422
    assert desk.call("GET", "/api/w/acme/incidents/999999", as_="manager").status_code == 404
    assert desk.call("GET", "/api/w/acme/incidents", as_=None).status_code == 401
