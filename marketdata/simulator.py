"""The simulated NSE/BSE market (the paper venue): quotes as a pure function of (instrument, time, seed).

No Django imports (checked by import-linter). Everything is deterministic: the same instrument,
instant and seed always give the same quote, so tests pin the clock with `at=`.
The model and every number in it are described in docs/market-model.md (sourced facts cited
there; the rest is marked DEMO). In short:
- Business time: variance accrues on a clock that runs fast in the 09:15-15:30 IST session
  (SESSION_SHARE of a trading day's variance), slowly overnight and very slowly on weekends and
  holidays (NON_TRADING_DAY_UNITS), so 1-minute returns in the session annualise like the implied
  vol and the day's high-low range is the real one, while the always-open paper venue still moves.
- Factor model: each underlying's unit path is market·M + sector·S + idio·E (loadings from
  contract_specs.FACTOR_LOADINGS), so indices move together and stocks have betas to NIFTY.
  Each factor is value noise over a hash lattice (octaves 2 s ... ~24 days of business time,
  ratio 4, amplitudes ∝ sqrt(spacing)): Brownian-like variance from seconds to days, mean
  reverting around the demo level over weeks; one evaluation costs O(#octaves).
- Volatility regime: India VIX = floor + (median - floor)·e^(k·z) with z a slow noise; it scales
  the fast (intraday) octaves of every path and every underlying's implied vol, so realised and
  implied move together. NIFTY's ATM 30-day vol is VIX/100 (reference-data.md §6 definition).
- Futures: cost of carry, F = S·e^(rT). Options: Black-76 on the future with a skewed smile.
- Day OHLC: the path sampled on a 60 s grid from the day's 09:15 IST open (cached per underlying
  and day, extended incrementally); option OHLC is the option priced at the underlying's extremes.
- Depth: 5 levels each side on the instrument's own tick grid, sized by instrument class (index
  futures near/next/far, stock futures, equities, options by moneyness, tenor and underlying;
  expiry-day OTM options at one/two ticks with large size). F&O sizes are whole lots (every F&O
  order is a lot multiple, so every level is).
- Expiry: from the expiry day's 15:30 IST close the contract's quote is frozen at its final
  settlement (futures: the spot close; options: intrinsic value), with no book.
"""

from __future__ import annotations

import bisect
import math
import threading
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

from marketdata.types import DepthLevel, Quote

IST = timezone(timedelta(hours=5, minutes=30))
UTC = UTC
YEAR_SECONDS = 365.0 * 86400.0
_M64 = (1 << 64) - 1
_SQRT3 = math.sqrt(3.0)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)

# Octave spacings in seconds of business time (2 s .. 2^21 s ≈ 24 days). Amplitude so increments
# over h have variance ≈ h/YEAR (unit annual volatility); the octaves overlap little.
_OCTAVES: tuple[tuple[float, float], ...] = tuple(
    (float(2 * 4**k), 1.0 * math.sqrt(2 * 4**k / YEAR_SECONDS) * _INV_SQRT2) for k in range(11)
)
# Octaves up to this index (2 s .. 8192 s) are "fast": scaled by the volatility regime.
_FAST_OCTAVES = 7
# The slow octaves (1 h .. 24 days) that move the volatility level; _VOL_SD normalises their sum.
_VOL_OCTAVES: tuple[tuple[float, float], ...] = ((4096.0, 0.3), (32768.0, 0.5), (262144.0, 0.7), (2097152.0, 0.8))
_VOL_SD = math.sqrt(sum(a * a for _, a in _VOL_OCTAVES) * 2.0 / 3.0)
_GRID_SECONDS = 60
SESSION_OPEN = time(9, 15)
SESSION_CLOSE = time(15, 30)
DEFAULT_CARRY = 0.065  # DEMO cost of carry (contract_specs.DEMO_CARRY_RATE)

