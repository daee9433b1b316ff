from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "rippledesk.analysis"
    label = "analysis"
