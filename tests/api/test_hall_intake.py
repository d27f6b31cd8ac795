"""The hall's 异地就医备案 (issue 12 rule 21) through the HTTP API, on SQLite and PostgreSQL:
sub-types with their own materials, alternatives ("one of"), 即办 in one visit, and an intake
whose decision is refused leaves nothing behind."""

from __future__ import annotations

from typing import Any

from tests.api.test_flows_catalogue import staff
from tests.api.test_penalty_walk import ok, refused
from tests.conftest import Api, at

RETIREE = {"name": "刘某", "type": "individual", "id_no": "130127195603150011", "phone": "13900000001"}
ITEM = "25"  # 高邑: 基本医疗保险参保人员异地就医备案（主项）——异地安置退休人员备案（子项）…


def intake(api: Api, user: str, materials: list[str], category: str | None, then: dict[str, Any] | None,
           when: str = "2026-03-02 09:00") -> Any:
    data: dict[str, Any] = {"materials_received": materials}
    if category is not None:
        data["category"] = category
    body: dict[str, Any] = {"item": ITEM, "party": RETIREE, "data": data, "occurred_at": at(when).isoformat()}
    if then is not None:
        body["then"] = then
    return api.post(user, "/api/cases", json=body)


def total_cases(api: Api, user: str) -> int:
    return int(ok(api.get(user, "/api/cases", params={"size": 1}))["total"])


def test_a_retiree_is_filed_on_the_spot_with_an_id_card_alone(api: Api) -> None:
    user = staff(api, "gaoyi", "clerk")["clerk"]
    retiree = "异地安置退休人员备案"
    # no category: refused with the categories named, nothing stored
    body = refused(intake(api, user, ["参保人身份证"], None, None), 422, "CATEGORY_REQUIRED")
    assert "异地安置退休人员备案" in body["message"] and "异地转诊人员备案" in body["message"]
    assert total_cases(api, user) == 0
    refused(intake(api, user, ["参保人身份证"], "外地打工", None), 422, "CATEGORY_UNKNOWN")
    # the referral is not asked of a retiree; the ID card alone meets "身份证或社会保障卡"
    done = intake(api, user, ["参保人身份证", "异地就医备案登记表", "个人承诺书（承诺制）"], retiree,
                  {"trigger": "complete_on_spot", "data": {}})
    assert done.status_code == 201, done.text
    case = done.json()
    assert case["state"] == "completed"  # 即办: completed in one visit
    assert case["data"]["materials_missing"] == []
    assert [d["kind"] for d in case["documents"]] == ["grant_notice"]


def test_a_missing_material_is_refused_naming_the_article_and_changes_nothing(api: Api) -> None:
    user = staff(api, "gaoyi", "clerk")["clerk"]
    referral = "异地转诊人员备案"
    given = ["社会保障卡", "异地就医备案登记表"]
    # 当场办结 without the referral: 409, the article named, and no half-registered case left
    body = refused(intake(api, user, given, referral, {"trigger": "complete_on_spot", "data": {}}), 409,
                   "MATERIALS_INCOMPLETE")
    assert "转诊证明（异地转诊）" in body["message"] and "行政许可法第三十二条" in body["message"]
    assert body["detail"]["missing"] == ["转诊证明（异地转诊）"]
    assert total_cases(api, user) == 0
    # a refusal to accept without reasons is malformed: nothing left either
    refused(intake(api, user, given, referral, {"trigger": "refuse", "data": {}}), 422, "FIELD_REQUIRED")
    assert total_cases(api, user) == 0
    # the lawful path: the one-time notice of everything missing, then the supplement, then on the spot
    case = ok_created(intake(api, user, given, referral, {"trigger": "notify_supplement", "data": {"method": "on_spot"}}))
    assert case["state"] == "awaiting_supplement"
    assert case["data"]["supplement_notice"]["missing"] == ["转诊证明（异地转诊）"]
    assert "supplement_notice" in [d["kind"] for d in case["documents"]]
    before = ok(api.get(user, f"/api/cases/{case['id']}"))
    refused(api.fire(user, case["id"], "complete_on_spot", {}, at("2026-03-03 09:00")), 409, "MATERIALS_INCOMPLETE")
    after = ok(api.get(user, f"/api/cases/{case['id']}"))
    assert (after["state"], len(after["events"])) == (before["state"], len(before["events"]))
    ok(api.fire(user, case["id"], "supplement", {"materials_received": ["转诊证明（异地转诊）"]}, at("2026-03-04 09:00")))
    done = ok(api.fire(user, case["id"], "complete_on_spot", {}, at("2026-03-04 09:05")))
    assert done["state"] == "completed"
    # a material of another category is not on this applicant's checklist
    refused(intake(api, user, ["社会保障卡", "异地居住或工作证明"], referral, None), 422, "MATERIAL_NOT_ON_CHECKLIST")


def test_earlier_applications_are_found_by_id_number(api: Api) -> None:
    user = staff(api, "gaoyi", "clerk")["clerk"]
    ok_created(intake(api, user, ["参保人身份证"], "异地长期居住人员备案", None))
    found = ok(api.get(user, "/api/cases", params={"q": RETIREE["id_no"]}))
    assert found["total"] == 1 and found["items"][0]["party"] == "刘某"


def ok_created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


def test_the_hall_page_lists_applications_awaiting_a_decision_and_those_done(api: Api) -> None:
    from tests.browser.test_pages_render import login

    user = staff(api, "gaoyi", "clerk")["clerk"]
    retiree = "异地安置退休人员备案"
    materials = ["参保人身份证", "异地就医备案登记表", "个人承诺书（承诺制）"]
    done = intake(api, user, materials, retiree, {"trigger": "complete_on_spot", "data": {}})
    assert done.status_code == 201, done.text
    waiting = intake(api, user, materials, retiree, None, when="2026-03-02 10:00")  # registered, not yet decided
    assert waiting.status_code == 201, waiting.text
    login(api, user)
    page = api.client.get("/hall").text

    def queue(name: str) -> str:  # one list's card: up to the next card
        start = page.index(f'id="queue-{name}"')
        end = page.find('<div class="card"', start)
        return page[start:end if end > 0 else len(page)]

    assert "待决定（1）" in page and waiting.json()["number"] in queue("deciding")
    assert "已办结（1）" in page and done.json()["number"] in queue("finished")
    assert done.json()["number"] not in queue("deciding")