# --- business time (docs/market-model.md "Business time"; DEMO shares) ---------------------------
_DAY = 86400.0
_IST_OFFSET = 19800
_OPEN_S = 9 * 3600 + 15 * 60
_CLOSE_S = 15 * 3600 + 30 * 60
_SESSION_S = _CLOSE_S - _OPEN_S
NON_TRADING_DAY_UNITS = 0.1  # a weekend day / holiday carries 0.1 of a calendar day's variance
TRADING_DAY_UNITS = (7.0 - 2.0 * NON_TRADING_DAY_UNITS) / 5.0  # so a calendar week carries 7 days
SESSION_SHARE = 0.85  # share of a trading day's variance inside 09:15-15:30 (the rest: overnight)
_RATE_SESSION = SESSION_SHARE * TRADING_DAY_UNITS * _DAY / _SESSION_S
_RATE_NIGHT = (1.0 - SESSION_SHARE) * TRADING_DAY_UNITS * _DAY / (_DAY - _SESSION_S)
_TAU_OPEN = _OPEN_S * _RATE_NIGHT
_TAU_CLOSE = _TAU_OPEN + _SESSION_S * _RATE_SESSION
# weekdays among the first r days of a week that starts on a Thursday (1970-01-01 was a Thursday)
_WEEKDAYS_PREFIX = tuple(sum(1 for i in range(r) if (i + 3) % 7 < 5) for r in range(8))

DEFAULT_FACTOR = (0.6, None, 0.0)


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


def _noise2(key: int, t: float) -> tuple[float, float]:
    """(fast, slow) parts of the path noise over _OCTAVES."""
    fast = slow = 0.0
    for i, (spacing, amp) in enumerate(_OCTAVES):
        u = t / spacing
        idx = math.floor(u)
        frac = u - idx
        okey = key + (i + 1) * 0x632BE59BD9B4E019
        a = _unit(_mix(okey + idx * 0x9E3779B97F4A7C15)) * 2.0 - 1.0
        b = _unit(_mix(okey + (idx + 1) * 0x9E3779B97F4A7C15)) * 2.0 - 1.0
        v = amp * _SQRT3 * (a + (b - a) * frac)
        if i < _FAST_OCTAVES:
            fast += v
        else:
            slow += v
    return fast, slow


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
    tick: Decimal  # the instrument's own tick (the master's tick_size)
    lot_size: int = 1
    strike: float | None = None
    expiry: date | None = None
    index_underlying: bool = True  # index contracts are liquid; stock options are not


@dataclass(frozen=True, slots=True)
class _DayPath:
    start: float  # epoch seconds of the day's 09:15 IST open
    prev_close_t: float  # epoch seconds of the previous trading day's 15:30 IST close
    tau_start: float = 0.0  # business time at the open
    tau_end: float = 0.0  # business time at the next day's open


