"""Lists a flow appends to live in ``case_entry`` rows: the view, the paged list, the pages, the audit, the migration."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from engine.audit import verify_database
from engine.model import ENTRY_LISTS, LATEST_KEPT
from engine.tables import Document
from tests.api.test_hostile_input import _page_login
from tests.api.test_penalty_procedure import filed
from tests.api.test_penalty_walk import ok, refused
from tests.conftest import Api, at
from tests.integration.test_audit import allow_changes
from tests.integration.test_documents_walk import pdf_text, squeeze

DISPOSALS = "preservation_disposals"


def disposed(api: Api, times: int, day: str = "2026-03-03") -> int:
    cid = filed(api)
    for i in range(times):
        ok(api.fire("zhang", cid, "dispose_preservation", {"disposal": f"第{i + 1}批物品退还"}, at(f"{day} 10:{i:02d}")))
    return cid


def entry_rows(api: Api, cid: int) -> list[Any]:
    with api.app.state.caseflow.engine.connect() as conn:
        return conn.execute(text(
            "SELECT list_key, position, event_seq, payload FROM case_entry WHERE case_id = :c ORDER BY position"
        ), {"c": cid}).all()


def test_each_entry_is_a_row_and_the_case_keeps_only_its_count_and_latest_entries(api: Api) -> None:
    cid = disposed(api, LATEST_KEPT + 3)
    rows = entry_rows(api, cid)
    assert [(r.list_key, r.position, r.event_seq) for r in rows] == [
        (DISPOSALS, i, 4 + i) for i in range(LATEST_KEPT + 3)  # after 登记线索, 提请立案, 批准立案
    ]
    payload = rows[0].payload if isinstance(rows[0].payload, dict) else json.loads(rows[0].payload)
    assert payload["disposal"] == "第1批物品退还" and payload["at"].startswith("2026-03-03T10:00")

    case = ok(api.get("zhang", f"/api/cases/{cid}"))
    assert DISPOSALS not in case["data"] and ENTRY_LISTS not in case["data"]
    kept = case["lists"][DISPOSALS]
    assert kept["count"] == LATEST_KEPT + 3
    assert [e["disposal"] for e in kept["latest"]] == [f"第{i + 1}批物品退还" for i in range(3, LATEST_KEPT + 3)]

    first = ok(api.get("zhang", f"/api/cases/{cid}/lists/{DISPOSALS}?size=3"))
    second = ok(api.get("zhang", f"/api/cases/{cid}/lists/{DISPOSALS}?size=3&page=2"))
    assert first["total"] == LATEST_KEPT + 3 and [e["position"] for e in first["items"]] == [0, 1, 2]
    assert [e["entry"]["disposal"] for e in second["items"]] == ["第4批物品退还", "第5批物品退还", "第6批物品退还"]
    assert [e["seq"] for e in second["items"]] == [7, 8, 9]

    assert refused(api.get("zhang", f"/api/cases/{cid}/lists/decision"), 404, "LIST_NOT_FOUND")["message"]
    assert refused(api.get("zhang", f"/api/cases/{cid}/lists/DROP%20TABLE"), 404, "LIST_NOT_FOUND")
    none_yet = ok(api.get("zhang", f"/api/cases/{cid}/lists/seals"))
    assert none_yet["total"] == 0 and none_yet["items"] == []


def test_the_case_page_shows_the_latest_entries_and_links_the_whole_list_in_chinese(api: Api) -> None:
    cid = disposed(api, LATEST_KEPT + 2)
    _page_login(api, "zhang")
    page = api.client.get(f"/cases/{cid}")
    assert page.status_code == 200
    assert "先行登记保存处理" in page.text and f"共{LATEST_KEPT + 2}条，最近{LATEST_KEPT}条" in page.text
    shown = re.search(rf'<dd class="small" id="list-{DISPOSALS}">(.*?)</dd>', page.text, re.S)
    assert shown is not None, page.text
    assert f"/cases/{cid}/lists/{DISPOSALS}" in shown.group(1) and "第7批物品退还" in shown.group(1)
    assert "第2批物品退还" not in shown.group(1)  # only the latest in the case's information
    whole = api.client.get(f"/cases/{cid}/lists/{DISPOSALS}")
    assert whole.status_code == 200
    assert "先行登记保存处理：" in whole.text and f"（共{LATEST_KEPT + 2}条）" in whole.text
    assert "第1批物品退还" in whole.text and "第7批物品退还" in whole.text
    assert "preservation_disposals" not in whole.text.replace(f"/lists/{DISPOSALS}", "")
    missing = api.client.get(f"/cases/{cid}/lists/decision")
    assert missing.status_code == 404 and "本案的流程没有这项登记记录" in missing.text


def test_the_evidence_tab_shows_the_evidence_list_kept_in_rows(api: Api) -> None:
    cid = filed(api)
    ok(api.fire("zhang", cid, "record_evidence", {"kind": "documentary", "record": "inspection",
                                                  "summary": "调取处方12张"}, at("2026-03-03 10:00")))
    case = ok(api.get("zhang", f"/api/cases/{cid}"))
    assert case["lists"]["evidence"]["count"] == 1 and "evidence" not in case["data"]
    _page_login(api, "zhang")
    page = api.client.get(f"/cases/{cid}")
    assert "调查取证记录（共1条）" in page.text and "调取处方12张" in page.text


def test_a_replayed_case_agrees_with_its_entry_rows_and_a_changed_row_is_reported(api: Api) -> None:
    engine = api.app.state.caseflow.engine
    library = api.app.state.caseflow.library
    changed, removed, moved, clean = (disposed(api, LATEST_KEPT + 2) for _ in range(4))
    assert verify_database(engine, library).clean
    with engine.begin() as conn:
        allow_changes(conn, engine.dialect.name)
        payload = json.dumps({"disposal": "物品已销毁", "at": "2026-03-03T10:00:00+08:00"}, ensure_ascii=False)
        conn.execute(text("UPDATE case_entry SET payload = :p WHERE case_id = :c AND position = 0"),
                     {"p": payload, "c": changed})
        conn.execute(text("DELETE FROM case_entry WHERE case_id = :c AND position = 1"), {"c": removed})
        conn.execute(text("UPDATE case_entry SET event_seq = 2 WHERE case_id = :c AND position = 2"), {"c": moved})
    report = verify_database(engine, library)
    found: dict[int, list[str]] = {}
    for d in report.discrepancies:
        assert d.what == "数据"
        found.setdefault(d.case_id, []).append(d.detail)
    assert clean not in found
    assert any("第1条" in d and "物品已销毁" in d for d in found[changed]), found[changed]
    assert any(f"存储了{LATEST_KEPT + 1}条，按事件应有{LATEST_KEPT + 2}条" in d for d in found[removed])
    assert any("序号不连续" in d for d in found[removed])
    assert any("第3条：记录于第2个事件，按事件应为第6个" in d for d in found[moved]), found[moved]


def test_an_appeal_outcome_rewrites_its_row_and_the_replay_agrees(api: Api) -> None:
    """The outcome is written into the appeal's entry (UPDATE of its row), as the replay makes it."""
    from tests.api.test_execution_rules import served

    cid = served(api)
    ok(api.fire("zhang", cid, "record_appeal", {"kind": "复议", "filed_at": "2026-03-10"}, at("2026-03-10 10:00")))
    ok(api.fire("zhang", cid, "record_appeal_outcome", {"outcome": "upheld", "concluded_at": "2026-04-02"},
                at("2026-04-03 10:00")))
    rows = [r for r in entry_rows(api, cid) if r.list_key == "appeals"]
    stored = rows[0].payload if isinstance(rows[0].payload, dict) else json.loads(rows[0].payload)
    assert len(rows) == 1 and stored["outcome"] == "upheld" and stored["concluded_at"] == "2026-04-02"
    assert verify_database(api.app.state.caseflow.engine, api.app.state.caseflow.library).clean


