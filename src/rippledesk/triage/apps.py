from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "rippledesk.triage"
    label = "triage"

    def ready(self) -> None:
        from rippledesk.core.events import (  # noqa: PLC0415
            ConversationsChanged,
            MessagesStored,
            subscribe,
        )
        from rippledesk.triage import sla_timer  # noqa: F401, PLC0415 - registers its job
        from rippledesk.triage.intake import (  # noqa: PLC0415
            on_conversations_changed,
            on_messages_stored,
        )

        subscribe(MessagesStored, on_messages_stored)
        subscribe(ConversationsChanged, on_conversations_changed)
