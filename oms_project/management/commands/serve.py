import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand

from oms_project import embedded


class Command(BaseCommand):
    help = "Run the whole product in one process (embedded mode): pages, API, WebSockets, market feed, jobs."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-celery", action="store_true", help="Do not start the in-process Celery worker and beat."
        )

    def handle(self, *args, host: str, port: int, no_celery: bool, **options) -> None:  # noqa: ANN002, ANN003
        if settings.PRODUCTION_MODE:
            self.stderr.write(
                "Note: REDIS_URL is set (production mode); `serve` still runs everything in this process, "
                "but the Procfile is the production layout."
            )
        self.stdout.write(f"StocksBlitz OMS on http://{host}:{port}/  (Ctrl+C to stop)")
        try:
            asyncio.run(embedded.serve(host, port, with_celery=not no_celery))
        except KeyboardInterrupt:
            pass
