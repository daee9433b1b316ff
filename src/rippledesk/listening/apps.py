from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "rippledesk.listening"
    label = "listening"

    def ready(self) -> None:
        # Register the polling job with the job runner.
        from rippledesk.listening import polling  # noqa: F401, PLC0415
