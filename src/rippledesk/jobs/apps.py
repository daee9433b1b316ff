from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "rippledesk.jobs"
    label = "jobs"
