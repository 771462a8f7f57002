"""Writes: the demo instrument master, Kite dump imports, the market watch."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, Q

from . import calendar as mcal
from . import contract_specs as specs
from .errors import InstrumentFileInvalid, WatchlistFull
from .models import Instrument, WatchlistItem
from .pricing import clear_caches, sim_instrument, simulator
from .symbols import future_symbol, option_symbol
from .types import Quote

# Kite's segment ids: the low byte of an instrument_token (token = exchange_token << 8 | segment id).
_SEGMENT_IDS = {"NSE": 1, "NFO": 2, "CDS": 3, "BSE": 4, "BFO": 5, "BCD": 6, "MCX": 7, "INDICES": 9}
# Demo exchange tokens live in a band of their own (Kite's are far below 2^23), so demo and real
# rows never share tokens and tokens still fit in 32 bits.
_DEMO_EXCHANGE_TOKEN_BASE = 0x800000
_DEMO_EXCHANGE_TOKEN_SPAN = 0x700000
WATCHLIST_MAX = 100

INSTRUMENT_CSV_COLUMNS = (
    "instrument_token",
    "exchange_token",
    "tradingsymbol",
    "name",
    "last_price",
    "expiry",
    "strike",
    "tick_size",
    "lot_size",
    "instrument_type",
    "segment",
    "exchange",
)


@dataclass
class RefreshResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    deactivated: int = 0


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated


# --- demo master ------------------------------------------------------------------------------
def _demo_exchange_token(key: str) -> int:
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
    return _DEMO_EXCHANGE_TOKEN_BASE + digest % _DEMO_EXCHANGE_TOKEN_SPAN


def _segment_id(segment: str, exchange: str) -> int:
    if segment == "INDICES":
        return _SEGMENT_IDS["INDICES"]
    return _SEGMENT_IDS.get(exchange, 1)


def _row(
    exchange: str,
    segment: str,
    symbol: str,
    name: str,
    itype: str,
    *,
    lot: int,
    tick: Decimal,
    expiry: date | None = None,
    strike: Decimal | None = None,
    freeze: int | None = None,
) -> dict[str, Any]:
    return {
        "exchange": exchange,
        "segment": segment,
        "tradingsymbol": symbol,
        "name": name,
        "instrument_type": itype,
        "lot_size": lot,
        "tick_size": tick,
        "expiry": expiry,
        "strike": strike,
        "freeze_quantity": freeze,
    }


def _review_price(spec: specs.UnderlyingSpec, today: date) -> float:
    """The underlying's simulated close on the last trading day of the previous month: NSE reviews
    price-band ticks monthly on that close (reference-data.md §9.1)."""
    first = today.replace(day=1)
    review_day = mcal.previous_trading_day(spec.spot_exchange, first - timedelta(days=1))
    close_at = mcal.session_bounds(review_day)[1]
    return simulator().spot_at(spec.name, float(spec.demo_spot), spec.demo_vol, close_at.timestamp())


def demo_option_expiries(spec: specs.UnderlyingSpec, today: date) -> list[date]:
    """What the exchange lists: weeklies (NIFTY, SENSEX) AND the monthlies; monthlies only elsewhere."""
    monthly = mcal.monthly_expiries(spec.name, today, specs.DEMO_MONTHLY_OPTION_EXPIRIES)
    if not spec.weekly:
        return monthly
    weekly = mcal.weekly_expiries(spec.name, today, specs.DEMO_WEEKLY_EXPIRIES)
    return sorted(set(weekly) | set(monthly))


def demo_master_rows(today: date) -> list[dict[str, Any]]:
    """The demo instrument master for `today`: spot rows, futures (near, next, far) and option
    chains (weeklies and monthlies as listed), no expired contract; ticks per contract from the
    exchange's price bands (contract_specs.tick_size_for)."""
    rows: list[dict[str, Any]] = []
    sim = simulator()
    open_at, _ = mcal.session_bounds(today)
    rows.append(
        _row("NSE", "INDICES", specs.INDIA_VIX_SYMBOL, specs.INDIA_VIX_SYMBOL, "EQ", lot=0, tick=Decimal("0.0025"))
    )
    for spec in specs.UNDERLYINGS.values():
        review = _review_price(spec, today)
        if spec.is_index:
            rows.append(
                _row(
                    spec.spot_exchange,
                    "INDICES",
                    spec.spot_symbol,
                    spec.spot_name,
                    "EQ",
                    lot=0,
                    tick=specs.INDEX_TICK,
                )
            )
        else:
            rows.append(
                _row(
                    spec.spot_exchange,
                    spec.spot_exchange,
                    spec.spot_symbol,
                    spec.spot_name,
                    "EQ",
                    lot=1,
                    tick=specs.tick_size_for("EQ", index=False, reference_price=review, on=today),
                )
            )
        dex = spec.derivatives_exchange
        future_tick = specs.tick_size_for("FUT", index=spec.is_index, reference_price=review, on=today)
        for exp in mcal.expiries(spec.name, today, specs.DEMO_FUTURE_MONTHS, kind="future"):
            rows.append(
                _row(
                    dex,
                    f"{dex}-FUT",
                    future_symbol(spec.name, exp),
                    spec.name,
                    "FUT",
                    lot=spec.lot_size,
                    tick=future_tick,
                    expiry=exp,
                    freeze=spec.freeze_quantity,
                )
            )
        spot = sim.spot_at(spec.name, float(spec.demo_spot), spec.demo_vol, open_at.timestamp())
        step = spec.strike_step
        atm = Decimal(int(round(spot / float(step)))) * step
        strikes = [atm + step * i for i in range(-spec.strikes_each_side, spec.strikes_each_side + 1)]
        option_tick = specs.tick_size_for("CE", index=spec.is_index, reference_price=review, on=today)
        for exp in demo_option_expiries(spec, today):
            monthly = mcal.is_monthly_expiry(spec.name, exp)
            for strike in strikes:
                if strike <= 0:
                    continue
                for itype in ("CE", "PE"):
                    rows.append(
                        _row(
                            dex,
                            f"{dex}-OPT",
                            option_symbol(spec.name, exp, strike, itype, monthly=monthly),
                            spec.name,
                            itype,
                            lot=spec.lot_size,
                            tick=option_tick,
                            expiry=exp,
                            strike=strike,
                            freeze=spec.freeze_quantity,
                        )
                    )
    return rows


