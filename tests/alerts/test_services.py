from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from alerts import errors, selectors, services
from alerts.models import Alert, AlertResponse
from alerts.types import AlertLevel, AlertStatus, AlertType

pytestmark = pytest.mark.django_db


def raise_approval(user, **kw):  # noqa: ANN001
    return services.alert_raise(
        user=user,
        type=AlertType.APPROVAL_REQUIRED,
        level=AlertLevel.WARNING,
        message="Approve order 12?",
        links={"order_id": 12},
        actions=["Approve", "Reject"],
        **kw,
    )


def test_raise_stores_and_pushes_to_owner_only_on_commit(user, other_user, pushes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alert = services.alert_raise(
            user=user,
            type=AlertType.ORDER_FILLED,
            level=AlertLevel.INFO,
            message="Bought 75 NIFTY",
            payload={"qty": 75},
            links={"order_id": 3},
        )
        assert pushes == []  # not before commit
    assert [g for g, _ in pushes] == [f"user.{user.pk}.alerts"]
    message = pushes[0][1]
    assert message["type"] == "alert.push"
    assert message["message"]["type"] == "alert"
    assert message["message"]["alert"] == selectors.alert_as_dict(alert)
    assert message["message"]["alert"]["links"] == {"order_id": 3}
    assert not any(str(other_user.pk) in g.split(".")[1] for g, _ in pushes)


def test_rollback_pushes_nothing_and_stores_nothing(user, pushes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.alert_raise(user=user, type=AlertType.ORDER_REJECTED, level=AlertLevel.WARNING, message="x")
                raise RuntimeError("boom")
    assert pushes == []
    assert Alert.objects.count() == 0


def test_unknown_type_or_level_refused(user):
    with pytest.raises(errors.AlertTypeInvalid):
        services.alert_raise(user=user, type="NOPE", level=AlertLevel.INFO, message="x")
    with pytest.raises(errors.AlertTypeInvalid):
        services.alert_raise(user=user, type=AlertType.SYSTEM, level="LOUD", message="x")


def test_default_title_and_expiry(user):
    alert = raise_approval(user, expires_in=datetime.timedelta(minutes=2))
    assert alert.title == "Approval Required"
    assert alert.status == AlertStatus.ACTIVE
    assert alert.expires_at > timezone.now() + datetime.timedelta(seconds=100)


def test_respond_once_runs_handler_audits_and_pushes_update(
    user, pushes, handler_calls, django_capture_on_commit_callbacks
):
    alert = raise_approval(user)
    pushes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.alert_respond(user=user, alert_id=alert.pk, action="Approve", actor="user:1")
    assert answered.status == AlertStatus.RESPONDED and answered.response == "Approve"
    assert answered.read_at is not None
    assert handler_calls == [(alert.pk, "Approve", "user:1")]
    assert list(AlertResponse.objects.values_list("action", "actor")) == [("Approve", "user:1")]
    assert pushes[-1][1]["message"]["type"] == "alert.updated"
    assert pushes[-1][1]["message"]["alert"]["response"] == "Approve"
    with pytest.raises(errors.AlertAlreadyResponded):
        services.alert_respond(user=user, alert_id=alert.pk, action="Reject", actor="user:1")
    assert len(handler_calls) == 1
    assert AlertResponse.objects.count() == 1


def test_respond_action_must_be_offered(user, handler_calls):
    alert = raise_approval(user)
    with pytest.raises(errors.AlertActionInvalid) as exc:
        services.alert_respond(user=user, alert_id=alert.pk, action="Maybe", actor="user:1")
    assert exc.value.details["actions"] == ["Approve", "Reject"]
    info = services.alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="x")
    with pytest.raises(errors.AlertActionInvalid):
        services.alert_respond(user=user, alert_id=info.pk, action="Approve", actor="user:1")
    assert handler_calls == []


def test_respond_to_someone_elses_alert_is_not_found(user, other_user, handler_calls):
    alert = raise_approval(user)
    with pytest.raises(errors.AlertNotFound):
        services.alert_respond(user=other_user, alert_id=alert.pk, action="Approve", actor="user:2")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTIVE and handler_calls == []


def test_handler_error_rolls_back_the_answer(user):
    def refuse(alert, action, actor):  # noqa: ANN001
        raise errors.AlertActionInvalid("order already gone")

    services.register_response_handler(AlertType.HIGH_IMPACT, refuse)
    try:
        alert = services.alert_raise(
            user=user, type=AlertType.HIGH_IMPACT, level=AlertLevel.CRITICAL, message="x", actions=["Proceed anyway"]
        )
        with pytest.raises(errors.AlertActionInvalid):
            services.alert_respond(user=user, alert_id=alert.pk, action="Proceed anyway", actor="user:1")
    finally:
        services.unregister_response_handler(AlertType.HIGH_IMPACT, refuse)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTIVE and alert.response == ""
    assert AlertResponse.objects.count() == 0


def test_expired_alert_cannot_be_answered_and_expiry_calls_handler(
    user, handler_calls, pushes, django_capture_on_commit_callbacks
):
    alert = raise_approval(user, expires_in=datetime.timedelta(seconds=30))
    later = timezone.now() + datetime.timedelta(seconds=31)
    assert services.alerts_expire_due(now=timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_expire_due(now=later) == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.EXPIRED
    assert handler_calls == [(alert.pk, "EXPIRED", "system:expiry")]
    assert AlertResponse.objects.get().action == "EXPIRED"
    assert pushes[-1][1]["message"]["type"] == "alert.updated"
    assert services.alerts_expire_due(now=later) == 0  # idempotent
    with pytest.raises(errors.AlertExpired):
        services.alert_respond(user=user, alert_id=alert.pk, action="Approve", actor="user:1")


def test_answer_after_expiry_time_refused_even_before_the_job_runs(user, handler_calls):
    alert = raise_approval(user, expires_in=datetime.timedelta(seconds=-1))
    with pytest.raises(errors.AlertExpired):
        services.alert_respond(user=user, alert_id=alert.pk, action="Approve", actor="user:1")
    assert handler_calls == []


def test_mark_read_and_mark_all_read(user, other_user, pushes, django_capture_on_commit_callbacks):
    a1 = services.alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="1")
    services.alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="2")
    services.alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="3")
    services.alert_raise(user=other_user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="theirs")
    with pytest.raises(errors.AlertNotFound):
        services.alert_mark_read(user=other_user, alert_id=a1.pk)
    assert services.alert_mark_read(user=user, alert_id=a1.pk).read_at is not None
    assert selectors.alert_unread_count(user=user) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alert_mark_all_read(user=user) == 2
    assert pushes[-1] == (
        f"user.{user.pk}.alerts",
        {"type": "alert.push", "message": {"type": "alerts.read_all", "marked": 2}},
    )
    assert selectors.alert_unread_count(user=user) == 0
    assert selectors.alert_unread_count(user=other_user) == 1


