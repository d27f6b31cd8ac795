"""The pages driven in Debian's Chromium through Playwright, against a live server on SQLite.

The app runs under uvicorn in a thread on a free local port with the demo data of
高邑县医疗保障局 (api/demo.py); each test logs in as the role it needs. Screenshots of the main pages are
saved to tests/artifacts/ (kept out of git) for a person to look at.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "caseflow-demo"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app with the demo data, served on 127.0.0.1 for the module's tests."""
    import uvicorn

    from api.app import create_app
    from api.config import Settings
    from api.demo import load_demo
    from api.users import create_user

    data = tmp_path_factory.mktemp("browser")
    settings = Settings(database_url=f"sqlite:///{data / 'caseflow.db'}", data_dir=data, secret="b" * 48)
    app = create_app(settings)
    state = app.state.caseflow
    list(load_demo(state))
    create_user(state.engine, "locked", bureau="xinji", roles=["clerk"], password="right-password", name="锁定测试")
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "state": state}
    uv.should_exit = True
    thread.join(timeout=10)
    state.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any, server: dict[str, Any]) -> Iterator[Any]:
    contexts = []

    def make(width: int = 1366, height: int = 768) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=server["url"],
            accept_downloads=True,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def action(page: Any, trigger: str) -> Any:
    """Open an allowed action's form on the case page and return it."""
    details = page.locator(f"details[data-trigger={trigger}]")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details.locator("form")


def submit(form: Any) -> None:
    form.locator("button[name=do]").click()
    form.page.wait_for_load_state()


@pytest.mark.parametrize(
    ("username", "landing", "heading"),
    [
        ("zhangwei", "/workbench", "我的待办"),
        ("sunli", "/hall", "服务大厅"),
        ("zhaomin", "/dashboard", "督办看板"),
        ("zhoujie", "/dashboard", "督办看板"),
        ("wangfang", "/workbench?view=review", "待法制审核案件"),
        ("admin", "/admin", "系统管理"),
    ],
)
def test_each_role_lands_on_its_page(new_page: Any, server: dict[str, Any], username: str, landing: str,
                                     heading: str) -> None:
    page = new_page()
    page.goto("/workbench")
    assert "/login" in page.url  # every page needs a login
    login(page, username)
    assert page.url == server["url"] + landing
    assert heading in page.locator("h1").first.inner_text()
    assert "高邑县医疗保障局" in page.locator("header").inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "caseflow_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    shot(page, f"landing-{username}")
    page.click("header button[type=submit]")  # 退出
    assert "/login" in page.url
    page.goto("/catalogue")
    assert "/login" in page.url


def test_wrong_password_locks_the_account_and_forged_forms_are_refused(new_page: Any) -> None:
    page = new_page()
    for _ in range(5):
        login(page, "locked", "wrong-password")
        assert "用户名或密码错误" in page.content() or "锁定" in page.content()
    login(page, "locked", "right-password")
    assert "账户已暂时锁定" in page.locator(".error").inner_text()
    shot(page, "login-locked")
    # a form posted without the CSRF token of this browser is refused
    login(page, "sunli")
    response = page.request.post("/logout", form={"csrf": "forged"})
    assert response.status == 403


