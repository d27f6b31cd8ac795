"""What the demo's pages look like at 1366×768 in Debian's Chromium: a long name is cut with an
ellipsis and kept whole in its title, a button's label or an identifier is never broken over two
lines, and a card shows its figure."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_pages import browser, login, new_page, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

# The texts of the elements matched by a selector whose text runs over more than one line.
BROKEN = """(selector) => Array.from(document.querySelectorAll(selector)).filter(e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
  return tops.size > 1;
}).map(e => e.textContent.trim())"""


def broken(page: Any, selector: str) -> list[str]:
    assert page.locator(selector).count() > 0, selector
    found: list[str] = page.evaluate(BROKEN, selector)
    return found


def test_the_hall_cuts_a_long_item_name_with_an_ellipsis_and_keeps_it_whole_in_its_title(
    new_page: Any,  # noqa: F811
) -> None:
    page = new_page()
    login(page, "sunli")
    names = page.locator("#queue-supplement .list-line span[title]")
    assert names.count() >= 1
    long = [
        (names.nth(i).inner_text(), names.nth(i).get_attribute("title") or "")
        for i in range(names.count())
        if len(names.nth(i).get_attribute("title") or "") > 24
    ]
    assert long, "the demo has an application for a long-named item (25 异地就医备案) waiting for a supplement"
    for shown, whole in long:
        assert shown.endswith("…") and len(shown) == 24 and whole.startswith(shown[:-1]), (shown, whole)
    assert broken(page, "main button, main .button, main td.nowrap") == []  # 收件受理, 行政给付


def test_the_dashboard_card_shows_how_many_cases_wait_for_the_head(new_page: Any) -> None:  # noqa: F811
    page = new_page()
    login(page, "zhaomin")
    assert page.url.endswith("/dashboard")
    card = page.locator("#count-awaiting").inner_text()
    assert "→" not in page.locator(".stats").inner_text()
    page.click("nav a:has-text('待我审批')")
    page.wait_for_load_state()
    assert card == page.locator("#list-total").inner_text() and int(card) >= 1


def test_the_dashboard_breaks_no_figure_identifier_or_button(new_page: Any) -> None:  # noqa: F811
    page = new_page()
    login(page, "zhoujie")
    assert broken(page, "#entries td.nowrap, #entries a.nowrap, #filters .button, #filters button") == []
    late = page.locator("#entries td.nowrap b", has_text="日")
    assert late.count() >= 1  # the demo has steps overdue by tens of days: "95日" on one line
    search, clear = page.locator("#filters button[type=submit]"), page.locator("#filters a.button", has_text="清除")
    assert search.bounding_box()["y"] == clear.bounding_box()["y"]  # 清除 stays beside 筛选


def test_the_record_of_administration_keeps_its_times_and_actions_on_one_line(new_page: Any) -> None:  # noqa: F811
    page = new_page()
    login(page, "admin")
    assert broken(page, "#recent-record td.nowrap") == []
    content = page.locator("#recent-record tbody tr").first.locator("td").last
    assert content.bounding_box()["width"] > 300  # the 内容 column is not squeezed into a narrow side column
