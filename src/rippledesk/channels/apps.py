from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "rippledesk.channels"
    label = "channels"
