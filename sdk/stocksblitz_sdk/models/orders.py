"""Typed models of the orders API (orders, events, trades, positions, metrics)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ._base import SdkModel
from .completion import CompletionPolicy

TERMINAL_STATUSES = frozenset({"COMPLETE", "CANCELLED", "REJECTED", "EXPIRED"})


class Order(SdkModel):
    id: int
    account_id: int
    strategy_id: int | None = None
    parent_id: int | None = None
    role: str = "ENTRY"
    oco_sibling_id: int | None = None
    client_order_id: str | None = None
    tag: str
    user_tag: str = ""
    broker_order_id: str | None = None
    exchange_order_id: str | None = None
    exchange: str
    tradingsymbol: str
    instrument_token: int
    transaction_type: str
    quantity: int
    product: str
    order_type: str
    variety: str = "regular"
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    validity: str = "DAY"
    validity_ttl: int | None = None
    disclosed_quantity: int = 0
    market_protection: int | None = None
    stop_loss: Decimal | None = None
    target: Decimal | None = None
    stop_loss_points: Decimal | None = None
    target_points: Decimal | None = None
    trailing_stop_points: Decimal | None = None
    status: str
    status_message: str = ""
    is_terminal: bool = False
    filled_quantity: int = 0
    pending_quantity: int = 0
    cancelled_quantity: int = 0
    average_price: Decimal = Decimal("0")
    modification_count: int = 0
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    completed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL_STATUSES


class OrderEvent(SdkModel):
    id: int
    kind: str
    from_status: str = ""
    to_status: str = ""
    actor: str
    before: dict = {}
    after: dict = {}
    reason: str = ""
    created_at: datetime


class Trade(SdkModel):
    id: int
    trade_id: str
    order_id: int
    broker_order_id: str
    account_id: int
    strategy_id: int | None = None
    exchange: str
    tradingsymbol: str
    instrument_token: int
    transaction_type: str
    product: str
    quantity: int
    price: Decimal
    fill_timestamp: datetime


class Position(SdkModel):
    id: int
    account_id: int
    strategy_id: int | None = None
    exchange: str
    tradingsymbol: str
    instrument_token: int
    product: str
    quantity: int
    average_price: Decimal
    mark_price: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    pnl: Decimal
    overnight_quantity: int = 0
    day_quantity: int = 0
    day_buy_quantity: int = 0
    day_sell_quantity: int = 0
    buy_quantity: int = 0
    sell_quantity: int = 0
    buy_value: Decimal = Decimal("0")
    sell_value: Decimal = Decimal("0")
    # Kite's conventions (the positions list; None in pushed snapshots): previous close, M2M against it for
    # overnight quantity, the day's buy/sell averages and values over all the day's trades.
    close_price: Decimal | None = None
    m2m: Decimal | None = None
    day_buy_price: Decimal | None = None
    day_sell_price: Decimal | None = None
    day_buy_value: Decimal | None = None
    day_sell_value: Decimal | None = None
    updated_at: datetime


class OrderMetrics(SdkModel):
    total: int
    open: int
    by_status: dict[str, int]
    filled_today: int
    rejected_today: int
    fill_rate_pct: float
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    open_positions: int


class Strategy(SdkModel):
    """A group of orders and positions with its settings (housekeeping, execution, risk, margin)."""

    id: int
    account: int
    name: str
    preset: str
    is_active: bool
    auto_cleanup_enabled: bool
    cleanup_sl_on_exit: bool
    cleanup_target_on_exit: bool
    allow_orphaned_orders: bool
    notify_on_orphan_detection: bool
    max_order_spread_pct: Decimal
    min_liquidity_score: int
    require_user_approval_high_impact: bool
    max_market_impact_bps: int
    margin_buffer_pct: Decimal
    max_loss_per_strategy_pct: Decimal
    auto_square_off_on_loss_limit: bool
    completion_policy: CompletionPolicy = CompletionPolicy()  # unfilled / partly filled orders (off by default)
    created_at: datetime


class OrderPreferences(SdkModel):
    duplicate_window_seconds: Decimal
    duplicate_action: str
    auto_slice: bool
    confirm_market_orders: bool = True  # the web ticket asks before sending a MARKET order


class PreviewFinding(SdkModel):
    """One pre-trade stage's answer: `outcome` pass, deny, park, amend or replay; `code` is the API error
    code on a deny (the same the placement would raise)."""

    stage: str
    outcome: str
    code: str = ""
    message: str = ""
    details: dict = {}
    micros: int = 0


class OrderPreview(SdkModel):
    verdict: str
    would_place: bool
    findings: list[PreviewFinding]
    order: dict
    micros: int = 0

    @property
    def denials(self) -> list[PreviewFinding]:
        return [f for f in self.findings if f.outcome == "deny"]


class ExecutionAnalysis(SdkModel):
    """`client.orders.analyze_execution(...)` (and validate_spread, estimate_impact): an order against the
    current book. Prices and ₹ are Decimal; None where the book had no such figure."""

    instrument_token: int
    tradingsymbol: str
    side: str
    quantity: int
    order_type: str
    best_bid: Decimal | None = None
    best_ask: Decimal | None = None
    mid: Decimal | None = None
    spread_abs: Decimal | None = None
    spread_pct: Decimal | None = None
    spread_category: str | None = None
    expected_price: Decimal | None = None
    impact_bps: Decimal | None = None
    estimated_slippage: Decimal | None = None
    levels_consumed: int = 0
    visible_quantity: int = 0
    book_shortfall: int = 0
    liquidity_score: int = 0
    liquidity_band: str = ""
    recommendation: str = ""
    recommendation_reason: str = ""
    recommended_limit_price: Decimal | None = None
    recommended_slice_quantity: int | None = None
    recommended_quantity: int | None = None
    recommended_lots: int | None = None
    guard: str = "NONE"
    guard_reason: str = ""
    action: str = ""
    code: str = ""
    spread_ok: bool | None = None
    impact_ok: bool | None = None
    thresholds: dict = {}
    recent_slippage: dict | None = None


class ExecutionSlice(SdkModel):
    """One planned child of a parent execution and, once sent, its order."""

    number: int
    status: str
    planned_at: datetime
    quantity: int
    send_quantity: int | None = None
    sent_at: datetime | None = None
    order_id: int | None = None
    order_status: str | None = None
    filled_quantity: int = 0
    average_price: Decimal | None = None
    note: str = ""


class Execution(SdkModel):
    """A parent execution (TWAP / ICEBERG / DEPTH_SPLIT) and its progress: `client.orders.place_twap(...)`,
    `place_iceberg`, `place_depth_split`, `get_execution`, ... Also what `/ws/orders/` pushes as
    `{"type": "execution", "execution": {...}}`."""

    id: int
    algorithm: str
    status: str
    status_message: str = ""
    account_id: int
    strategy_id: int | None = None
    instrument_token: int
    exchange: str
    tradingsymbol: str
    transaction_type: str
    product: str
    total_quantity: int
    filled_quantity: int = 0
    progress_pct: Decimal = Decimal(0)
    limit_price: Decimal | None = None
    arrival_price: Decimal | None = None
    average_price: Decimal | None = None
    slippage_bps: Decimal | None = None
    slices_total: int = 0
    slices_sent: int = 0
    slices_done: int = 0
    time_left_seconds: int | None = None
    next_slice_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime | None = None
    params: dict = {}
    slices: list[ExecutionSlice] = []

    @property
    def is_active(self) -> bool:
        return self.status in ("PENDING", "RUNNING", "PAUSED")
