"""Two real servers (uvicorn subprocesses, one of them with two worker processes) on one database.

A year's calendar loaded through one server is used by the other at once; approvals issued in
parallel through both get gap-free numbers; every render job is done exactly once.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from api.bootstrap import prepare_database
from api.users import create_user
from engine.persistence import make_engine
from engine.recompute import calendar_summary
from engine.tables import Document, DocumentPdf, RenderJob
from processes.loader import default_library
from tests.api.test_penalty_walk import OFFICERS, PARTY

ROOT = Path(__file__).resolve().parents[2]
SECRET = "two-servers-" + "s" * 40
PASSWORD = "password-123"
PARALLEL = 12
EXTRA_HOLIDAY = "2026-03-10"  # a Tuesday inside the 15 working days a lead check runs from 2026-03-02


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, database_url: str, data_dir: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CASEFLOW_SECRET": SECRET,  # the same key on every server: a login is valid on all of them
            "CASEFLOW_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(ROOT),
        }
        command = [sys.executable, "-m", "api.cli", "serve", "--port", str(self.port), *args]
        self.log = data_dir / "server.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as output:  # the child keeps its own descriptor
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited: {self.log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/login", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        pytest.fail(f"server not ready: {self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # uvicorn and its worker processes
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@pytest.fixture
def servers(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server, Engine]]:
    """Two servers on one fresh database (the first with two processes), and an engine to look into it."""
    engine = make_engine(database_url)
    prepare_database(engine, default_library())
    for username, roles, cert, name in [
        ("zhang", ["officer"], "JZ-001", "张三"),  # the holders of the case's two certificates (OFFICERS)
        ("li", ["officer"], "JZ-002", "李四"),
        ("head", ["head"], None, "head"),
        ("admin", ["admin"], None, "admin"),
    ]:
        create_user(engine, username, bureau="xinji", roles=roles, password=PASSWORD, cert_no=cert, name=name)
    first = Server(database_url, tmp_path / "a", "--workers", "2")
    second = Server(database_url, tmp_path / "b")
    try:
        first.wait_ready()
        second.wait_ready()
        yield first, second, engine
    finally:
        first.stop()
        second.stop()
        engine.dispose()


def token(server: Server, username: str) -> dict[str, str]:
    r = httpx.post(f"{server.url}/api/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def load_calendar_through_pages(server: Server, schedule: str) -> None:
    """What an administrator does: log in on the pages and load a year on the administration page."""
    with httpx.Client(base_url=server.url) as browser:
        login = browser.get("/login")
        r = browser.post("/login", data={"username": "admin", "password": PASSWORD, "csrf": csrf(login.text)})
        assert r.status_code == 303, r.text
        page = browser.get("/admin")
        assert page.status_code == 200, page.text
        r = browser.post("/admin/calendar", data={"schedule": schedule, "csrf": csrf(page.text)})
        assert r.status_code == 303, r.text


def open_case(server: Server, auth: dict[str, str]) -> dict[str, Any]:
    body = {
        "item": "3",
        "party": PARTY,
        "officers": OFFICERS,
        "data": {"lead_summary": "智能监控发现串换药品", "violation_ended_on": "2026-02-01"},
        "occurred_at": "2026-03-02T09:00:00+08:00",
    }
    r = httpx.post(f"{server.url}/api/cases", json=body, headers=auth, timeout=60)
    assert r.status_code == 201, r.text
    case: dict[str, Any] = r.json()
    return case


def lead_check_due(case: dict[str, Any]) -> str:
    return str(next(c["due_at"] for c in case["clocks"] if c["key"] == "lead_check"))


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # servers of a province share one PostgreSQL
def test_two_servers_share_calendar_numbers_and_render_jobs(servers: tuple[Server, Server, Engine]) -> None:
    first, second, engine = servers
    officer = token(first, "zhang")  # signed by the shared key: valid on the other server too
    head = token(second, "head")

    before = open_case(second, officer)  # the second server has computed with the calendar
    summary = calendar_summary(engine, 2026)
    assert EXTRA_HOLIDAY not in summary["holidays"]
    schedule = {"year": 2026, "holidays": [*summary["holidays"], EXTRA_HOLIDAY], "workdays": summary["workdays"]}
    load_calendar_through_pages(first, json.dumps(schedule))
    after = open_case(second, officer)
    assert lead_check_due(after) > lead_check_due(before)  # one working day fewer in the window
    reread = httpx.get(f"{second.url}/api/cases/{before['id']}", headers=officer).json()
    assert lead_check_due(reread) == lead_check_due(after)

    cases = []
    for index in range(PARALLEL):
        server = (first, second)[index % 2]
        cid = int(open_case(server, officer)["id"])
        r = httpx.post(f"{server.url}/api/cases/{cid}/actions/propose_filing",
                       json={"occurred_at": "2026-03-03T10:00:00+08:00"}, headers=officer, timeout=60)
        assert r.status_code == 200, r.text
        cases.append(cid)
    barrier = threading.Barrier(PARALLEL)
    answers: dict[int, httpx.Response] = {}

    def approve(index: int, cid: int) -> None:
        server = (first, second)[index % 2]
        barrier.wait()
        answers[cid] = httpx.post(
            f"{server.url}/api/cases/{cid}/actions/approve_filing",
            json={"data": {"jurisdiction": "violation_place"}, "occurred_at": "2026-03-04T09:00:00+08:00"},
            headers=head,
            timeout=120,
        )

    threads = [threading.Thread(target=approve, args=pair) for pair in enumerate(cases)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.status_code == 200 for r in answers.values()), [r.text for r in answers.values()]
    numbers = sorted(int(re.fullmatch(r"辛医保立审〔2026〕(\d+)号", r.json()["documents"][0]["number"]).group(1))  # type: ignore[union-attr]
                     for r in answers.values())
    assert numbers == list(range(1, PARALLEL + 1))

    deadline = time.monotonic() + 240
    with Session(engine) as session:
        while session.exec(select(func.count()).where(col(RenderJob.done_at).is_(None))).one() and time.monotonic() < deadline:
            session.rollback()
            time.sleep(0.5)
        jobs = session.exec(select(RenderJob)).all()
        documents = session.exec(select(Document)).all()
        pdfs = session.exec(select(DocumentPdf)).all()
    assert len(jobs) == len(documents) == len(pdfs) == PARALLEL
    assert all(j.done_at is not None and j.attempts == 1 and (j.done_by or "").endswith(":worker") for j in jobs), [
        (j.document_id, j.attempts, j.done_by, j.error) for j in jobs
    ]

    doc = answers[cases[0]].json()["documents"][0]
    r = httpx.get(f"{second.url}/api/cases/{cases[0]}/documents/{doc['id']}", headers=officer)
    assert r.status_code == 200, r.text
    stored = next(p for p in pdfs if p.document_id == doc["id"])
    assert r.content == stored.pdf and r.headers["x-sha256"] == stored.sha256
    assert unquote(r.headers["content-disposition"].split("filename*=UTF-8''")[1]) == f"立案审批表-{doc['number']}.pdf"