def _assign_demo_tokens(rows: list[dict[str, Any]], taken: dict[int, str]) -> None:
    """Deterministic tokens from the key; a collision probes to the next free exchange token."""
    for row in sorted(rows, key=lambda r: (r["exchange"], r["tradingsymbol"])):
        key = f"{row['exchange']}:{row['tradingsymbol']}"
        seg = _segment_id(row["segment"], row["exchange"])
        etoken = _demo_exchange_token(key)
        while True:
            token = (etoken << 8) | seg
            owner = taken.get(token)
            if owner is None or owner == key:
                break
            etoken += 1
        taken[token] = key
        row["exchange_token"] = etoken
        row["instrument_token"] = token


# Columns an upsert rewrites: the dump's columns except the keys (token, exchange, symbol), plus ours.
_FIELDS = (
    *(c for c in INSTRUMENT_CSV_COLUMNS if c not in ("instrument_token", "tradingsymbol", "exchange")),
    "freeze_quantity",
    "source",
    "is_active",
)


_UPDATE_FIELDS = tuple(f for f in _FIELDS if f != "exchange_token")


def demo_instruments_refresh(*, today: date) -> RefreshResult:
    """Create/update the demo master for `today` and drop expired demo contracts (idempotent).

    Expired demo rows that something references (orders PROTECT their instrument) are kept but
    marked inactive; unreferenced ones are deleted.
    """
    rows = demo_master_rows(today)
    result = RefreshResult()
    with transaction.atomic():
        existing = {(i.exchange, i.tradingsymbol): i for i in Instrument.objects.filter(source="demo")}
        taken = {
            tok: f"{ex}:{sym}"
            for tok, ex, sym in Instrument.objects.values_list("instrument_token", "exchange", "tradingsymbol")
        }
        fresh = [r for r in rows if (r["exchange"], r["tradingsymbol"]) not in existing]
        # Keys already used by imported (kite) rows are left alone: the real row wins.
        real_keys = set(
            Instrument.objects.exclude(source="demo")
            .filter(tradingsymbol__in=[r["tradingsymbol"] for r in fresh])
            .values_list("exchange", "tradingsymbol")
        )
        fresh = [r for r in fresh if (r["exchange"], r["tradingsymbol"]) not in real_keys]
        _assign_demo_tokens(fresh, taken)
        at = mcal.session_bounds(today)[0]
        sim = simulator()
        to_create: list[Instrument] = []
        to_update: list[Instrument] = []
        changes: dict[tuple[str, ...], list[Instrument]] = {}
        for r in rows:
            key = (r["exchange"], r["tradingsymbol"])
            if key in real_keys:
                continue
            inst = existing.get(key)
            before: dict[str, Any] | None = None
            if inst is None:
                inst = Instrument(
                    instrument_token=r["instrument_token"],
                    exchange_token=r["exchange_token"],
                    tradingsymbol=r["tradingsymbol"],
                    exchange=r["exchange"],
                )
                to_create.append(inst)
            else:
                to_update.append(inst)
                before = {f: getattr(inst, f) for f in _UPDATE_FIELDS}
            for f in (
                "name",
                "expiry",
                "strike",
                "tick_size",
                "lot_size",
                "instrument_type",
                "segment",
                "freeze_quantity",
            ):
                setattr(inst, f, r[f])
            inst.source = "demo"
            inst.is_active = True
            # Like Kite's dump: last_price is informational (here the simulated previous close).
            quote: Quote = sim.quote(sim_instrument(inst), at)
            inst.last_price = quote.close
            if before is not None:
                changed = tuple(f for f in _UPDATE_FIELDS if getattr(inst, f) != before[f])
                if changed:
                    changes.setdefault(changed, []).append(inst)
        Instrument.objects.bulk_create(to_create, batch_size=500)
        # Only the fields that changed (usually just last_price): the daily roll stays cheap.
        for fields, instances in changes.items():
            Instrument.objects.bulk_update(instances, list(fields), batch_size=500)
        result.created, result.updated = len(to_create), len(to_update)

        current = {(r["exchange"], r["tradingsymbol"]) for r in rows}
        expired = [i for k, i in existing.items() if k not in current and i.expiry is not None and i.expiry < today]
        for inst in expired:
            try:
                with transaction.atomic():
                    inst.delete()
                result.removed += 1
            except ProtectedError:
                if inst.is_active:
                    Instrument.objects.filter(pk=inst.pk).update(is_active=False)
                    result.deactivated += 1
    clear_caches()
    return result