def test_replay_selector_only_own_and_capped(user, other_user):
    mine = [
        services.alert_raise(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message=str(i)) for i in range(5)
    ]
    services.alert_raise(user=other_user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="theirs")
    got = selectors.alerts_since(user_id=user.pk, since_id=mine[1].pk)
    assert [a.pk for a in got] == [a.pk for a in mine[2:]]
    capped = selectors.alerts_since(user_id=user.pk, since_id=0, limit=2)
    assert [a.pk for a in capped] == [mine[3].pk, mine[4].pk]


def test_raise_many_pushes_each_owner_its_own_alert_on_commit(
    user, other_user, make_user, pushes, django_capture_on_commit_callbacks
):
    third = make_user("third")
    services.preference_update(user=third, min_level="URGENT")
    with django_capture_on_commit_callbacks(execute=True):
        created = services.alert_raise_many(
            users=[user, other_user, third], type=AlertType.BROKER_DOWN, level=AlertLevel.CRITICAL, message="Kite down"
        )
        assert pushes == []
    assert len(created) == 3 and Alert.objects.filter(type="BROKER_DOWN").count() == 3
    by_group = {g: m["message"]["alert"] for g, m in pushes}
    assert set(by_group) == {f"user.{user.pk}.alerts", f"user.{other_user.pk}.alerts"}  # third's prefs: URGENT only
    assert all(by_group[f"user.{u.pk}.alerts"]["user_id"] == u.pk for u in (user, other_user))
    assert by_group[f"user.{user.pk}.alerts"] == selectors.alert_as_dict(Alert.objects.get(pk=created[0].pk))


def test_raise_many_to_many_users_is_one_broadcast_of_each_users_own_id(
    user, other_user, make_user, pushes, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BROADCAST_MIN_RECIPIENTS", 2)
    third = make_user("third")
    services.preference_update(user=third, muted_types=["BROKER_DOWN"])
    with django_capture_on_commit_callbacks(execute=True):
        created = services.alert_raise_many(
            users=[user, other_user, third], type=AlertType.BROKER_DOWN, level=AlertLevel.CRITICAL, message="Kite down"
        )
    assert len(pushes) == 1
    group, event = pushes[0]
    assert group == services.BROADCAST_GROUP and event["type"] == services.BROADCAST_EVENT
    ids = {a.user_id: a.pk for a in created}
    assert event["ids"] == {str(user.pk): ids[user.pk], str(other_user.pk): ids[other_user.pk]}  # third muted it
    assert "id" not in event["alert"] and "user_id" not in event["alert"]
    # The shared body plus a user's id is exactly that user's stored alert, as the API returns it.
    stored = selectors.alert_as_dict(Alert.objects.get(pk=ids[other_user.pk]))
    assert {**event["alert"], "id": ids[other_user.pk], "user_id": other_user.pk} == stored
