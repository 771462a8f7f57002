"""python manage.py import_instruments FILE [--skip-invalid]

Loads Kite's instruments dump (the exact 12-column CSV, optionally gzipped) into the master.
By default the file is all or nothing: a wrong header or any bad row stops the import with the
line number and nothing is written. --skip-invalid loads the good rows and reports the bad ones.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from marketdata.errors import InstrumentFileInvalid
from marketdata.services import INSTRUMENT_CSV_COLUMNS, instruments_import_rows


class Command(BaseCommand):
    help = "Import a Kite instruments CSV (12 columns, as from GET /instruments) into the instrument master."

    def add_arguments(self, parser):  # noqa: ANN001, ANN201
        parser.add_argument("file", help="path to instruments.csv or instruments.csv.gz")
        parser.add_argument("--skip-invalid", action="store_true", help="load the valid rows, skip and list bad ones")

    def handle(self, *args, file: str, skip_invalid: bool, **options) -> None:  # noqa: ANN002, ANN003
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            try:
                raw = gzip.decompress(raw)
            except OSError as exc:
                raise CommandError(f"{file}: broken gzip data ({exc})") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text ({exc})") from None
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if header is None:
            raise CommandError(f"{file}: the file is empty")
        header = [h.strip() for h in header]
        if header != list(INSTRUMENT_CSV_COLUMNS):
            raise CommandError(
                f"{file}: line 1: wrong header.\n"
                f"  expected: {','.join(INSTRUMENT_CSV_COLUMNS)}\n"
                f"  found:    {','.join(header)}"
            )

        def rows():  # noqa: ANN202
            for _number, values in enumerate(reader, start=2):
                if not values or all(not v.strip() for v in values):
                    continue
                if len(values) != len(INSTRUMENT_CSV_COLUMNS):
                    # Keep the row so the service reports it with its line number.
                    yield {"__error__": f"has {len(values)} fields, expected {len(INSTRUMENT_CSV_COLUMNS)}"}
                    continue
                yield dict(zip(INSTRUMENT_CSV_COLUMNS, values, strict=True))

        try:
            result = instruments_import_rows(rows(), first_line=2, skip_invalid=skip_invalid)
        except InstrumentFileInvalid as exc:
            raise CommandError(f"{file}: {exc.message}") from None
        self.stdout.write(
            f"Imported {result.total} instruments ({result.created} new, {result.updated} updated)"
            + (f"; skipped {result.skipped} invalid row(s)" if result.skipped else "")
            + "."
        )
        for error in result.errors:
            self.stderr.write(f"  {error}")
