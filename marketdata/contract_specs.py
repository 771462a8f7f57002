"""Exchange facts per underlying, as data (no Django imports).

Index figures come from /work/shared/research/reference-data.md:
  - lot sizes: §5.1, "from Jan-2026 expiries" column (NSE circular NSE/FAOP/70616);
  - quantity freeze limits: §5.2, row "1 Jul 2026 (latest found)" (NSE FAOP74942);
  - tick sizes: §9.1 (December 2026 correction, supersedes §5.3's "0.05 for futures"): options 0.05;
    index futures and stock futures/equities by price band, see TICK_BANDS below;
  - expiry weekdays: §4 (NSE Tuesday from 1 Sep 2025; BSE Thursday from 1 Sep 2025; one weekly
    benchmark per exchange: NIFTY on NSE, SENSEX on BSE; holiday -> previous trading day).
Anything marked DEMO below is a plausible value for the simulated venue, not a sourced fact
(strike steps, demo spot levels, volatilities, stock lots/freeze limits, BSE freeze limits which
reference-data.md §5.2 lists as [UNVERIFIED]).

The facts, their sources and the DEMO choices are documented in docs/market-model.md.
Real instrument rows imported from Kite carry their own lot/tick; these specs only fill what the
dump lacks (freeze quantity) and drive the demo master and the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
    tick_size: Decimal  # OPTION tick (§9.1: index and stock options keep 0.05); futures/cash: tick_size_for()
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

# Contracts listed at any time in the demo master (docs/market-model.md, "Demo master"):
# - futures: three serial months, near/next/far (NSE contract specifications, "3 month trading
#   cycle", https://www.nseindia.com/products-services/equity-derivatives-contract-specifications ,
#   cited in reference-data.md §4; the same cycle is listed for SENSEX on BSE);
# - weekly options (NIFTY, SENSEX only, §4): the next DEMO_WEEKLY_EXPIRIES weeklies AND the
#   monthlies below (the month's last expiry is the monthly contract, §7);
# - monthly options (every underlying): the next DEMO_MONTHLY_OPTION_EXPIRIES months (DEMO count:
#   NSE also lists quarterlies and half-yearlies on NIFTY/BANKNIFTY, not generated here).
DEMO_FUTURE_MONTHS = 3
DEMO_WEEKLY_EXPIRIES = 4
DEMO_MONTHLY_OPTION_EXPIRIES = 3


# --- tick sizes (reference-data.md §9.1) ---------------------------------------------------------
# From 15 Apr 2025 NSE sets the tick of index futures by the index level and of equities and stock
# futures by the security's price, reviewed monthly on the last trading day's close; options keep
# 0.05. Sources (SECONDARY, brokers quoting the NSE circular):
#   https://fyers.in/notice-board/tick-size-revision-for-nse-derivatives-cash-segment-effective-april-15-2025
#   https://www.hdfcsec.com/blog/details/nse-revises-tick-size-from-april-15-key-update-for-traders
#   https://angelone.in/news/nse-revises-tick-size-for-stocks-and-indices-from-april-15-what-traders-need-to-know
# The applicable tick of a real contract is the dump's `tick_size` (the exchange's contract master);
# these bands only give the demo master its ticks. Before the effective date every F&O tick was 0.05
# (§5.3).


@dataclass(frozen=True, slots=True)
class TickBand:
    above: Decimal  # the band starts at prices above this value (or at it, when inclusive)
    inclusive: bool
    tick: Decimal


TICK_BANDS_EFFECTIVE = date(2025, 4, 15)
OPTION_TICK = Decimal("0.05")
LEGACY_TICK = Decimal("0.05")  # §5.3, before TICK_BANDS_EFFECTIVE
INDEX_TICK = Decimal("0.05")  # index values (INDICES rows: not tradable; Kite prints them to 0.05)
INDEX_FUTURE_TICK_BANDS: tuple[TickBand, ...] = (
    TickBand(Decimal(0), True, Decimal("0.05")),  # up to 15,000
    TickBand(Decimal(15000), False, Decimal("0.10")),  # > 15,000 - 30,000
    TickBand(Decimal(30000), False, Decimal("0.20")),  # > 30,000
)
CASH_TICK_BANDS: tuple[TickBand, ...] = (
    TickBand(Decimal(0), True, Decimal("0.01")),  # below 250
    TickBand(Decimal(250), True, Decimal("0.05")),  # 250 - 1,000
    TickBand(Decimal(1000), False, Decimal("0.10")),  # > 1,000 - 5,000
    TickBand(Decimal(5000), False, Decimal("0.50")),  # > 5,000 - 10,000
    TickBand(Decimal(10000), False, Decimal("1.00")),  # > 10,000 - 20,000
    TickBand(Decimal(20000), False, Decimal("5.00")),  # > 20,000
)


def tick_from_bands(bands: tuple[TickBand, ...], price: Decimal | float) -> Decimal:
    value = Decimal(str(price))
    chosen = bands[0].tick
    for band in bands:
        if value > band.above or (band.inclusive and value == band.above):
            chosen = band.tick
    return chosen


def tick_size_for(instrument_type: str, *, index: bool, reference_price: Decimal | float, on: date) -> Decimal:
    """The exchange tick of a contract (§9.1): options 0.05; index futures by the index level;
    equities and stock futures by the cash price. `reference_price` is the underlying's close on
    the last trading day of the previous month (the monthly review)."""
    if instrument_type in ("CE", "PE"):
        return OPTION_TICK
    if on < TICK_BANDS_EFFECTIVE:
        return LEGACY_TICK
    if instrument_type == "FUT" and index:
        return tick_from_bands(INDEX_FUTURE_TICK_BANDS, reference_price)
    return tick_from_bands(CASH_TICK_BANDS, reference_price)


# --- the factor model of the simulated market (DEMO, docs/market-model.md "Factor model") ---------
@dataclass(frozen=True, slots=True)
class FactorLoading:
    """Unit-variance path x = market·M + sector·S + idio·E (idio = sqrt(1 - market² - sector²))."""

    market: float
    sector_name: str | None = None
    sector: float = 0.0


# DEMO loadings chosen so the simulated correlations/betas sit in plausible ranges for 2024-26
# (NIFTY-SENSEX ~0.98, NIFTY-BANKNIFTY ~0.85, large caps' betas 0.6-1.2); not sourced figures.
FACTOR_LOADINGS: dict[str, FactorLoading] = {
    "NIFTY": FactorLoading(0.995),
    "SENSEX": FactorLoading(0.985, "largecap", 0.12),
    "BANKNIFTY": FactorLoading(0.86, "financials", 0.45),
    "FINNIFTY": FactorLoading(0.87, "financials", 0.42),
    "MIDCPNIFTY": FactorLoading(0.80, "midcap", 0.40),
    "RELIANCE": FactorLoading(0.57, "energy", 0.30),
    "HDFCBANK": FactorLoading(0.60, "financials", 0.45),
    "INFY": FactorLoading(0.40, "it", 0.60),
    "TCS": FactorLoading(0.36, "it", 0.60),
    "SBIN": FactorLoading(0.60, "financials", 0.40),
}
# Underlyings the table does not know (imported dumps) load 0.6 on the market (simulator.DEFAULT_FACTOR).

# India VIX level of the simulated market: VIX = floor + (median - floor)·e^(k·z), z a slow unit
# noise. Floor: the historic lows are 9.16 (Jul 2019) / 9.89 (2025 "lifetime low"), reference-data.md
# §6; median: the "typical calm regime ~10-20" of §6 (DEMO choice 13); k is DEMO.
VIX_FLOOR = 9.0
VIX_MEDIAN = 13.0
VIX_SHAPE = 0.55


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
