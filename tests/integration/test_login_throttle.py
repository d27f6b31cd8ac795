"""Login attempts hold under parallel attack: counted atomically in the database (SQLite and PostgreSQL).

The app runs under uvicorn on a local port; fifty threads send wrong passwords at the same
moment. Counting in Python (read, add one, write back) let parallel requests overwrite each
other, and with a hundred guesses 43 passwords were checked before the lock (issue 11).
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine import login_throttle
from engine.login_throttle import Limit
from engine.persistence import make_engine

PARALLEL = 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The app under uvicorn with one clerk; the per-client limit is out of the way here."""
    import uvicorn

    from api.app import create_app
    from api.config import Settings
    from api.users import create_user

    settings = Settings(
        database_url=database_url, data_dir=tmp_path, secret="s" * 48, login_attempts=5, client_attempts=10_000
    )
    app = create_app(settings)
    state = app.state.caseflow
    create_user(state.engine, "target", bureau="xinji", roles=["clerk"], password="right-password-1", name="目标")
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "state": state}
    uv.should_exit = True
    thread.join(timeout=10)
    state.engine.dispose()


def _login(url: str, username: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=120) as client:
        return client.post("/api/auth/token", data={"username": username, "password": password})


def _at_once(url: str, username: str, passwords: list[str]) -> list[httpx.Response]:
    start = threading.Barrier(len(passwords))

    def attempt(password: str) -> httpx.Response:
        start.wait()
        return _login(url, username, password)

    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        return list(pool.map(attempt, passwords))


def test_fifty_parallel_wrong_passwords_lock_the_account(server: dict[str, Any]) -> None:
    responses = _at_once(server["url"], "target", [f"wrong-guess-{i}" for i in range(PARALLEL)])
    codes = Counter(r.json()["code"] for r in responses)
    # exactly the allowed five passwords were checked; every other guess met the lock unchecked
    assert codes == {"BAD_CREDENTIALS": 5, "ACCOUNT_LOCKED": PARALLEL - 5}, codes
    assert all(r.status_code == 401 for r in responses)
    right = _login(server["url"], "target", "right-password-1")
    assert right.status_code == 401
    assert right.json()["code"] == "ACCOUNT_LOCKED"
    assert "账户已暂时锁定" in right.json()["message"]


def test_parallel_guesses_at_an_unknown_name_get_the_same_answers(server: dict[str, Any]) -> None:
    responses = _at_once(server["url"], "nobody-here", [f"wrong-guess-{i}" for i in range(20)])
    assert Counter(r.json()["code"] for r in responses) == {"BAD_CREDENTIALS": 5, "ACCOUNT_LOCKED": 15}


def test_a_reservation_is_atomic_and_a_lock_runs_out(database_url: str) -> None:
    engine = make_engine(database_url)
    limit = Limit(attempts=3, window=timedelta(minutes=60), lock=timedelta(minutes=15))
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    scope, key = login_throttle.ACCOUNT, "zhang"
    assert [login_throttle.reserve(engine, scope, key, limit, now) for _ in range(3)] == [None, None, None]
    locked = login_throttle.reserve(engine, scope, key, limit, now + timedelta(minutes=1))
    assert locked == now + timedelta(minutes=15)  # the third attempt set the lock
    # when the lock has run out the count starts again
    later = now + timedelta(minutes=16)
    assert login_throttle.reserve(engine, scope, key, limit, later) is None
    assert login_throttle.reserve(engine, scope, key, limit, later) is None
    # attempts older than the window no longer count
    much_later = later + timedelta(minutes=61)
    assert login_throttle.reserve(engine, scope, key, limit, much_later) is None
    assert login_throttle.reserve(engine, scope, key, limit, much_later) is None
    assert login_throttle.reserve(engine, scope, key, limit, much_later) is None
    assert login_throttle.reserve(engine, scope, key, limit, much_later) is not None
    engine.dispose()


def test_a_script_logging_in_several_times_at_once_is_not_locked_out(server: dict[str, Any]) -> None:
    # the sixth reservation meets the lock the fifth set, and waits for the others to succeed
    responses = _at_once(server["url"], "target", ["right-password-1"] * 8)
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
