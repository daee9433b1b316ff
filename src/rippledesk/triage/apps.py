from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "rippledesk.triage"
    label = "triage"

    def ready(self) -> None:
        from rippledesk.core.events import MessagesStored, subscribe  # noqa: PLC0415
        from rippledesk.triage.routing import on_messages_stored  # noqa: PLC0415

        subscribe(MessagesStored, on_messages_stored)
