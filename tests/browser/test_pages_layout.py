"""What the demo's pages look like at 1366×768 in Debian's Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_pages import browser, login, new_page, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_the_dashboard_card_shows_how_many_cases_wait_for_the_head(new_page: Any) -> None:  # noqa: F811
    page = new_page()
    login(page, "zhaomin")
    assert page.url.endswith("/dashboard")
    card = page.locator("#count-awaiting").inner_text()
    assert "→" not in page.locator(".stats").inner_text()
    page.click("nav a:has-text('待我审批')")
    page.wait_for_load_state()
    assert card == page.locator("#list-total").inner_text() and int(card) >= 1
