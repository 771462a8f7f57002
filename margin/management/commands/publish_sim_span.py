"""manage.py publish_sim_span [--date YYYY-MM-DD] [--out DIR] [--no-import] — the simulated market's SPAN file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Write the simulated market's daily SPAN file (NSE layout) and import it (source SIM)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--date", type=date.fromisoformat, default=None)
        parser.add_argument("--out", type=Path, default=None, help="keep the file in this folder")
        parser.add_argument("--no-import", action="store_true")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        from margin.sim_span import sim_span_publish

        done = sim_span_publish(options["date"], out_dir=options["out"], do_import=not options["no_import"])
        where = f" to {done.path}" if done.path else ""
        imported = f", imported as file #{done.file_id}" if done.file_id else ""
        self.stdout.write(f"Wrote {done.contracts} contracts{where}{imported}.")
