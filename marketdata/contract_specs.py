"""Exchange facts per underlying, as data (no Django imports).

Index figures come from /work/shared/research/reference-data.md:
  - lot sizes: §5.1, "from Jan-2026 expiries" column (NSE circular NSE/FAOP/70616);
  - quantity freeze limits: §5.2, row "1 Jul 2026 (latest found)" (NSE FAOP74942);
  - tick size 0.05 for index/stock F&O: §5.3;
  - expiry weekdays: §4 (NSE Tuesday from 1 Sep 2025; BSE Thursday from 1 Sep 2025; one weekly
    benchmark per exchange: NIFTY on NSE, SENSEX on BSE; holiday -> previous trading day).
Anything marked DEMO below is a plausible value for the simulated venue, not a sourced fact
(strike steps, demo spot levels, volatilities, stock lots/freeze limits, BSE freeze limits which
reference-data.md §5.2 lists as [UNVERIFIED]).

Real instrument rows imported from Kite carry their own lot/tick; these specs only fill what the
dump lacks (freeze quantity) and drive the demo master and the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

NSE_F_O = "NFO"
BSE_F_O = "BFO"

TUESDAY = 1
THURSDAY = 3


@dataclass(frozen=True, slots=True)
class UnderlyingSpec:
    name: str  # the `name` column of F&O rows in Kite's dump, e.g. "NIFTY"
    kind: str  # "index" or "stock"
    spot_exchange: str  # exchange of the spot row: NSE / BSE
    spot_symbol: str  # tradingsymbol of the spot row, e.g. "NIFTY 50" (INDICES segment) or "RELIANCE"
    spot_name: str  # `name` column of the spot row
    derivatives_exchange: str  # NFO / BFO
    lot_size: int
    freeze_quantity: int | None  # max units per order (None = not published / unknown)
    tick_size: Decimal
    strike_step: Decimal  # DEMO: strike interval used by the generated demo chain
    expiry_weekday: int  # Monday=0
    weekly: bool  # weekly option expiries listed (NIFTY, SENSEX only since 20 Nov 2024)
    demo_spot: Decimal  # DEMO: centre of the simulated price path
    demo_vol: float  # DEMO: annualised ATM volatility of the simulated underlying
    strikes_each_side: int = 15  # DEMO: strikes generated either side of the money
    spot_tick_size: Decimal = Decimal("0.05")

    @property
    def is_index(self) -> bool:
        return self.kind == "index"


_T = Decimal("0.05")

UNDERLYINGS: dict[str, UnderlyingSpec] = {
    s.name: s
    for s in (
        # Indices: lot (§5.1) / freeze (§5.2) / tick (§5.3) / expiry weekday (§4) sourced.
        UnderlyingSpec(
            "NIFTY",
            "index",
            "NSE",
            "NIFTY 50",
            "NIFTY 50",
            NSE_F_O,
            65,
            1800,
            _T,
            Decimal(50),
            TUESDAY,
            True,
            Decimal("26000"),
            0.125,
        ),
        UnderlyingSpec(
            "BANKNIFTY",
            "index",
            "NSE",
            "NIFTY BANK",
            "NIFTY BANK",
            NSE_F_O,
            30,
            600,
            _T,
            Decimal(100),
            TUESDAY,
            False,
            Decimal("59000"),
            0.14,
        ),
        UnderlyingSpec(
            "FINNIFTY",
            "index",
            "NSE",
            "NIFTY FIN SERVICE",
            "NIFTY FIN SERVICE",
            NSE_F_O,
            60,
            1800,
            _T,
            Decimal(50),
            TUESDAY,
            False,
            Decimal("27500"),
            0.13,
        ),
        UnderlyingSpec(
            "MIDCPNIFTY",
            "index",
            "NSE",
            "NIFTY MID SELECT",
            "NIFTY MID SELECT",
            NSE_F_O,
            120,
            2800,
            _T,
            Decimal(25),
            TUESDAY,
            False,
            Decimal("13500"),
            0.16,
        ),
        # SENSEX lot 20 is §5.1 [UNVERIFIED after Sep 2025]; BSE freeze limits are [UNVERIFIED] (§5.2):
        # DEMO freeze 1000 units (50 lots).
        UnderlyingSpec(
            "SENSEX",
            "index",
            "BSE",
            "SENSEX",
            "SENSEX",
            BSE_F_O,
            20,
            1000,
            _T,
            Decimal(100),
            THURSDAY,
            True,
            Decimal("85000"),
            0.125,
        ),
        # Stocks: DEMO lots/freeze/levels (plausible, not sourced). Stock F&O expire monthly on the last
        # Tuesday (§4, "monthly ... on the last Tuesday").
        UnderlyingSpec(
            "RELIANCE",
            "stock",
            "NSE",
            "RELIANCE",
            "RELIANCE INDUSTRIES",
            NSE_F_O,
            500,
            10000,
            _T,
            Decimal(10),
            TUESDAY,
            False,
            Decimal("1500"),
            0.22,
            10,
        ),
        UnderlyingSpec(
            "HDFCBANK",
            "stock",
            "NSE",
            "HDFCBANK",
            "HDFC BANK",
            NSE_F_O,
            550,
            11000,
            _T,
            Decimal(10),
            TUESDAY,
            False,
            Decimal("1000"),
            0.2,
            10,
        ),
        UnderlyingSpec(
            "INFY",
            "stock",
            "NSE",
            "INFY",
            "INFOSYS",
            NSE_F_O,
            400,
            8000,
            _T,
            Decimal(20),
            TUESDAY,
            False,
            Decimal("1550"),
            0.24,
            10,
        ),
        UnderlyingSpec(
            "TCS",
            "stock",
            "NSE",
            "TCS",
            "TATA CONSULTANCY SERV LT",
            NSE_F_O,
            175,
            3500,
            _T,
            Decimal(20),
            TUESDAY,
            False,
            Decimal("3100"),
            0.21,
            10,
        ),
        UnderlyingSpec(
            "SBIN",
            "stock",
            "NSE",
            "SBIN",
            "STATE BANK OF INDIA",
            NSE_F_O,
            750,
            15000,
            _T,
            Decimal(10),
            TUESDAY,
            False,
            Decimal("950"),
            0.25,
            10,
        ),
    )
}

# India VIX: an index row whose value the simulator derives from the NIFTY smile (ATM 30-day vol).
INDIA_VIX_SYMBOL = "INDIA VIX"
VIX_UNDERLYING = "NIFTY"

# Simulated cost of carry for futures (DEMO: roughly the Indian risk-free rate; not sourced).
DEMO_CARRY_RATE = 0.065

# Trading sessions, IST (§5.3): normal market 09:15-15:30, pre-open 09:00-09:15.
PRE_OPEN_START = (9, 0)
SESSION_OPEN = (9, 15)
SESSION_CLOSE = (15, 30)

# Future contracts listed at any time in the demo master: current and next month (DEMO choice; NSE
# also lists a far month).
DEMO_FUTURE_MONTHS = 2
# Weekly option expiries listed in the demo master for weekly underlyings (DEMO choice).
DEMO_WEEKLY_EXPIRIES = 4
DEMO_MONTHLY_OPTION_EXPIRIES = 2


def spec_for(name: str) -> UnderlyingSpec | None:
    return UNDERLYINGS.get(name)


def spec_for_spot(exchange: str, tradingsymbol: str) -> UnderlyingSpec | None:
    for spec in UNDERLYINGS.values():
        if spec.spot_exchange == exchange and spec.spot_symbol == tradingsymbol:
            return spec
    return None


def freeze_quantity_for(name: str, instrument_type: str) -> int | None:
    """Freeze limit (units per order) of a derivative on `name`; None when unknown or not a derivative."""
    if instrument_type not in ("FUT", "CE", "PE"):
        return None
    spec = UNDERLYINGS.get(name)
    return spec.freeze_quantity if spec else None
