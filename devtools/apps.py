from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Installed only so Django finds the `run_kite_sandbox` management command; no models."""

    name = "devtools"
    verbose_name = "Development tooling"
