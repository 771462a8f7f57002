"""The generated demo master: no expired contracts, spec lots/freeze, Kite symbol formats, idempotence."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from marketdata import contract_specs as specs
from marketdata.models import Instrument, WatchlistItem
from marketdata.services import demo_instruments_refresh
from marketdata.symbols import future_symbol, option_symbol

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


def test_symbol_formats() -> None:
    assert future_symbol("NIFTY", date(2026, 6, 30)) == "NIFTY26JUNFUT"
    assert option_symbol("NIFTY", date(2025, 12, 30), 24500, "CE", monthly=True) == "NIFTY25DEC24500CE"
    assert option_symbol("NIFTY", date(2025, 12, 16), 24500, "CE", monthly=False) == "NIFTY25D1624500CE"
    assert option_symbol("NIFTY", date(2026, 6, 2), 23700, "CE", monthly=False) == "NIFTY2660223700CE"
    assert option_symbol("RELIANCE", date(2026, 12, 29), Decimal("72.5"), "PE", monthly=True) == "RELIANCE26DEC72.5PE"


def test_demo_master_contents() -> None:
    result = demo_instruments_refresh(today=TODAY)
    assert result.created > 1000 and result.updated == 0
    rows = Instrument.objects.all()
    assert not rows.filter(expiry__lt=TODAY).exists()
    assert set(rows.values_list("source", flat=True)) == {"demo"}
    for name, spec in specs.UNDERLYINGS.items():
        derivs = rows.filter(name=name, instrument_type__in=["FUT", "CE", "PE"])
        assert derivs.exists(), name
        assert set(derivs.values_list("lot_size", flat=True)) == {spec.lot_size}
        assert set(derivs.values_list("freeze_quantity", flat=True)) == {spec.freeze_quantity}
    assert rows.get(name="NIFTY", instrument_type="FUT", expiry=date(2026, 11, 23)).lot_size == 65
    indices = set(rows.filter(segment="INDICES").values_list("tradingsymbol", flat=True))
    assert {"NIFTY 50", "NIFTY BANK", "SENSEX", "INDIA VIX"} <= indices
    # NIFTY weekly: 23 Nov (the shifted monthly) uses the monthly format, 1 Dec the weekly one.
    assert rows.filter(tradingsymbol__regex=r"^NIFTY26NOV\d+CE$", expiry=date(2026, 11, 23)).exists()
    weekly = rows.filter(name="NIFTY", instrument_type="CE", expiry=date(2026, 12, 1)).first()
    assert re.fullmatch(r"NIFTY26D01\d+CE", weekly.tradingsymbol)
    assert rows.filter(exchange="BFO", name="SENSEX", instrument_type="PE").exists()
    # Tokens: Kite layout (segment id in the low byte), unique, 32-bit.
    assert all(t < 2**32 for t in rows.values_list("instrument_token", flat=True))
    nifty_fut = rows.filter(name="NIFTY", instrument_type="FUT").first()
    assert nifty_fut.instrument_token & 0xFF == 2 and nifty_fut.instrument_token >> 8 == nifty_fut.exchange_token


def test_refresh_is_idempotent_and_drops_expired_unreferenced(user) -> None:  # noqa: ANN001
    first = demo_instruments_refresh(today=TODAY)
    tokens = dict(Instrument.objects.values_list("tradingsymbol", "instrument_token"))
    again = demo_instruments_refresh(today=TODAY)
    assert again.created == 0 and again.updated == first.created and again.removed == 0
    assert dict(Instrument.objects.values_list("tradingsymbol", "instrument_token")) == tokens
    watched = Instrument.objects.get(tradingsymbol="NIFTY26NOVFUT")
    WatchlistItem.objects.create(user=user, instrument=watched)
    later = demo_instruments_refresh(today=date(2026, 12, 2))
    assert later.removed > 0
    assert not Instrument.objects.filter(expiry__lt=date(2026, 12, 2), is_active=True).exists()
    assert not WatchlistItem.objects.filter(instrument_id=watched.pk).exists()
