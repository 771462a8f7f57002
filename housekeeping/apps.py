from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HousekeepingConfig(AppConfig):
    name = "housekeeping"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oms_project.lib import archive, events, pretrade

        from . import observability, tasks  # noqa: F401 - tasks: the Celery task and the start-up hook
        from .services import archiving, broker_health, orphans

        archive.register(archive.ORDERS, archiving.hide_archived_orders)
        archive.register(archive.POSITIONS, archiving.hide_archived_positions)

        pretrade.register_stage("housekeeping.broker_health", broker_health.stage_broker_health)
        events.subscribe("portfolio.position_closed", orphans.on_position_closed)
        observability.connect()
        post_migrate.connect(_sync_schedule, sender=self)


def _sync_schedule(sender: object, **kwargs: object) -> None:
    from .jobs import schedule_sync

    schedule_sync()
