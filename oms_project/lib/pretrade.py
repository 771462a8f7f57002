"""The pre-trade pipeline: one typed order intent, an ordered list of stages, one runner.

Every way an order is born (the API, the ticket, a position exit, bracket exits, later the
algorithms and the kill switch) builds an `OrderIntent`; placement takes nothing else. Before an
order is written, the pipeline runs each registered stage on the intent and a read-only
`PretradeContext` (instrument, quote, account, preferences, positions, funds). A stage answers
pass, deny (a stable code, a message a trader can act on, details), park for approval (with the
alert to raise), an amendment (e.g. the slice plan) or a replay (this idempotency key already
made an order). The same runner serves the ticket preview and `POST /api/v1/orders/preview/`
(dry run: every stage runs, nothing is written, every finding is returned with its stage and its
time in microseconds) and placement (stops at the first deny), so a preview and a placement of the
same intent cannot disagree.

Stages are registered by the app that owns them (`register_stage` in the app's `ready()`), so a
lower app (margin, risk) adds a check without importing `orders`; the order they run in is
declared once, in `orders.pipeline.STAGE_ORDER`, and `check_stage_order` refuses a registered
stage that the order does not place.

This module is plain Python (no Django import) so every app can use it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from .errors import DomainError


def _as_decimal(obj: Any, name: str) -> None:
    """Prices arrive as Decimal, int or str from adapters and tests: the intent holds Decimal only."""
    value = getattr(obj, name)
    if value is not None and not isinstance(value, Decimal):
        object.__setattr__(obj, name, Decimal(str(value)))


@dataclass(frozen=True, slots=True)
class Bracket:
    """Exits placed when the entry fills: absolute prices or distances from the fill (points)."""

    stop_loss: Decimal | None = None
    target: Decimal | None = None
    stop_loss_points: Decimal | None = None
    target_points: Decimal | None = None
    trailing_stop_points: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("stop_loss", "target", "stop_loss_points", "target_points", "trailing_stop_points"):
            _as_decimal(self, name)

    def __bool__(self) -> bool:
        return any(
            v is not None
            for v in (self.stop_loss, self.target, self.stop_loss_points, self.target_points, self.trailing_stop_points)
        )


@dataclass(frozen=True, slots=True)
class AlgoParams:
    """How the order is worked. Today: slicing at the freeze limit (`auto_slice`, None = the user's
    preference); TWAP/iceberg parameters join here."""

    auto_slice: bool | None = None


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """What someone wants to send, before any check. Field names follow Kite's.

    The instrument is named by token or by (exchange, tradingsymbol); the quantity in units or in
    lots. `role`/`parent_id` mark orders the core makes itself (bracket exits, slices, exits)."""

    user_id: int
    transaction_type: str
    product: str
    order_type: str
    actor: str
    instrument_token: int | None = None
    exchange: str | None = None
    tradingsymbol: str | None = None
    quantity: int | None = None
    lots: int | None = None
    account_id: int | None = None
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    validity: str = "DAY"
    validity_ttl: int | None = None
    disclosed_quantity: int = 0
    market_protection: int | None = None
    variety: str = "regular"
    # Kite's iceberg variety (variety="iceberg"): iceberg_legs legs of iceberg_quantity (orders.kite_iceberg).
    iceberg_legs: int | None = None
    iceberg_quantity: int | None = None
    tag: str = ""
    strategy_id: int | None = None
    client_order_id: str | None = None
    bracket: Bracket = field(default_factory=Bracket)
    algo: AlgoParams = field(default_factory=AlgoParams)
    confirm_duplicate: bool = False
    execution_override: bool = False  # the trader saw the execution guard's warning and sends it as asked
    role: str = "ENTRY"
    parent_id: int | None = None

    def __post_init__(self) -> None:
        _as_decimal(self, "price")
        _as_decimal(self, "trigger_price")

    # The flat field names an adapter may give (API body, form, SDK); `from_fields` refuses others.
    BRACKET_FIELDS = ("stop_loss", "target", "stop_loss_points", "target_points", "trailing_stop_points")

    @classmethod
    def from_fields(cls, *, user_id: int, actor: str, **fields: Any) -> OrderIntent:
        """Build from flat Kite-named fields (as the API, the ticket and the SDK send them)."""
        bracket = Bracket(**{k: fields.pop(k) for k in cls.BRACKET_FIELDS if k in fields})
        algo = AlgoParams(auto_slice=fields.pop("auto_slice", None))
        return cls(user_id=user_id, actor=actor, bracket=bracket, algo=algo, **fields)

    def with_changes(self, **changes: Any) -> OrderIntent:
        return replace(self, **changes)


class Outcome(StrEnum):
    PASS = "pass"
    DENY = "deny"
    PARK = "park"  # hold for the trader's approval (an alert with Approve/Reject)
    AMEND = "amend"  # the order goes out changed (e.g. split into slices)
    REPLAY = "replay"  # the idempotency key already made an order: return that one


@dataclass(frozen=True, slots=True)
class StageResult:
    outcome: Outcome = Outcome.PASS
    code: str = ""
    message: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    amendments: Mapping[str, Any] = field(default_factory=dict)  # written into ctx.amendments
    alert: Mapping[str, Any] = field(default_factory=dict)  # for PARK: type, level, message, actions, expiry
    replay_of: Any = None  # for REPLAY: the existing order
    error: DomainError | None = None  # for DENY: the exception placement raises

    @classmethod
    def deny(cls, error: DomainError) -> StageResult:
        return cls(Outcome.DENY, error.code, error.message, dict(error.details), error=error)


PASS = StageResult()


@dataclass(frozen=True, slots=True)
class Finding:
    """One stage's answer, as the preview shows it."""

    stage: str
    outcome: Outcome
    code: str
    message: str
    details: Mapping[str, Any]
    micros: int

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "outcome": str(self.outcome),
            "code": self.code,
            "message": self.message,
            "details": dict(self.details),
            "micros": self.micros,
        }


