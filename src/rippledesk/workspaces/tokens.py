"""API tokens: created and revoked by their owner, checked on every API request.

Only a SHA-256 digest of the secret is stored, so a copy of the database does not hand out
working tokens; the secret is shown once, when created.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from rippledesk.core.errors import InvalidInput, NotFound
from rippledesk.workspaces.models import ApiToken, User

PREFIX = "rd_"
TOUCH_EVERY = timedelta(minutes=1)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def do_create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its secret (not stored anywhere)."""
    label = name.strip()
    if not label:
        raise InvalidInput("Name the token, e.g. after the integration using it.", field="name")
    if len(label) > 120:
        raise InvalidInput("A token name is at most 120 characters.", field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=label, prefix=secret[: len(PREFIX) + 6], digest=digest_of(secret)
    )
    return token, secret


def do_revoke_token(user: User, token_id: int) -> None:
    updated = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound(f"No active token {token_id}", field="token")


def authenticate_token(secret: str) -> User | None:
    """The active user behind ``secret``, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
