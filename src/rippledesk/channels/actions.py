"""Writes of the channels domain: connecting a channel account to its platform."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from rippledesk.channels.connectors import CONNECTORS, connector_for
from rippledesk.channels.models import ChannelAccount
from rippledesk.core.errors import InvalidInput
from rippledesk.workspaces.models import Workspace


def do_connect_channel(
    workspace: Workspace,
    kind: str,
    name: str,
    config: Mapping[str, str],
    *,
    check_credentials: bool = True,
) -> ChannelAccount:
    """Create (or reconfigure) the account ``kind``/``name`` with a fresh webhook token.

    The config is validated by the connector and, unless told otherwise, its credentials are
    tried against the platform before anything is saved.
    """
    connector = connector_for(kind)
    if connector is None:
        known = ", ".join(sorted(CONNECTORS)) or "none"
        raise InvalidInput(f"No connector for {kind!r}; available: {known}.", field="kind")
    label = name.strip()
    if not label or len(label) > 200:
        raise InvalidInput("Name the account (its number, handle or address).", field="name")
    try:
        clean = connector.check_config(config)
        if check_credentials:
            connector.check_credentials(clean)
    except ValueError as error:
        raise InvalidInput(str(error), field="config") from None
    account, _ = ChannelAccount.objects.update_or_create(
        workspace=workspace,
        kind=kind,
        name=label,
        defaults={"config": clean, "webhook_token": secrets.token_urlsafe(24)},
    )
    return account
