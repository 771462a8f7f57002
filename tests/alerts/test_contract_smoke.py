import pytest

from alerts.models import Alert
from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType


@pytest.mark.django_db
def test_alert_raise_stores(user):
    alert = alert_raise(user=user, type=AlertType.ORDER_FILLED, level=AlertLevel.INFO, message="filled")
    assert Alert.objects.get(pk=alert.pk).message == "filled"
