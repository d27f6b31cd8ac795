"""The statistics (GET /api/stats and the page's Excel and PDF) on the demo's year, SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from api.demo import load_demo
from api.users import create_user
from engine.timeutil import TZ
from tests.api.test_penalty_walk import ok, refused
from tests.conftest import Api


def _demo(api: Api) -> Any:
    state = api.app.state.caseflow
    list(load_demo(state))
    create_user(state.engine, "gy_sup", bureau="gaoyi", roles=["supervisor"], password="password-123", name="督查")
    return state


def test_the_figures_of_a_period_are_the_engine_s_own_records(api: Api) -> None:
    _demo(api)
    today = date.today()
    whole = {"from": date(today.year - 2, 1, 1).isoformat(), "to": today.isoformat()}
    s = ok(api.get("gy_sup", "/api/stats", params=whole))
    acts = {a["act"]: a["count"] for a in s["acts"]}
    assert acts["作出行政处罚决定"] == 6 and acts["当场办结（即办）"] == 5 and acts["不予立案"] == 2
    # six decisions of the demo: fines 6000+8000+5000+9000+7000+4500, each with the amount obtained to return
    # to the fund (责令退回); five of them paid, the fine and the return separately
    assert Decimal(s["money"]["fines_decided"]) == Decimal(39500)
    assert Decimal(s["money"]["fines_collected"]) == Decimal(8000 + 5000 + 9000 + 7000 + 4500)
    assert Decimal(s["money"]["returns_decided"]) == Decimal(3000 + 4000 + 2500 + 3000 + 3500 + 1500)
    assert Decimal(s["money"]["returns_collected"]) == Decimal(4000 + 2500 + 3000 + 3500 + 1500)
    assert s["late"]["late"] >= 1 and 0 < s["late"]["share"] < 100  # the lead checked late
    penalty = next(r for r in s["by_power_type"] if r["power_type"] == "行政处罚")
    assert penalty["outcomes"]["不予立案"] == 2
    stages = {r["stage"] for r in s["stages"]}
    assert {"立案", "调查", "受理"} <= stages

    empty = ok(api.get("gy_sup", "/api/stats", params={"from": "2001-01-01", "to": "2001-12-31"}))
    assert sum(a["count"] for a in empty["acts"]) == 0 and empty["money"]["fines_decided"] == "0.00"
    refused(api.get("gy_sup", "/api/stats", params={"from": "2026-12-01", "to": "2026-01-01"}), 422, "PERIOD_REVERSED")
    refused(api.get("gy_sup", "/api/stats", params={"from": "2026-13-01"}), 422, "INVALID_DATE")
    refused(api.get("zhang", "/api/stats"), 403, "PAGE_FORBIDDEN")


def test_the_statistics_page_exports_excel_and_a_pdf_report(api: Api) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    _demo(api)
    api.client.cookies.clear()
    form = api.client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    login = api.client.post("/login", data={"username": "zhoujie", "password": "caseflow-demo", "csrf": csrf.group(1)},
                            follow_redirects=False)
    assert login.status_code == 303, login.text
    page = api.client.get("/statistics")
    assert page.status_code == 200 and "执法数据统计" in page.text and "svg" in page.text
    assert "decide_penalty" not in page.text and "fines_decided" not in page.text  # no keys on the page
    today = datetime.now(TZ).date()  # default: the current year so far, by the bureau's (Beijing) day
    assert f'value="{today.year}-01-01"' in page.text and f'value="{today.isoformat()}"' in page.text
    year = today.year - 1
    sheet = api.client.get("/statistics", params={"start": f"{year}-01-01", "end": f"{year + 1}-12-31",
                                                  "export": "xlsx"})
    assert sheet.status_code == 200
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("类别", "项目", "指标", "数值")
    assert ("罚没款", "作出决定的罚款", "元", 39500.0) in rows
    report = api.client.get("/statistics", params={"start": f"{year}-01-01", "end": f"{year + 1}-12-31",
                                                   "export": "pdf"})
    assert report.status_code == 200 and report.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(report.content)).pages)
    assert "高邑县医疗保障局行政执法数据统计报告" in text and "39500.00" in text


def test_dashboard_counts_per_registered_department_agree_with_the_catalogue_s_text(api: Api) -> None:
    from datetime import datetime

    from api.users import actor_of, user_by_name
    from engine.queries import dashboard_groups, unit_groups

    state = _demo(api)
    user = user_by_name(state.engine, "zhoujie")
    assert user is not None
    actor = actor_of(user)
    now = datetime.now().astimezone()
    units = ["基金监管科", "高邑县医疗保险服务中心", "医管科"]
    by_unit = {r["key"]: r for r in unit_groups(state.engine, actor, now, units)}
    by_text = dashboard_groups(state.engine, actor, now, "department")
    for unit in units:
        expected = sum(r["overdue"] for r in by_text if unit in r["key"])
        assert by_unit[unit]["overdue"] == expected, unit
    assert by_unit["基金监管科"]["overdue"] >= 3 and by_unit["医管科"]["overdue"] == 0
