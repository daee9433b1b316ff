from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rippledesk.web"
    label = "web"
