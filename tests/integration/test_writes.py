"""An action's writes (``engine.persistence.run_write``): prebuilt statements on the driver, on
PostgreSQL sent together before the next statement or the commit, pipelined or not (a server across
a network, or on this machine: ``engine.persistence.pipelines``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, bindparam, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from engine.errors import ConcurrentUpdate
from engine.persistence import (
    PIPELINE_SETTING,
    Prebuilt,
    make_engine,
    pipelines,
    run_write,
    unit_of_work,
    write_returning,
)
from engine.tables import Bureau, Counter
from tests.api.test_penalty_walk import ok, refused
from tests.conftest import Api, at

BUREAU = Bureau.__table__  # type: ignore[attr-defined]
COUNTER = Counter.__table__  # type: ignore[attr-defined]
INSERT_BUREAU = Prebuilt(insert(BUREAU).returning(BUREAU.c.id))
RENAME_BUREAU = Prebuilt(update(BUREAU).where(BUREAU.c.code == bindparam("b_code")))
RENAME_BY_NAME = Prebuilt(update(BUREAU).where(BUREAU.c.name == bindparam("b_name")))
INSERT_COUNTER = Prebuilt(insert(COUNTER))


def _changed() -> Exception:
    return ConcurrentUpdate("CASE_CHANGED", "已被他人更新")


@pytest.fixture(params=[False, True], ids=["one-by-one", "pipelined"])
def engine(database_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param and not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no pipeline: each write runs at once")
    made = make_engine(database_url, pipeline=request.param)
    yield made
    made.dispose()


@pytest.mark.parametrize(
    ("host", "pipelined"),
    [(None, False), ("localhost", False), ("127.0.0.1", False), ("::1", False), ("/run/postgresql", False),
     ("db.example.internal", True), ("10.0.0.5", True)],
)
def test_statements_are_pipelined_to_a_server_across_a_network(
    host: str | None, pipelined: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PIPELINE_SETTING, raising=False)
    assert pipelines(host) is pipelined
    monkeypatch.setenv(PIPELINE_SETTING, "1")
    assert pipelines(host) is True
    monkeypatch.setenv(PIPELINE_SETTING, "0")
    assert pipelines(host) is False


def test_a_version_check_counts_exactly_one_row(engine: Engine) -> None:
    """A checked write that changes two rows is refused as surely as one that changes none."""
    with unit_of_work(engine) as session:
        write_returning(session, INSERT_BUREAU, {"code": "x1", "name": "同名", "settings": {}})
        write_returning(session, INSERT_BUREAU, {"code": "x2", "name": "同名", "settings": {}})
    with pytest.raises(ConcurrentUpdate), unit_of_work(engine) as session:
        run_write(session, RENAME_BY_NAME, {"b_name": "同名", "name": "改名"}, changes_one=_changed)
    with Session(engine) as session:
        assert sorted(session.exec(select(Bureau.name).where(Bureau.code.in_(["x1", "x2"]))).all()) == ["同名", "同名"]


def test_a_failed_check_sent_with_the_commit_commits_nothing(engine: Engine) -> None:
    """The writes wait until the commit (pipelined: they go with the COMMIT itself); a check that
    fails among them raises its own error and nothing of the transaction stays, on a connection
    that is fine for the next one."""
    with unit_of_work(engine) as session:
        write_returning(session, INSERT_BUREAU, {"code": "x3", "name": "甲", "settings": {}})
    with pytest.raises(ConcurrentUpdate), unit_of_work(engine) as session:
        run_write(session, INSERT_COUNTER, {"bureau_code": "x3", "kind": "first", "year": 2026})
        run_write(session, RENAME_BUREAU, {"b_code": "x3", "name": "乙"}, changes_one=_changed)
        run_write(session, RENAME_BUREAU, {"b_code": "nobody", "name": "丙"}, changes_one=_changed)
    with unit_of_work(engine) as session:
        assert session.exec(select(Bureau.name).where(Bureau.code == "x3")).one() == "甲"
        assert session.exec(select(Counter)).all() == []


def test_a_write_stores_what_sqlalchemy_stores(engine: Engine) -> None:
    settings = {"名称": "高邑县医疗保障局", "limits": [1, 2.5, None], "nested": {"ok": True}}
    with unit_of_work(engine) as session:
        new_id = write_returning(session, INSERT_BUREAU, {"code": "w1", "name": "写入局", "settings": settings})
    with Session(engine) as session:
        found = session.get(Bureau, new_id)
        assert found is not None and (found.code, found.name, found.settings) == ("w1", "写入局", settings)


def test_a_column_left_out_takes_its_default(engine: Engine) -> None:
    """A counter's value defaults to 0: a write that leaves it out stores that, not NULL."""
    with unit_of_work(engine) as session:
        run_write(session, INSERT_COUNTER, {"bureau_code": "w", "kind": "default", "year": 2026})
    with Session(engine) as session:
        assert session.exec(select(Counter.value).where(Counter.kind == "default")).one() == 0


def test_a_column_whose_default_is_computed_must_be_given() -> None:
    """SQLAlchemy's execution would compute it; a write runs on the driver, so it says so at once."""
    stamped = Table("stamped", MetaData(), Column("id", Integer, primary_key=True),
                    Column("at", DateTime, default=lambda: datetime.now(UTC)))
    engine = make_engine("sqlite://")
    with pytest.raises(ValueError, match="stamped.at"):
        Prebuilt(insert(stamped)).on(engine, {"id": 1})
    assert Prebuilt(insert(stamped)).on(engine, {"id": 1, "at": datetime.now(UTC)}).order == ("id", "at")
    engine.dispose()


