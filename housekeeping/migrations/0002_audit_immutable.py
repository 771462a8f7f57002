"""On PostgreSQL the audit table refuses UPDATE and DELETE itself (7-year retention, seed 001), whatever the
client. SQLite (embedded, tests) relies on the ORM's refusals: its test flush deletes rows."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION hk_audit_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'orders_orderevent is append-only: audit rows are kept 7 years and never changed or deleted';
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS hk_orderevent_immutable ON orders_orderevent;
CREATE TRIGGER hk_orderevent_immutable BEFORE UPDATE OR DELETE ON orders_orderevent
  FOR EACH ROW EXECUTE FUNCTION hk_audit_immutable();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS hk_orderevent_immutable ON orders_orderevent;
DROP FUNCTION IF EXISTS hk_audit_immutable();
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("housekeeping", "0001_initial"), ("orders", "0005_move_portfolio_models")]

    operations = [migrations.RunPython(up, down)]