_last_roll: dict[str, date] = {}


def demo_master_roll(*, today: date) -> RefreshResult | None:
    """Keep the demo master current without a restart: the first call on a new trading date
    refreshes it (new weeklies and months listed, expired contracts dropped, ticks re-reviewed).
    Only when a demo master exists (a Kite import is left alone); later calls that date are free.
    Called by the market feed loop every iteration."""
    if _last_roll.get("date") == today:
        return None
    if not Instrument.objects.filter(source="demo").exists():
        _last_roll["date"] = today
        return None
    try:
        result = demo_instruments_refresh(today=today)
    except IntegrityError:  # another process refreshed at the same moment: its result stands
        result = None
    _last_roll["date"] = today
    return result


# --- Kite dump import -------------------------------------------------------------------------
def _to_decimal(value: Any, field_name: str, *, allow_empty: bool = True) -> Decimal | None:
    if value is None or value == "":
        if allow_empty:
            return None
        raise ValueError(f"{field_name} is empty")
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{field_name} {value!r} is not a number") from None
    if not d.is_finite():
        raise ValueError(f"{field_name} {value!r} is not a number")
    return d


def _to_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"expiry {value!r} is not a YYYY-MM-DD date") from None


def _to_int(value: Any, field_name: str) -> int:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field_name} {value!r} is not an integer") from None
    if f != int(f) or f < 0:
        raise ValueError(f"{field_name} {value!r} is not a non-negative integer")
    return int(f)


