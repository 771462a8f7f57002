"""manage.py import_span FILE [--replace] [--source SIM] — load a SPAN file (.spn or .zip) into the tables."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from oms_project.lib.errors import DomainError


class Command(BaseCommand):
    help = "Import NSE Clearing's SPAN risk parameter file (.spn, or a .zip holding one), streaming."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("file")
        parser.add_argument("--replace", action="store_true", help="import again a file already imported")
        parser.add_argument("--source", choices=["NSE", "SIM"], default="NSE")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        from margin.span_import import import_span_file

        try:
            result = import_span_file(options["file"], source=options["source"], replace=options["replace"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(str(result))
