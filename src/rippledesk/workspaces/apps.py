from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "rippledesk.workspaces"
    label = "workspaces"
