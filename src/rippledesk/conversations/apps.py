from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "rippledesk.conversations"
    label = "conversations"
