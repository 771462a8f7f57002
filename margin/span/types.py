"""SPAN value types: scenarios, risk arrays, contracts, spreads, positions and results.

Pure (no Django). Money is Decimal at every boundary. Risk-array values are held as integers in
units of 1/10_000 rupee (`RA_SCALE`): NSE files print them with 2 decimals, so the conversion is
exact, the engine sums them with exact integer arithmetic (fast for baskets) and the memory of a
full file (~140k arrays) stays small. Values finer than 1/10_000 are refused, never rounded silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

RA_DECIMALS = 4
RA_SCALE = 10**RA_DECIMALS
_RA_QUANTUM = Decimal(1).scaleb(-RA_DECIMALS)
SCENARIO_COUNT = 16


class ContractKind(StrEnum):
    """The portfolio types of §3.2: `phyPf` (PHY), `futPf` (FUT), `oopPf` options (C/P)."""

    PHYSICAL = "PHY"
    FUTURE = "FUT"
    CALL = "C"
    PUT = "P"

    @property
    def is_option(self) -> bool:
        return self in (ContractKind.CALL, ContractKind.PUT)


def to_ra_units(value: Decimal) -> int:
    """Decimal rupees -> integer 1/10_000 rupee; refuses values that would need rounding."""
    scaled = value.scaleb(RA_DECIMALS)
    units = int(scaled)
    if scaled != units:
        raise ValueError(f"risk-array value {value} has more than {RA_DECIMALS} decimals")
    return units


def from_ra_units(units: int) -> Decimal:
    return (Decimal(units) / RA_SCALE).quantize(_RA_QUANTUM)


@dataclass(frozen=True, slots=True)
class ScenarioDef:
    """One risk scenario: price move as a fraction of the price scan range, vol move in vol scan ranges.

    `cover` is the fraction of the loss the exchange counts (0.35 for the extreme moves). NSE bakes
    it into the published array values (§3.3), so the engine never re-weights file arrays; the
    synthetic generator applies it when building arrays.
    """

    point: int
    price_move: Decimal
    vol_move: int
    cover: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class RiskArray:
    """Loss per 1 long unit in each of the 16 scenarios (loss positive, gain negative) + composite delta."""

    values: tuple[int, ...]  # RA units (1/10_000 rupee)
    composite_delta: Decimal

    def __post_init__(self) -> None:
        if len(self.values) != SCENARIO_COUNT:
            raise ValueError(f"a risk array has {SCENARIO_COUNT} values, got {len(self.values)}")

    @classmethod
    def from_decimals(cls, values: Sequence[Decimal], composite_delta: Decimal) -> RiskArray:
        return cls(tuple(to_ra_units(v) for v in values), composite_delta)

    def losses(self) -> tuple[Decimal, ...]:
        return tuple(from_ra_units(v) for v in self.values)

    def worst_loss(self) -> Decimal:
        """Worst loss for 1 long unit: the long's scan risk per unit (never below zero)."""
        return max(from_ra_units(max(self.values)), Decimal(0))

    def negated(self) -> RiskArray:
        return RiskArray(tuple(-v for v in self.values), -self.composite_delta)


@dataclass(frozen=True, slots=True)
class ScanRate:
    """The scan ranges of a contract/series: price scan range in rupees per unit, vol scan range (absolute)."""

    price_scan: Decimal
    vol_scan: Decimal


@dataclass(frozen=True, slots=True)
class Contract:
    """One instrument of the file, per 1 unit of underlying (NSE: cvf = 1, lots are not in the file)."""

    underlying: str  # the combined commodity code (`cc`, == `pfCode` in NSE files)
    kind: ContractKind
    expiry: date | None  # `pe` as a date (None for the physical)
    strike: Decimal | None
    price: Decimal  # settlement price / premium (`p`)
    risk_array: RiskArray
    contract_id: str = ""  # `cId`
    delta: Decimal | None = None  # the option's own `d` (not the composite delta)
    volatility: Decimal | None = None  # `v`
    scan_rate: ScanRate | None = None
    period: str = ""  # the file's `pe` (what spread legs refer to); YYYYMMDD of the expiry if not given

    @property
    def month(self) -> str:
        if self.period:
            return self.period
        return self.expiry.strftime("%Y%m%d") if self.expiry else ""

    @property
    def key(self) -> ContractKey:
        return ContractKey(self.underlying, self.kind, self.expiry, self.strike)


