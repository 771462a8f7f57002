from django.apps import AppConfig


class OmsProjectConfig(AppConfig):
    name = "oms_project"
    verbose_name = "Project wiring"

    def ready(self) -> None:
        from . import checks  # noqa: F401
