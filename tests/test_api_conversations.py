"""Reading the desk through the JSON API: the inbox views, one conversation, its timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rippledesk.conversations.models import ConversationStatus
from tests.api_desk import Desk, error_of, make_desk

pytestmark = pytest.mark.django_db
BASE = "/api/w/acme"


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path)


def numbers(response: object) -> list[int]:
    return [item["number"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def test_me_and_workspaces(desk: Desk) -> None:
    me = desk.call("GET", "/api/me").json()
    assert me["username"] == "agent"
    assert [(w["slug"], w["role"]) for w in me["workspaces"]] == [("acme", "agent")]
    page = desk.call("GET", "/api/workspaces", as_="outsider").json()
    assert [w["slug"] for w in page["items"]] == ["globex"]
    assert page["next_cursor"] is None


def test_attention_view_lists_what_the_agent_reaches(desk: Desk) -> None:
    response = desk.call("GET", f"{BASE}/conversations")
    assert response.status_code == 200
    body = response.json()
    channels = {item["channel"]["name"] for item in body["items"]}
    assert channels == {"AcmeCare"}  # AcmeShop is not granted to the agent's team
    assert body["count"] == len(body["items"]) == 3
    assert body["count_capped"] is False
    item = body["items"][0]
    assert {"number", "status", "ripple_risk", "customer", "snippet", "version"} <= set(item)


def test_manager_sees_every_channel_and_loner_nothing(desk: Desk) -> None:
    manager = desk.call("GET", f"{BASE}/conversations?view=all", as_="manager").json()
    assert {i["channel"]["name"] for i in manager["items"]} == {"AcmeCare", "AcmeShop"}
    assert manager["count"] == 4
    loner = desk.call("GET", f"{BASE}/conversations?view=all", as_="loner").json()
    assert loner == {"items": [], "next_cursor": None, "count": 0, "count_capped": False}


def test_pages_follow_the_cursor_without_repeats(desk: Desk) -> None:
    seen: list[int] = []
    url = f"{BASE}/conversations?view=all&limit=1"
    pages = 0
    while url:
        body = desk.call("GET", url, as_="manager").json()
        seen += [i["number"] for i in body["items"]]
        assert body["count"] == 4
        pages += 1
        cursor = body["next_cursor"]
        url = f"{BASE}/conversations?view=all&limit=1&cursor={cursor}" if cursor else ""
    assert pages == 4
    assert sorted(seen) == [1, 2, 3, 4]


def test_filters_narrow_the_view(desk: Desk) -> None:
    shop = desk.call("GET", f"{BASE}/conversations?view=all&channel={desk.shop.pk}", as_="manager")
    assert [i["customer"]["display_name"] for i in shop.json()["items"]] == ["mallory"]
    none = desk.call("GET", f"{BASE}/conversations?view=all&status=resolved", as_="manager")
    assert none.json()["items"] == []
    dated = desk.call("GET", f"{BASE}/conversations?view=all&since=2017-11-02", as_="manager")
    assert len(dated.json()["items"]) == 1
    for edge in ("until=9999-12-31", "since=0001-01-01"):  # the calendar's ends: no overflow
        wide = desk.call("GET", f"{BASE}/conversations?view=all&{edge}", as_="manager")
        assert wide.json()["count"] == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("view=urgent", "view"),
        ("status=closed", "status"),
        ("sentiment=angry", "sentiment"),
        ("channel=abc", "channel"),
        ("since=yesterday", "since"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WzEsMl0", "cursor"),
    ],
)
def test_invalid_filters_name_the_field(desk: Desk, query: str, field: str) -> None:
    response = desk.call("GET", f"{BASE}/conversations?{query}")
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == field
    assert error["code"] == "invalid"
    assert error["message"]


def test_conversation_detail(desk: Desk) -> None:
    number = desk.number("alice_w")
    body = desk.call("GET", f"{BASE}/conversations/{number}").json()
    assert body["number"] == number
    assert body["customer"]["display_name"] == "alice_w"
    assert body["channel"] == {"id": desk.care.pk, "kind": "x", "name": "AcmeCare"}
    assert body["status"] == ConversationStatus.OPEN
    assert body["version"] == 0
    assert body["assignee"] is None
    assert body["reply_rules"]["public_max"] == 280
    assert {"ripple_risk", "priority", "labels"} <= set(body)


def test_unknown_foreign_and_unreached_conversations_are_404(desk: Desk) -> None:
    foreign = desk.number("carol", desk.globex)
    shop = desk.number("mallory")
    for path, as_ in [
        (f"{BASE}/conversations/999", "agent"),
        (f"{BASE}/conversations/{shop}", "agent"),  # channel not granted
        (f"{BASE}/conversations/{shop}/messages", "loner"),
        (f"/api/w/globex/conversations/{foreign}", "agent"),  # another desk
        (f"/api/w/globex/conversations/{foreign}/messages", "manager"),
        (f"/api/w/nope/conversations/{foreign}", "admin"),
    ]:
        response = desk.call("GET", path, as_=as_)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"
        assert "carol" not in response.content.decode()
    # Same answer whether the workspace exists or not: nothing leaks.
    a = desk.call("GET", f"/api/w/globex/conversations/{foreign}").json()
    b = desk.call("GET", f"/api/w/nope/conversations/{foreign}").json()
    assert a == b


def test_timeline_with_analysis(desk: Desk) -> None:
    number = desk.number("alice_w")
    body = desk.call("GET", f"{BASE}/conversations/{number}/messages").json()
    directions = [m["direction"] for m in body["items"]]
    assert directions == ["inbound", "outbound", "inbound"]
    inbound = body["items"][0]
    assert inbound["analysis"]["sentiment"] in ("negative", "neutral", "positive")
    assert {"intent", "topic", "urgency", "ripple_risk", "model_version"} <= set(
        inbound["analysis"]
    )
    assert body["items"][1]["analysis"] is None
    newest = desk.call("GET", f"{BASE}/conversations/{number}/messages?order=newest&limit=2")
    page = newest.json()
    assert [m["id"] for m in page["items"]] == [m["id"] for m in body["items"]][::-1][:2]
    rest = desk.call(
        "GET",
        f"{BASE}/conversations/{number}/messages?order=newest&limit=2&cursor={page['next_cursor']}",
    ).json()
    assert [m["id"] for m in rest["items"]] == [body["items"][0]["id"]]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize("values", [[0.5, "2017-11-01T08:00:00+00:00", 2**64], ["NaN", None, 1]])
def test_cursor_values_out_of_range(desk: Desk, values: list[object]) -> None:
    import base64  # noqa: PLC0415
    import json  # noqa: PLC0415

    raw = json.dumps(values).replace('"NaN"', "NaN").encode()
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    response = desk.call("GET", f"{BASE}/conversations?cursor={token}")
    assert response.status_code == 422
    assert error_of(response)["field"] == "cursor"


def test_list_items_read_as_rows_match_the_conversation_schema(desk: Desk) -> None:
    """The inbox reads its items as plain rows; they must say what the model-built item says."""
    import json  # noqa: PLC0415

    from ninja.responses import NinjaJSONEncoder  # noqa: PLC0415

    from rippledesk.api.schemas import conversation_item  # noqa: PLC0415
    from rippledesk.conversations.inbox import with_list_details  # noqa: PLC0415
    from rippledesk.conversations.models import Conversation  # noqa: PLC0415

    first = desk.conv(desk.number("alice_w"))
    Conversation.objects.filter(pk=first.pk).update(
        assignee=desk.users["agent"], team=desk.team, sentiment="negative", intent="complaint"
    )
    body = desk.call("GET", f"{BASE}/conversations?view=all", as_="manager").json()
    assert body["items"]
    for item in body["items"]:
        model = with_list_details(Conversation.objects.filter(workspace=desk.acme)).get(
            number=item["number"]
        )
        # Through the API's own JSON encoder, as the old model-built response went out.
        expected = json.loads(
            json.dumps(conversation_item(model).model_dump(), cls=NinjaJSONEncoder)
        )
        assert item == expected
    assigned = next(i for i in body["items"] if i["number"] == first.number)
    assert assigned["assignee"] == {"username": "agent", "name": "Agent"}
    assert assigned["team"] == {"id": desk.team.pk, "name": "care"}


def test_view_counts_are_reused_until_something_is_written(
    desk: Desk, tmp_path: Path, django_assert_max_num_queries: Any
) -> None:
    from tests.desk import import_rows, write_rows  # noqa: PLC0415

    url = f"{BASE}/conversations?view=all&limit=1"
    assert desk.call("GET", url, as_="manager").json()["count"] == 4
    counting = desk.call("GET", url, as_="manager")  # warm: the count comes from the cache
    with django_assert_max_num_queries(20) as captured:
        again = desk.call("GET", url, as_="manager").json()
    assert again["count"] == 4 == counting.json()["count"]
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    # A new conversation (with its message) arrives: the next page counts afresh.
    rows = [("@AcmeShop is anyone there?", "newcomer", "AcmeShop", "2017-11-04 10:00")]
    import_rows(desk.acme, write_rows(tmp_path / "new.csv", rows))
    assert desk.call("GET", url, as_="manager").json()["count"] == 5
