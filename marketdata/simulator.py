"""The simulated NSE/BSE market (the paper venue): quotes as a pure function of (instrument, time, seed).

No Django imports (checked by import-linter). Everything is deterministic: the same instrument,
instant and seed always give the same quote, so tests pin the clock with `at=`.

Model (all DEMO parameters, see contract_specs.py):
- Underlying log-price: a sum of value-noise octaves over a hash lattice (spacings 2 s ... ~24 days,
  ratio 4, amplitudes ∝ sqrt(spacing)) which has Brownian-like variance σ²·h from seconds to days
  but stays mean-reverting around the demo level over weeks. One evaluation costs O(#octaves),
  never a loop from midnight.
- Futures: cost of carry, F = S·e^(rT).
- Options: Black-76 on the future with a skewed smile; ATM vol has a mild term structure and a
  slow random level; India VIX = NIFTY ATM 30-day vol × 100, so VIX and the smile agree.
- Day OHLC: the path sampled on a 60 s grid from the day's 09:15 IST open (cached per underlying
  and day, extended incrementally), so open/high/low are consistent with the path; option OHLC
  is the option priced at the underlying's extremes (monotone in the underlying).
- Depth: 5 levels each side on the tick grid; spreads tight and books deep near the money on index
  contracts, wide and thin far OTM and on stock options; it changes every second.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

from marketdata.types import DepthLevel, Quote

IST = timezone(timedelta(hours=5, minutes=30))
UTC = UTC
YEAR_SECONDS = 365.0 * 86400.0
_M64 = (1 << 64) - 1
_SQRT3 = math.sqrt(3.0)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)

# Octave spacings in seconds (2 s .. 2^21 s ≈ 24 days). Amplitude so increments over h have
# variance ≈ h/YEAR (unit annual volatility); the octaves overlap little
# (measured: 1-minute and daily sd within 5% of σ·sqrt(h)).
_OCTAVES: tuple[tuple[float, float], ...] = tuple(
    (float(2 * 4**k), 1.0 * math.sqrt(2 * 4**k / YEAR_SECONDS) * _INV_SQRT2) for k in range(11)
)
# The slow octaves (1 h .. 24 days) that move the volatility level.
_VOL_OCTAVES: tuple[tuple[float, float], ...] = ((4096.0, 0.3), (32768.0, 0.5), (262144.0, 0.7), (2097152.0, 0.8))
_GRID_SECONDS = 60
SESSION_OPEN = time(9, 15)
SESSION_CLOSE = time(15, 30)
DEFAULT_CARRY = 0.065  # DEMO cost of carry (contract_specs.DEMO_CARRY_RATE)


def _mix(x: int) -> int:
    """splitmix64 finaliser: a fast, well-spread 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _unit(h: int) -> float:
    """Hash -> uniform in [0, 1)."""
    return (h >> 11) * (1.0 / 9007199254740992.0)


def _name_key(seed: int, name: str) -> int:
    return _mix((seed & _M64) ^ (zlib.crc32(name.encode()) << 20))


def _noise(key: int, octaves: tuple[tuple[float, float], ...], t: float) -> float:
    """Sum of linearly interpolated unit-variance lattice noises."""
    total = 0.0
    for i, (spacing, amp) in enumerate(octaves):
        u = t / spacing
        idx = math.floor(u)
        frac = u - idx
        okey = key + (i + 1) * 0x632BE59BD9B4E019
        a = _unit(_mix(okey + idx * 0x9E3779B97F4A7C15)) * 2.0 - 1.0
        b = _unit(_mix(okey + (idx + 1) * 0x9E3779B97F4A7C15)) * 2.0 - 1.0
        total += amp * _SQRT3 * (a + (b - a) * frac)
    return total


def norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x * _INV_SQRT2))


