"""PaperVenueOrder, PaperVenueTrade and PaperVenuePosition move from `orders` to `paper_venue` (issue #8 item 6):
state only.

Their tables keep their names (orders_papervenueorder, orders_papervenuetrade, orders_papervenueposition: `db_table`)
and their rows; their index and constraint keep their names too. This migration only tells Django's state that
the models belong to `paper_venue`; `orders` 0006 removes them from the orders state (also state only). On a fresh
database the tables were created by `orders` 0001 and 0002, which this migration depends on through `orders` 0005.
"""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orders', '0005_move_portfolio_models'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='PaperVenueOrder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('account_ref', models.CharField(db_index=True, max_length=40)),
                        ('venue_order_id', models.CharField(max_length=24, unique=True)),
                        ('tag', models.CharField(blank=True, db_index=True, max_length=20)),
                        ('exchange', models.CharField(max_length=8)),
                        ('tradingsymbol', models.CharField(max_length=64)),
                        ('instrument_token', models.BigIntegerField()),
                        ('transaction_type', models.CharField(max_length=4)),
                        ('order_type', models.CharField(max_length=6)),
                        ('product', models.CharField(max_length=4)),
                        ('validity', models.CharField(default='DAY', max_length=3)),
                        ('validity_ttl', models.PositiveIntegerField(blank=True, null=True)),
                        ('variety', models.CharField(default='regular', max_length=10)),
                        ('quantity', models.PositiveIntegerField()),
                        ('disclosed_quantity', models.PositiveIntegerField(default=0)),
                        ('price', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                        ('trigger_price', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                        ('market_protection', models.IntegerField(blank=True, null=True)),
                        ('protection_price', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                        ('triggered', models.BooleanField(default=False)),
                        ('status', models.CharField(db_index=True, max_length=24)),
                        ('status_message', models.CharField(blank=True, max_length=500)),
                        ('filled_quantity', models.PositiveIntegerField(default=0)),
                        ('cancelled_quantity', models.PositiveIntegerField(default=0)),
                        ('average_price', models.DecimalField(decimal_places=4, default=Decimal('0'), max_digits=14)),
                        ('blocked_margin', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=16)),
                        ('modified_count', models.PositiveSmallIntegerField(default=0)),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField()),
                        ('updated_at', models.DateTimeField()),
                    ],
                    options={
                        'verbose_name': 'paper venue order',
                        'db_table': 'orders_papervenueorder',
                        'ordering': ['id'],
                        'indexes': [models.Index(fields=['account_ref', 'status'], name='orders_pape_account_491c56_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='PaperVenueTrade',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('account_ref', models.CharField(db_index=True, max_length=40)),
                        ('trade_id', models.CharField(max_length=24, unique=True)),
                        ('exchange', models.CharField(max_length=8)),
                        ('tradingsymbol', models.CharField(max_length=64)),
                        ('instrument_token', models.BigIntegerField()),
                        ('transaction_type', models.CharField(max_length=4)),
                        ('product', models.CharField(max_length=4)),
                        ('quantity', models.PositiveIntegerField()),
                        ('price', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('fill_timestamp', models.DateTimeField()),
                        ('venue_order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trades', to='paper_venue.papervenueorder')),
                    ],
                    options={
                        'verbose_name': 'paper venue trade',
                        'db_table': 'orders_papervenuetrade',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='PaperVenuePosition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('account_ref', models.CharField(max_length=40)),
                        ('instrument_token', models.BigIntegerField()),
                        ('product', models.CharField(max_length=4)),
                        ('exchange', models.CharField(max_length=8)),
                        ('tradingsymbol', models.CharField(max_length=64)),
                        ('instrument_type', models.CharField(blank=True, max_length=4)),
                        ('strike', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True)),
                        ('quantity', models.IntegerField(default=0)),
                        ('average_price', models.DecimalField(decimal_places=12, default=Decimal('0'), max_digits=30)),
                        ('realized', models.DecimalField(decimal_places=12, default=Decimal('0'), max_digits=30)),
                        ('last_fill_day', models.DateField(blank=True, null=True)),
                        ('day_start_quantity', models.IntegerField(default=0)),
                    ],
                    options={
                        'verbose_name': 'paper venue position',
                        'db_table': 'orders_papervenueposition',
                        'ordering': ['id'],
                        'constraints': [models.UniqueConstraint(fields=('account_ref', 'instrument_token', 'product'), name='unique_paper_venue_position')],
                    },
                ),
            ],
        ),
    ]
