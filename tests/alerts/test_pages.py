from __future__ import annotations

import pytest

from alerts import services
from alerts.types import AlertLevel, AlertType

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, user):  # noqa: ANN001
    client.force_login(user)
    return client


def test_bell_badge_counts_unread_on_every_page(browser, user, other_user):
    services.alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="a")
    services.alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="b")
    services.alert_raise(user=other_user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="c")
    html = browser.get("/alerts/").content.decode()
    assert 'data-testid="alert-badge" data-count="2"' in html
    assert "js/alerts.js" in html


def test_alert_center_lists_own_and_answers_via_htmx(browser, user, other_user):
    mine = services.alert_raise(
        user=user,
        type=AlertType.WIDE_SPREAD,
        level=AlertLevel.CRITICAL,
        message="Spread 3.2% on NIFTY",
        actions=["Use LIMIT", "Proceed anyway"],
    )
    services.alert_raise(user=other_user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="secret of other")
    html = browser.get("/alerts/").content.decode()
    assert "Spread 3.2% on NIFTY" in html and "secret of other" not in html
    assert 'data-action="Use LIMIT"' in html
    row = browser.post(f"/alerts/{mine.pk}/respond/", {"action": "Use LIMIT"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "Answered: Use LIMIT" in row.content.decode()
    again = browser.post(f"/alerts/{mine.pk}/respond/", {"action": "Proceed anyway"}, HTTP_HX_REQUEST="true")
    assert "already been answered" in again.content.decode()


def test_other_users_alert_pages_are_404(client, other_user, user):  # noqa: ANN001
    alert = services.alert_raise(
        user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="x", actions=["Acknowledge"]
    )
    client.force_login(other_user)
    assert client.get(f"/alerts/{alert.pk}/row/").status_code == 404
    assert client.post(f"/alerts/{alert.pk}/respond/", {"action": "Acknowledge"}).status_code == 404
    assert client.post(f"/alerts/{alert.pk}/read/").status_code == 404


def test_mark_all_read_page_and_preferences(browser, user):
    services.alert_raise(user=user, type=AlertType.SYSTEM, level=AlertLevel.INFO, message="x")
    assert browser.post("/alerts/mark-all-read/").status_code == 302
    assert 'data-count="0"' in browser.get("/alerts/").content.decode()
    response = browser.post(
        "/alerts/preferences/",
        {"min_level": "WARNING", "muted_types": ["ORDER_FILLED"], "quiet_start": "22:00", "quiet_end": "06:30"},
    )
    assert response.status_code == 302
    from alerts.selectors import preference_get

    pref = preference_get(user=user)
    assert pref.min_level == "WARNING" and pref.muted_types == ["ORDER_FILLED"] and pref.quiet_end.hour == 6


def test_login_required(client):  # noqa: ANN001
    assert client.get("/alerts/").status_code == 302
