"""Housekeeping pages in headless Chromium at 1440 and 390 px: each renders without a console error or a
failed request, nothing in the content is wider than the screen; a trader sees the schedule but no "Run now"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PAGES = ["/housekeeping/", "/housekeeping/orphans/", "/housekeeping/mismatches/", "/housekeeping/eod/",
         "/strategies/settings/"]  # fmt: skip


@pytest.mark.parametrize("width", [1440, 390])
def test_housekeeping_pages_render_clean(logged_in_page, live, width):
    page = logged_in_page
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    for path in PAGES:
        page.goto(f"{live.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        # The page's own content (the shared top bar is tests/e2e/test_pages.py's): nothing outside a scroller
        # reaches past the screen.
        wide = page.evaluate("""(() => Array.from(document.querySelectorAll('main *')).filter(e =>
            e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll')
        ).map(e => e.tagName + '.' + e.className))()""")
        assert wide == [], f"{path} at {width}px: {wide[:5]}"
    assert errors == []
    page.goto(f"{live.url}/housekeeping/")
    expect(page.locator("[data-testid=hk-job][data-job=eod_reconciliation]")).to_contain_text("15:30")
    expect(page.locator("[data-testid=hk-run-now]")).to_have_count(0)  # not staff
