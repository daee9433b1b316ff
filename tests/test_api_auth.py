"""API tokens (actions, CLI, endpoints), session auth with CSRF, and the error body on failures."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rippledesk.workspaces.models import ApiToken, User
from rippledesk.workspaces.tokens import authenticate_token, do_create_token, do_revoke_token
from tests.api_desk import Desk, error_of, make_desk
from tests.conftest import run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path)


def test_token_lifecycle() -> None:
    user = User.objects.create_user("integration")
    token, secret = do_create_token(user, "  zapier  ")
    assert secret.startswith("rd_") and len(secret) > 40
    assert token.name == "zapier"
    assert token.prefix == secret[:10]
    assert secret not in token.digest  # only the digest is stored
    assert authenticate_token(secret) == user
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    assert authenticate_token(secret) == user  # within a minute: no second write
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=5))
    authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first_use - timedelta(minutes=1)
    assert authenticate_token(secret + "x") is None
    assert authenticate_token("") is None
    assert authenticate_token("x" * 10_000) is None
    revoked = do_revoke_token(user, token.pk)
    assert revoked.revoked_at is not None
    assert authenticate_token(secret) is None
    assert do_revoke_token(user, token.pk).revoked_at == revoked.revoked_at  # idempotent
    user.is_active = False
    user.save()
    assert authenticate_token(do_create_token(user, "again")[1]) is None


def test_token_rules() -> None:
    user = User.objects.create_user("someone")
    other = User.objects.create_user("other")
    token, _ = do_create_token(user, "mine")
    with pytest.raises(Exception, match="name") as blank:
        do_create_token(user, "   ")
    assert getattr(blank.value, "field", None) == "name"
    with pytest.raises(Exception, match="No token") as foreign:
        do_revoke_token(other, token.pk)
    assert getattr(foreign.value, "status", None) == 404


def test_token_cli() -> None:
    User.objects.create_user("robot")
    created = run_command("token", "create", "--user", "robot", "--name", "crm sync")
    assert created.exit_code == 0
    secret = created.stdout.strip()
    assert secret.startswith("rd_")
    assert "not shown again" in created.stderr
    assert authenticate_token(secret) is not None
    listing = run_command("token", "list", "--user", "robot")
    assert "crm sync" in listing.stdout
    assert secret[:10] in listing.stdout
    assert secret not in listing.stdout
    token_id = ApiToken.objects.get(name="crm sync").pk
    revoked = run_command("token", "revoke", "--user", "robot", str(token_id))
    assert revoked.exit_code == 0
    assert authenticate_token(secret) is None
    revoked_at = ApiToken.objects.get(pk=token_id).revoked_at
    assert revoked_at is not None
    stamp = revoked_at.strftime("%Y-%m-%d %H:%M")
    assert stamp not in listing.stdout.splitlines()[1][38:]  # revoked column was "-"
    assert stamp in run_command("token", "list", "--user", "robot").stdout


@pytest.mark.parametrize(
    "args",
    [
        ("token", "create", "--user", "ghost"),
        ("token", "list", "--user", "ghost"),
        ("token", "revoke", "--user", "ghost", "1"),
    ],
)
def test_token_cli_unknown_user(args: tuple[str, ...]) -> None:
    from django.core.management.base import CommandError  # noqa: PLC0415

    with pytest.raises(CommandError, match="no user named 'ghost'") as error:
        run_command(*args)
    assert error.value.returncode == 2


def test_token_cli_bad_input() -> None:
    from django.core.management.base import CommandError  # noqa: PLC0415

    User.objects.create_user("robot")
    with pytest.raises(CommandError, match="--name"):
        run_command("token", "create", "--user", "robot", "--name", " ")
    with pytest.raises(CommandError, match="No token 99"):
        run_command("token", "revoke", "--user", "robot", "99")


def test_tokens_endpoints(desk: Desk) -> None:
    created = desk.call("POST", "/api/tokens", {"name": "reporting"})
    assert created.status_code == 201
    secret = created.json()["secret"]
    me = desk.call("GET", "/api/me", as_=None, Authorization=f"Bearer {secret}")
    assert me.json()["username"] == "agent"
    listed = desk.call("GET", "/api/tokens").json()["items"]
    assert [t["name"] for t in listed] == ["reporting", "tests"]
    assert all("secret" not in t for t in listed)
    revoked = desk.call("DELETE", f"/api/tokens/{created.json()['id']}")
    assert revoked.json()["revoked_at"] is not None
    again = desk.call("GET", "/api/me", as_=None, Authorization=f"Bearer {secret}")
    assert again.status_code == 401
    others = desk.call("DELETE", f"/api/tokens/{created.json()['id']}", as_="manager")
    assert others.status_code == 404
    blank = desk.call("POST", "/api/tokens", {"name": ""})
    assert blank.status_code == 422
    assert error_of(blank)["field"] == "name"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer rd_wrong"},
        {"Authorization": "Basic YWdlbnQ6eA=="},
        {"Authorization": "Bearer"},
        {"X-Api-Token": "rd_wrong"},
    ],
)
def test_no_or_bad_credentials_are_401(desk: Desk, headers: dict[str, str]) -> None:
    for method, path in [("GET", "/api/me"), ("GET", "/api/w/acme/conversations")]:
        response = desk.call(method, path, as_=None, **headers)
        assert response.status_code == 401
        assert error_of(response)["code"] == "unauthenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
    post = desk.call(
        "POST", "/api/w/acme/conversations/1/notes", {"body": "x"}, as_=None, **headers
    )
    assert post.status_code == 401


def test_x_api_token_header(desk: Desk) -> None:
    response = desk.call("GET", "/api/me", as_=None, **{"X-Api-Token": desk.tokens["manager"]})
    assert response.json()["username"] == "manager"


def test_session_auth_reads_and_needs_csrf_for_writes(desk: Desk) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.users["agent"])
    assert client.get("/api/me").json()["username"] == "agent"
    path = f"/api/w/acme/conversations/{desk.number('alice_w')}/notes"
    refused = client.post(path, {"body": "hi"}, content_type="application/json")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "csrf_failed"
    client.get("/api/docs")  # any page that sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        path, {"body": "hi"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201
    # A token request needs no CSRF token even with enforcement on.
    bearer = Client(enforce_csrf_checks=True).post(
        path,
        {"body": "by token"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {desk.tokens['agent']}"},
    )
    assert bearer.status_code == 201


def test_unknown_routes_and_methods(desk: Desk) -> None:
    for path in ("/api/nope", "/api/w/acme/conversations/1/nope", "/api", "/api/"):
        response = desk.call("GET", path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"
    wrong_type = desk.call("GET", "/api/w/acme/conversations/abc")
    assert wrong_type.status_code in (404, 422)
    error_of(wrong_type)


def test_unexpected_errors_are_500_json_without_details(
    desk: Desk, monkeypatch: Any, caplog: Any
) -> None:
    from rippledesk.api import workspaces  # noqa: PLC0415

    def boom(user: User) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(workspaces, "visible_workspaces", boom)
    response = desk.call("GET", "/api/me")
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert "secret internals" not in response.content.decode()
    assert "secret internals" in caplog.text


def test_last_used_is_recorded(desk: Desk) -> None:
    desk.call("GET", "/api/me")
    token = ApiToken.objects.get(user=desk.users["agent"])
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_wrong_method_is_405_json(desk: Desk) -> None:
    response = desk.call("DELETE", "/api/w/acme/conversations")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("GET", "/api/w/acme/conversations?topic=a%00b", None, (422, "topic")),
        ("GET", "/api/w/acme/search?q=%00", None, (422, "q")),
        ("GET", "/api/w/ac%00me/conversations", None, (404, None)),
        ("POST", "/api/w/acme/conversations/1/notes", {"body": "a\x00b"}, (422, "body")),
        (
            "POST",
            "/api/w/acme/conversations/1/assignment",
            {"assignee": "\x00", "version": 0},
            (422, "assignee"),
        ),
        ("GET", f"/api/w/acme/conversations/{2**64}", None, (422, "number")),
        ("GET", "/api/w/acme/conversations/0", None, (422, "number")),
        ("GET", f"/api/w/acme/customers/{2**70}", None, (422, "customer_id")),
        (
            "POST",
            "/api/w/acme/conversations/1/assignment",
            {"assignee": None, "team": 2**64, "version": 0},
            (422, "team"),
        ),
        (
            "POST",
            "/api/w/acme/conversations/1/status",
            {"status": "open", "version": 2**64},
            (422, "version"),
        ),
    ],
)
def test_hostile_input_is_refused_not_500(
    desk: Desk, method: str, path: str, body: Any, expected: tuple[int, str | None]
) -> None:
    status, field = expected
    response = desk.call(method, path, body, as_="manager")
    assert response.status_code == status, response.content
    assert error_of(response)["field"] == field
