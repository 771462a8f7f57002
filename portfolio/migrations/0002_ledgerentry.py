"""The funds ledger: one append-only entry per movement of an account's cash (a new table).

Positions booked before the ledger existed carry realised P&L; it is carried over as one REALISED_PNL
entry per position (no trade: the fills predate the ledger), so cash = opening + ledger agrees with the
positions from the start."""

import django.db.models.deletion
from django.db import migrations, models


def carry_over_realised_pnl(apps, schema_editor):
    Position = apps.get_model("portfolio", "Position")
    LedgerEntry = apps.get_model("portfolio", "LedgerEntry")
    db = schema_editor.connection.alias
    entries = [
        LedgerEntry(
            account_id=p.account_id,
            kind="REALISED_PNL",
            amount=p.realized_pnl,
            position_id=p.pk,
            actor="system:migration",
            description=f"Realised P&L of {p.tradingsymbol} {p.product} booked before the ledger",
        )
        for p in Position.objects.using(db).exclude(realized_pnl=0).order_by("id").iterator()
    ]
    LedgerEntry.objects.using(db).bulk_create(entries, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('portfolio', '0001_initial'),
        ('orders', '0005_move_portfolio_models'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('PAY_IN', 'PAY_IN'), ('PAY_OUT', 'PAY_OUT'), ('CHARGES', 'CHARGES'), ('REALISED_PNL', 'REALISED_PNL'), ('M2M_SETTLEMENT', 'M2M_SETTLEMENT'), ('ADJUSTMENT', 'ADJUSTMENT')], max_length=16)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=18)),
                ('order_id', models.BigIntegerField(blank=True, null=True)),
                ('actor', models.CharField(blank=True, max_length=120)),
                ('description', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ledger_entries', to='accounts.tradingaccount')),
                ('position', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='portfolio.position')),
                ('trade', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='portfolio.trade')),
            ],
            options={
                'verbose_name_plural': 'ledger entries',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['account', 'kind', 'created_at'], name='ledger_account_kind_idx'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'REALISED_PNL')), fields=('trade',), name='one_realised_pnl_entry_per_trade'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['PAY_IN', 'PAY_OUT', 'CHARGES', 'REALISED_PNL', 'M2M_SETTLEMENT', 'ADJUSTMENT'])), name='ledger_kind_valid'),
        ),
        migrations.RunPython(carry_over_realised_pnl, migrations.RunPython.noop),
    ]
