"""`caseflow backup` takes a consistent copy while actions are fired; `caseflow restore` brings it back."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from engine.audit import verify_database
from engine.backup import BackupError, backup, restore
from engine.persistence import make_engine
from engine.tables import Case, Event
from tests.api.test_penalty_walk import ok, open_case
from tests.conftest import Api, at


def counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        cases = session.exec(select(func.count()).select_from(Case)).one()
        events = session.exec(select(func.count()).select_from(Event)).one()
    return int(cases), int(events)


def cli(url: str, tmp_path: Path, *args: str) -> Any:
    from api.cli import app

    return CliRunner().invoke(app, list(args), env={"DATABASE_URL": url, "CASEFLOW_DATA_DIR": str(tmp_path)})


def test_backup_while_actions_are_fired_then_restore(api: Api, empty_url: str, tmp_path: Path) -> None:
    engine = api.app.state.caseflow.engine
    library = api.app.state.caseflow.library
    url = engine.url.render_as_string(hide_password=False)
    stop = threading.Event()
    failures: list[str] = []

    def fire_actions() -> None:
        while not stop.is_set():
            cid = open_case(api, lead_summary="并发备份")["id"]
            for user, trigger, data, when in (
                ("head", "extend_lead_check", {"days": 5, "reason": "线索复杂"}, "2026-03-03 09:00"),
                ("zhang", "propose_filing", {"opinion": "建议立案"}, "2026-03-03 10:00"),
            ):
                r = api.fire(user, cid, trigger, data, at(when))
                if r.status_code != 200:
                    failures.append(r.text)

    worker = threading.Thread(target=fire_actions)
    before = counts(engine)
    worker.start()
    try:
        while worker.is_alive() and counts(engine)[1] < before[1] + 3:  # actions are under way
            stop.wait(0.05)
        first = tmp_path / "first.backup"
        backup(engine, first)
        result = cli(url, tmp_path, "backup", str(tmp_path / "second.backup"))
        assert result.exit_code == 0, result.output
    finally:
        stop.set()
        worker.join()
    assert not failures, failures[:3]
    after = counts(engine)

    # The copy taken mid-stream is consistent: every case it holds replays to what it stores.
    copy = make_engine(empty_url)
    restore(copy, first)
    saved = counts(copy)
    assert before[0] < saved[0] <= after[0]
    report = verify_database(copy, library)
    assert report.clean, [str(d) for d in report.discrepancies][:5]
    copy.dispose()

    # Restoring over the live database brings back the moment of the second backup, and verifies it.
    engine.dispose()  # the server is stopped for a restore
    result = cli(url, tmp_path, "restore", str(tmp_path / "second.backup"), "--yes")
    assert result.exit_code == 0, result.output
    restored = counts(engine)
    assert saved[0] <= restored[0] <= after[0]
    assert verify_database(engine, library).clean
    case = ok(api.get("zhang", "/api/cases?size=1"))
    assert case["total"] == restored[0]  # the read model came back with the cases


def test_a_backup_of_the_other_kind_is_refused(api: Api, tmp_path: Path) -> None:
    engine = api.app.state.caseflow.engine
    wrong = tmp_path / "wrong.backup"
    wrong.write_bytes(b"PGDMP not for sqlite" if engine.dialect.name == "sqlite" else b"SQLite format 3\x00 no")
    with pytest.raises(BackupError, match="不是"):
        restore(engine, wrong)
    with pytest.raises(BackupError, match="不存在"):
        restore(engine, tmp_path / "missing.backup")