def test_the_migration_moves_the_lists_out_of_the_data_and_back(database_url: str) -> None:
    from engine.persistence import make_engine
    from migrations.runner import downgrade, upgrade

    engine = make_engine(database_url)

    lists = {
        "statements": [{"statement": "不服", "at": "2026-03-04T10:00:00+08:00"},
                       {"statement": "补充", "at": "2026-03-05T10:00:00+08:00"}],
        "seals": [{"items": ["处方"], "at": "2026-03-04T10:00:00+08:00"}],
    }
    data = {"lead_summary": "线索", "payments": [{"amount": "10"}], **lists}
    try:
        downgrade(engine, "0010")  # the revision before case_entry
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bureau (id, code, name, settings) VALUES (1, 'xinji', '辛集市医疗保障局', '{}')"))
            conn.execute(text(
                "INSERT INTO \"case\" (id, bureau_code, number, item_code, flow_key, flow_version, state, final, party,"
                " officers, data, opened_at, opened_by, updated_at, version, last_seq, head_hash, acted_by)"
                " VALUES (1, 'xinji', 'XINJI-2026-00001', '3', 'penalty', 1, 'investigation', false, '{}', '[]', :d,"
                " :t, 'zhang', :t, 1, 3, 'h', '{}')"
            ), {"d": json.dumps(data, ensure_ascii=False), "t": datetime(2026, 3, 2, 1, 0)})
            for seq, moment in ((1, datetime(2026, 3, 2, 1, 0)), (2, datetime(2026, 3, 4, 2, 0)),
                                (3, datetime(2026, 3, 5, 2, 0))):
                conn.execute(text(
                    "INSERT INTO event (case_id, seq, trigger, label, actor, occurred_at, recorded_at, payload,"
                    " prev_hash, hash, hash_version) VALUES (1, :s, 't', 'l', 'zhang', :m, :m, '{}', 'p', :h, 2)"
                ), {"s": seq, "m": moment, "h": f"h{seq}"})
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT list_key, position, event_seq, payload FROM case_entry ORDER BY list_key, position"
            )).all()
            moved = conn.execute(text('SELECT data FROM "case" WHERE id = 1')).scalar_one()
        moved = json.loads(moved) if isinstance(moved, str) else moved
        assert [(r.list_key, r.position, r.event_seq) for r in rows] == [
            ("seals", 0, 2), ("statements", 0, 2), ("statements", 1, 3)
        ]
        assert [json.loads(r.payload) if isinstance(r.payload, str) else r.payload for r in rows] == [
            lists["seals"][0], *lists["statements"]
        ]
        assert "statements" not in moved and "seals" not in moved
        assert moved["payments"] == data["payments"] and moved["lead_summary"] == "线索"  # not a list kept in rows
        assert moved[ENTRY_LISTS] == {"seals": {"count": 1, "latest": lists["seals"]},
                                      "statements": {"count": 2, "latest": lists["statements"]}}
        downgrade(engine, "0010")
        with engine.connect() as conn:
            back = conn.execute(text('SELECT data FROM "case" WHERE id = 1')).scalar_one()
        assert (json.loads(back) if isinstance(back, str) else back) == data
        upgrade(engine)
    finally:
        engine.dispose()


