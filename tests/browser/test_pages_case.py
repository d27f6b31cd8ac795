"""The daily screens at 1366×768 in Debian's Chromium: find a case, act from the top, approve; no raw keys.

The server is the demo of 高邑县医疗保障局 plus cases made here through the engine in several
states (lead check, filing review, legal review, notified, executing with the payment period run
out, archived), so each list and each case page has something to show.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import pytest

from tests.browser.test_pages import ARTIFACTS, browser, login, new_page, server, shot  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

OFFICERS = [{"name": "张伟", "cert_no": "冀130133001"}, {"name": "李强", "cert_no": "冀130133002"}]
PARTY = {"name": "高邑县仁和堂大药房", "type": "organisation", "address": "高邑县市府路8号",
         "credit_code": "91130181MA0CASE01Y"}


def _actor(state: Any, username: str) -> Any:
    from sqlmodel import Session, select

    from api.users import actor_of
    from engine.tables import User

    with Session(state.engine) as session:
        return actor_of(session.exec(select(User).where(User.username == username)).one())


def _walk(state: Any, name: str, steps: int, start: datetime) -> int:
    """A penalty case opened at ``start`` and taken ``steps`` steps along the ordinary procedure."""
    officer, head, reviewer = (_actor(state, u) for u in ("zhangwei", "zhaomin", "wangfang"))
    party = {**PARTY, "name": name, "credit_code": ""}
    cases = state.cases
    case_id = int(cases.open_case(
        officer, "2", party, OFFICERS,  # 高邑 item 2: an institution's 骗取医保基金支出 (社会保险法第八十七条)
        {"lead_source": "举报", "lead_summary": "串换药品", "violation_ended_on": (start - timedelta(days=30)).date().isoformat()},
        start,
    ))
    day = timedelta(days=1)
    path: list[tuple[Any, str, dict[str, Any], timedelta]] = [
        (officer, "propose_filing", {"opinion": "建议立案"}, day),
        (head, "approve_filing", {"jurisdiction": "violation_place"}, 2 * day),
        (officer, "record_evidence", {"kind": "party_statement", "record": "inquiry", "summary": "询问药房负责人"}, 3 * day),
        (officer, "finish_investigation", {"report": "事实清楚，证据确凿"}, 4 * day),
        (officer, "propose_penalty", {"facts": "串换药品骗取医保基金2000元", "grounds": "社会保险法第八十七条",
                                      "kinds": ["fine"], "fine": 60000, "article": "社会保险法第八十七条"}, 5 * day),
        (officer, "submit_legal_review", {}, 6 * day),
        (reviewer, "complete_legal_review", {"opinion": "事实清楚，适用法律正确"}, 7 * day),
        (officer, "submit_collective_discussion", {}, 8 * day),
        (head, "record_collective_discussion", {"participants": "局长、副局长", "conclusion": "同意拟处罚"}, 9 * day),
        (officer, "notify", {}, 10 * day),
        (officer, "waive_statement", {}, 11 * day),
        (head, "decide_penalty", {"kinds": ["fine"], "fine": 60000, "basis_article": "社会保险法第八十七条",
                                  "base_amount": 20000, "facts": "串换药品", "reasons": "社会保险法第八十七条",
                                  "discretion_reasons": "依本局裁量基准，违法金额较大，按中档处罚"}, 24 * day),
        (officer, "serve", {"method": "direct", "recipient": "药房负责人"}, 25 * day),
        (officer, "publish_decision", {"channel": "辛集市人民政府网站"}, 26 * day),
        (officer, "record_payment", {"amount": 60000}, 30 * day),
        (head, "close", {"summary": "执行完毕"}, 31 * day),
        (officer, "archive", {}, 32 * day),
    ]
    for actor, trigger, data, after in path[:steps]:
        cases.fire(actor, case_id, trigger, data, start + after)
    return case_id


@pytest.fixture(scope="module")
def cases(server: dict[str, Any]) -> dict[str, int]:  # noqa: F811 - the imported fixture
    state = server["state"]
    now = datetime.now().astimezone().replace(microsecond=0)
    made = {
        "lead": _walk(state, "高邑县仁和堂大药房", 0, now - timedelta(hours=3)),
        "filing_review": _walk(state, "高邑县百草堂药店", 1, now - timedelta(days=3)),
        "legal_review": _walk(state, "高邑县同济医院", 6, now - timedelta(days=9)),
        "notified": _walk(state, "高邑县安康诊所", 10, now - timedelta(days=11)),
        "executing": _walk(state, "高邑县济世堂药房", 13, now - timedelta(days=70)),
        "archived": _walk(state, "高邑县福寿堂药店", 17, now - timedelta(days=80)),
    }
    return made


def in_viewport(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] + box["width"] <= size["width"]


def test_officer_finds_a_case_acts_from_the_top_and_the_head_approves(
    new_page: Any, cases: dict[str, int]  # noqa: F811
) -> None:
    officer = new_page(1366, 768)
    login(officer, "zhangwei")
    assert officer.url.endswith("/workbench")
    officer.fill("#flt-q", "仁和药房")  # fuzzy: the characters of the name in order
    officer.click("#filters button[type=submit]")
    officer.wait_for_load_state()
    rows = officer.locator("#case-list tbody tr")
    assert rows.count() == 1 and "高邑县仁和堂大药房" in rows.first.inner_text()
    shot(officer, "list-found-by-party")
    rows.first.locator("a").click()
    officer.wait_for_load_state()
    assert "高邑县仁和堂大药房" in officer.locator("h1").inner_text()
    number = officer.locator("#case-number").inner_text()
    assert officer.evaluate("window.scrollY") == 0
    assert officer.locator(".stage-bar li.current").inner_text() == "立案"
    assert "线索核查" in officer.locator("#current-state").inner_text()
    button = officer.locator("details[data-trigger=propose_filing] > summary")
    assert in_viewport(officer, button), button.bounding_box()  # the next step without scrolling
    # what he may not do is hidden until asked, and then said in words
    assert not officer.locator(".refusal[data-trigger=decline_filing]").is_visible()
    officer.click("#why-not > summary")
    reason = officer.locator(".refusal[data-trigger=decline_filing]").inner_text()
    assert "负责人" in reason and not re.search(r"[A-Z]{3,}", reason)
    shot(officer, "case-top-1366")
    button.click()
    form = officer.locator("details[data-trigger=propose_filing] form")
    assert in_viewport(officer, form.locator("label").first)
    form.locator("textarea[name='f.opinion']").fill("建议立案查处")
    form.locator("button[name=do]").click()
    officer.wait_for_load_state()
    assert "立案审批" in officer.locator("#current-state").inner_text()
    assert "操作已完成" in officer.locator(".notice").inner_text()

    officer.click("header nav a[href='/workbench']")
    officer.wait_for_load_state()
    officer.click("#view-done")
    officer.wait_for_load_state()
    assert number in officer.locator("#case-list").inner_text()
    officer.click("#view-todo")
    officer.wait_for_load_state()
    assert number not in officer.locator("#case-list").inner_text()  # now the head's move, not his

    head = new_page(1366, 768)
    login(head, "zhaomin")
    head.click("header nav a[href='/approvals']")
    head.wait_for_load_state()
    assert "待我审批" in head.locator("h1").inner_text()
    shot(head, "approvals-1366")
    head.locator("#approvals a", has_text=number).click()
    head.wait_for_load_state()
    approve = head.locator("details[data-trigger=approve_filing] > summary")
    assert in_viewport(head, approve)
    approve.click()
    form = head.locator("details[data-trigger=approve_filing] form")
    assert form.locator("select[name='f.jurisdiction']").get_attribute("required") is not None
    assert form.locator("label[for='approve_filing-jurisdiction']").inner_text().startswith("管辖依据")
    form.locator("select[name='f.jurisdiction']").select_option("violation_place")
    form.locator("button[name=do]").click()
    head.wait_for_load_state()
    assert "调查取证" in head.locator("#current-state").inner_text()
    assert head.locator(".stage-bar li.current").inner_text() == "调查"
    # the full diagram is on its own tab: stages as lanes, the current step in the theme colour, not red
    assert not head.locator("#panel-diagram").is_visible()
    head.click("label[for=tab-diagram]")
    current = head.locator("#panel-diagram svg g.current")
    assert current.get_attribute("data-state") == "investigation"
    assert current.locator("rect").get_attribute("fill") == "#1f5f99"
    assert head.locator("#panel-diagram svg g.lane").count() == 7
    shot(head, "case-diagram-1366")
    head.goto("/approvals")
    assert number not in head.locator("#approvals").inner_text()


def test_the_decision_form_carries_the_proposal_and_a_refusal_keeps_what_was_typed(
    new_page: Any, server: dict[str, Any], cases: dict[str, int]  # noqa: F811
) -> None:
    state = server["state"]
    now = datetime.now().astimezone().replace(microsecond=0)
    case_id = _walk(state, "高邑县万和药房", 11, now - timedelta(days=20))  # statement waived: the head decides
    head = new_page(1366, 768)
    login(head, "zhaomin")
    head.goto(f"/cases/{case_id}")
    head.locator("details[data-trigger=decide_penalty] > summary").click()
    form = head.locator("details[data-trigger=decide_penalty] form")
    assert form.locator("input[name='f.fine']").input_value() in ("60000.00", "60000")
    assert form.locator("input[name='f.basis_article']").input_value() == "社会保险法第八十七条"
    assert form.locator("textarea[name='f.facts']").input_value() == "串换药品骗取医保基金2000元"
    assert form.locator("input[name='f.kinds'][value=fine]").is_checked()
    for control in form.locator("input:not([type=hidden]), select, textarea").all():
        control_id = control.get_attribute("id")
        assert control_id and form.locator(f"label[for='{control_id}']").count() == 1, control_id
    form.locator("input[name='f.fine']").fill("70000")  # heavier than notified: refused
    form.locator("input[name='f.base_amount']").fill("20000")
    form.locator("textarea[name='f.discretion_reasons']").fill("违法金额较大，按中档处罚")
    form.locator("input[name=occurred_at]").fill(f"{now:%Y-%m-%d %H:%M}")
    form.locator("button[name=do]").click()
    head.wait_for_load_state()
    form = head.locator("details[data-trigger=decide_penalty] form")
    assert form.is_visible()
    assert form.locator("input[name='f.fine']").input_value() == "70000"
    assert form.locator("input[name='f.base_amount']").input_value() == "20000"
    assert form.locator("textarea[name='f.discretion_reasons']").input_value() == "违法金额较大，按中档处罚"
    assert "第四十五条" in form.locator(".field-error").first.inner_text()
    assert head.locator(".error").get_attribute("data-code") == "DECISION_HEAVIER_THAN_NOTIFIED"
    shot(head, "decision-refused")


# Latin words a page may show: names of formats and of the system itself.
# "APP"/"App" is the bureaus' own wording in their lists (短信/APP, 使用 App 或短信); JSON names the administrator's
# settings format; JPEG, PNG, MP3, M4A, WAV, MP4 and MB name the evidence files one may upload and their size.
ALLOWED_LATIN = {"PDF", "Excel", "ID", "caseflow", "CSV", "Word", "SVG", "APP", "App", "JSON", "JPEG", "PNG", "WAV", "MB"}
FORMATS = re.compile(r"\b(?:MP3|MP4|M4A)\b", re.ASCII)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b", re.ASCII)  # ASCII: a Chinese character is a boundary
CODE = re.compile(r"\b[A-Z]{2,}(?:_[A-Z0-9]+)+\b", re.ASCII)
LATIN = re.compile(r"[A-Za-z][A-Za-z_]+")
EMPTY_LABEL = re.compile(r"[^\s：]{1,12}：\s*[；;]")  # a label with nothing after it: "理由：；"


# Identifiers that are what they are: case numbers (GAOYI-2026-00004), 统一社会信用代码, certificate numbers.
IDENTIFIERS = re.compile(r"\b[A-Z]+(?:-[A-Z]+)?-\d{4}-\d+\b|\b[0-9A-Z]{18}\b", re.ASCII)


def offending_words(text: str, usernames: frozenset[str] = frozenset()) -> list[str]:
    empty_labels = EMPTY_LABEL.findall(text)  # before identifiers and login names are blanked out below
    text = FORMATS.sub(" ", IDENTIFIERS.sub(" ", text))
    if usernames:
        names = "|".join(re.escape(u) for u in sorted(usernames, key=len, reverse=True))
        text = re.sub(rf"(?<![A-Za-z0-9_])(?:{names})(?![A-Za-z0-9_])", " ", text)
    found = SNAKE.findall(text) + CODE.findall(text) + empty_labels
    found += [w for w in LATIN.findall(text) if w not in ALLOWED_LATIN]
    if re.search(r"verify", text, re.IGNORECASE):
        found.append("verify")
    return found


ROLES = ["zhangwei", "zhaomin", "wangfang", "sunli", "zhoujie", "admin"]


@pytest.mark.parametrize("username", ROLES)
def test_no_page_shows_a_raw_key_a_code_or_english(
    new_page: Any, server: dict[str, Any], cases: dict[str, int], username: str  # noqa: F811
) -> None:
    """Every page reachable from the role's navigation (lists, their tabs, the cases they link to)."""
    from sqlmodel import Session, select

    from engine.tables import User

    with Session(server["state"].engine) as session:  # login names are the accounts' own: data, not our keys
        usernames = frozenset(session.exec(select(User.username)).all())
    page = new_page(1366, 768)
    login(page, username)
    start = [page.url] + [urljoin(server["url"], h) for h in
                          page.locator("header a").evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    start += [urljoin(server["url"], f"/cases/{cid}") for cid in cases.values()]
    seen: set[str] = set()
    queue = [u for u in start if u.startswith(server["url"])]
    problems: dict[str, list[str]] = {}
    while queue and len(seen) < 60:
        url = queue.pop(0).split("#")[0]
        if url in seen or "/logout" in url or "export=" in url or "/api/" in url or "/docs" in url:
            continue
        seen.add(url)
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        # everything on the page, the closed tabs and "why not" notes included
        # (but not the administrator's JSON editors: what he edits there are the settings' own keys)
        text = page.evaluate(
            "(() => { const b = document.body.cloneNode(true);"
            " b.querySelectorAll('textarea.code').forEach(t => t.remove());"
            " const w = document.createTreeWalker(b, NodeFilter.SHOW_TEXT), out = [];"
            " while (w.nextNode()) out.push(w.currentNode.nodeValue); return out.join(' '); })()"
        ) + " " + page.title()
        bad = offending_words(text, usernames)
        if bad:
            problems[url] = sorted(set(bad))[:10]
        hrefs = page.locator("main a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            target = urljoin(url, href)
            if target.startswith(server["url"]) and "page=" not in target:
                queue.append(target)
    assert len(seen) >= 3
    if problems:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"raw-words-{username}.txt").write_text(
            "\n".join(f"{u}: {' '.join(w)}" for u, w in problems.items()), encoding="utf-8"
        )
    assert not problems, problems


def test_a_case_shows_no_label_without_a_value_and_no_label_twice(
    new_page: Any, cases: dict[str, int]  # noqa: F811
) -> None:
    """The decision recorded no 理由 and the service no 见证人: those labels are left out, not shown empty;
    the decision's 处罚依据条款 is stored under two keys and shown once."""
    page = new_page(1366, 768)
    login(page, "zhangwei")
    page.goto(f"/cases/{cases['executing']}")
    lines = page.locator("#data dd").all_inner_texts() + page.locator("#timeline li .small").all_inner_texts()
    decision = next(line for line in lines if "裁量理由" in line)
    assert decision.count("处罚依据条款：社会保险法第八十七条") == 1, decision
    service = next(line for line in lines if "受送达人" in line)
    assert "见证人" not in service, service
    for line in lines:
        assert not EMPTY_LABEL.search(line) and not line.rstrip().endswith("："), line


def test_a_case_lists_its_documents_with_their_numbers_as_issued(
    new_page: Any, cases: dict[str, int]  # noqa: F811
) -> None:
    page = new_page(1366, 768)
    login(page, "zhangwei")
    page.goto(f"/cases/{cases['executing']}")
    lines = page.locator("#documents .doc-line").all_inner_texts()
    assert any(line.startswith("行政处罚决定书 高医保罚决〔") for line in lines), lines
    for line in lines:
        assert line.count("〔") == line.count("〕") == 1, line  # not 〔高医保调终〔2026〕3号〕


def test_the_whole_record_names_the_documents_issued_not_their_keys_or_hashes(
    new_page: Any, cases: dict[str, int]  # noqa: F811
) -> None:
    """办理记录 read whole (/history): an action's documents by name and number, not 其他记录：filing_approval
    followed by the template version and the content hash."""
    page = new_page(1366, 768)
    login(page, "zhaomin")
    page.goto(f"/cases/{cases['archived']}/history")
    text = page.locator("#timeline").inner_text()
    assert "制作文书：立案审批表（高医保立审〔" in text and "制作文书：行政处罚决定书（高医保罚决〔" in text, text
    assert "其他记录" not in text and not re.search(r"[0-9a-f]{16,}", text), text
    assert not offending_words(text), offending_words(text)


def test_lists_show_a_party_period_run_out_with_what_it_calls_for(
    new_page: Any, server: dict[str, Any], cases: dict[str, int]  # noqa: F811
) -> None:
    page = new_page(1366, 768)
    login(page, "zhaomin")
    page.goto("/cases?clock=party_elapsed")
    listing = page.locator("#case-list").inner_text()
    assert "高邑县济世堂药房" in listing and "缴款期已届满 — 可催告" in listing
    assert "高邑县福寿堂药店" not in listing  # paid and archived: nothing called for
    row = page.locator("#case-list tbody tr", has_text="高邑县济世堂药房")
    assert "无期限" not in row.inner_text()
    shot(page, "list-party-elapsed")
    # the officer's case page offers the 催告 at the top; his archived case stays in his 我参与的 list
    officer = new_page(1366, 768)
    login(officer, "zhangwei")
    officer.goto(f"/cases/{cases['executing']}")
    assert officer.locator(".stage-bar li.current").inner_text() == "执行"
    assert "缴款期已届满 — 可催告" in officer.locator("#party-period").inner_text()
    assert in_viewport(officer, officer.locator("details[data-trigger=issue_demand] > summary"))
    shot(officer, "case-executing-1366")
    officer.goto("/workbench?view=mine&q=福寿堂")
    assert "高邑县福寿堂药店" in officer.locator("#case-list").inner_text()
    assert "归档" in officer.locator("#case-list").inner_text()
