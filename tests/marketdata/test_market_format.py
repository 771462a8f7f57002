"""The `inr` template filter groups digits the Indian way, like OMS.formatINR in the browser."""

from decimal import Decimal

import pytest

from marketdata.templatetags.market_format import inr


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (Decimal("58842.25"), 2, "58,842.25"),
        (Decimal("1259.5000"), 2, "1,259.50"),
        (29679540, 0, "2,96,79,540"),
        (Decimal("100000"), 2, "1,00,000.00"),
        (Decimal("-688.5"), 2, "-688.50"),
        (Decimal("999"), 0, "999"),
        (None, 2, "–"),
    ],
)
def test_inr_groups_lakhs_and_crores(value, digits, shown):
    assert inr(value, digits) == shown
