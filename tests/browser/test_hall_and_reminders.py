"""Issue 10's browser tests on the demo data (高邑县), at 1366×768 in Debian's Chromium:
the clerk files a retiree's 异地就医备案 with the 身份证 alone, an application missing a
material gets its 一次性告知书, and a supervisor's 督办 reaches the officer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.timeutil import TZ
from tests.browser.test_pages import browser, login, new_page, server, shot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_clerk_files_a_retiree_on_the_spot_and_gives_a_one_time_notice(new_page: Any) -> None:  # noqa: F811
    clerk = new_page()
    login(clerk, "sunli")
    clerk.fill("#q", "异地就医")
    clerk.click("form[action='/hall'] button[type=submit]")
    clerk.wait_for_load_state()
    clerk.locator("a", has_text="收件受理").first.click()
    clerk.wait_for_load_state()
    assert clerk.locator("main form[method=post]").count() == 0  # the category comes first
    clerk.locator("#categories a", has_text="异地安置退休人员备案").click()
    clerk.wait_for_load_state()
    assert "无需提供异地居住证明" in clerk.locator("#categories").inner_text()
    materials = clerk.locator("#materials").inner_text()
    assert "转诊证明" not in materials and "任选其一" in materials
    clerk.fill("input[name='party.name']", "郭某")
    clerk.fill("input[name='party.id_no']", "130127195505050099")
    clerk.locator("#materials label", has_text="参保人身份证").locator("input").check()  # 身份证 only, no 社保卡
    shot(clerk, "hall-intake-retiree")
    clerk.click("button[name=decision][value=complete]")
    clerk.wait_for_load_state()
    assert "已当场办结" in clerk.locator(".notice").inner_text()
    assert "办结" in clerk.locator("#current-state").inner_text()

    # the applicant's earlier applications by ID number
    clerk.goto("/hall?id_no=130127195505050099")
    assert "郭某" in clerk.locator("#applicant-search").inner_text()

    # a referral without the 转诊证明: the 一次性告知书 names it
    clerk.goto("/hall")
    clerk.fill("#q", "异地就医")
    clerk.click("form[action='/hall'] button[type=submit]")
    clerk.locator("a", has_text="收件受理").first.click()
    clerk.locator("#categories a", has_text="异地转诊人员备案").click()
    clerk.wait_for_load_state()
    clerk.fill("input[name='party.name']", "田某")
    clerk.locator("#materials label", has_text="社会保障卡").locator("input").check()
    clerk.click("button[name=decision][value=complete]")
    clerk.wait_for_load_state()
    assert "转诊证明" in clerk.locator(".error").inner_text() and "第三十二条" in clerk.locator(".error").inner_text()
    clerk.locator("select[name='f.method']").select_option("on_spot")
    clerk.click("button[name=decision][value=supplement]")
    clerk.wait_for_load_state()
    assert "待补正" in clerk.locator("#current-state").inner_text()
    assert "转诊证明（异地转诊）" in clerk.locator("#missing").inner_text()
    assert "一次性告知书" in clerk.locator("body").inner_text()


def test_supervisor_sends_a_reminder_the_officer_then_sees(new_page: Any) -> None:  # noqa: F811
    supervisor = new_page()
    login(supervisor, "zhoujie")
    row = supervisor.locator("#entries tbody tr", has_text="已超期").filter(has_text="张伟").first
    row.locator("a.remind-link").click()
    supervisor.wait_for_load_state()
    number = supervisor.locator("h1").inner_text().split("：", 1)[1]
    supervisor.fill("#note", "该环节已超期，请本周内办结并报告")
    supervisor.click("form[action$='/remind'] button[type=submit]")
    supervisor.wait_for_load_state()
    assert "已督办" in supervisor.locator(".notice").inner_text() and "张伟" in supervisor.locator(".notice").inner_text()

    officer = new_page()
    login(officer, "zhangwei")
    assert int(officer.locator("#unread-count").inner_text()) >= 1
    officer.click("#messages-link")
    officer.wait_for_load_state()
    reminders = officer.locator("#reminders").inner_text()
    assert number in reminders and "请本周内办结并报告" in reminders
    shot(officer, "messages")
    officer.locator("#reminders a", has_text="查看案件").first.click()
    officer.wait_for_load_state()
    officer.click("label[for=tab-timeline]")
    assert "督办" in officer.locator("#timeline").inner_text()  # on the case's timeline
    officer.goto("/messages")
    assert officer.locator("#unread-count").count() == 0  # read once the list was opened
    officer.goto("/messages/digest")
    assert "每日待办摘要" in officer.locator("h1").inner_text()
    assert int(officer.locator("#digest-reminders").inner_text()) >= 1
    assert int(officer.locator("#digest-due").inner_text()) >= 1  # the demo's overdue steps of his cases


def test_supervisor_reads_the_statistics_of_this_year(new_page: Any) -> None:  # noqa: F811
    page = new_page()
    login(page, "zhoujie")
    page.click("nav a:has-text('统计')")
    page.wait_for_load_state()
    assert "执法数据统计" in page.locator("h1").inner_text()
    today = datetime.now(TZ).date()  # the bureau's day, whatever the machine's zone
    assert page.locator("#start").input_value() == f"{today.year}-01-01"
    assert page.locator("#end").input_value() == today.isoformat()
    assert page.locator("svg.chart").count() == 2
    assert page.locator("#by-power-type tbody tr").count() >= 1
    shot(page, "statistics")
    with page.expect_download() as download:
        page.click("#export-pdf")
    assert download.value.suggested_filename.endswith(".pdf")
