import re

from tests.e2e.conftest import login


def test_demo_user_logs_in_and_sees_the_top_bar(page, live):
    login(page, live, "demo", "demo")
    assert page.locator(".topbar .username").inner_text() == "demo"
    # The account switcher lists the demo user's funded paper account.
    assert re.search(r"Paper", page.locator("[data-testid=account-switcher]").inner_text())


def test_wrong_password_is_refused(page, live):
    page.goto(f"{live.url}/login/")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert "didn't match" in page.locator(".login-card").inner_text()
    assert page.url.endswith("/login/")


def test_api_key_page_shows_a_new_key_once(logged_in_page, live):
    page = logged_in_page
    page.goto(f"{live.url}/settings/api-keys/")
    page.fill("input[name=name]", "my-bot")
    page.click("text=Create key")
    key = page.locator("[data-testid=new-key] pre").inner_text().strip()
    assert "." in key
    page.goto(f"{live.url}/settings/api-keys/")
    assert page.locator("[data-testid=new-key]").count() == 0
    assert "my-bot" in page.locator("table.grid").inner_text()


def test_top_bar_says_when_the_market_is_closed_and_paper_trades_any_time(page, live):
    """The chip follows the exchange calendar of the served product (closed now or not), never a literal."""
    out = live.shell(
        "from marketdata.templatetags.market_tags import market_mode\n"
        "print('CLOSED=' + str(market_mode(paper=True)['closed']))"
    )
    closed = "CLOSED=True" in out
    login(page, live, "demo", "demo")
    chip = page.locator("[data-testid=market-mode-chip]")
    if closed:
        assert chip.inner_text().strip() == "Market closed · paper trading any time"
        assert "IST" in chip.get_attribute("title")
    else:
        assert chip.count() == 0