_ROOT_RE = re.compile(r"^([A-Z][A-Z&\-]*?)\d{2}")


def instrument_from_row(row: Mapping[str, Any]) -> Instrument:
    """Validate one dump row (CSV strings or kiteconnect's typed dict) into an unsaved Instrument."""
    if "__error__" in row:
        raise ValueError(row["__error__"])
    missing = [c for c in INSTRUMENT_CSV_COLUMNS if c not in row]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    symbol = str(row["tradingsymbol"] or "").strip()
    exchange = str(row["exchange"] or "").strip().upper()
    itype = str(row["instrument_type"] or "").strip().upper()
    if not symbol:
        raise ValueError("tradingsymbol is empty")
    if not exchange:
        raise ValueError("exchange is empty")
    if itype not in Instrument.Type.values:
        raise ValueError(f"instrument_type {itype!r} is not one of {', '.join(Instrument.Type.values)}")
    strike = _to_decimal(row["strike"], "strike")
    expiry = _to_date(row["expiry"])
    if itype in ("CE", "PE") and (expiry is None or not strike):
        raise ValueError(f"{itype} row needs an expiry and a strike")
    if itype == "FUT" and expiry is None:
        raise ValueError("FUT row needs an expiry")
    name = str(row["name"] or "").strip()
    if not name and itype != "EQ":
        # Some dumps (e.g. the official mock) leave `name` empty on F&O rows: take the symbol's root.
        root = _ROOT_RE.match(symbol)
        name = root.group(1) if root else ""
    return Instrument(
        instrument_token=_to_int(row["instrument_token"], "instrument_token"),
        exchange_token=_to_int(row["exchange_token"], "exchange_token"),
        tradingsymbol=symbol,
        name=name,
        last_price=(_to_decimal(row["last_price"], "last_price") or Decimal(0)).quantize(Decimal("0.01")),
        expiry=expiry,
        strike=strike if strike else None,
        tick_size=_to_decimal(row["tick_size"], "tick_size", allow_empty=False),
        lot_size=_to_int(row["lot_size"], "lot_size"),
        instrument_type=itype,
        segment=str(row["segment"] or "").strip().upper(),
        exchange=exchange,
        freeze_quantity=specs.freeze_quantity_for(name, itype),
        source="kite",
        is_active=True,
    )


def instruments_import_rows(
    rows: Iterable[Mapping[str, Any]], *, first_line: int = 1, skip_invalid: bool = False
) -> ImportResult:
    """Bulk upsert Kite dump rows (from a CSV or `kiteconnect.instruments()`).

    All or nothing by default: the first invalid row raises INSTRUMENT_FILE_INVALID naming its
    line and nothing is written. With skip_invalid=True bad rows are counted, reported in
    `errors` and skipped, and the good ones are loaded. `first_line` numbers the first row
    (2 for a CSV with a header line).
    """
    result = ImportResult()
    parsed: dict[int, Instrument] = {}
    keys: dict[tuple[str, str], int] = {}
    for offset, row in enumerate(rows):
        line = first_line + offset
        try:
            inst = instrument_from_row(row)
            other = keys.get((inst.exchange, inst.tradingsymbol))
            if other is not None and other != inst.instrument_token:
                raise ValueError(f"{inst.exchange}:{inst.tradingsymbol} appears twice with different tokens")
        except ValueError as exc:
            message = f"line {line}: {exc}"
            if not skip_invalid:
                raise InstrumentFileInvalid(
                    f"Nothing was loaded. {message}.", details={"line": line, "error": str(exc)}
                ) from None
            result.skipped += 1
            if len(result.errors) < 50:
                result.errors.append(message)
            continue
        parsed[inst.instrument_token] = inst
        keys[(inst.exchange, inst.tradingsymbol)] = inst.instrument_token
    tokens = list(parsed)
    fields = [*_FIELDS, "tradingsymbol", "exchange"]
    with transaction.atomic():
        existing: set[int] = set()
        for start in range(0, len(tokens), 900):
            existing |= set(Instrument.objects.filter(pk__in=tokens[start : start + 900]).values_list("pk", flat=True))
        # A (exchange, tradingsymbol) held by another token (e.g. a demo row): drop that row if free.
        clash_q = [(i.exchange, i.tradingsymbol) for i in parsed.values() if i.pk not in existing]
        for start in range(0, len(clash_q), 400):
            chunk = clash_q[start : start + 400]
            cond = Q()
            for ex, sym in chunk:
                cond |= Q(exchange=ex, tradingsymbol=sym)
            for clash in Instrument.objects.filter(cond).exclude(pk__in=tokens):
                try:
                    with transaction.atomic():
                        clash.delete()
                except ProtectedError:
                    raise InstrumentFileInvalid(
                        f"{clash.key} already exists with token {clash.pk}, which orders reference.",
                        details={"key": clash.key, "token": clash.pk},
                    ) from None
        to_create = [i for t, i in parsed.items() if t not in existing]
        to_update = [i for t, i in parsed.items() if t in existing]
        try:
            Instrument.objects.bulk_create(to_create, batch_size=500)
            Instrument.objects.bulk_update(to_update, fields, batch_size=500)
        except IntegrityError as exc:
            raise InstrumentFileInvalid(f"Nothing was loaded: {exc}.") from None
    result.created, result.updated = len(to_create), len(to_update)
    clear_caches()
    return result


