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
