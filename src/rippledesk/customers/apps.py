from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "rippledesk.customers"
    label = "customers"