def black76(is_call: bool, forward: float, strike: float, years: float, vol: float, rate: float) -> float:
    """Black-76 price of a European option on a future (discounted at `rate`)."""
    if years <= 0.0 or vol <= 0.0 or forward <= 0.0 or strike <= 0.0:
        intrinsic = forward - strike if is_call else strike - forward
        return max(intrinsic, 0.0)
    sd = vol * math.sqrt(years)
    d1 = (math.log(forward / strike) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    df = math.exp(-rate * years)
    if is_call:
        return df * (forward * norm_cdf(d1) - strike * norm_cdf(d2))
    return df * (strike * norm_cdf(-d2) - forward * norm_cdf(-d1))


@dataclass(frozen=True, slots=True)
class SimInstrument:
    """What the simulator needs to know about one instrument (built from the instrument master)."""

    token: int
    kind: str  # INDEX, VIX, EQ, FUT, CE, PE
    underlying: str  # path key, e.g. "NIFTY"
    base_price: float  # centre of the underlying's path
    base_vol: float  # annualised ATM vol of the underlying
    tick: Decimal
    lot_size: int = 1
    strike: float | None = None
    expiry: date | None = None
    index_underlying: bool = True  # index contracts are liquid; stock options are not


@dataclass(frozen=True, slots=True)
class _DayPath:
    start: float  # epoch seconds of the day's 09:15 IST open
    prev_close_t: float


class MarketSimulator:
    """Deterministic quotes. One instance per process is enough; it caches path samples only."""

    def __init__(
        self,
        seed: int,
        *,
        carry_rate: float = DEFAULT_CARRY,
        vix_underlying: str = "NIFTY",
        vix_base: tuple[float, float] = (26000.0, 0.125),
    ) -> None:
        self.seed = seed
        self.carry_rate = carry_rate
        self.vix_underlying = vix_underlying
        self.vix_base = vix_base
        self._keys: dict[str, int] = {}
        # (underlying, day_start) -> [values on the 60 s grid from the open]; plus running extremes
        self._grid: dict[tuple[str, float], tuple[list[float], list[int], list[int]]] = {}
        self._spot: dict[tuple[str, float], float] = {}

    # --- underlying path ---------------------------------------------------------------------
    def _key(self, name: str) -> int:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = _name_key(self.seed, name)
        return key

    def _raw_spot(self, name: str, base: float, vol: float, t: float) -> float:
        return base * math.exp(vol * _noise(self._key(name), _OCTAVES, t))

    def spot_at(self, name: str, base: float, vol: float, t: float) -> float:
        """The underlying's value at epoch second `t` (float, not on the tick grid)."""
        ck = (name, t)
        value = self._spot.get(ck)
        if value is None:
            if len(self._spot) > 20000:
                self._spot.clear()
            value = self._spot[ck] = self._raw_spot(name, base, vol, t)
        return value

    def atm_vol30(self, name: str, base_vol: float, t: float) -> float:
        """The underlying's ATM 30-day implied vol at `t` (slowly wandering around base_vol)."""
        ck = (name, -t)  # shares the spot cache; negative time keys cannot clash with spot keys (t > 0)
        value = self._spot.get(ck)
        if value is None:
            value = self._spot[ck] = base_vol * math.exp(0.18 * _noise(self._key(name) ^ 0x5151, _VOL_OCTAVES, t))
        return value

    def atm_vol(self, name: str, base_vol: float, t: float, years: float) -> float:
        """ATM vol for a maturity: mild term structure, equal to atm_vol30 at 30 days."""
        v30 = self.atm_vol30(name, base_vol, t)
        days = max(years * 365.0, 0.5)
        return v30 * (1.0 + 0.06 * math.log(30.0 / days))

    def vix(self, t: float) -> float:
        """India VIX stand-in: the NIFTY smile's ATM 30-day vol × 100 (reference-data.md §6 definition)."""
        return 100.0 * self.atm_vol30(self.vix_underlying, self.vix_base[1], t)

    @staticmethod
    def smile(atm: float, forward: float, strike: float, years: float, index: bool) -> float:
        """Skewed smile: higher vol for low strikes (put skew), some curvature; floored at half the ATM."""
        sd = atm * math.sqrt(max(years, 1.0 / YEAR_SECONDS * 60))
        k = max(-5.0, min(5.0, math.log(strike / forward) / sd))
        slope, curve = (-0.09, 0.025) if index else (-0.05, 0.02)
        return atm * max(0.5, 1.0 + slope * k + curve * k * k)

    @staticmethod
    def day_of(t: float) -> _DayPath:
        """The simulated session day containing `t`: from 09:15 IST to the next day's 09:15 IST."""
        ist = datetime.fromtimestamp(t, IST)
        d = ist.date() if ist.time() >= SESSION_OPEN else ist.date() - timedelta(days=1)
        start = datetime.combine(d, SESSION_OPEN, IST).timestamp()
        prev_close = datetime.combine(d - timedelta(days=1), SESSION_CLOSE, IST).timestamp()
        return _DayPath(start, prev_close)

    def day_extremes(
        self, name: str, base: float, vol: float, day: _DayPath, t: float
    ) -> tuple[float, float, float, float]:
        """(max value, its time, min value, its time) of the path from the open to `t` (60 s grid + t).

        The grid and its running extremes are cached per underlying and day and extended
        incrementally, so a call costs O(1) after the first of the day.
        """
        key = (name, day.start)
        entry = self._grid.get(key)
        if entry is None:
            if len(self._grid) > 2000:
                self._grid.clear()
            entry = self._grid[key] = ([], [], [])
        values, hi_idx, lo_idx = entry
        n = int((t - day.start) // _GRID_SECONDS) + 1
        while len(values) < n:
            i = len(values)
            v = self._raw_spot(name, base, vol, day.start + i * _GRID_SECONDS)
            values.append(v)
            hi_idx.append(i if not i or v > values[hi_idx[-1]] else hi_idx[-1])
            lo_idx.append(i if not i or v < values[lo_idx[-1]] else lo_idx[-1])
        now = self.spot_at(name, base, vol, t)
        if n <= 0:
            return now, t, now, t
        hi_i, lo_i = hi_idx[n - 1], lo_idx[n - 1]
        hi, hi_t = values[hi_i], day.start + hi_i * _GRID_SECONDS
        lo, lo_t = values[lo_i], day.start + lo_i * _GRID_SECONDS
        if now > hi:
            hi, hi_t = now, t
        if now < lo:
            lo, lo_t = now, t
        return hi, hi_t, lo, lo_t

    # --- pricing ---------------------------------------------------------------------------------
    def _years_to_expiry(self, expiry: date | None, t: float) -> float:
        if expiry is None:
            return 0.0
        end = datetime.combine(expiry, SESSION_CLOSE, IST).timestamp()
        return max(0.0, (end - t) / YEAR_SECONDS)

    def theoretical(self, inst: SimInstrument, t: float, spot: float | None = None) -> float:
        """Fair value of `inst` at `t` (optionally at a given underlying level)."""
        if inst.kind == "VIX":
            return self.vix(t)
        s = self.spot_at(inst.underlying, inst.base_price, inst.base_vol, t) if spot is None else spot
        if inst.kind in ("INDEX", "EQ"):
            return s
        years = self._years_to_expiry(inst.expiry, t)
        forward = s * math.exp(self.carry_rate * years)
        if inst.kind == "FUT":
            return forward
        strike = inst.strike or s
        atm = self.atm_vol(inst.underlying, inst.base_vol, t, years)
        vol = self.smile(atm, forward, strike, years, inst.index_underlying)
        return black76(inst.kind == "CE", forward, strike, years, vol, self.carry_rate)

    def _liquidity(self, inst: SimInstrument, t: float, spot: float) -> float:
        """0 (thin) .. 1 (deep)."""
        if inst.kind == "FUT":
            return 1.0 if inst.index_underlying else 0.7
        if inst.kind == "EQ":
            return 0.8
        if inst.kind not in ("CE", "PE"):
            return 0.0
        years = max(self._years_to_expiry(inst.expiry, t), 1.0 / 365.0)
        sd = inst.base_vol * math.sqrt(years)
        k = math.log((inst.strike or spot) / spot) / sd
        m = math.exp(-0.5 * (k / 1.5) ** 2)
        return 0.12 + 0.88 * m if inst.index_underlying else 0.04 + 0.36 * m

    # --- the quote -------------------------------------------------------------------------------
    def quote(self, inst: SimInstrument, at: datetime) -> Quote:
        t = at.timestamp()
        tick = inst.tick if inst.tick > 0 else Decimal("0.05")
        tick_f = float(tick)
        day = self.day_of(t)
        if inst.kind == "VIX":
            return self._index_quote(inst, at, t, day, tick, tick_f, vix=True)
        base, vol, name = inst.base_price, inst.base_vol, inst.underlying
        spot = self.spot_at(name, base, vol, t)
        if inst.kind == "INDEX":
            return self._index_quote(inst, at, t, day, tick, tick_f)

        mid = self.theoretical(inst, t, spot)
        open_v = self.theoretical(inst, day.start, self.spot_at(name, base, vol, day.start))
        close_v = self.theoretical(inst, day.prev_close_t, self.spot_at(name, base, vol, day.prev_close_t))
        hi_s, hi_t, lo_s, lo_t = self.day_extremes(name, base, vol, day, t)
        at_hi = self.theoretical(inst, hi_t, hi_s)
        at_lo = self.theoretical(inst, lo_t, lo_s)

        # Everything on the tick grid, as integer tick counts; options never below one tick.
        floor_ticks = 1 if inst.kind in ("CE", "PE") else 0

        def ticks(v: float) -> int:
            return max(floor_ticks, int(round(v / tick_f)))

        h = _mix(self._key(name) ^ (inst.token << 24) ^ int(t))
        liq = self._liquidity(inst, t, spot)
        mid_t = mid / tick_f
        if inst.kind in ("CE", "PE"):
            rel = 0.0004 + 0.05 * (1.0 - liq) ** 2
            spread = max(1, int(round(mid * rel / tick_f))) + int((1.0 - liq) * 3) + (h & 1)
        else:
            spread = 1 + (h % 3) + int((1.0 - liq) * 8)
        bid = max(floor_ticks, int(math.floor(mid_t - spread / 2.0)))
        if inst.kind in ("CE", "PE") and bid < 1:
            bid = 1
        ask = bid + spread
        ltp = min(max(ticks(mid), bid), ask)
        o = ticks(open_v)
        c = ticks(close_v)
        hi = max(o, ltp, ticks(max(at_hi, at_lo)))
        lo = min(o, ltp, ticks(min(at_hi, at_lo)))

        buy, sell = self._depth(inst, h, liq, bid, ask, tick)
        lot = max(1, inst.lot_size)
        # Volume accumulates over the simulated day (24 h: the demo venue trades around the clock).
        frac = min(1.0, max(0.0, (t - day.start) / 86400.0))
        if inst.kind in ("CE", "PE", "FUT"):
            day_lots = (2_000_000 if inst.index_underlying else 60_000) * liq**2
        else:
            day_lots = 3_000_000 * liq
        vol_units = int(day_lots * (frac + 0.006 * math.sin(14 * math.pi * frac))) * lot
        vol_units = max(0, vol_units)
        oi = 0
        if inst.kind in ("CE", "PE", "FUT"):
            oi_lots = (800_000 if inst.index_underlying else 40_000) * liq**2
            oi = int(oi_lots * (1.0 + 0.1 * _noise(self._key(name) ^ inst.token, _VOL_OCTAVES[:2], t))) * lot
        last_qty = lot * (1 + (h >> 8) % 10) if inst.kind != "EQ" else 1 + (h >> 8) % 200
        avg = int(round((o + hi + lo + ltp) / 4.0))
        if inst.kind in ("CE", "PE"):
            lower_c, upper_c = 1, max(c * 3, c + ticks(spot * 0.05))  # DEMO option price band
        else:
            lower_c, upper_c = int(c * 0.9), int(math.ceil(c * 1.1))  # DEMO ±10% band
        return Quote(
            instrument_token=inst.token,
            timestamp=at.astimezone(UTC),
            last_price=tick * ltp,
            last_quantity=last_qty,
            average_price=tick * avg,
            volume=vol_units,
            oi=max(0, oi),
            open=tick * o,
            high=tick * hi,
            low=tick * lo,
            close=tick * c,
            lower_circuit_limit=tick * lower_c,
            upper_circuit_limit=tick * upper_c,
            buy_depth=buy,
            sell_depth=sell,
        )

    def _index_quote(
        self,
        inst: SimInstrument,
        at: datetime,
        t: float,
        day: _DayPath,
        tick: Decimal,
        tick_f: float,
        vix: bool = False,
    ) -> Quote:
        """Indices have no order book and no volume (as on Kite): value and OHLC only."""
        if vix:
            now, o, c = self.vix(t), self.vix(day.start), self.vix(day.prev_close_t)
            samples = [self.vix(day.start + i * 900) for i in range(int((t - day.start) // 900) + 1)]
            hi_v, lo_v = max(samples + [now]), min(samples + [now])
        else:
            name, base, vol = inst.underlying, inst.base_price, inst.base_vol
            now = self.spot_at(name, base, vol, t)
            o = self.spot_at(name, base, vol, day.start)
            c = self.spot_at(name, base, vol, day.prev_close_t)
            hi_v, _, lo_v, _ = self.day_extremes(name, base, vol, day, t)

        def ticks(v: float) -> int:
            return int(round(v / tick_f))

        ltp, ot, ct = ticks(now), ticks(o), ticks(c)
        hi, lo = max(ltp, ot, ticks(hi_v)), min(ltp, ot, ticks(lo_v))
        zero = Decimal(0)
        return Quote(
            instrument_token=inst.token,
            timestamp=at.astimezone(UTC),
            last_price=tick * ltp,
            last_quantity=0,
            average_price=zero,
            volume=0,
            oi=0,
            open=tick * ot,
            high=tick * hi,
            low=tick * lo,
            close=tick * ct,
            lower_circuit_limit=zero,
            upper_circuit_limit=zero,
        )

    @staticmethod
    def _depth(
        inst: SimInstrument, h: int, liq: float, bid: int, ask: int, tick: Decimal
    ) -> tuple[tuple[DepthLevel, ...], tuple[DepthLevel, ...]]:
        """5 levels each side: prices step away from the touch; sizes in whole lots."""
        lot = max(1, inst.lot_size)
        if inst.kind == "EQ":
            base_units = 20 + liq * 3000
        else:
            base_lots = 1 + (liq**2) * (150 if inst.index_underlying else 12)
            base_units = base_lots * lot
        max_gap = 1 if liq > 0.6 else 1 + int((1.0 - liq) * 4)
        sides: list[tuple[DepthLevel, ...]] = []
        for side, touch, direction in ((0, bid, -1), (1, ask, 1)):
            levels = []
            price = touch
            state = _mix(h ^ (side + 1) * 0xA24BAED4963EE407)
            for level in range(5):
                if level:
                    price += direction * (1 + (state >> 5) % max_gap)
                if price < 1:
                    break
                u = _unit(state)
                units = base_units * (0.25 + 1.5 * u) * (1.0 + 0.3 * level)
                qty = max(lot, int(units / lot) * lot)
                orders = max(1, min(qty // lot if inst.kind != "EQ" else qty, 1 + int(qty / lot / (2.0 + 4.0 * u))))
                levels.append(DepthLevel(price=tick * price, quantity=qty, orders=orders))
                state = _mix(state)
            sides.append(tuple(levels))
        return sides[0], sides[1]


def epoch(at: datetime) -> float:
    return at.timestamp()
