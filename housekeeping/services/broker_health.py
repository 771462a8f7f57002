"""Broker API health (seed 001 "Broker API Health Check", every minute) per active Kite account:
reachability and token validity (Kite access tokens lapse daily at ~06:00 IST, kite-api.md), the
order-update stream (orders.stream_status), and the API round trip (a read of the order book: the same
HTTP path and session a placement takes; no test order is ever sent). A failed check is retried once at
once; a second failure (or an invalid token, which no retry fixes) pauses placement on the account: the
pre-trade stage `housekeeping.broker_health` refuses with BROKER_PAUSED, and the trader is alerted
(BROKER_DOWN). The first passing check lifts the pause and says so.

The pause is read on the hot path from the cache (no query per order); BrokerHealth is the record, and
every check rewrites the cache mark, so a flushed cache is repaired within a minute."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import TradingAccount
from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from oms_project import metrics
from oms_project.lib.pretrade import PASS, PretradeContext, StageResult
from orders.brokers import broker_for
from orders.stream_status import stream_connected

from .. import errors
from ..models import BrokerHealth

SLOW_SECONDS = 5.0  # a round trip slower than this fails the check (Kite's HTTP timeout is 7 s, kite-api.md)
PAUSE_KEY = "housekeeping:broker_paused:{}"


def _paused_key(account_id: int) -> str:
    return PAUSE_KEY.format(account_id)


def stage_broker_health(intent: Any, ctx: PretradeContext) -> StageResult:
    """Pre-trade stage: refuse placement on a paused broker account (paper accounts are never paused)."""
    if ctx.account.is_paper or not cache.get(_paused_key(ctx.account.pk)):
        return PASS
    raise errors.BrokerPaused(
        f"Placement on {ctx.account.name} is paused: the last broker health checks failed. It resumes by "
        "itself when the broker answers again.",
        details={"account_id": ctx.account.pk},
    )


def _probe(account: TradingAccount) -> tuple[bool, bool, float | None, str]:
    """(reachable, token_valid, seconds, reason)."""
    from .._brokers import BrokerAuthError, BrokerError

    if not account.has_kite_session:
        return True, False, None, "no Kite session: log in to Kite again"
    broker = broker_for(account)
    started = time.perf_counter()
    try:
        broker.orders()
    except BrokerAuthError as exc:
        return True, False, None, f"the Kite session is no longer valid ({exc}); log in again"
    except BrokerError as exc:
        return False, True, None, f"the broker did not answer: {type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - any failure of the call is a failed check
        return False, True, None, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    if seconds > SLOW_SECONDS:
        return True, True, seconds, f"the broker answered in {seconds:.1f} s (limit {SLOW_SECONDS:.0f} s)"
    return True, True, seconds, ""


def broker_check(account: TradingAccount, *, now: Any = None) -> BrokerHealth:
    now = now or timezone.now()
    reachable, token_ok, seconds, reason = _probe(account)
    if reason and token_ok:  # a transient failure: retry once at once
        reachable, token_ok, seconds, reason = _probe(account)
    healthy = not reason
    stream = stream_connected(account.pk)
    with transaction.atomic():
        h = BrokerHealth.objects.select_for_update().filter(account=account).first()
        was_paused = bool(h and h.paused)
        if h is None:
            h = BrokerHealth(account=account, since=now, checked_at=now)
        h.reachable, h.token_valid, h.stream_connected = reachable, token_ok, stream
        h.latency_ms = int(seconds * 1000) if seconds is not None else None
        h.checked_at = now
        h.reason = reason[:300]
        h.healthy = healthy
        h.consecutive_failures = 0 if healthy else h.consecutive_failures + 1
        h.paused = not healthy
        if h.paused != was_paused or h.pk is None:
            h.since = now
        h.save()
        if h.paused and not was_paused:
            alert_raise(user=account.user, type=AlertType.BROKER_DOWN, level=AlertLevel.CRITICAL,
                        title="Broker account paused",
                        message=f"Order placement on {account.name} is paused: {reason}.",
                        payload={"account_id": account.pk})  # fmt: skip
        elif was_paused and not h.paused:
            alert_raise(user=account.user, type=AlertType.SYSTEM, level=AlertLevel.INFO, title="Broker back",
                        message=f"{account.name} answers again; order placement resumed.",
                        payload={"account_id": account.pk})  # fmt: skip
    if h.paused:
        cache.set(_paused_key(account.pk), 1, None)
    else:
        cache.delete(_paused_key(account.pk))
    metrics.broker_checked(account.pk, healthy, seconds)
    return h


def job_broker_health(run: Any) -> None:
    for account in TradingAccount.objects.filter(kind=TradingAccount.Kind.KITE, is_active=True).select_related("user"):
        run.look("kite_accounts")
        h = broker_check(account, now=run.at)
        if h.paused:
            run.done("paused", account.pk)
            run.error(f"account {account.pk}: {h.reason}")
        else:
            run.done("healthy", account.pk)