def test_officer_walks_a_penalty_case_to_notification(new_page: Any) -> None:
    officer = new_page()
    login(officer, "zhangwei")
    officer.goto("/cases/new")
    shot(officer, "pick-item")
    officer.goto("/cases/new?item=2")  # 高邑 item 2: an institution's 骗取医保基金支出
    officer.fill("input[name='party.name']", "高邑县示例大药房")
    officer.select_option("select[name='party.type']", "organisation")
    officer.fill("input[name='party.address']", "高邑县建设路1号")
    chosen = officer.locator("select[name='officer.cert_no']")
    assert chosen.nth(0).input_value() == "冀130133001"  # the logged-in officer is chosen
    chosen.nth(1).select_option("冀130133002")  # from the bureau's certified officers, not typed
    officer.fill("input[name='f.lead_source']", "举报")
    officer.fill("textarea[name='f.lead_summary']", "群众举报串换药品")
    officer.fill("input[name='f.violation_ended_on']", "2026-01-15")
    shot(officer, "open-case-form")
    officer.click("form[action='/cases/new'] button[type=submit]")
    officer.wait_for_load_state()
    assert re.search(r"/cases/\d+$", officer.url.split("?")[0])
    case_url = officer.url.split("?")[0]
    number = officer.locator("#case-number").inner_text()
    assert officer.locator("svg g.current").get_attribute("data-state") == "lead_check"
    assert "立案责任" in officer.locator(".duty").first.inner_text()  # 责任事项 quoted from the list

    # a wrong action shows the Chinese refusal: a fine over 3000 yuan is not for the summary procedure
    form = action(officer, "decide_on_spot")
    form.locator("input[name='f.kinds'][value='fine']").check()
    form.locator("input[name='f.fine']").fill("5000")
    form.locator("input[name='f.article']").fill("社会保险法第八十七条")
    form.locator("textarea[name='f.facts']").fill("串换药品")
    submit(form)
    refusal = officer.locator(".error").inner_text()
    assert "第五十一条" in refusal and "SUMMARY_LIMIT_EXCEEDED" not in refusal  # the code stays in the API
    assert officer.locator(".error").get_attribute("data-code") == "SUMMARY_LIMIT_EXCEEDED"
    shot(officer, "case-refusal")
    assert officer.locator("svg g.current").get_attribute("data-state") == "lead_check"

    # an action that only a head may take is listed with its reason, when asked
    officer.click("#why-not > summary")
    assert "只能由负责人办理" in officer.locator(".refusal[data-trigger=decline_filing]").inner_text()
    form = action(officer, "propose_filing")
    form.locator("textarea[name='f.opinion']").fill("建议立案")
    submit(form)
    assert "立案审批" in officer.locator("#current-state").inner_text()

    head = new_page()
    login(head, "zhaomin")
    head.goto("/approvals")
    shot(head, "approvals")
    assert number in head.locator("#approvals").inner_text()
    head.locator("a", has_text=number).click()
    head.wait_for_load_state()
    submit(action(head, "approve_filing"))
    assert "调查取证" in head.locator("#current-state").inner_text()

    officer.goto(case_url)
    form = action(officer, "record_evidence")
    form.locator("select[name='f.kind']").select_option("party_statement")
    form.locator("select[name='f.record']").select_option("inquiry")
    form.locator("textarea[name='f.summary']").fill("询问药房负责人")
    submit(form)
    form = action(officer, "finish_investigation")
    submit(form)  # no report: the browser holds the form at the required field
    assert form.locator("textarea[name='f.report']").evaluate("e => e.validity.valueMissing")
    assert "调查取证" in officer.locator("#current-state").inner_text()
    form.locator("textarea[name='f.report']").fill("事实清楚，证据确凿")
    submit(form)
    form = action(officer, "propose_penalty")
    form.locator("textarea[name='f.facts']").fill("串换药品骗取医保基金2000元")
    form.locator("textarea[name='f.grounds']").fill("社会保险法第八十七条")
    form.locator("input[name='f.kinds'][value='fine']").check()
    form.locator("input[name='f.fine']").fill("5000")
    form.locator("input[name='f.article']").fill("社会保险法第八十七条")
    submit(form)
    form = action(officer, "notify")
    preview = form.locator("button", has_text="预览行政处罚事先告知书")
    response = officer.request.post(
        preview.get_attribute("formaction"), form={"csrf": form.locator("input[name=csrf]").input_value()}
    )
    assert response.ok and response.headers["content-type"] == "application/pdf"
    submit(form)
    assert "已告知" in officer.locator("#current-state").inner_text()
    assert officer.locator("svg g.current").get_attribute("data-state") == "notified"
    timeline = officer.locator(".timeline").inner_text()
    for step in ("登记案件线索", "提请立案", "批准立案", "调查终结", "送达行政处罚事先告知书"):
        assert step in timeline
    assert "陈述申辩期" in officer.locator("#clocks").inner_text()
    documents = officer.locator("#documents")
    assert "行政处罚事先告知书" in documents.inner_text()
    download = documents.locator("a[download]").first.get_attribute("href")
    assert officer.request.get(download).headers["content-type"] == "application/pdf"
    shot(officer, "case-notified")
    tablet = new_page(820, 1180)
    login(tablet, "zhangwei")
    tablet.goto(case_url)
    shot(tablet, "case-notified-tablet")
    officer.goto("/workbench")
    assert "已告知" in officer.locator("table").inner_text()
    shot(officer, "workbench")
    officer.goto("/cases")
    assert number in officer.locator("table").inner_text()
    shot(officer, "cases")