# --- market watch -------------------------------------------------------------------------------
def watchlist_add(*, user: AbstractBaseUser, instrument: Instrument) -> WatchlistItem:
    """Add an instrument to the user's market watch (adding it twice is a no-op)."""
    with transaction.atomic():
        item = WatchlistItem.objects.filter(user=user, instrument=instrument).first()
        if item is not None:
            return item
        count = WatchlistItem.objects.filter(user=user).count()
        if count >= WATCHLIST_MAX:
            raise WatchlistFull(details={"max": WATCHLIST_MAX})
        position = (WatchlistItem.objects.filter(user=user).aggregate(m=Max("position"))["m"] or 0) + 1
        return WatchlistItem.objects.create(user=user, instrument=instrument, position=position)


def watchlist_remove(*, user: AbstractBaseUser, item_id: int) -> None:
    from .selectors import watchlist_item_get

    item = watchlist_item_get(user=user, item_id=item_id)
    item.delete()


# A newcomer's first market watch: the liquid contracts a F&O trader looks at first.
STARTER_FUTURES = ("NIFTY", "BANKNIFTY", "SENSEX", "RELIANCE")
STARTER_OPTION_UNDERLYING = "NIFTY"


def watchlist_add_starter(*, user: AbstractBaseUser) -> int:
    """Fill an EMPTY market watch with near-month futures and the nearest at-the-money NIFTY call
    and put, so live prices and depth show at once. Returns how many instruments were added."""
    from .selectors import instrument_search, spot_for

    if WatchlistItem.objects.filter(user=user).exists():
        return 0
    chosen: list[Instrument] = []
    for name in STARTER_FUTURES:
        future = instrument_search(name=name, instrument_type="FUT").order_by("expiry").first()
        if future is not None:
            chosen.append(future)
    options = instrument_search(name=STARTER_OPTION_UNDERLYING, instrument_type="CE").order_by("expiry")
    nearest = options.first()
    if nearest is not None:
        spot = spot_for(STARTER_OPTION_UNDERLYING)
        strikes = options.filter(expiry=nearest.expiry).values_list("strike", flat=True)
        atm = min(strikes, key=lambda strike: abs(strike - spot))
        for option_type in ("CE", "PE"):
            match = instrument_search(name=STARTER_OPTION_UNDERLYING, instrument_type=option_type).filter(
                expiry=nearest.expiry, strike=atm
            ).first()
            if match is not None:
                chosen.append(match)
    for instrument in chosen:
        watchlist_add(user=user, instrument=instrument)
    return len(chosen)
