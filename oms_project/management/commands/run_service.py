import asyncio
import signal

from django.core.management.base import BaseCommand, CommandError

from oms_project.background import run_supervised, service_names, stop_services
from oms_project.lifecycle import arm_hard_exit, shutdown_timeout, startup_repair


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

            def on_signal(sig: signal.Signals) -> None:
                # Bounded shutdown: the service gets `stop`, is cancelled after half the budget, and the
                # process exits after SHUTDOWN_TIMEOUT_SECONDS even if a worker thread is still busy.
                arm_hard_exit(reason=f"{name} shutdown after {sig.name}")
                stop.set()

            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, on_signal, sig)
            if name == "paper_matcher":
                # The matcher runs the resolver: one pass before the loop, so a restart repairs at once.
                await asyncio.to_thread(startup_repair)
            task = asyncio.create_task(run_supervised(name, stop), name=name)
            await asyncio.wait([task, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
            await stop_services(stop, [task], timeout=max(1.0, shutdown_timeout() / 2))
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()

        asyncio.run(main())
