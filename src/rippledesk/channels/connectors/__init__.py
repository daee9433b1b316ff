"""Channel connectors, one folder each; this registry is the only place that lists them.

Adding a connector is a new folder with ``adapter.py`` (an object following
:class:`~rippledesk.channels.connectors.base.Connector`), fixtures, tests and a README, plus
one line below.
"""

from __future__ import annotations

from rippledesk.channels.connectors.base import Connector
from rippledesk.channels.connectors.twilio_sms.adapter import TwilioSms
from rippledesk.channels.connectors.webchat.adapter import WebChat
from rippledesk.channels.connectors.whatsapp.adapter import WhatsApp
from rippledesk.channels.connectors.x.adapter import XAccount

CONNECTORS: dict[str, Connector] = {
    c.kind: c for c in (TwilioSms(), WhatsApp(), WebChat(), XAccount())
}


def connector_for(kind: str) -> Connector | None:
    return CONNECTORS.get(kind)
