"""Order core writes. Interface for the UI, the Kite adapter and other apps (all keyword-only):

- `order_place(intent, user=?, submit=True) -> Order`: `intent` is an `oms_project.lib.pretrade.OrderIntent`
  (adapters build it with `OrderIntent.from_fields(user_id=..., actor=..., **kite_named_fields)`); it runs the
  pre-trade pipeline (orders.pipeline) and raises the first denial's error.
- `order_preview(intent, user=?) -> dict`: the same pipeline as a dry run (verdict, every finding, the order).
  Validates, applies replay protection (client_order_id / Idempotency-Key; a replay returns the original
  with `order.replayed = True`), takes a rate-governor slot, commits the Order + CREATED event, THEN
  submits it to the broker inline (paper: fills happen during the call) and returns the refreshed row
  with its current status (PENDING_APPROVAL when a near-duplicate needs confirmation).
- `order_modify(user=..., order_id=..., quantity=?, price=?, trigger_price=?, order_type=?, validity=?,
  actor=...) -> Order`
- `order_cancel(user=..., order_id=..., actor=...) -> Order`
- `orders_cancel_all(user=..., account_id=?, strategy_id=?, actor=...) -> list[Order]`
- `order_approve(user=..., order_id=..., actor=...)` / `order_reject(user=..., order_id=..., actor=..., reason=...)`
- `order_apply_broker_update(account=..., order=BrokerOrder, trades=[BrokerTrade], source="kite") -> Order | None`
  idempotent: matches our order by tag (else broker id), ignores stale/duplicate snapshots, stores each
  fill once (by trade id) and books its position through `portfolio.services.fill_record`, audit events, alerts
  and pushes — in one transaction.
  Kite postbacks / ticker order updates call this with the converted BrokerOrder (trades may be empty:
  then fills are taken as one synthetic trade per filled-quantity increase, id "<order_id>:<filled>").
- `order_resolve_unknown(order_id=...) -> Order`, `orders_resolve_unknown_due() -> int` (UNKNOWN orders and
  claims not recorded within ORDER_SUBMIT_LEASE_SECONDS), `orders_resolve_at_startup() -> int`
- `position_exit(user=..., position_id=..., actor=...) -> list[Order]`
- `orders_trail_stops(at=None) -> int`, `paper_match_all(at=None) -> int` (the matcher step)
- `orders_release_amo_due(at=None) -> int`: paper after-market orders held for the open, sent at 09:15 (beat)
- `strategy_create(user=..., account_id=?, name=..., preset="conservative", **settings) -> Strategy`
- `preferences_update(user=..., **fields) -> OrderPreferences`
Where things live (one module per concern; import from `orders.services`, the names below are the interface):
  placement.py       order_place (validation, replay protection, near-duplicates, rate slot, create + claim)
  submission.py      order_submit, order_resolve_unknown(s_due): exactly-once sending, retries, UNKNOWN
  broker_updates.py  order_apply_broker_update: fills, status, audit, alerts, pushes from the broker's view
  positions.py       position_exit (fills and positions are booked by portfolio.services.fill_record)
  brackets.py        follow-ups after commit: bracket exits, OCO, orphaned exits, slice parents, trailing stops
  order_changes.py   order_modify, order_cancel, orders_cancel_all, order_approve/reject (+ alert handler)
  paper.py           paper_match_all (the matcher step)
  algos.py           TWAP / ICEBERG parent executions: twap_start, iceberg_start, algos_tick (beat), execution_step,
                     execution_pause / execution_resume / execution_cancel, on_child_event (fills, terminal)
  strategies.py      preferences_update; strategy_create/update are portfolio.services' (re-exported)
  _common.py         shared helpers: audit events/snapshots, pushes, alerts, the conditional transition
Reads are in `orders.selectors` (trades, positions and strategies delegate to `portfolio.selectors`); the JSON
shape of orders/trades/positions is `orders.presenters`.
Submission runs inline after the commit (paper is fast; Kite answers in ~100 ms) so the API returns the
broker outcome; a timeout leaves the order UNKNOWN and the resolver (matcher loop / Celery task) settles it.
"""

from __future__ import annotations

from ._common import ORDERS_TOPIC, SYSTEM, preferences_for
from .amo import orders_release_amo_due
from .brackets import orders_trail_stops
from .broker_updates import order_apply_broker_update
from .order_changes import (
    approval_alert_handler,
    order_approve,
    order_cancel,
    order_modify,
    order_reject,
    orders_cancel_all,
)
from .paper import paper_match_all
from .placement import order_place, order_preview
from .positions import position_exit
from .strategies import STRATEGY_FIELDS, preferences_update, strategy_create, strategy_update
from .submission import (
    SUBMIT_BACKOFF_BASE_SECONDS,
    SUBMIT_MAX_ATTEMPTS,
    UNKNOWN_GRACE_SECONDS,
    order_resolve_unknown,
    order_submit,
    orders_resolve_at_startup,
    orders_resolve_unknown_due,
)

__all__ = [
    "ORDERS_TOPIC",
    "STRATEGY_FIELDS",
    "SUBMIT_BACKOFF_BASE_SECONDS",
    "SUBMIT_MAX_ATTEMPTS",
    "SYSTEM",
    "UNKNOWN_GRACE_SECONDS",
    "approval_alert_handler",
    "order_apply_broker_update",
    "order_approve",
    "order_cancel",
    "order_modify",
    "order_place",
    "order_preview",
    "order_reject",
    "order_resolve_unknown",
    "order_submit",
    "orders_cancel_all",
    "orders_resolve_at_startup",
    "orders_resolve_unknown_due",
    "orders_trail_stops",
    "orders_release_amo_due",
    "paper_match_all",
    "position_exit",
    "preferences_for",
    "preferences_update",
    "strategy_create",
    "strategy_update",
]
