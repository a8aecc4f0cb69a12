from django.apps import AppConfig
from simple_history.signals import pre_create_historical_record


class TokensConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tokens"
    verbose_name = "API tokens"

    def ready(self):
        # Imported once the apps are loaded (it reads simple-history's models module).
        from .history import note_token  # noqa: PLC0415

        # Every history row of a request made with an API token names the token.
        pre_create_historical_record.connect(note_token, dispatch_uid="tokens.note_token")
