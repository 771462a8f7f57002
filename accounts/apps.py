from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (every new user gets a paper account)
        from .api import schema  # noqa: F401  (OpenAPI security scheme for API keys)
