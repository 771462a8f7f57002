"""Strategy, Trade and Position now belong to `portfolio` (its 0001): removed from the orders state only.

The tables (orders_strategy, orders_trade, orders_position) and the foreign key from orders_order to
orders_strategy stay exactly as they are: no SQL runs. Permissions and admin history keep pointing at the
same models: their content types are relabelled from `orders` to `portfolio`.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("strategy", "trade", "position")


def relabel_content_types(apps, schema_editor, old="orders", new="portfolio"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue  # already created (e.g. by a post_migrate run): leave both as they are
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def relabel_back(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="portfolio", new="orders")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('orders', '0004_order_status_submitted_idx'),
        ('portfolio', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='order',
                    name='strategy',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='orders', to='portfolio.strategy'),
                ),
                migrations.DeleteModel(name='Trade'),
                migrations.DeleteModel(name='Position'),
                migrations.DeleteModel(name='Strategy'),
            ],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
