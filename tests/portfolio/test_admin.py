"""Admin: the moved models answer at their old /admin/orders/ addresses too; the ledger is read-only."""

from __future__ import annotations

import pytest

from portfolio import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, make_user):  # noqa: ANN001, ANN201
    admin = make_user("ops", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize("model", ["strategy", "trade", "position"])
def test_old_admin_addresses_redirect_to_the_portfolio(staff, model):
    r = staff.get(f"/admin/orders/{model}/?q=x")
    assert r.status_code == 302 and r["Location"] == f"/admin/portfolio/{model}/?q=x"
    assert staff.get(r["Location"]).status_code == 200
    assert staff.get(f"/admin/orders/{model}/1/change/")["Location"] == f"/admin/portfolio/{model}/1/change/"


def test_the_ledger_admin_is_read_only(staff, account):
    entry = services.funds_pay_in(account=account, amount="100")
    assert staff.get("/admin/portfolio/ledgerentry/").status_code == 200
    assert staff.get("/admin/portfolio/ledgerentry/add/").status_code == 403
    assert staff.post(f"/admin/portfolio/ledgerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    page = staff.get(f"/admin/portfolio/ledgerentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="amount"' not in page.content  # shown, not editable