class PretradeContext:
    """What stages may read: the resolved objects and lazily loaded facts. Stages never write; they
    return results. `amendments` carries earlier stages' amendments to later ones (e.g. the slice
    plan); `scratch` lets a stage keep what placement will need (the strategy row it looked up)."""

    def __init__(
        self,
        *,
        intent: OrderIntent,
        user: Any,
        account: Any,
        instrument: Any,
        now: Any,
        dry_run: bool,
        loaders: Mapping[str, Callable[[PretradeContext], Any]] | None = None,
    ) -> None:
        self.intent = intent
        self.user = user
        self.account = account
        self.instrument = instrument
        self.now = now
        self.dry_run = dry_run
        self.amendments: dict[str, Any] = {}
        self.scratch: dict[str, Any] = {}
        self.parked: StageResult | None = None  # set by the runner: later stages see the order will wait
        self._loaders = dict(_context_loaders, **(loaders or {}))
        self._loaded: dict[str, Any] = {}

    def load(self, name: str) -> Any:
        """A fact loaded once per run by the loader an app registered (`register_context_loader`):
        'quote', 'preferences', 'positions', 'funds', ..."""
        if name not in self._loaded:
            loader = self._loaders.get(name)
            if loader is None:
                raise KeyError(f"no pre-trade context loader named {name!r}")
            self._loaded[name] = loader(self)
        return self._loaded[name]

    @cached_property
    def quote(self) -> Any:
        return self.load("quote")

    @cached_property
    def preferences(self) -> Any:
        return self.load("preferences")


Stage = Callable[[OrderIntent, PretradeContext], StageResult]

_stages: dict[str, Stage] = {}
_context_loaders: dict[str, Callable[[PretradeContext], Any]] = {}
_order: list[str] = []


def register_stage(name: str, stage: Stage) -> None:
    """Called by the owning app in `ready()`. Names are `<app>.<check>`; registering twice replaces."""
    _stages[name] = stage


def register_context_loader(name: str, loader: Callable[[PretradeContext], Any]) -> None:
    _context_loaders[name] = loader


def declare_stage_order(names: list[str]) -> None:
    """The one place the order is declared (orders.pipeline). Names whose app is not installed, or
    has not built its stage yet, are skipped at run time."""
    _order[:] = list(names)


def stage_order() -> list[str]:
    return [name for name in _order if name in _stages]


def check_stage_order() -> list[str]:
    """Registered stages the declared order does not place (a system check reports them)."""
    return sorted(set(_stages) - set(_order))


@dataclass
class PipelineResult:
    findings: list[Finding]
    amendments: dict[str, Any]
    denial: StageResult | None = None  # the first deny
    park: StageResult | None = None  # the first park
    replay: StageResult | None = None

    @property
    def verdict(self) -> str:
        if self.replay is not None:
            return "replay"
        if self.denial is not None:
            return "deny"
        if self.park is not None:
            return "park"
        return "pass"


_observers: list[Callable[[PipelineResult, PretradeContext, int], None]] = []


def register_observer(fn: Callable[[PipelineResult, PretradeContext, int], None]) -> None:
    """`fn(result, ctx, started_ns)` after every placement run (not previews): metrics. Never raises into it."""
    if fn not in _observers:
        _observers.append(fn)


def run(intent: OrderIntent, ctx: PretradeContext) -> PipelineResult:
    """Run every stage in the declared order. Placement (ctx.dry_run False) stops at the first deny or
    replay; a dry run goes on so the trader sees every finding at once (a stage that needs an earlier
    stage's amendment and finds none passes)."""
    run_started = time.perf_counter_ns()
    result = _run(intent, ctx)
    if not ctx.dry_run:
        for fn in _observers:
            try:
                fn(result, ctx, run_started)
            except Exception:  # noqa: BLE001, S110 - an observer (metrics) never stops an order
                pass
    return result


def run_named(names: list[str], intent: OrderIntent, ctx: PretradeContext) -> PipelineResult:
    """Run only the named registered stages, in the declared order (a name not registered is skipped): a
    check that must be made again later, e.g. `risk.kill_switch` when a parked order is approved. No observer."""
    wanted = set(names)
    return _run(intent, ctx, [n for n in stage_order() if n in wanted])


def _run(intent: OrderIntent, ctx: PretradeContext, names: list[str] | None = None) -> PipelineResult:
    result = PipelineResult(findings=[], amendments=ctx.amendments)
    for name in stage_order() if names is None else names:
        started = time.perf_counter_ns()
        try:
            answer = _stages[name](intent, ctx)
        except DomainError as exc:
            answer = StageResult.deny(exc)
        micros = (time.perf_counter_ns() - started) // 1000
        if answer.amendments:
            ctx.amendments.update(answer.amendments)
        result.findings.append(Finding(name, answer.outcome, answer.code, answer.message, answer.details, micros))
        if answer.outcome == Outcome.REPLAY:
            result.replay = answer
            break  # an order already exists: nothing else applies to it
        if answer.outcome == Outcome.DENY and result.denial is None:
            result.denial = answer
            if not ctx.dry_run:
                break
        if answer.outcome == Outcome.PARK and result.park is None:
            result.park = ctx.parked = answer
    return result
