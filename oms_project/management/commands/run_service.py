import asyncio
import signal

from django.core.management.base import BaseCommand, CommandError

from oms_project.background import run_supervised, service_names


class Command(BaseCommand):
    help = "Run one background service (e.g. market_feed) in its own process, for production mode."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("name", help="one of: " + ", ".join(service_names()))

    def handle(self, *args, name: str, **options) -> None:  # noqa: ANN002, ANN003
        if name not in service_names():
            raise CommandError(f"Unknown service {name!r}; known: {', '.join(service_names())}")

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await run_supervised(name, stop)

        asyncio.run(main())
