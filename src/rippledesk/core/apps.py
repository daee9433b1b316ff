from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rippledesk.core"
    label = "core"