class MarketSimulator:
    """Deterministic quotes. One instance per process is enough; it caches path samples only.

    factors: underlying -> (market loading, sector name or None, sector loading) (contract_specs
    FACTOR_LOADINGS); holidays/special_sessions: the exchange calendar's weekday holidays and
    weekend sessions (static data, so the path never depends on database state);
    vix_level: (floor, median, shape) of India VIX.
    """

    def __init__(
        self,
        seed: int,
        *,
        carry_rate: float = DEFAULT_CARRY,
        vix_underlying: str = "NIFTY",
        vix_base: tuple[float, float] = (26000.0, 0.125),
        factors: Mapping[str, tuple[float, str | None, float]] | None = None,
        holidays: Iterable[date] = (),
        special_sessions: Iterable[date] = (),
        vix_level: tuple[float, float, float] = (9.0, 13.0, 0.55),
    ) -> None:
        self.seed = seed
        self.carry_rate = carry_rate
        self.vix_underlying = vix_underlying
        self.vix_base = vix_base
        self.vix_level = vix_level
        self._factors: dict[str, tuple[float, str | None, float]] = dict(factors or {})
        self._factors.setdefault(vix_underlying, (0.995, None, 0.0))
        epoch0 = date(1970, 1, 1)
        self._holidays = sorted({(d - epoch0).days for d in holidays if d.weekday() < 5})
        self._holiday_set = frozenset(self._holidays)
        self._specials = sorted({(d - epoch0).days for d in special_sessions if d.weekday() >= 5})
        self._special_set = frozenset(self._specials)
        self._keys: dict[str, int] = {}
        self._loadings: dict[str, tuple[tuple[int, float], ...]] = {}
        self._days: dict[int, tuple[float, bool]] = {}
        # (underlying, day_start) -> [values on the 60 s grid from the open]; plus running extremes
        self._grid: dict[tuple[str, float], tuple[list[float], list[int], list[int]]] = {}
        self._spot: dict[tuple[str, float], float] = {}
        self._fac: dict[tuple[int, float], tuple[float, float]] = {}
        self._day_paths: dict[int, _DayPath] = {}
        self._grid_lock = threading.Lock()
        self._expiry_close: dict[date, float] = {}

    # --- business time -----------------------------------------------------------------------
    def is_trading_day_index(self, day: int) -> bool:
        """Whether the IST calendar day `day` (days since 1970-01-01) is a trading day."""
        if (day + 3) % 7 < 5:
            return day not in self._holiday_set
        return day in self._special_set

    def _day_info(self, day: int) -> tuple[float, bool]:
        """(business time at the day's IST midnight, is a trading day)."""
        info = self._days.get(day)
        if info is None:
            weekdays = (day // 7) * 5 + _WEEKDAYS_PREFIX[day % 7]
            trading_before = (
                weekdays - bisect.bisect_left(self._holidays, day) + bisect.bisect_left(self._specials, day)
            )
            base = (trading_before * TRADING_DAY_UNITS + (day - trading_before) * NON_TRADING_DAY_UNITS) * _DAY
            if len(self._days) > 5000:
                self._days.clear()
            info = self._days[day] = (base, self.is_trading_day_index(day))
        return info

    def business_time(self, t: float) -> float:
        """Seconds of business time at epoch second `t`: on average one per wall second, but
        concentrated in the session (docs/market-model.md "Business time")."""
        local = t + _IST_OFFSET
        day = int(local // _DAY)
        sec = local - day * _DAY
        base, trading = self._day_info(day)
        if not trading:
            return base + sec * NON_TRADING_DAY_UNITS
        if sec < _OPEN_S:
            return base + sec * _RATE_NIGHT
        if sec < _CLOSE_S:
            return base + _TAU_OPEN + (sec - _OPEN_S) * _RATE_SESSION
        return base + _TAU_CLOSE + (sec - _CLOSE_S) * _RATE_NIGHT

    # --- underlying path ---------------------------------------------------------------------
    def _key(self, name: str) -> int:
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = _name_key(self.seed, name)
        return key

    def _loading(self, name: str) -> tuple[tuple[int, float], ...]:
        """((factor key, loading), ...): market, sector (if any), idiosyncratic."""
        out = self._loadings.get(name)
        if out is None:
            market, sector_name, sector = self._factors.get(name, DEFAULT_FACTOR)
            idio = math.sqrt(max(0.0, 1.0 - market * market - sector * sector))
            parts = [(self._key("@market"), market)]
            if sector_name and sector:
                parts.append((self._key("@sector:" + sector_name), sector))
            parts.append((self._key(name), idio))
            out = self._loadings[name] = tuple(parts)
        return out

    def _factor(self, key: int, tau: float) -> tuple[float, float]:
        ck = (key, tau)
        value = self._fac.get(ck)
        if value is None:
            if len(self._fac) > 30000:
                self._fac.clear()
            value = self._fac[ck] = _noise2(key, tau)
        return value

    def _raw_spot(self, name: str, base: float, vol: float, t: float) -> float:
        tau = self.business_time(t)
        fast = slow = 0.0
        for key, weight in self._loading(name):
            f, s_ = self._factor(key, tau)
            fast += weight * f
            slow += weight * s_
        regime = self.vix(t) / self.vix_level[1]
        return base * math.exp(vol * (regime * fast + slow))

    def spot_at(self, name: str, base: float, vol: float, t: float) -> float:
        """The underlying's value at epoch second `t` (float, not on the tick grid)."""
        ck = (name, t)
        value = self._spot.get(ck)
        if value is None:
            if len(self._spot) > 20000:
                self._spot.clear()
            value = self._spot[ck] = self._raw_spot(name, base, vol, t)
        return value

    def vix(self, t: float) -> float:
        """India VIX stand-in: floor + (median - floor)·e^(shape·z), z a slow unit noise in business
        time; by construction the NIFTY smile's ATM 30-day vol × 100 (reference-data.md §6)."""
        ck = ("@vix", t)
        value = self._spot.get(ck)
        if value is None:
            floor, median, shape = self.vix_level
            z = _noise(self._key("@vix") ^ 0x5151, _VOL_OCTAVES, self.business_time(t)) / _VOL_SD
            value = self._spot[ck] = floor + (median - floor) * math.exp(shape * z)
        return value

    def atm_vol30(self, name: str, base_vol: float, t: float) -> float:
        """The underlying's ATM 30-day implied vol at `t`: VIX/100 for NIFTY; other underlyings
        follow the same volatility regime with a small idiosyncratic wobble."""
        vix = self.vix(t)
        if name == self.vix_underlying:
            return vix / 100.0
        ck = (name, -t)  # negative time keys cannot clash with spot keys (t > 0)
        value = self._spot.get(ck)
        if value is None:
            wobble = 0.08 * _noise(self._key(name) ^ 0x5151, _VOL_OCTAVES, self.business_time(t)) / _VOL_SD
            value = self._spot[ck] = base_vol * vix / self.vix_level[1] * math.exp(wobble)
        return value

    def atm_vol(self, name: str, base_vol: float, t: float, years: float) -> float:
        """ATM vol for a maturity: mild term structure, equal to atm_vol30 at 30 days."""
        v30 = self.atm_vol30(name, base_vol, t)
        days = max(years * 365.0, 0.5)
        return v30 * (1.0 + 0.06 * math.log(30.0 / days))

    @staticmethod
    def smile(atm: float, forward: float, strike: float, years: float, index: bool) -> float:
        """Skewed smile: higher vol for low strikes (put skew), some curvature; floored at half the ATM."""
        sd = atm * math.sqrt(max(years, 1.0 / YEAR_SECONDS * 60))
        k = max(-5.0, min(5.0, math.log(strike / forward) / sd))
        slope, curve = (-0.09, 0.025) if index else (-0.05, 0.02)
        return atm * max(0.5, 1.0 + slope * k + curve * k * k)

    def day_of(self, t: float) -> _DayPath:
        """The simulated session day containing `t`: from 09:15 IST to the next day's 09:15 IST;
        its previous close is the previous trading day's 15:30 IST."""
        d = int((t + _IST_OFFSET - _OPEN_S) // _DAY)  # IST date of the session day, days since epoch
        path = self._day_paths.get(d)
        if path is None:
            prev = d - 1
            for _ in range(15):
                if self.is_trading_day_index(prev):
                    break
                prev -= 1
            start = d * _DAY + _OPEN_S - _IST_OFFSET
            if len(self._day_paths) > 5000:
                self._day_paths.clear()
            path = self._day_paths[d] = _DayPath(
                start, prev * _DAY + _CLOSE_S - _IST_OFFSET, self.business_time(start), self.business_time(start + _DAY)
            )
        return path

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
        if len(values) < n:
            with self._grid_lock:  # worker threads share the simulator: extend the grid once
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
    def expiry_close(self, expiry: date) -> float:
        """Epoch seconds of the expiry day's 15:30 IST close (final settlement)."""
        value = self._expiry_close.get(expiry)
        if value is None:
            value = self._expiry_close[expiry] = datetime.combine(expiry, SESSION_CLOSE, IST).timestamp()
        return value

    def _years_to_expiry(self, expiry: date | None, t: float) -> float:
        if expiry is None:
            return 0.0
        return max(0.0, (self.expiry_close(expiry) - t) / YEAR_SECONDS)

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

    # --- the quote -------------------------------------------------------------------------------
    def quote(self, inst: SimInstrument, at: datetime) -> Quote:
        t = at.timestamp()
        if inst.expiry is not None and inst.kind in ("FUT", "CE", "PE"):
            end = self.expiry_close(inst.expiry)
            if t >= end:
                return self._settled_quote(inst, end)
        return self._live_quote(inst, at, t)

    def _settled_quote(self, inst: SimInstrument, end: float) -> Quote:
        """After the expiry close: frozen at the final settlement price (futures: the spot close;
        options: intrinsic value at it, reference-data.md §5.3), no book, nothing moves."""
        end_at = datetime.fromtimestamp(end, UTC)
        last = self._live_quote(inst, end_at - timedelta(seconds=1), end - 1.0)
        tick = inst.tick if inst.tick > 0 else Decimal("0.05")
        settle = self.theoretical(inst, end)  # years = 0: forward = spot, options intrinsic
        settle_d = tick * int(round(settle / float(tick)))
        return replace(
            last,
            timestamp=end_at,
            last_price=settle_d,
            last_quantity=0,
            high=max(last.high, settle_d),
            low=min(last.low, settle_d),
            buy_depth=(),
            sell_depth=(),
        )

    def _live_quote(self, inst: SimInstrument, at: datetime, t: float) -> Quote:
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
        is_option = inst.kind in ("CE", "PE")
        floor_ticks = 1 if is_option else 0

        def ticks(v: float) -> int:
            return max(floor_ticks, int(round(v / tick_f)))

        h = _mix(self._key(name) ^ (inst.token << 24) ^ int(t))
        prof = self._profile(inst, t, spot, mid, tick_f, h)
        spread, top_lots, max_gap, order_lots, activity = prof
        mid_t = mid / tick_f
        bid = max(floor_ticks, int(math.floor(mid_t - spread / 2.0 + 0.5)))
        ask = bid + spread
        ltp = min(max(ticks(mid), bid), ask)
        o = ticks(open_v)
        c = ticks(close_v)
        hi = max(o, ltp, ticks(max(at_hi, at_lo)))
        lo = min(o, ltp, ticks(min(at_hi, at_lo)))

        buy, sell = self._depth(inst, h, bid, ask, tick, top_lots, max_gap, order_lots)
        lot = max(1, inst.lot_size)
        # Volume accumulates over the simulated day in business time (so mostly in the session).
        tau0 = day.tau_start
        frac = min(1.0, max(0.0, (self.business_time(t) - tau0) / max(1.0, day.tau_end - tau0)))
        tok = _mix(self._key(name) ^ (inst.token * 0x9E3779B97F4A7C15))
        day_f = 0.6 + 0.8 * _unit(_mix(tok ^ int(day.start)))  # busier and quieter days
        tok_f = 0.5 + _unit(tok)  # per-contract interest (a CE and PE of a strike differ)
        if is_option and ((inst.strike or spot) > spot) != (inst.kind == "CE"):
            tok_f *= 0.3  # in-the-money contracts trade far less than out-of-the-money ones
        if inst.kind == "EQ":
            day_units = 3_000_000 * activity * tok_f * day_f
        else:
            if inst.kind == "FUT":
                day_lots = 150_000 if inst.index_underlying else 20_000  # DEMO lots a day, near month
            else:
                day_lots = 2_000_000 if inst.index_underlying else 40_000  # DEMO lots a day, ATM weekly
            day_units = day_lots * activity * tok_f * day_f * lot
        vol_units = int(day_units * frac / lot) * lot if inst.kind != "EQ" else int(day_units * frac)
        oi = 0
        if inst.kind != "EQ":
            oi_lots = (600_000 if inst.index_underlying else 30_000) * activity * (0.5 + _unit(_mix(tok)))
            oi = int(oi_lots * (1.0 + 0.1 * _noise(tok, _VOL_OCTAVES[:2], t))) * lot
        last_qty = lot * (1 + (h >> 8) % 10) if inst.kind != "EQ" else 1 + (h >> 8) % 200
        avg = int(round((o + hi + lo + ltp) / 4.0))
        if is_option:
            lower_c, upper_c = 1, max(c * 3, c + ticks(spot * 0.05))  # DEMO option price band
        else:
            lower_c, upper_c = int(c * 0.9), int(math.ceil(c * 1.1))  # DEMO ±10% band
        return Quote(
            instrument_token=inst.token,
            timestamp=at.astimezone(UTC),
            last_price=tick * ltp,
            last_quantity=last_qty,
            average_price=tick * avg,
            volume=max(0, vol_units),
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

    def _profile(
        self, inst: SimInstrument, t: float, spot: float, mid: float, tick_f: float, h: int
    ) -> tuple[int, float, int, float, float]:
        """(spread in ticks, top-of-book size in lots (units for EQ), max gap between levels in
        ticks, average order size in lots, trading activity 0..1) by instrument class
        (docs/market-model.md "Depth")."""
        u = _unit(_mix(h ^ 0x51ED27))
        if inst.kind == "EQ":
            return 1 + (h & 1), 200 + 2800 * u, 1, 40.0, 0.8
        dte = self._years_to_expiry(inst.expiry, t) * 365.0
        if inst.kind == "FUT":
            rank = 0 if dte <= 40.0 else 1 if dte <= 70.0 else 2  # near / next / far month
            if inst.index_underlying:
                spread = (1 + (h & 3 == 0), 2 + h % 4, 4 + h % 12)[rank]
                top = (12.0 + 48.0 * u, 2.0 + 8.0 * u, 1.0 + 2.0 * u)[rank]
                return spread, top, (1, 2, 4)[rank], (2.0, 1.5, 1.0)[rank], (1.0, 0.06, 0.01)[rank]
            spread = (1 + h % 3, 2 + h % 5, 4 + h % 12)[rank]
            top = (1.0 + 3.0 * u, 1.0 + 1.0 * u, 1.0)[rank]
            return spread, top, (1, 2, 4)[rank], 1.0, (1.0, 0.05, 0.01)[rank]
        # options
        strike = inst.strike or spot
        years = max(dte, 0.25) / 365.0
        k = math.log(strike / spot) / (inst.base_vol * math.sqrt(years))
        otm = (k > 0.0) == (inst.kind == "CE")
        act = math.exp(-0.5 * (k / 2.0) ** 2) if otm else math.exp(-0.5 * (k / 1.0) ** 2)
        mid_ticks = mid / tick_f
        if inst.index_underlying:
            tenor = 1.0 if dte <= 8.0 else 0.6 if dte <= 35.0 else 0.25
            liq = tenor * act
            if dte < 0.75 and otm and mid_ticks <= 40.0:
                # expiry day: worthless OTM strikes trade at 0.05/0.10 in size, cheap ones tight and deep
                if mid_ticks <= 2.5:
                    return 1, 300.0 + 2000.0 * u, 1, 20.0, max(liq, 0.3)
                return 1 + (h & 1), 100.0 + 600.0 * u, 1, 10.0, max(liq, 0.3)
            rel = 0.0004 + 0.012 * (1.0 - liq) ** 2
            spread = max(1, int(round(mid * rel / tick_f))) + int(3 * (1.0 - liq)) + (h & 1 if liq < 0.6 else 0)
            top = (2.0 + 60.0 * liq) * (0.4 + 1.2 * u)
            return spread, top, 1 if liq > 0.5 else 1 + int((1.0 - liq) * 4), 1.5 + 2.0 * liq, liq
        tenor = 0.35 if dte <= 35.0 else 0.1
        liq = tenor * act
        rel = 0.003 + 0.03 * (1.0 - liq) ** 2
        spread = max(1, int(round(mid * rel / tick_f))) + 1 + int(3 * (1.0 - liq)) + (h & 1)
        top = (1.0 + 6.0 * liq) * (0.4 + 1.2 * u)
        return spread, top, 1 + int((1.0 - liq) * 4), 1.0, liq

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
        inst: SimInstrument,
        h: int,
        bid: int,
        ask: int,
        tick: Decimal,
        top_lots: float,
        max_gap: int,
        order_lots: float,
    ) -> tuple[tuple[DepthLevel, ...], tuple[DepthLevel, ...]]:
        """5 levels each side: prices step away from the touch; F&O sizes in whole lots (every F&O
        order is a lot multiple), equities in shares; sizes grow a little away from the touch."""
        is_eq = inst.kind == "EQ"
        lot = 1 if is_eq else max(1, inst.lot_size)
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
                size = top_lots * (0.4 + 1.2 * u) * (1.0 + 0.35 * level)
                lots = max(1, int(size))
                orders = max(1, min(lots, int(round(lots / (order_lots * (0.5 + u)))) or 1))
                levels.append(DepthLevel(price=tick * price, quantity=lots * lot, orders=orders))
                state = _mix(state)
            sides.append(tuple(levels))
        return sides[0], sides[1]


def epoch(at: datetime) -> float:
    return at.timestamp()