@dataclass(frozen=True, slots=True)
class ContractKey:
    underlying: str
    kind: ContractKind
    expiry: date | None
    strike: Decimal | None


@dataclass(frozen=True, slots=True)
class SpreadLeg:
    """One leg of an intra-commodity (calendar) spread: a contract month (`pe`) and a side (`rs` A or B)."""

    period: str  # YYYYMM or YYYYMMDD as in the file
    side: str  # "A" or "B"
    ratio: Decimal = Decimal(1)  # `i`, delta per spread


@dataclass(frozen=True, slots=True)
class DeltaSpread:
    """A `dSpread`: charge `rate` per matched delta unit between two months, applied by priority."""

    priority: int
    rate: Decimal
    legs: tuple[SpreadLeg, SpreadLeg]
    charge_method: str = "F"  # flat rate per spread (the only method in NSE files, §3.2)


@dataclass(frozen=True, slots=True)
class Tier:
    """A month tier (`scanTiers`/`intraTiers`/`interTiers`): tier number and period range."""

    number: int
    start: str
    end: str


@dataclass(frozen=True, slots=True)
class CombinedCommodity:
    """A `ccDef`: the spreads and short option minimum of one underlying."""

    code: str
    name: str = ""
    spreads: tuple[DeltaSpread, ...] = ()
    som_rate: Decimal = Decimal(0)  # short option minimum per short option unit (0 in NSE index files)
    intra_tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True, slots=True)
class SpanFileInfo:
    file_format: str
    created: str
    business_date: date | None
    is_settlement: bool


@dataclass(slots=True)
class SpanData:
    """Everything the engine needs from one SPAN file (or built by hand / synthetically)."""

    info: SpanFileInfo
    scenarios: tuple[ScenarioDef, ...]
    commodities: dict[str, CombinedCommodity] = field(default_factory=dict)
    contracts: dict[ContractKey, Contract] = field(default_factory=dict)
    spot: dict[str, Decimal] = field(default_factory=dict)  # phy `p` per underlying

    def contract(
        self, underlying: str, kind: ContractKind, expiry: date | None = None, strike: Decimal | None = None
    ) -> Contract:
        return self.contracts[ContractKey(underlying, kind, expiry, None if strike is None else Decimal(strike))]


@dataclass(frozen=True, slots=True)
class Position:
    """A signed quantity in units (not lots) of one contract: long positive, short negative."""

    contract: Contract
    quantity: int


@dataclass(frozen=True, slots=True)
class UnderlyingMargin:
    underlying: str
    scenario_losses: tuple[Decimal, ...]
    worst_scenario: int  # 1-based scenario number of the scan risk (0 when nothing is at risk)
    scan_risk: Decimal
    calendar_spread_charge: Decimal
    short_option_minimum: Decimal
    net_option_value: Decimal  # long options +, short −
    span: Decimal


@dataclass(frozen=True, slots=True)
class ExposureLine:
    contract: Contract
    quantity: int
    notional: Decimal
    rate: Decimal
    amount: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class PortfolioMargin:
    by_underlying: Mapping[str, UnderlyingMargin]
    span: Decimal
    exposure: Decimal
    exposure_lines: tuple[ExposureLine, ...]
    premium: Decimal  # premium payable for bought options (collected upfront, outside SPAN)

    @property
    def total(self) -> Decimal:
        """Initial margin: SPAN + exposure. The bought options' premium is shown separately (§3.4)."""
        return self.span + self.exposure
