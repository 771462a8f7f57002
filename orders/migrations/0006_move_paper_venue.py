"""The paper venue's tables now belong to `paper_venue` (its 0001): removed from the orders state only.

The tables (orders_papervenueorder, orders_papervenuetrade, orders_papervenueposition) stay exactly as they are:
no SQL runs. Permissions and admin history keep pointing at the same models: their content types are relabelled
from `orders` to `paper_venue` (as 0005 did for the portfolio's models).
"""

from django.db import migrations

MOVED = ("papervenueorder", "papervenuetrade", "papervenueposition")


def relabel_content_types(apps, schema_editor, old="orders", new="paper_venue"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue  # already created (e.g. by a post_migrate run): leave both as they are
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def relabel_back(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="paper_venue", new="orders")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('orders', '0005_move_portfolio_models'),
        ('paper_venue', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='PaperVenueTrade'),
                migrations.DeleteModel(name='PaperVenueOrder'),
                migrations.DeleteModel(name='PaperVenuePosition'),
            ],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
