from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "rippledesk.channels"
    label = "channels"

    def ready(self) -> None:
        # Register the channel jobs (event processing, delivery) with the job runner.
        from rippledesk.channels import ingest, outbox  # noqa: F401, PLC0415
