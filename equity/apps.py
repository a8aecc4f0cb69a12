from django.apps import AppConfig


class EquityConfig(AppConfig):
    name = "equity"
    verbose_name = "Equity of restrictive practice"
