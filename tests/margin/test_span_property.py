"""Property: more of the same position never lowers the margin."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from margin.span.engine import portfolio_margin
from margin.span.parser import parse_span
from margin.span.synthetic import synthetic_option
from margin.span.types import ContractKind, Position

DATA = parse_span(Path(__file__).parent / "data" / "t7.spn")
AS_OF = date(2026, 6, 25)
BANK_SPOT = Decimal("55181.05")
CONTRACTS = list(DATA.contracts.values()) + [
    synthetic_option(
        underlying="BANKNIFTY",
        kind=kind,
        expiry=expiry,
        strike=Decimal(strike),
        premium=Decimal(premium),
        underlying_price=BANK_SPOT,
        volatility=Decimal("0.184"),
        as_of=date(2025, 8, 8),
        sigma_fraction=Decimal("0.113"),
        vol_scan=Decimal("0.05"),
    )
    for kind, expiry, strike, premium in [
        (ContractKind.CALL, date(2025, 8, 28), "55000", "1040"),
        (ContractKind.CALL, date(2025, 8, 28), "56500", "330"),
        (ContractKind.PUT, date(2025, 8, 28), "54000", "380"),
        (ContractKind.PUT, date(2025, 9, 30), "53000", "600"),
    ]
]
SPOT = {**DATA.spot, "BANKNIFTY": BANK_SPOT}


def margin(positions: list[Position], as_of: date = AS_OF) -> Decimal:
    pm = portfolio_margin(positions, commodities=DATA.commodities, spot=SPOT, as_of=as_of)
    return pm.total + pm.premium  # everything the trader must put up


legs = st.lists(
    st.tuples(st.integers(0, len(CONTRACTS) - 1), st.integers(-600, 600).filter(bool)), min_size=1, max_size=6
)
as_of_days = st.sampled_from([AS_OF, date(2026, 6, 30), date(2025, 8, 28)])  # incl. expiry days


@settings(max_examples=150, deadline=None)
@given(legs=legs, k=st.integers(2, 5), as_of=as_of_days)
def test_scaling_a_portfolio_never_lowers_margin(legs, k, as_of):
    base = [Position(CONTRACTS[i], q) for i, q in legs]
    scaled = [Position(CONTRACTS[i], k * q) for i, q in legs]
    m1, mk = margin(base, as_of), margin(scaled, as_of)
    assert mk >= m1
    assert mk == k * m1  # every component is positively homogeneous and computed exactly


@settings(max_examples=150, deadline=None)
@given(i=st.integers(0, len(CONTRACTS) - 1), q=st.integers(-900, 900).filter(bool), extra=st.integers(1, 300))
def test_adding_to_a_single_position_never_lowers_margin(i, q, extra):
    more = q + extra if q > 0 else q - extra
    assert margin([Position(CONTRACTS[i], more)]) >= margin([Position(CONTRACTS[i], q)])
