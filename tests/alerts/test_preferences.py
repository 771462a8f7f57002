from __future__ import annotations

import datetime

import httpx
import pytest
from django.utils import timezone

from alerts import services, tasks
from alerts.delivery import DeliveryPrefs, in_quiet_hours, should_push
from alerts.models import Alert
from alerts.types import AlertLevel, AlertType

T = datetime.time


def test_quiet_hours_window_including_midnight_wrap():
    assert in_quiet_hours(T(23, 0), T(22, 0), T(7, 0))
    assert in_quiet_hours(T(3, 0), T(22, 0), T(7, 0))
    assert not in_quiet_hours(T(12, 0), T(22, 0), T(7, 0))
    assert in_quiet_hours(T(13, 0), T(12, 0), T(14, 0))
    assert not in_quiet_hours(T(14, 0), T(12, 0), T(14, 0))
    assert not in_quiet_hours(T(3, 0), None, T(7, 0))


def test_should_push_rules():
    prefs = DeliveryPrefs(
        muted_types=frozenset({"ORDER_FILLED"}), min_level="WARNING", quiet_start=T(0, 0), quiet_end=T(23, 59)
    )
    noon = T(12, 0)
    assert not should_push(prefs, alert_type="ORDER_FILLED", level="URGENT", actions=[], now_local=noon)
    assert not should_push(prefs, alert_type="ORDER_REJECTED", level="INFO", actions=[], now_local=noon)
    assert should_push(prefs, alert_type="ORDER_REJECTED", level="WARNING", actions=[], now_local=noon)
    # Something waits on the answer: always pushed.
    assert should_push(prefs, alert_type="ORDER_FILLED", level="INFO", actions=["Approve"], now_local=noon)
    quiet_info = DeliveryPrefs(quiet_start=T(0, 0), quiet_end=T(23, 59))
    assert not should_push(quiet_info, alert_type="SYSTEM", level="INFO", actions=[], now_local=noon)
    assert should_push(quiet_info, alert_type="SYSTEM", level="WARNING", actions=[], now_local=noon)


@pytest.mark.django_db
def test_muted_alert_is_stored_but_not_pushed(user, pushes, django_capture_on_commit_callbacks):
    services.preference_update(user=user, muted_types=["ORDER_FILLED"])
    with django_capture_on_commit_callbacks(execute=True):
        muted = services.alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="quiet")
        loud = services.alert_raise(user=user, type=AlertType.ORDER_REJECTED, level=AlertLevel.INFO, message="loud")
    assert Alert.objects.get(pk=muted.pk).delivered is False
    assert [m["message"]["alert"]["id"] for _, m in pushes] == [loud.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("at", ["2026-12-02 11:00 IST", "2026-12-02 23:50 IST"])  # the second window wraps midnight
def test_quiet_hours_silence_info_now(user, pushes, django_capture_on_commit_callbacks, travel_to, at):
    travel_to(at)
    now_ist = timezone.localtime(timezone.now(), services.IST)
    start = (now_ist - datetime.timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    end = (now_ist + datetime.timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    services.preference_update(user=user, quiet_start=start, quiet_end=end)
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_raise(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="info")
        crit = services.alert_raise(user=user, type=AlertType.MARGIN_CALL, level=AlertLevel.CRITICAL, message="crit")
    assert [m["message"]["alert"]["id"] for _, m in pushes] == [crit.pk]


@pytest.mark.django_db
def test_preference_update_validates_types(user):
    from alerts.errors import AlertTypeInvalid

    with pytest.raises(AlertTypeInvalid):
        services.preference_update(user=user, muted_types=["NOT_A_TYPE"])


@pytest.fixture
def telegram_requests(monkeypatch, settings):  # noqa: ANN001
    settings.TELEGRAM_BOT_TOKEN = "123:abc"
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    monkeypatch.setattr(tasks, "telegram_transport", httpx.MockTransport(handle))
    return seen


@pytest.mark.django_db
def test_telegram_sends_critical_and_urgent_only(user, telegram_requests, django_capture_on_commit_callbacks):
    import json

    services.preference_update(user=user, telegram_chat_id="99887766")
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="filled")
        services.alert_raise(
            user=user, type=AlertType.MARGIN_CALL, level=AlertLevel.CRITICAL, message="Add ₹50,000", title="Margin call"
        )
    assert len(telegram_requests) == 1
    req = telegram_requests[0]
    assert str(req.url) == "https://api.telegram.org/bot123:abc/sendMessage"
    body = json.loads(req.content)
    assert body["chat_id"] == "99887766"
    assert "Margin call" in body["text"] and "Add ₹50,000" in body["text"]


@pytest.mark.django_db
def test_telegram_not_sent_on_rollback_or_without_chat_or_token(
    user, telegram_requests, settings, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        services.alert_raise(user=user, type=AlertType.KILL_SWITCH, level=AlertLevel.URGENT, message="no chat id")
    services.preference_update(user=user, telegram_chat_id="1")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.alert_raise(
                    user=user, type=AlertType.KILL_SWITCH, level=AlertLevel.URGENT, message="rolled back"
                )
                raise RuntimeError
    settings.TELEGRAM_BOT_TOKEN = ""
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_raise(user=user, type=AlertType.KILL_SWITCH, level=AlertLevel.URGENT, message="no token")
    assert telegram_requests == []


@pytest.mark.django_db
def test_expiry_task_and_beat_schedule(user):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task=tasks.EXPIRE_TASK_NAME)
    assert task.enabled and task.interval.every == 15
    alert = services.alert_raise(
        user=user,
        type=AlertType.APPROVAL_REQUIRED,
        level=AlertLevel.WARNING,
        message="x",
        actions=["Approve"],
        expires_in=datetime.timedelta(seconds=-1),
    )
    assert tasks.alerts_expire_due_task.delay() is not None
    alert.refresh_from_db()
    assert alert.status == "EXPIRED"
