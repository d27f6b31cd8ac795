"""Every item of the five lists is served by the API and a case can be opened for each of them."""

from __future__ import annotations

from typing import Any

from engine.materials import categories, checklist
from tests.api.test_penalty_walk import ok, refused
from tests.conftest import Api, at

BUREAUS = {"gaoyi": 28, "xiangdu": 17, "xinji": 17, "zhaoxian": 25, "shandan": 14}
PARTY = {"name": "某医药有限公司", "type": "organisation", "address": "某县建设路1号"}
PERSON = {"name": "某参保人", "type": "individual", "address": "某县建设路2号"}


def staff(api: Api, bureau: str, *roles: str) -> dict[str, str]:
    """Users of one bureau by role (default an officer, a clerk and a head; "clerk2" is a second clerk).

    Each account costs a password hash, so a test creates only those it logs in with, and the
    officers it names on a penalty case (their 执法证 must be registered, 处罚法第四十二条).
    """
    from api.users import create_user

    engine = api.app.state.caseflow.engine
    users = {
        "officer": (["officer"], f"{bureau[:2].upper()}-101", "执法甲"),
        "officer2": (["officer"], f"{bureau[:2].upper()}-102", "执法乙"),
        "clerk": (["clerk"], None, "窗口甲"),
        "clerk2": (["clerk"], None, "窗口乙"),
        "head": (["head"], None, "负责人"),
    }
    names: dict[str, str] = {}
    for role in roles or ("officer", "clerk", "head"):
        kinds, cert, name = users[role]
        username = f"{bureau}_{role}"
        create_user(engine, username, bureau=bureau, roles=kinds, password="password-123", cert_no=cert, name=name)
        names[role] = username
    return names


def officers(bureau: str) -> list[dict[str, str]]:
    return [
        {"name": "执法甲", "cert_no": f"{bureau[:2].upper()}-101"},
        {"name": "执法乙", "cert_no": f"{bureau[:2].upper()}-102"},
    ]


def open_data(library: Any, bureau: str, code: str) -> dict[str, Any]:
    """The smallest body that opens a case for the item, by the flow it runs on."""
    item = library.item(bureau, code)
    flow = library.flow(item.flow)
    settings = {**flow.settings, **item.settings}
    kinds = categories(settings)
    category = {"category": kinds[0].name} if kinds else {}
    materials = [r.choices[0] for r in checklist(settings, kinds[0].name if kinds else None)]
    data: dict[str, Any] = {
        "penalty": {"lead_summary": "智能监控发现疑似违规"},
        "sealing": {"reasons": "相关资料可能被转移、隐匿"},
        "inspection": {"plan": "年度监督检查计划"},
        "audit": {"scope": "2025年度医保待遇支付"},
        "application": {"materials_received": materials, **category},
        "reward": {"report_summary": "举报某药店串换药品"},
        "price_setting": {"items": ["某医疗服务项目"]},
        "designated_agreement": {"conditions_notice": "2026年第1号公告",
                                 "materials_received": materials},
        "credit_record": {"conduct": "骗取医保基金，已作出行政处罚"},
        "budget": {"kind": "budget", "year": 2027, "data_requested": "参保人数、缴费基数"},
        "commercial_insurance": {"business": "城乡居民大病保险", "problems": "提高大病保障水平"},
    }[item.flow]
    return {
        "item": code,
        "party": PARTY if not item.subjects or "organisation" in item.subjects else PERSON,
        "officers": officers(bureau),
        "data": data,
        "occurred_at": at("2026-03-02 09:00").isoformat(),
    }


def test_catalogue_lists_every_item_with_its_source_fields(api: Api) -> None:
    for bureau, count in BUREAUS.items():
        body = ok(api.get("zhang", "/api/catalogue", params={"bureau": bureau}))
        assert body["count"] == count, bureau
        for item in body["items"]:
            assert item["name"] and item["subject"] and item["flow"] and item["power_type"]
            assert "basis" in item and "duties" in item and "accountability" in item


def test_a_case_opens_for_every_item_of_every_catalogue(api: Api) -> None:
    library = api.app.state.caseflow.library
    for bureau in BUREAUS:
        user = staff(api, bureau, "officer", "officer2")["officer"]
        for item in library.catalogue(bureau).items:
            r = api.post(user, "/api/cases", json=open_data(library, bureau, item.code))
            assert r.status_code == 201, (bureau, item.code, r.text)
            case = r.json()
            assert case["item"]["code"] == item.code
            assert case["flow"]["key"] == item.flow
            assert case["state"] == library.flow(item.flow).initial
        listed = ok(api.get(user, "/api/cases", params={"size": 100}))
        assert listed["total"] == BUREAUS[bureau]


def test_an_item_of_another_bureau_cannot_be_opened(api: Api) -> None:
    staff(api, "shandan", "officer")
    refused(api.post("shandan_officer", "/api/cases", json={"item": "21", "party": PARTY}), 404, "ITEM_NOT_FOUND")


def test_every_flow_is_published(api: Api) -> None:
    keys = {f["key"] for f in ok(api.get("zhang", "/api/flows"))}
    assert {"penalty", "sealing", "inspection", "audit", "application", "reward", "price_setting",
            "designated_agreement", "credit_record", "budget", "commercial_insurance"} <= keys
    application = ok(api.get("zhang", "/api/flows/application"))
    assert {c["key"] for c in application["clocks"]} >= {"intake", "result", "payout"}
