from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "rippledesk.analysis"
    label = "analysis"

    def ready(self) -> None:
        # Every stored message is analysed after its batch commits (see analysis.actions).
        from rippledesk.analysis.actions import on_messages_stored  # noqa: PLC0415
        from rippledesk.core.events import MessagesStored, subscribe  # noqa: PLC0415

        subscribe(MessagesStored, on_messages_stored)
