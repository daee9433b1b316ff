from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "rippledesk.triage"
    label = "triage"

    def ready(self) -> None:
        from rippledesk.core.events import (  # noqa: PLC0415
            ConversationsChanged,
            MessagesStored,
            SlaAlert,
            subscribe,
        )
        from rippledesk.triage import sla_timer  # noqa: F401, PLC0415 - registers its job
        from rippledesk.triage.intake import (  # noqa: PLC0415
            on_conversations_changed,
            on_messages_stored,
        )
        from rippledesk.triage.rules import engine, notify  # noqa: F401, PLC0415 - and its job

        subscribe(MessagesStored, on_messages_stored)
        subscribe(ConversationsChanged, on_conversations_changed)
        # Rules after routing and the SLA clocks: conditions see the routed team, and a rule
        # that moves the conversation on does so after routing placed it.
        subscribe(MessagesStored, engine.on_messages_stored)
        subscribe(ConversationsChanged, engine.on_conversations_changed)
        subscribe(SlaAlert, engine.on_sla_alert)
        from rippledesk.triage.crisis import alerts, evaluate  # noqa: F401, PLC0415 - their jobs
