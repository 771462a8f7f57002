"""The housekeeping API (real HTTP through DRF's client, API-key auth), pages, readiness, metrics, audit."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from django.test import Client

from housekeeping import audit
from housekeeping.models import HousekeepingEvent
from orders import services
from orders.models import OrderEvent
from tests.conftest import require_service

pytestmark = pytest.mark.dates


@pytest.fixture(autouse=True)
def _pinned(travel_to):
    travel_to("2026-12-02 10:30 IST", tick=True)


@pytest.fixture
def kept_orphans(user, fut, place, django_capture_on_commit_callbacks):
    strat = services.strategy_create(user=user, name="aggr", preset="aggressive")
    with django_capture_on_commit_callbacks(execute=True):
        place(stop_loss=D("23900"), target=D("24500"), strategy_id=strat.pk)
        place(transaction_type="SELL", strategy_id=strat.pk)
    return strat


def test_orphaned_orders_listed_and_cleaned_per_strategy(api, other_api, kept_orphans):
    url = f"/api/v1/strategies/{kept_orphans.pk}/"
    listed = api.get(url + "orphaned-orders/")
    assert listed.status_code == 200 and len(listed.json()) == 2
    assert all(o["is_orphaned"] and "allows" in o["orphaned_reason"] for o in listed.json())
    assert other_api.get(url + "orphaned-orders/").status_code == 404
    assert other_api.post(url + "cleanup-orphaned-orders/", {}, format="json").status_code == 404
    refused = api.post(url + "cleanup-orphaned-orders/", {"include_kep": True}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "UNKNOWN_FIELD"
    kept = api.post(url + "cleanup-orphaned-orders/", {}, format="json")
    assert kept.status_code == 200 and kept.json()["status"] == "OK" and "cancelled" not in kept.json()["did"]
    done = api.post(url + "cleanup-orphaned-orders/", {"include_kept": True}, format="json")
    assert sorted(done.json()["did"]["cancelled"]) == sorted(o["id"] for o in listed.json())
    assert api.get(url + "orphaned-orders/").json() == []
    rec = api.post(url + "reconcile-orders/", format="json")
    assert rec.status_code == 200 and rec.json()["strategy_id"] == kept_orphans.pk and rec.json()["error"] == ""


def test_strategy_settings_put_with_a_preset_and_refusals(api, other_api, user):
    strat = services.strategy_create(user=user, name="s1")
    url = f"/api/v1/strategies/{strat.pk}/settings/"
    r = api.put(url, {"preset": "aggressive", "notify_on_orphan_detection": False}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["preset"] == "aggressive" and body["allow_orphaned_orders"] is True
    assert body["notify_on_orphan_detection"] is False and D(body["margin_buffer_pct"]) == D("5.0")
    assert api.put(url, {"auto_cleanup": True}, format="json").json()["error"]["code"] == "UNKNOWN_FIELD"
    assert other_api.put(url, {"auto_cleanup_enabled": True}, format="json").status_code == 404


def test_admin_endpoints_are_staff_only(api, user, account, fut, place):
    for method, path in (("post", "eod/"), ("post", "reconcile-all/"), ("get", "logs/")):
        assert getattr(api, method)(f"/api/v1/admin/housekeeping/{path}", format="json").status_code == 403
    user.is_staff = True
    user.save()
    place()
    eod = api.post("/api/v1/admin/housekeeping/eod/", {}, format="json")
    assert eod.status_code == 200 and eod.json()["job"] == "eod_reconciliation" and eod.json()["trigger"] == "manual"
    rec = api.post("/api/v1/admin/housekeeping/reconcile-all/", format="json")
    assert rec.status_code == 200
    [acc] = rec.json()["accounts"]
    assert acc["account_id"] == account.pk and acc["checked"] and acc["positions"] == 1 and rec.json()["mismatches"] == []
    logs = api.get("/api/v1/admin/housekeeping/logs/?job=eod_reconciliation").json()
    assert [e["job"] for e in logs] == ["eod_reconciliation"]
    assert api.get("/api/v1/admin/housekeeping/logs/?job=a&job=b").status_code == 400


def test_readiness_and_metrics(run_job, travel_to):
    c = Client()
    r = c.get("/health/ready")
    body = r.json()
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["celery_beat"]["status"] == "fail"  # no scheduled run yet
    assert r.status_code == 200 and body["status"] == "degraded"
    assert c.get("/health/ready?strict=1").status_code == 503
    run_job("broker_health")
    assert c.get("/health/ready").json()["checks"]["celery_beat"]["status"] == "ok"
    metrics = c.get("/metrics").content.decode()
    assert 'oms_housekeeping_jobs_total{job="broker_health",status="OK"}' in metrics
    assert 'oms_housekeeping_last_run_ok{job="broker_health"} 1.0' in metrics
    assert 'oms_housekeeping_runs_24h{job="broker_health",status="OK"} 1.0' in metrics
    assert c.get("/healthz").json() == {"status": "ok"}


def test_audit_trail_names_csv_and_no_delete(user, account, fut, place, other_user):
    order = place()
    names = [audit.seed_event(e.kind, e.to_status, e.from_status) for e in OrderEvent.objects.filter(order=order)]
    assert "ORDER_CREATED" in names and "ORDER_FILLED" in names
    assert set(n for n in names if n) <= set(audit.SEED_EVENTS)
    assert audit.seed_event("MODIFIED") == "ORDER_MODIFIED" and audit.seed_event("STATUS", "EXPIRED", "OPEN") == "ORDER_EXPIRED"
    assert audit.seed_event("STATUS", "CANCELLED", "OPEN") == "ORDER_CANCELLED" and audit.seed_event("SLICED") == ""
    c = Client()
    c.force_login(user)
    from datetime import date

    r = c.get(f"/housekeeping/audit.csv?account={account.pk}&from=2026-12-02&to=2026-12-02")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert r.status_code == 200 and {row["order_id"] for row in rows} == {str(order.pk)}
    assert rows[0]["event"] == "ORDER_CREATED"
    assert audit.audit_csv(account=account, date_from=date(2026, 12, 1), date_to=date(2026, 12, 1)).count("\n") == 1
    other = Client()
    other.force_login(other_user)
    assert other.get(f"/housekeeping/audit.csv?account={account.pk}").status_code == 404
    with pytest.raises(PermissionError):
        OrderEvent.objects.filter(order=order).delete()
    with pytest.raises(PermissionError):
        OrderEvent.objects.filter(order=order).first().delete()


def test_pages(user, make_user, kept_orphans, run_job):
    c = Client()
    c.force_login(user)
    assert c.get("/housekeeping/").status_code == 200
    assert c.post("/housekeeping/run/order_aging/").status_code == 302  # to the admin login: staff only
    assert not HousekeepingEvent.objects.filter(job="order_aging").exists()
    page = c.get("/housekeeping/orphans/").content.decode()
    assert page.count('data-testid="orphan-row"') == 2
    order_id = int(page.split('data-order="')[1].split('"')[0])
    assert c.post(f"/housekeeping/orphans/{order_id}/keep/").status_code == 302
    assert c.post(f"/housekeeping/orphans/{order_id}/cancel/").status_code == 302
    assert c.get("/housekeeping/orphans/").content.decode().count('data-testid="orphan-row"') == 1
    assert c.get("/housekeeping/mismatches/").status_code == 200
    assert c.get("/housekeeping/eod/").status_code == 200 and c.get("/housekeeping/eod.csv").status_code == 200
    s = c.get(f"/strategies/settings/?strategy={kept_orphans.pk}").content.decode()
    assert 'name="allow_orphaned_orders"' in s and 'data-testid="preset-conservative"' in s
    c.post("/strategies/settings/", {"strategy": kept_orphans.pk, "preset": "conservative"})
    kept_orphans.refresh_from_db()
    assert not kept_orphans.allow_orphaned_orders and kept_orphans.auto_cleanup_enabled
    staff = make_user("ops", is_staff=True)
    c.force_login(staff)
    assert c.post("/housekeeping/run/order_aging/").status_code == 302
    assert HousekeepingEvent.objects.get(job="order_aging").actor == f"user:{staff.pk}"


def test_order_metrics_placed_refused_stage_timings_fills_alerts(user, account, fut, place,
                                                                django_capture_on_commit_callbacks):
    from prometheus_client import REGISTRY

    def value(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0

    placed, fills = value("oms_orders_placed_total"), value("oms_fills_total")
    refused = value("oms_orders_refused_total", code="INVALID_QUANTITY")
    timed = value("oms_pretrade_stage_seconds_count", stage="orders.validate")
    latency = value("oms_order_placement_seconds_count")
    with django_capture_on_commit_callbacks(execute=True):
        place()
    assert value("oms_orders_placed_total") == placed + 1 and value("oms_fills_total") == fills + 1
    assert value("oms_pretrade_stage_seconds_count", stage="orders.validate") == timed + 1
    assert value("oms_order_placement_seconds_count") == latency + 1
    with pytest.raises(Exception) as exc:
        place(quantity=10)  # not a multiple of the lot
    code = exc.value.code
    assert value("oms_orders_refused_total", code=code) >= 1
    assert code != "INVALID_QUANTITY" or value("oms_orders_refused_total", code=code) == refused + 1
    from alerts.services import alert_raise

    before = value("oms_alerts_total", type="SYSTEM", level="INFO")
    alert_raise(user=user, type="SYSTEM", level="INFO", message="x")
    assert value("oms_alerts_total", type="SYSTEM", level="INFO") == before + 1


def test_ops_run_a_job_now_by_api_and_admin_action(api, user, make_user):
    assert api.post("/api/v1/admin/housekeeping/jobs/order_aging/run/", format="json").status_code == 403
    user.is_staff = True
    user.save()
    jobs_list = api.get("/api/v1/admin/housekeeping/jobs/").json()
    assert {j["name"] for j in jobs_list} >= {"orphaned_orders", "eod_reconciliation"}
    assert all(j["schedule"] for j in jobs_list)
    r = api.post("/api/v1/admin/housekeeping/jobs/order_aging/run/", format="json")
    assert r.status_code == 200 and r.json()["trigger"] == "manual"
    assert api.post("/api/v1/admin/housekeeping/jobs/nope/run/", format="json").json()["error"]["code"] == (
        "HOUSEKEEPING_JOB_UNKNOWN")  # fmt: skip
    admin_user = make_user("root", is_staff=True, is_superuser=True)
    c = Client()
    c.force_login(admin_user)
    ev = HousekeepingEvent.objects.get(job="order_aging")
    r = c.post("/admin/housekeeping/housekeepingevent/", {"action": "run_again_now", "_selected_action": [ev.pk]})
    assert r.status_code == 302 and HousekeepingEvent.objects.filter(job="order_aging").count() == 2
    assert c.get("/admin/housekeeping/mismatch/").status_code == 200


def test_the_database_itself_refuses_to_delete_audit_rows_on_postgresql(account, fut, place):
    from django.db import DatabaseError, connection, transaction

    # The trigger is PostgreSQL's (SQLite relies on the ORM's refusal, tested above): under CI it must run.
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database")
    order = place()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM orders_orderevent WHERE order_id = %s", [order.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE orders_orderevent SET reason = 'x' WHERE order_id = %s", [order.pk])
    assert OrderEvent.objects.filter(order=order).exists()
