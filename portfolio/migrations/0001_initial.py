"""Strategy, Trade and Position move from `orders` to `portfolio` (issue #8): state only.

Their tables keep their names (orders_strategy, orders_trade, orders_position) and their rows: this
migration only tells Django's state that the models now belong to `portfolio`; `orders` 0005 removes
them from the orders state (also state only). On a fresh database the tables were created by
`orders` 0001, which this migration depends on through `orders` 0004.
"""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('orders', '0004_order_status_submitted_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Strategy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=80)),
                        ('preset', models.CharField(blank=True, default='conservative', max_length=20)),
                        ('is_active', models.BooleanField(default=True)),
                        ('auto_cleanup_enabled', models.BooleanField(default=True)),
                        ('cleanup_sl_on_exit', models.BooleanField(default=True)),
                        ('cleanup_target_on_exit', models.BooleanField(default=True)),
                        ('allow_orphaned_orders', models.BooleanField(default=False)),
                        ('notify_on_orphan_detection', models.BooleanField(default=True)),
                        ('max_order_spread_pct', models.DecimalField(decimal_places=2, default=Decimal('0.3'), max_digits=6)),
                        ('min_liquidity_score', models.PositiveSmallIntegerField(default=70)),
                        ('require_user_approval_high_impact', models.BooleanField(default=True)),
                        ('max_market_impact_bps', models.PositiveIntegerField(default=30)),
                        ('margin_buffer_pct', models.DecimalField(decimal_places=2, default=Decimal('20.0'), max_digits=6)),
                        ('max_loss_per_strategy_pct', models.DecimalField(decimal_places=2, default=Decimal('5.0'), max_digits=6)),
                        ('auto_square_off_on_loss_limit', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='strategies', to='accounts.tradingaccount')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='strategies', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name_plural': 'strategies',
                        'db_table': 'orders_strategy',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='Position',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('exchange', models.CharField(max_length=8)),
                        ('tradingsymbol', models.CharField(max_length=64)),
                        ('instrument_token', models.BigIntegerField()),
                        ('product', models.CharField(max_length=4)),
                        ('quantity', models.IntegerField(default=0)),
                        ('average_price', models.DecimalField(decimal_places=4, default=Decimal('0'), max_digits=14)),
                        ('realized_pnl', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=16)),
                        ('overnight_quantity', models.IntegerField(default=0)),
                        ('day_buy_quantity', models.PositiveIntegerField(default=0)),
                        ('day_sell_quantity', models.PositiveIntegerField(default=0)),
                        ('buy_quantity', models.PositiveIntegerField(default=0)),
                        ('sell_quantity', models.PositiveIntegerField(default=0)),
                        ('buy_value', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=18)),
                        ('sell_value', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=18)),
                        ('trading_day', models.DateField(blank=True, null=True)),
                        ('last_price', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='positions', to='accounts.tradingaccount')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='positions', to=settings.AUTH_USER_MODEL)),
                        ('strategy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='positions', to='portfolio.strategy')),
                    ],
                    options={
                        'db_table': 'orders_position',
                        'ordering': ['-updated_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Trade',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('trade_id', models.CharField(max_length=40)),
                        ('broker_order_id', models.CharField(max_length=40)),
                        ('exchange', models.CharField(max_length=8)),
                        ('tradingsymbol', models.CharField(max_length=64)),
                        ('instrument_token', models.BigIntegerField()),
                        ('transaction_type', models.CharField(choices=[('BUY', 'BUY'), ('SELL', 'SELL')], max_length=4)),
                        ('product', models.CharField(max_length=4)),
                        ('quantity', models.PositiveIntegerField()),
                        ('price', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('fill_timestamp', models.DateTimeField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trades', to='accounts.tradingaccount')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trades', to='orders.order')),
                        ('strategy', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='trades', to='portfolio.strategy')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trades', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'orders_trade',
                        'ordering': ['-fill_timestamp', '-id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='strategy',
                    constraint=models.UniqueConstraint(fields=('user', 'name'), name='unique_strategy_name_per_user'),
                ),
                migrations.AddConstraint(
                    model_name='position',
                    constraint=models.UniqueConstraint(condition=models.Q(('strategy__isnull', False)), fields=('account', 'strategy', 'instrument_token', 'product'), name='unique_position_with_strategy'),
                ),
                migrations.AddConstraint(
                    model_name='position',
                    constraint=models.UniqueConstraint(condition=models.Q(('strategy__isnull', True)), fields=('account', 'instrument_token', 'product'), name='unique_position_without_strategy'),
                ),
                migrations.AddConstraint(
                    model_name='trade',
                    constraint=models.UniqueConstraint(fields=('account', 'trade_id'), name='unique_trade_per_account'),
                ),
            ],
        ),
    ]