def test_clerk_gives_a_one_time_notice_for_an_incomplete_application(
    new_page: Any, server: dict[str, Any]
) -> None:
    library = server["state"].library
    if ("application", 1) not in library.flows:
        pytest.skip("the application flow (processes/flows/application.yaml) does not exist yet")
    clerk = new_page()
    login(clerk, "sunli")
    clerk.fill("#q", "生育")
    clerk.click("form[action='/hall'] button[type=submit]")
    clerk.wait_for_load_state()
    clerk.locator("a", has_text="收件受理").first.click()
    clerk.wait_for_load_state()
    assert "生育" in clerk.locator("h1").inner_text()
    clerk.fill("input[name='party.name']", "王某某")
    boxes = clerk.locator("#materials input[type=checkbox]")
    assert boxes.count() == 4
    boxes.nth(0).check()
    boxes.nth(3).check()
    shot(clerk, "hall-intake")
    clerk.click("button[name=decision][value=accept]")  # materials missing: refused with the reason
    clerk.wait_for_load_state()
    assert "申请材料不齐全" in clerk.locator(".error").inner_text()
    # the refused decision left no half-registered case: the form is still filled, give the notice from it
    assert clerk.locator("input[name='party.name']").input_value() == "王某某"
    clerk.locator("select[name='f.method']").select_option("on_spot")
    clerk.click("button[name=decision][value=supplement]")
    clerk.wait_for_load_state()
    assert "待补正" in clerk.locator("#current-state").inner_text()
    missing = clerk.locator("#missing").inner_text()
    assert "医疗费用票据原件" in missing and "费用明细清单" in missing
    shot(clerk, "hall-case-supplement")
    clerk.goto("/hall")
    assert "医疗费用票据原件" in clerk.locator("#queue-supplement").inner_text()
    shot(clerk, "hall")

    # a second applicant, the one-time notice straight from the intake screen
    clerk.goto(clerk.url.split("/hall")[0] + "/hall?q=7")
    clerk.locator("a", has_text="收件受理").first.click()
    clerk.wait_for_load_state()
    clerk.fill("input[name='party.name']", "赵某某")
    clerk.locator("#materials input[type=checkbox]").nth(1).check()
    clerk.click("button[name=decision][value=supplement]")
    clerk.wait_for_load_state()
    assert "待补正" in clerk.locator("#current-state").inner_text()
    form = action(clerk, "supplement")
    for box in form.locator("input[name='f.materials_received']").all():
        box.check()
    submit(form)
    submit(action(clerk, "accept"))
    assert "审查" in clerk.locator("#current-state").inner_text()


def test_supervisor_filters_the_overdue_list_and_downloads_it(new_page: Any) -> None:
    from openpyxl import load_workbook

    page = new_page()
    login(page, "zhoujie")
    assert int(page.locator("#count-overdue").inner_text()) >= 1
    assert page.locator("svg.chart").count() == 2
    assert page.locator("svg.chart g.bar").count() >= 1  # overdue steps per department
    shot(page, "dashboard")
    page.select_option("select[name=status]", "overdue")
    page.select_option("select[name=officer]", "张伟")
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()
    assert "status=overdue" in page.url
    rows = page.locator("#entries tbody tr.overdue")
    assert rows.count() >= 1
    assert page.locator("#entries tbody tr.due_soon").count() == 0
    assert "违反法定的行政处罚程序" in page.locator("#entries").inner_text()
    with page.expect_download() as info:
        page.click("#export-entries")
    assert info.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(Path(info.value.path()).read_bytes())).active
    values = list(sheet.values)
    assert values[0][0] == "案件编号" and "追责情形" in values[0]
    assert len(values) - 1 == rows.count()
    assert all(row[8] == "已超期" for row in values[1:])


