"""`audit verify` replays every case and reports each kind of tampering, on a copy of the database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from documents.jobs import drain
from engine.audit import verify_database
from engine.backup import backup, restore
from engine.persistence import make_engine
from tests.api.test_penalty_walk import ok, open_case
from tests.conftest import Api, at


def copy_of(engine: Engine, url: str, tmp_path: Path) -> Engine:
    """The database copied by backup and restore into ``url``."""
    file = tmp_path / "audit.backup"
    backup(engine, file)
    copy = make_engine(url)
    restore(copy, file)
    return copy


def proposed(api: Api, lead: str) -> int:
    cid = int(open_case(api, lead_summary=lead)["id"])
    ok(api.fire("zhang", cid, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))
    return cid


def allow_changes(conn: object, dialect: str) -> None:
    """What someone with the database owner's rights can do: drop the append-only guards."""
    run = conn.execute  # type: ignore[attr-defined]
    if dialect == "sqlite":
        for name in ("event_no_update", "event_no_delete", "document_no_update", "document_pdf_no_update"):
            run(text(f"DROP TRIGGER {name}"))
    else:
        # In the order the render worker takes its locks (a PDF row, then its document), so a render that
        # is storing a PDF meanwhile finishes first instead of deadlocking with these drops.
        run(text("DROP TRIGGER document_pdf_no_change ON document_pdf"))
        run(text("DROP TRIGGER document_no_change ON document"))
        run(text("DROP TRIGGER event_no_change ON event"))


def test_each_kind_of_tampering_is_reported_with_the_case_number(
    api: Api, empty_url: str, tmp_path: Path
) -> None:
    engine = api.app.state.caseflow.engine
    library = api.app.state.caseflow.library
    state_case, data_case, event_case, label_case, clean_case = (proposed(api, f"线索{i}") for i in range(5))
    clock_case = int(open_case(api, lead_summary="期限")["id"])
    pdf_case = proposed(api, "文书")
    ok(api.fire("head", pdf_case, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    drain(engine)  # its notice's PDF is rendered and stored with its sha256

    before = verify_database(engine, library)
    assert before.clean, [str(d) for d in before.discrepancies]
    assert before.cases == 7 and before.documents >= 1

    copy = copy_of(engine, empty_url, tmp_path)
    assert verify_database(copy, library).clean  # the copy proves itself as the original does
    with copy.begin() as conn:
        allow_changes(conn, copy.dialect.name)
        conn.execute(text('UPDATE "case" SET state = \'investigation\' WHERE id = :c'), {"c": state_case})
        data = conn.execute(text('SELECT data FROM "case" WHERE id = :c'), {"c": data_case}).scalar_one()
        data = json.loads(data) if isinstance(data, str) else data  # SQLite gives the JSON text
        data["lead_summary"] = "线索已被改写"
        conn.execute(text('UPDATE "case" SET data = :d WHERE id = :c'),
                     {"d": json.dumps(data, ensure_ascii=False), "c": data_case})
        conn.execute(text("UPDATE clock SET due_at = due_at + INTERVAL '10 days' WHERE case_id = :c")
                     if copy.dialect.name == "postgresql" else
                     text("UPDATE clock SET due_at = datetime(due_at, '+10 days') WHERE case_id = :c"),
                     {"c": clock_case})
        conn.execute(text("UPDATE document_pdf SET pdf = :p WHERE document_id IN "
                          "(SELECT id FROM document WHERE case_id = :c)"),
                     {"p": b"%PDF-1.7 a different notice", "c": pdf_case})
        conn.execute(text("DELETE FROM event WHERE case_id = :c AND seq = 2"), {"c": event_case})
        conn.execute(text("UPDATE event SET label = '批准立案' WHERE case_id = :c AND seq = 2"), {"c": label_case})
        numbers = dict(conn.execute(text('SELECT id, number FROM "case"')).all())  # type: ignore[arg-type]

    report = verify_database(copy, library)
    found: dict[int, set[str]] = {}
    for d in report.discrepancies:
        assert d.number == numbers[d.case_id]
        found.setdefault(d.case_id, set()).add(d.what)
    assert "状态" in found[state_case]
    assert found[data_case] == {"数据"}
    assert found[clock_case] == {"期限"}
    assert found[pdf_case] == {"文书"}
    assert "链头" in found[event_case]
    assert "事件链" in found[label_case]
    assert clean_case not in found
    assert any("lead_summary" in d.detail for d in report.discrepancies if d.case_id == data_case)
    assert any("届满时间" in d.detail for d in report.discrepancies if d.case_id == clock_case)
    assert any("sha256" in d.detail for d in report.discrepancies if d.case_id == pdf_case)

    from api.cli import app

    result = CliRunner().invoke(
        app, ["audit", "verify"],
        env={"DATABASE_URL": copy.url.render_as_string(hide_password=False), "CASEFLOW_DATA_DIR": str(tmp_path)},
    )
    copy.dispose()
    assert result.exit_code == 1, result.output
    assert numbers[pdf_case] in result.output and "不符" in result.output
    assert verify_database(engine, library).clean  # the original was not touched


def test_a_state_reached_by_no_transition_stops_the_replay(api: Api) -> None:
    engine = api.app.state.caseflow.engine
    cid = proposed(api, "线索")
    with engine.begin() as conn:
        allow_changes(conn, engine.dialect.name)
        conn.execute(text("UPDATE event SET to_state = 'archived' WHERE case_id = :c AND seq = 2"), {"c": cid})
    report = verify_database(engine, api.app.state.caseflow.library)
    whats = {d.what for d in report.discrepancies}
    assert whats == {"事件链", "重放"}
    assert any("不能发生" in d.detail for d in report.discrepancies)
