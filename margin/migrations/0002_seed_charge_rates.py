"""Seed the charge rates from margin/data/charge_rates.json (every row cites its source).

Reads the file as it stands when the migration runs; later changes to rates are made in admin
(or by a new data migration), never by editing this one. Reversing removes only the seeded rows.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

RATES_FILE = Path(__file__).resolve().parent.parent / "data" / "charge_rates.json"


def _decimal(value):
    return Decimal(str(value)) if value is not None else None


def seed(apps, schema_editor):
    ChargeRate = apps.get_model("margin", "ChargeRate")
    rows = json.loads(RATES_FILE.read_text(encoding="utf-8"))["rates"]
    ChargeRate.objects.bulk_create(
        ChargeRate(
            ref=row["ref"],
            component=row["component"],
            exchange=row["exchange"],
            segment=row["segment"],
            product=row.get("product") or "",
            side=row.get("side") or "",
            underlying=row.get("underlying") or "",
            rate_percent=_decimal(row.get("rate_percent")) or Decimal(0),
            flat_inr=_decimal(row.get("flat_inr")) or Decimal(0),
            cap_inr=_decimal(row.get("cap_inr")),
            tax_type=row.get("tax_type") or "",
            effective_from=row["effective_from"],
            effective_to=row.get("effective_to"),
            source=row["source"],
        )
        for row in rows
    )


def unseed(apps, schema_editor):
    ChargeRate = apps.get_model("margin", "ChargeRate")
    refs = [row["ref"] for row in json.loads(RATES_FILE.read_text(encoding="utf-8"))["rates"]]
    ChargeRate.objects.filter(ref__in=refs).delete()


class Migration(migrations.Migration):
    dependencies = [("margin", "0001_charge_rate")]

    operations = [migrations.RunPython(seed, unseed)]