def test_catalogue_flow_and_admin_pages(new_page: Any) -> None:
    page = new_page()
    login(page, "admin")
    assert "暂定" in page.locator("#calendar-years").inner_text() or "正式" in page.locator("#calendar-years").inner_text()
    page.fill("input[name=username]", "newofficer")
    page.fill("input[name=name]", "新执法员")
    page.fill("input[name=password]", "password-123")
    page.check("input[name=roles][value=officer]")
    page.click("form[action='/admin/users'] button[type=submit]")
    page.wait_for_load_state()
    assert "执法人员须填写执法证号" in page.locator(".error").inner_text()
    page.fill("input[name=cert_no]", "冀130181099")
    page.fill("input[name=password]", "password-123")
    page.check("input[name=roles][value=officer]")
    page.click("form[action='/admin/users'] button[type=submit]")
    page.wait_for_load_state()
    assert "newofficer" in page.locator("#users").inner_text()
    page.fill("textarea[name=schedule]", '{"year": 2031, "holidays": ["2031-01-01"], "workdays": []}')
    page.click("form[action='/admin/calendar'] button[type=submit]")
    page.wait_for_load_state()
    assert "已载入2031年节假日安排" in page.locator(".notice").inner_text()
    row = page.locator("#calendar-years tr", has_text="2031")
    assert "正式" in row.inner_text() and "管理员载入" in row.inner_text()
    page.fill("input[name='s.statement_days']", "5")
    page.click("form[action='/admin/settings'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("input[name='s.statement_days']").input_value() == "5"
    shot(page, "admin")
    page.goto("/catalogue")
    assert page.locator("#catalogue tbody tr").count() == 28  # 高邑's list
    shot(page, "catalogue")
    page.goto("/flows/penalty")
    assert page.locator("svg g[data-state=lead_check]").count() == 1
    shot(page, "flow-penalty")


def test_admin_manages_a_user_who_then_changes_his_password(new_page: Any) -> None:
    admin = new_page()
    login(admin, "admin")
    admin.fill("#department-name", "稽核科")
    admin.click("form[action='/admin/departments'] button[type=submit]")
    admin.wait_for_load_state()
    assert "稽核科" in admin.locator("#departments").inner_text()
    admin.fill("#new-username", "walker")
    admin.fill("#new-name", "步行者")
    admin.fill("#new-password", "walker")
    admin.check("#new-role-clerk")
    admin.select_option("#new-department", "稽核科")
    admin.click("form[action='/admin/users'] button[type=submit]")
    admin.wait_for_load_state()
    assert "密码至少10位" in admin.locator(".error").inner_text()
    admin.fill("#new-password", "first-pass-123")
    admin.check("#new-role-clerk")
    admin.click("form[action='/admin/users'] button[type=submit]")
    admin.wait_for_load_state()
    row = admin.locator("#users tr", has_text="walker")
    assert "稽核科" in row.inner_text() and "窗口人员" in row.inner_text()
    row.locator("a").click()
    admin.wait_for_load_state()
    assert "用户 步行者" in admin.locator("h1").inner_text()
    admin.check("#role-supervisor")
    admin.click("#user-form button[type=submit]")
    admin.wait_for_load_state()
    assert "已保存用户信息" in admin.locator(".notice").inner_text()
    shot(admin, "admin-user")

    walker = new_page()
    login(walker, "walker", "first-pass-123")
    assert "/hall" in walker.url
    walker.click("header a[href='/password']")
    walker.fill("#current_password", "first-pass-123")
    walker.fill("#new_password", "second-pass-456")
    walker.fill("#new_password_again", "second-pass-456")
    walker.click("#password-form button[type=submit]")
    walker.wait_for_load_state()
    assert "密码已修改" in walker.locator(".notice").inner_text()
    walker.goto("/hall")
    assert "/hall" in walker.url  # this browser got a fresh session

    admin.fill("#reset-password", "third-pass-789")
    admin.click("#reset-form button[type=submit]")
    admin.wait_for_load_state()
    assert "已重置密码，结束了该用户的1处登录" in admin.locator(".notice").inner_text()
    walker.goto("/hall")
    assert "/login" in walker.url  # the reset ended his session
    login(walker, "walker", "third-pass-789")
    assert "/hall" in walker.url
    admin.click("#active-form button[type=submit]")
    admin.wait_for_load_state()
    assert admin.locator("#user-state").inner_text() == "停用"
    walker.goto("/hall")
    assert "/login" in walker.url
    login(walker, "walker", "third-pass-789")
    assert "账户已停用" in walker.locator(".error").inner_text()

    admin.goto("/admin/certificates")
    assert "有效" in admin.locator("#certificates tr", has_text="冀130133001").inner_text()
    admin.fill("#cert-number", "冀130181555")
    admin.select_option("#cert-user", "walker")
    admin.fill("#cert-from", "2024-01-01")
    admin.fill("#cert-to", "2028-12-31")
    admin.click("#add-certificate button[type=submit]")
    admin.wait_for_load_state()
    assert "2028-12-31" in admin.locator("#certificates tr", has_text="冀130181555").inner_text()
    admin.goto("/admin/log")
    record = admin.locator("#admin-record").inner_text()
    for words in ("新建承办机构", "新建用户", "修改用户信息", "本人修改密码", "管理员重置密码", "停用用户", "登记证件"):
        assert words in record
    assert "系统管理员（admin）" in record and "步行者（walker）" in record
    assert not re.search(r"[a-z]+_[a-z]+", record)  # no keys of ours on the page
    shot(admin, "admin-log")
