"""API tokens: create, revoke and recognise the secrets integrations send.

The secret is shown once, at creation; only its SHA-256 digest is stored. A presented secret is
found by looking up its digest (a unique index), so recognising it compares no secret character
by character and takes the same time whichever character is wrong. ``last_used_at`` is written
at most once a minute per token, so a busy integration does not turn every read into a write.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from rippledesk.core.errors import InvalidInput, NotFound
from rippledesk.workspaces.models import ApiToken, User

SECRET_PREFIX = "rd_"
PREFIX_CHARS = 10
NAME_MAX = 120
SECRET_MAX = 200
TOUCH_EVERY = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def do_create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret; the secret cannot be recovered later."""
    label = name.strip()
    if not label:
        raise InvalidInput("Give the token a name, e.g. the integration it is for.", field="name")
    if len(label) > NAME_MAX:
        raise InvalidInput(f"A token name is at most {NAME_MAX} characters.", field="name")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=label, prefix=secret[:PREFIX_CHARS], digest=_digest(secret)
    )
    return token, secret


def do_revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens; revoking twice is harmless. NotFound for others'."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(f"No token {token_id}", field="token")
    if token.revoked_at is None:
        now = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now, updated_at=now)
        token.refresh_from_db()
    return token


def authenticate_token(secret: str | None) -> User | None:
    """The active user whose unrevoked token this is, or None."""
    if not secret or len(secret) > SECRET_MAX:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at=None)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
