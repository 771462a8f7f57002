"""Exchange facts used by the SPAN engine, each with its source (see docs/span.md for the full list).

Section numbers refer to /work/shared/research/reference-data.md ("reference data"). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from margin.span.types import ScenarioDef

D = Decimal
THIRD = D(1) / D(3)

# The 16 NSE risk scenarios (§3.3, NSE Clearing "NSCCL-SPAN" page; BSE/ICCL lists 15: +2, 16: -2 at
# 35%). Price moves in price-scan ranges, vol moves in vol-scan ranges (+1 up, -1 down, 0 unchanged).
EXTREME_MOVE_COVER = D("0.35")
NSE_SCENARIOS: tuple[ScenarioDef, ...] = (
    ScenarioDef(1, D(0), +1),
    ScenarioDef(2, D(0), -1),
    ScenarioDef(3, THIRD, +1),
    ScenarioDef(4, THIRD, -1),
    ScenarioDef(5, -THIRD, +1),
    ScenarioDef(6, -THIRD, -1),
    ScenarioDef(7, 2 * THIRD, +1),
    ScenarioDef(8, 2 * THIRD, -1),
    ScenarioDef(9, -2 * THIRD, +1),
    ScenarioDef(10, -2 * THIRD, -1),
    ScenarioDef(11, D(1), +1),
    ScenarioDef(12, D(1), -1),
    ScenarioDef(13, D(-1), +1),
    ScenarioDef(14, D(-1), -1),
    ScenarioDef(15, D(2), 0, EXTREME_MOVE_COVER),
    ScenarioDef(16, D(-2), 0, EXTREME_MOVE_COVER),
)


@dataclass(frozen=True, slots=True)
class ScanFloors:
    """Published minimum scan ranges for one class of derivative (§3.5, NSE Clearing
    "SPAN risk parameters" page, updated 04/07/2024)."""

    min_price_scan: Decimal  # fraction of the underlying price
    min_vol_scan: Decimal  # absolute volatility
    vol_scan_fraction: Decimal = D("0.25")  # VSR = 25% of annualised EWMA vol
    sigma_multiple: Decimal = D(6)  # PSR = 6 sigma x sqrt(2) (sqrt(2): two-day margin period of risk)


INDEX_FLOORS = ScanFloors(min_price_scan=D("0.093"), min_vol_scan=D("0.04"))
INDEX_LONG_DATED_FLOORS = ScanFloors(min_price_scan=D("0.177"), min_vol_scan=D("0.04"))  # residual > 9 months
STOCK_FLOORS = ScanFloors(min_price_scan=D("0.142"), min_vol_scan=D("0.10"))
LONG_DATED_MONTHS = 9

# Calendar spread charge published as a share of the far-month contract (§3.5); the file's dSpread
# rate (e.g. NIFTY ₹425 on a ~₹24,050 future, T7) is ~1.77%, i.e. a rate per delta unit.
INDEX_CALENDAR_SPREAD_RATE = D("0.0175")
STOCK_CALENDAR_SPREAD_RATE = D("0.022")

# From 10 Feb 2025 (index; single stocks from SEBI circular of 5 Feb 2026) positions expiring on the
# day get no calendar-spread benefit: "the position expiring on the current day shall not be
# considered" (§3.4; SEBI/HO/MRD/TPD-1/P/CIR/2024/132, NSE implementation 10 Feb 2025).
NO_CALENDAR_BENEFIT_ON_EXPIRY_FROM = date(2025, 2, 10)


@dataclass(frozen=True, slots=True)
class ExposureRule:
    """Exposure margin (ELM) rates (§3.6)."""

    index_rate: Decimal = D("0.02")  # index futures and short index options, of notional (T4/T9)
    stock_min_rate: Decimal = D("0.035")  # stock futures / short stock options "OTH" (T10), when no AEL row
    stock_deep_otm_rate: Decimal = D("0.0525")  # AEL "OTM" class, 1.5 x 3.5% (T10), when no AEL row
    deep_otm_stock_moneyness: Decimal = D("0.30")  # strike > 30% from spot [UNVERIFIED, one implementation]
    # +2% ELM on short index options on their own expiry day, from 20 Nov 2024:
    # SEBI/HO/MRD/TPD-1/P/CIR/2024/132 (1 Oct 2024) and NSE Clearing circular CMPT64639. Base: the
    # spot notional, as for the normal ELM (T9; the strike-notional reading of one broker FAQ is
    # [UNVERIFIED], §8).
    expiry_day_short_index_option_rate: Decimal = D("0.02")
    expiry_day_rule_from: date = date(2024, 11, 20)


NSE_EXPOSURE = ExposureRule()

# Underlyings whose derivatives are index derivatives on NSE (§5.1); anything else is margined as a
# stock derivative unless the caller says otherwise.
NSE_INDEX_UNDERLYINGS: frozenset[str] = frozenset({"NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50"})