def test_waiting_writes_go_before_the_next_statement_and_the_commit(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        write_returning(session, INSERT_BUREAU, {"code": "w2", "name": "旧名", "settings": {}})
        run_write(session, RENAME_BUREAU, {"b_code": "w2", "name": "新名"}, changes_one=_changed)
        assert session.exec(select(Bureau.name).where(Bureau.code == "w2")).one() == "新名"
        run_write(session, RENAME_BUREAU, {"b_code": "w2", "name": "最后的名字"}, changes_one=_changed)
    with Session(engine) as session:
        assert session.exec(select(Bureau.name).where(Bureau.code == "w2")).one() == "最后的名字"


def test_a_rollback_drops_the_writes_that_wait(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        write_returning(session, INSERT_BUREAU, {"code": "w3", "name": "原名", "settings": {}})
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        run_write(session, RENAME_BUREAU, {"b_code": "w3", "name": "不该留下"})
        raise RuntimeError("the action fails after its write")
    with unit_of_work(engine) as session:  # the pool gives back the same connection: nothing is left to send
        assert session.exec(select(Bureau.name).where(Bureau.code == "w3")).one() == "原名"


def test_a_failed_version_check_rolls_back_what_went_with_it(engine: Engine) -> None:
    """The check fails (the row is not as read): the writes sent with it, in the same statement on
    PostgreSQL, are not committed either."""
    with unit_of_work(engine) as session:
        write_returning(session, INSERT_BUREAU, {"code": "w4", "name": "甲", "settings": {}})
    with pytest.raises(ConcurrentUpdate), unit_of_work(engine) as session:
        run_write(session, RENAME_BUREAU, {"b_code": "w4", "name": "乙"})
        run_write(session, INSERT_COUNTER, {"bureau_code": "w4", "kind": "checked", "year": 2026})
        run_write(session, RENAME_BUREAU, {"b_code": "nobody", "name": "丙"}, changes_one=_changed)
        run_write(session, INSERT_COUNTER, {"bureau_code": "w4", "kind": "after", "year": 2026})
    with Session(engine) as session:
        assert session.exec(select(Bureau.name).where(Bureau.code == "w4")).one() == "甲"
        assert session.exec(select(Counter)).all() == []


def test_a_failing_write_raises_sqlalchemys_error_and_leaves_nothing(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        write_returning(session, INSERT_BUREAU, {"code": "w5", "name": "甲", "settings": {}})
    with pytest.raises(IntegrityError), unit_of_work(engine) as session:
        run_write(session, RENAME_BUREAU, {"b_code": "w5", "name": "改了"}, changes_one=_changed)
        run_write(session, INSERT_BUREAU, {"code": "w5", "name": "重复", "settings": {}})
    with Session(engine) as session:
        assert session.exec(select(Bureau.name).where(Bureau.code == "w5")).one() == "甲"


def test_writes_sent_together_each_take_effect_in_their_order(engine: Engine) -> None:
    """On PostgreSQL these go in as few statements as can be (tables apart in one, a table written
    again in the next): each write lands, the last of a row's writes wins, and the id comes back."""
    with unit_of_work(engine) as session:
        write_returning(session, INSERT_BUREAU, {"code": "w6", "name": "甲", "settings": {}})
    with unit_of_work(engine) as session:
        run_write(session, RENAME_BUREAU, {"b_code": "w6", "name": "乙"})
        run_write(session, INSERT_COUNTER, {"bureau_code": "w6", "kind": "together", "year": 2026, "value": 7})
        run_write(session, RENAME_BUREAU, {"b_code": "w6", "name": "丙"})
        new_id = write_returning(session, INSERT_BUREAU, {"code": "w7", "name": "丁", "settings": {"a": 1}})
    with Session(engine) as session:
        assert session.exec(select(Bureau.name).where(Bureau.code == "w6")).one() == "丙"
        assert session.exec(select(Counter.value).where(Counter.kind == "together")).one() == 7
        added = session.get(Bureau, new_id)
        assert added is not None and (added.code, added.settings) == ("w7", {"a": 1})


@pytest.fixture
def pipelined(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's engine pipelines as it would to a server across a network (set before ``api``)."""
    monkeypatch.setenv(PIPELINE_SETTING, "1")


def test_a_whole_penalty_walk_runs_pipelined(pipelined: None, api: Api) -> None:
    """From the lead to the archive, documents and all, each action's writes going with its COMMIT;
    a refusal on the way changes nothing; the replay agrees with what was stored."""
    from tests.api.test_execution_rules import assert_audit_clean
    from tests.integration.test_documents_walk import walk_to_archive

    engine = api.app.state.caseflow.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no pipeline: each write runs at once")
    assert engine.dialect._caseflow_pipeline is True
    case = walk_to_archive(api)
    assert case["state"] == "archived" and case["final"] is True
    refused(api.fire("zhang", case["id"], "record_payment", {"amount": 1}, at("2026-04-12 10:00")), 409,
            "ACTION_NOT_ALLOWED_IN_STATE")
    assert ok(api.get("zhang", f"/api/cases/{case['id']}"))["version"] == case["version"]
    assert_audit_clean(api)
