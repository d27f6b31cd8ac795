"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, an app and users.

PostgreSQL is the one at 127.0.0.1:5432 (user postgres, database test) or $CASEFLOW_TEST_PG.
Where it is not reachable the PostgreSQL variants skip with the reason, unless
CASEFLOW_REQUIRE_POSTGRES=1 (set by .ci/run), which makes them fail instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings

from engine.timeutil import TZ

# Tests never assert wall-clock times: no per-example deadline (a busy CI machine is not a bug).
settings.register_profile("caseflow", deadline=None)
settings.load_profile("caseflow")

# Accounts are created and logged in by nearly every test: Argon2 at its minimal cost (before api imports).
os.environ.setdefault("CASEFLOW_TEST_FAST_HASH", "1")

PG_ADMIN = os.environ.get("CASEFLOW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("CASEFLOW_REQUIRE_POSTGRES") == "1"


def _pg_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL at {PG_ADMIN.split('@')[-1]} not reachable: {error}".splitlines()[0]
    return None


PG_UNREACHABLE = _pg_reason()


def _pg_exec(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Migrated template databases, copied for each test."""
    from engine.persistence import make_engine
    from migrations.runner import upgrade

    made: dict[str, str] = {}
    sqlite_file = tmp_path_factory.mktemp("tpl") / "template.db"
    engine = make_engine(f"sqlite:///{sqlite_file}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    made["sqlite"] = str(sqlite_file)
    pg_template = None
    if PG_UNREACHABLE is None:
        pg_template = f"cf_tpl_{uuid.uuid4().hex[:8]}"
        _pg_exec(f"CREATE DATABASE {pg_template}")
        engine = make_engine(_pg_url(pg_template))
        upgrade(engine)
        engine.dispose()
        made["postgres"] = pg_template
    yield made
    if pg_template:
        _pg_exec(f"DROP DATABASE IF EXISTS {pg_template} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, templates: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        target = tmp_path / "caseflow.db"
        shutil.copy(templates["sqlite"], target)
        yield f"sqlite:///{target}"
        return
    if PG_UNREACHABLE is not None:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here: {PG_UNREACHABLE}")
        pytest.skip(PG_UNREACHABLE)
    name = f"cf_{uuid.uuid4().hex[:12]}"
    _pg_exec(f"CREATE DATABASE {name} TEMPLATE {templates['postgres']}")
    yield _pg_url(name)
    _pg_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Api:
    """A test client with a bearer token per user."""

    client: TestClient
    app: Any
    tokens: dict[str, str]

    def as_(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            r = self.client.post("/api/auth/token", data={"username": username, "password": "password-123"})
            assert r.status_code == 200, r.text
            self.tokens[username] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def get(self, user: str, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.as_(user), **kw)

    def post(self, user: str, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers=self.as_(user), **kw)

    def fire(
        self,
        user: str,
        case_id: int,
        trigger: str,
        data: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> Any:
        body: dict[str, Any] = {"data": data or {}}
        if at is not None:
            body["occurred_at"] = at.isoformat()
        return self.post(user, f"/api/cases/{case_id}/actions/{trigger}", json=body)


STAFF = [
    # username, bureau, roles, cert_no, name
    ("zhang", "xinji", ["officer"], "JZ-001", "张三"),
    ("li", "xinji", ["officer"], "JZ-002", "李四"),
    ("wu", "xinji", ["officer"], "JZ-003", "吴五"),
    ("reviewer", "xinji", ["reviewer"], "FZ-009", "法制审核员"),
    ("head", "xinji", ["head"], None, "局长"),
    ("clerk", "xinji", ["clerk"], None, "窗口"),
    ("super", "xinji", ["supervisor"], None, "监督员"),
    ("gy_officer", "gaoyi", ["officer"], "GY-001", "高邑执法"),
    ("gy_head", "gaoyi", ["head"], None, "高邑局长"),
]


# The accounts a decision names for payment (处罚法第五十九条): the seeds leave them to the bureau, and
# a document is not issued without them, so the test bureaus have them filled in.
ACCOUNTS = {
    "fine_bank": "中国农业银行测试支行",
    "fine_account_name": "本级财政非税收入汇缴专户",
    "fine_account_no": "130181TEST0000000001",
    "refund_bank": "中国工商银行测试支行",
    "refund_account_name": "医疗保障基金财政专户",
    "refund_account_no": "130181TEST0000000002",
}


def fill_in_accounts(engine: Any, *bureaus: str) -> None:
    from api.bureaus import save_settings, settings_of

    for bureau in bureaus:
        save_settings(engine, bureau, {**settings_of(engine, bureau), **ACCOUNTS}, by="system")


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    from api.app import create_app
    from api.config import Settings
    from api.users import create_user

    settings = Settings(database_url=database_url, data_dir=tmp_path, secret="test-secret-" + "x" * 32)
    app = create_app(settings)
    engine = app.state.caseflow.engine
    for username, bureau, roles, cert, name in STAFF:
        create_user(
            engine, username, bureau=bureau, roles=roles, password="password-123", cert_no=cert, name=name
        )
    fill_in_accounts(engine, "xinji", "gaoyi")
    with TestClient(app) as client:
        yield Api(client, app, {})
    engine.dispose()


def at(text: str) -> datetime:
    """A Beijing-time moment from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)
