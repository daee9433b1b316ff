"""Customers, search, canned responses and the OpenAPI description of the JSON API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from rippledesk.conversations.models import CannedResponse
from rippledesk.customers.models import Customer, Identity
from tests.api_desk import Desk, error_of, make_desk

pytestmark = pytest.mark.django_db
BASE = "/api/w/acme"


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path)


def test_customers_list_and_pages(desk: Desk) -> None:
    everyone = desk.call("GET", f"{BASE}/customers", as_="manager").json()
    names = [c["display_name"] for c in everyone["items"]]
    assert sorted(names) == ["alice_w", "bob_k", "mallory"]
    assert everyone["next_cursor"] is None
    agent = desk.call("GET", f"{BASE}/customers").json()
    assert sorted(c["display_name"] for c in agent["items"]) == ["alice_w", "bob_k"]
    assert desk.call("GET", f"{BASE}/customers", as_="loner").json()["items"] == []
    first = desk.call("GET", f"{BASE}/customers?limit=2", as_="manager").json()
    rest = desk.call(
        "GET", f"{BASE}/customers?limit=2&cursor={first['next_cursor']}", as_="manager"
    ).json()
    assert [c["display_name"] for c in first["items"] + rest["items"]] == names
    assert rest["next_cursor"] is None


def test_customer_search(desk: Desk) -> None:
    found = desk.call("GET", f"{BASE}/customers?q=bob", as_="manager").json()
    assert [c["display_name"] for c in found["items"]] == ["bob_k"]
    hidden = desk.call("GET", f"{BASE}/customers?q=mallory").json()
    assert hidden["items"] == []  # the agent does not reach AcmeShop
    foreign = desk.call("GET", f"{BASE}/customers?q=carol", as_="admin").json()
    assert foreign["items"] == []


def test_customer_detail(desk: Desk) -> None:
    bob = Customer.objects.get(workspace=desk.acme, display_name="bob_k")
    Identity.objects.filter(customer=bob).update(audience_size=1200)
    body = desk.call("GET", f"{BASE}/customers/{bob.pk}").json()
    assert body["display_name"] == "bob_k"
    assert [i["channel"]["name"] for i in body["identities"]] == ["AcmeCare"]
    assert body["audience"] == 1200
    assert body["conversation_count"] == 2
    assert len(body["conversations"]) == 2
    carol = Customer.objects.get(workspace=desk.globex)
    mallory = Customer.objects.get(workspace=desk.acme, display_name="mallory")
    for customer_id, as_ in [(carol.pk, "admin"), (mallory.pk, "agent"), (10**9, "admin")]:
        response = desk.call("GET", f"{BASE}/customers/{customer_id}", as_=as_)
        assert response.status_code == 404
        assert error_of(response)["field"] == "customer"


def test_search_messages(desk: Desk) -> None:
    body = desk.call("GET", f"{BASE}/search?q=refund", as_="manager").json()
    hits = body["items"]
    assert len(hits) == 2
    assert all("refund" in h["message"]["body"] for h in hits)
    assert {h["customer"]["display_name"] for h in hits} == {"bob_k"}
    assert hits[0]["message"]["id"] > hits[1]["message"]["id"]  # newest first
    assert all(h["conversation"]["number"] for h in hits)
    page = desk.call("GET", f"{BASE}/search?q=refund&limit=1", as_="manager").json()
    assert len(page["items"]) == 1
    rest = desk.call(
        "GET", f"{BASE}/search?q=refund&limit=1&cursor={page['next_cursor']}", as_="manager"
    ).json()
    assert [h["message"]["id"] for h in rest["items"]] == [hits[1]["message"]["id"]]
    assert rest["next_cursor"] is None
    people = desk.call("GET", f"{BASE}/search?q=bob", as_="manager").json()
    assert [c["display_name"] for c in people["customers"]] == ["bob_k"]


def test_search_respects_reach(desk: Desk) -> None:
    agent = desk.call("GET", f"{BASE}/search?q=parcel").json()
    assert agent["items"] == []
    manager = desk.call("GET", f"{BASE}/search?q=parcel", as_="manager").json()
    assert len(manager["items"]) == 1
    globex = desk.call("GET", f"{BASE}/search?q=secret", as_="admin").json()
    assert globex["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("", "q"), ("q=", "q"), ("q=%22%22+!!", "q"), ("q=refund&cursor=zzz", "cursor")],
)
def test_bad_search(desk: Desk, query: str, field: str) -> None:
    response = desk.call("GET", f"{BASE}/search?{query}")
    assert response.status_code == 422
    assert error_of(response)["field"] == field


def test_canned_responses(desk: Desk) -> None:
    payload = {
        "shortcut": "refund",
        "title": "Refund timing",
        "body": "Hi {{customer.first_name}}, {{agent.first_name}} here: refunds take 5 days.",
    }
    refused = desk.call("POST", f"{BASE}/canned-responses", payload)
    assert refused.status_code == 403
    assert "managers" in error_of(refused)["message"]
    created = desk.call("POST", f"{BASE}/canned-responses", payload, as_="manager")
    assert created.status_code == 201
    assert created.json()["shortcut"] == "refund"
    again = desk.call("POST", f"{BASE}/canned-responses", payload, as_="admin")
    assert again.status_code == 409
    assert error_of(again)["field"] == "shortcut"
    typo = desk.call(
        "POST",
        f"{BASE}/canned-responses",
        {**payload, "shortcut": "typo", "body": "Hi {{custmer.name}}"},
        as_="manager",
    )
    assert typo.status_code == 422
    assert error_of(typo)["field"] == "body"
    assert "custmer.name" in error_of(typo)["message"]
    bad = desk.call(
        "POST", f"{BASE}/canned-responses", {**payload, "shortcut": "a b"}, as_="manager"
    )
    assert error_of(bad)["field"] == "shortcut"
    listed = desk.call("GET", f"{BASE}/canned-responses").json()
    assert [c["shortcut"] for c in listed["items"]] == ["refund"]
    number = desk.number("alice_w")
    rendered = desk.call("GET", f"{BASE}/conversations/{number}/canned/refund").json()
    assert rendered["body"] == "Hi alice_w, Agent here: refunds take 5 days."
    missing = desk.call("GET", f"{BASE}/conversations/{number}/canned/nope")
    assert missing.status_code == 404
    assert error_of(missing)["field"] == "shortcut"
    globex = desk.call("GET", "/api/w/globex/canned-responses", as_="outsider").json()
    assert globex["items"] == []
    assert CannedResponse.objects.count() == 1


def test_canned_pages(desk: Desk) -> None:
    for shortcut in ("a", "b", "c"):
        desk.call(
            "POST",
            f"{BASE}/canned-responses",
            {"shortcut": shortcut, "title": shortcut, "body": "text"},
            as_="admin",
        )
    first = desk.call("GET", f"{BASE}/canned-responses?limit=2").json()
    rest = desk.call("GET", f"{BASE}/canned-responses?limit=2&cursor={first['next_cursor']}")
    assert [c["shortcut"] for c in first["items"] + rest.json()["items"]] == ["a", "b", "c"]


def test_openapi_lists_every_path() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in (
        "/api/me",
        "/api/workspaces",
        "/api/tokens",
        "/api/w/{workspace}/conversations",
        "/api/w/{workspace}/conversations/{number}",
        "/api/w/{workspace}/conversations/{number}/messages",
        "/api/w/{workspace}/conversations/{number}/replies",
        "/api/w/{workspace}/conversations/{number}/notes",
        "/api/w/{workspace}/conversations/{number}/assignment",
        "/api/w/{workspace}/conversations/{number}/status",
        "/api/w/{workspace}/conversations/{number}/canned/{shortcut}",
        "/api/w/{workspace}/customers",
        "/api/w/{workspace}/customers/{customer_id}",
        "/api/w/{workspace}/search",
        "/api/w/{workspace}/canned-responses",
    ):
        assert path in paths, path
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    replies = schema["paths"]["/api/w/{workspace}/conversations/{number}/replies"]["post"]
    assert {"201", "404", "409", "422"} <= set(replies["responses"])


def test_docs_page_uses_packaged_assets() -> None:
    client = Client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    script = client.get("/static/ninja/swagger-ui-bundle.js")
    assert script.status_code == 200
    css = client.get("/static/ninja/swagger-ui.css")
    assert css.status_code == 200
