from __future__ import annotations

import pytest

from alerts import services
from alerts.models import AlertResponse
from alerts.types import AlertLevel, AlertType

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_alerts(user, other_user):
    a = services.alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="filled")
    b = services.alert_raise(user=user, type=AlertType.ORDER_REJECTED, level=AlertLevel.WARNING, message="rejected")
    c = services.alert_raise(
        user=user,
        type=AlertType.WIDE_SPREAD,
        level=AlertLevel.CRITICAL,
        message="spread 4%",
        actions=["Use LIMIT", "Proceed anyway"],
    )
    services.alert_raise(user=other_user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="theirs")
    return a, b, c


def ids(response):  # noqa: ANN001
    return [row["id"] for row in response.json()["results"]]


def test_list_own_alerts_newest_first_paginated(api, some_alerts):
    a, b, c = some_alerts
    body = api.get("/api/v1/alerts/").json()
    assert body["count"] == 3 and [r["id"] for r in body["results"]] == [c.pk, b.pk, a.pk]
    assert body["results"][0]["actions"] == ["Use LIMIT", "Proceed anyway"]
    assert set(body["results"][0]) >= {
        "type",
        "level",
        "message",
        "payload",
        "links",
        "status",
        "is_read",
        "expires_at",
    }


def test_list_filters(api, some_alerts):
    a, b, c = some_alerts
    assert ids(api.get("/api/v1/alerts/?level=WARNING")) == [b.pk]
    assert ids(api.get("/api/v1/alerts/?type=ORDER_FILLED")) == [a.pk]
    api.put(f"/api/v1/alerts/{a.pk}/mark-read/")
    assert ids(api.get("/api/v1/alerts/?unread=true")) == [c.pk, b.pk]
    assert ids(api.get("/api/v1/alerts/?unread=false")) == [a.pk]
    bad = api.get("/api/v1/alerts/?level=LOUD")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


def test_user_alerts_own_id_only(api, user, other_user, some_alerts):
    assert api.get(f"/api/v1/users/{user.pk}/alerts/").json()["count"] == 3
    response = api.get(f"/api/v1/users/{other_user.pk}/alerts/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"


def test_detail_of_others_alert_is_404(api, other_api, some_alerts):
    c = some_alerts[2]
    assert api.get(f"/api/v1/alerts/{c.pk}/").json()["id"] == c.pk
    assert other_api.get(f"/api/v1/alerts/{c.pk}/").status_code == 404
    assert other_api.post(f"/api/v1/alerts/{c.pk}/respond/", {"action": "Use LIMIT"}, format="json").status_code == 404
    assert other_api.put(f"/api/v1/alerts/{c.pk}/mark-read/").status_code == 404


def test_respond_once_with_audit(api, some_alerts):
    c = some_alerts[2]
    ok = api.post(f"/api/v1/alerts/{c.pk}/respond/", {"action": "Use LIMIT"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["status"] == "RESPONDED" and ok.json()["response"] == "Use LIMIT"
    assert ok.json()["response_actor"].startswith("api_key:")
    again = api.post(f"/api/v1/alerts/{c.pk}/respond/", {"action": "Proceed anyway"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "ALERT_ALREADY_RESPONDED"
    assert AlertResponse.objects.filter(alert=c).count() == 1


def test_respond_invalid_action_and_missing_body(api, some_alerts):
    c = some_alerts[2]
    bad = api.post(f"/api/v1/alerts/{c.pk}/respond/", {"action": "Yolo"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "ALERT_ACTION_INVALID"
    missing = api.post(f"/api/v1/alerts/{c.pk}/respond/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "VALIDATION_ERROR"


def test_respond_expired(api, user):
    import datetime

    alert = services.alert_raise(
        user=user,
        type=AlertType.APPROVAL_REQUIRED,
        level=AlertLevel.WARNING,
        message="x",
        actions=["Approve"],
        expires_in=datetime.timedelta(seconds=-5),
    )
    response = api.post(f"/api/v1/alerts/{alert.pk}/respond/", {"action": "Approve"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "ALERT_EXPIRED"


def test_mark_read_and_mark_all_read(api, other_api, some_alerts):
    a = some_alerts[0]
    read = api.put(f"/api/v1/alerts/{a.pk}/mark-read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert api.post("/api/v1/alerts/mark-all-read/").json() == {"marked": 2}
    assert api.get("/api/v1/alerts/?unread=true").json()["count"] == 0
    assert other_api.get("/api/v1/alerts/?unread=true").json()["count"] == 1


def test_preferences_roundtrip(api):
    assert api.get("/api/v1/alerts/preferences/").json()["min_level"] == "INFO"
    body = {"muted_types": ["ORDER_FILLED"], "min_level": "WARNING", "quiet_start": "22:00", "quiet_end": "07:00"}
    saved = api.put("/api/v1/alerts/preferences/", body, format="json").json()
    assert saved["muted_types"] == ["ORDER_FILLED"] and saved["quiet_start"] == "22:00:00"
    bad = api.put("/api/v1/alerts/preferences/", {"min_level": "LOUD"}, format="json")
    assert bad.status_code == 400


def test_unauthenticated_refused(client):  # noqa: ANN001
    assert client.get("/api/v1/alerts/").status_code in (401, 403)


@pytest.mark.clock_free
def test_schema_includes_alert_endpoints(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/alerts/{alert_id}/respond/" in text and "/api/v1/users/{user_id}/alerts/" in text


def test_send_test_alert_to_self(api, user):
    response = api.post("/api/v1/alerts/test/", {"level": "URGENT", "with_actions": True}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["type"] == "SYSTEM" and body["level"] == "URGENT" and body["actions"] == ["Acknowledge", "Dismiss"]
    assert body["user_id"] == user.pk and body["expires_at"] is not None