def test_documents_read_a_long_list_from_its_rows_in_the_preview_and_when_issued(api: Api, tmp_path: Path) -> None:
    """调查终结报告 lists every 笔录 recorded, the first ones being only in rows (not among the latest kept)."""
    cid = filed(api)
    for i in range(LATEST_KEPT + 2):
        ok(api.fire("zhang", cid, "record_evidence", {"kind": "documentary", "record": "inspection",
                                                      "summary": f"调取第{i + 1}号处方"}, at(f"2026-03-03 10:{i:02d}")))
    r = api.post("zhang", f"/api/cases/{cid}/documents/preview/investigation_report",
                 json={"data": {"report": "调查终结"}, "occurred_at": "2026-03-04T10:00:00+08:00"})
    assert r.status_code == 200, r.text
    body = squeeze(pdf_text(r.content, tmp_path))
    assert "调取第1号处方" in body and f"调取第{LATEST_KEPT + 2}号处方" in body
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "调查终结"}, at("2026-03-04 10:00")))
    with Session(api.app.state.caseflow.engine) as session:
        issued = session.exec(select(Document).where(Document.case_id == cid, Document.kind == "investigation_report")).one()
    assert "调取第1号处方" in issued.fields["evidence_text"]
    assert f"调取第{LATEST_KEPT + 2}号处方" in issued.fields["evidence_text"]
