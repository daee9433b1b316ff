"""What a reply may be on each kind of channel: public, private, how long.

The connectors issue moves these onto each adapter (``capabilities``); until then the desk reads
them here, so the composer can show the right limit and the reply action can enforce it. Limits
are the platforms' documented ones for text (X: 280 characters in a post, 10,000 in a DM).
"""

from __future__ import annotations

from dataclasses import dataclass

from rippledesk.channels.models import ChannelKind


@dataclass(frozen=True)
class ReplyRules:
    public: bool
    private: bool
    public_max: int
    private_max: int
    # Hours after the customer's last message during which a free-form *private* reply is
    # allowed (Meta's standard messaging window: WhatsApp, Messenger, Instagram DMs); None: no
    # window. Public replies (comments) have none.
    window_hours: int | None = None

    def max_length(self, public: bool) -> int:
        return self.public_max if public else self.private_max


_RULES: dict[str, ReplyRules] = {
    ChannelKind.X: ReplyRules(public=True, private=True, public_max=280, private_max=10_000),
    ChannelKind.FACEBOOK: ReplyRules(
        public=True, private=True, public_max=8_000, private_max=2_000, window_hours=24
    ),
    ChannelKind.INSTAGRAM: ReplyRules(
        public=True, private=True, public_max=2_200, private_max=1_000, window_hours=24
    ),
    ChannelKind.WHATSAPP: ReplyRules(
        public=False, private=True, public_max=0, private_max=4_096, window_hours=24
    ),
    ChannelKind.EMAIL: ReplyRules(public=False, private=True, public_max=0, private_max=100_000),
    ChannelKind.WEBCHAT: ReplyRules(public=False, private=True, public_max=0, private_max=5_000),
    ChannelKind.SMS: ReplyRules(public=False, private=True, public_max=0, private_max=1_600),
    ChannelKind.REVIEWS: ReplyRules(public=True, private=False, public_max=4_000, private_max=0),
    ChannelKind.TRUSTPILOT: ReplyRules(public=True, private=False, public_max=4_000, private_max=0),
}
_DEFAULT = ReplyRules(public=True, private=True, public_max=10_000, private_max=10_000)


def reply_rules(channel_kind: str) -> ReplyRules:
    return _RULES.get(channel_kind, _DEFAULT)
