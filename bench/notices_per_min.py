"""Notices issued per minute by one bureau on two server processes, against the old render-in-the-action path.

Each run starts a fresh database and ``uvicorn --workers 2`` on it, opens cases in investigation,
then clients record inquiries (记录调查取证) over HTTP: each action issues one numbered 询问笔录.
Two ways of serving are compared, interleaved, each repeated:

* ``offloaded`` — caseflow as it is: the action freezes and numbers the notice and answers; the
  render workers of the two processes render the PDFs after commit;
* ``inline`` — the baseline, the old path: the same app with the PDF rendered and stored inside the
  issuing action's transaction (while it holds the bureau's number counter).

For each it prints notices answered per minute, notices with their PDF stored per minute (the time
until the last render job is done), the median answer time, and the ratios offloaded / inline
(medians over the repetitions). Every run checks that the numbers are 1..N without a gap. Run:

    .venv/bin/python bench/notices_per_min.py [--notices 300] [--clients 8] [--repeat 3] [--sqlite]

Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "password-123"
NOTICES_PER_CASE = 10  # a case's history stays short, as in real work
MODES = {"offloaded": "api.app:app_from_environment", "inline": "bench.notices_per_min:inline_app"}


def inline_app() -> Any:
    """The baseline app: documents rendered and stored inside the issuing transaction (the old path)."""
    import hashlib

    from sqlalchemy import update
    from sqlmodel import Session, col

    from api.app import create_app
    from documents.issuer import PdfIssuer, render
    from documents.kinds import kind_of
    from engine.tables import Document, DocumentPdf, Event, RenderJob
    from engine.timeutil import to_db

    class InlineIssuer(PdfIssuer):
        def store(self, session: Session, documents: list[Document], event: Event) -> None:
            super().store(session, documents, event)
            for document in documents:
                pdf = render(kind_of(document.kind), document.fields, document.number)
                now = to_db(datetime.now().astimezone())
                session.add(
                    DocumentPdf(
                        document_id=document.id, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), rendered_at=now
                    )
                )
                session.execute(
                    update(RenderJob)
                    .where(col(RenderJob.document_id) == document.id)
                    .values(done_at=now, done_by="inline", attempts=1)
                )

    app = create_app(prepare=False, render_worker=False)
    app.state.caseflow.cases.issuer = InlineIssuer()
    return app


@dataclass
class Run:
    mode: str
    answered_per_min: float
    stored_per_min: float
    median_answer_ms: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(sqlite: bool, admin_url: str) -> Iterator[str]:
    if sqlite:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    import psycopg

    name = f"cf_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def prepare(database_url: str, cases: int) -> list[int]:
    """Users, and ``cases`` penalty cases in investigation (set up without documents: they are not measured)."""
    from api.bootstrap import prepare_database
    from api.users import actor_of, create_user
    from engine.cases import CaseService
    from engine.persistence import make_engine
    from engine.timeutil import TZ
    from processes.loader import default_library

    engine = make_engine(database_url)
    library = default_library()
    prepare_database(engine, library)
    zhang = create_user(engine, "zhang", bureau="xinji", roles=["officer"], password=PASSWORD, cert_no="JZ-001", name="张三")
    # the case's second officer holds a registered 执法证 too (处罚法第四十二条), though he never signs in
    create_user(engine, "li", bureau="xinji", roles=["officer"], password=PASSWORD, cert_no="JZ-002", name="李四")
    head = create_user(engine, "head", bureau="xinji", roles=["head"], password=PASSWORD, name="局长")
    service = CaseService(engine, library)  # no issuer: the set-up issues nothing
    start = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    ids = []
    for n in range(cases):
        cid = service.open_case(
            actor_of(zhang),
            "3",
            {"name": f"辛集市某药房{n}", "type": "organisation", "address": "辛集市建设路1号", "credit_code": "91130181MA0000000X"},
            [{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}],
            {"lead_summary": "智能监控发现串换药品", "violation_ended_on": "2026-02-01"},
            start,
        )
        service.fire(actor_of(zhang), cid, "propose_filing", {}, start + timedelta(days=1))
        service.fire(actor_of(head), cid, "approve_filing", {"jurisdiction": "violation_place"}, start + timedelta(days=2))
        ids.append(cid)
    engine.dispose()
    return ids


@contextmanager
def servers(mode: str, database_url: str, workers: int) -> Iterator[str]:
    port = free_port()
    folder = tempfile.mkdtemp()
    env = {**os.environ, "DATABASE_URL": database_url, "CASEFLOW_SECRET": "bench-" + "k" * 40,
           "CASEFLOW_DATA_DIR": folder, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "uvicorn", MODES[mode], "--factory", "--port", str(port),
               "--workers", str(workers), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        time.sleep(2)  # every worker process has started and imported WeasyPrint
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)


def issue(url: str, case_ids: list[int], notices: int, clients: int) -> tuple[float, list[float]]:
    """Fire ``notices`` record_evidence actions from ``clients`` threads; (seconds, answer times)."""
    import httpx

    token = httpx.post(f"{url}/api/auth/token", data={"username": "zhang", "password": PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    plan = [case_ids[n % len(case_ids)] for n in range(notices)]  # each case in turn
    owner = {cid: n % clients for n, cid in enumerate(case_ids)}  # a case belongs to one client: no CASE_CHANGED
    shares = [[cid for cid in plan if owner[cid] == c] for c in range(clients)]
    latencies: list[float] = []
    failures: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def client(share: list[int]) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=300) as http:
            barrier.wait()
            for cid in share:
                began = time.perf_counter()
                r = http.post(f"/api/cases/{cid}/actions/record_evidence",
                              json={"data": {"kind": "party_statement", "record": "inquiry", "summary": "询问药房负责人"}})
                latencies.append(time.perf_counter() - began)
                if r.status_code != 200:
                    failures.append(r.text)

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{len(failures)} actions failed, e.g. {failures[0]}")
    return elapsed, latencies


def wait_rendered(database_url: str, began: float) -> float:
    from sqlmodel import Session, col, func, select

    from engine.persistence import make_engine
    from engine.tables import RenderJob

    engine = make_engine(database_url)
    try:
        while True:
            with Session(engine) as session:
                if not session.exec(select(func.count()).where(col(RenderJob.done_at).is_(None))).one():
                    return time.perf_counter() - began
            time.sleep(0.1)
    finally:
        engine.dispose()


def check_gap_free(database_url: str, notices: int) -> None:
    from sqlmodel import Session, select

    from engine.persistence import make_engine
    from engine.tables import Document, DocumentPdf

    engine = make_engine(database_url)
    with Session(engine) as session:
        seqs = sorted(session.exec(select(Document.seq).where(Document.kind == "inquiry_record")).all())
        stored = len(session.exec(select(DocumentPdf.document_id)).all())
        numbers = session.exec(select(Document.number).where(Document.seq == 1)).all()
    engine.dispose()
    if seqs != list(range(1, notices + 1)) or stored != notices:
        raise SystemExit(f"numbers not gap-free or PDFs missing: {len(seqs)} numbers, {stored} PDFs")
    assert all(re.fullmatch(r"辛医保\S+〔2026〕1号", n) for n in numbers), numbers


def run(mode: str, args: argparse.Namespace) -> Run:
    with fresh_database(args.sqlite, args.pg) as database_url:
        cases = prepare(database_url, -(-args.notices // NOTICES_PER_CASE))
        with servers(mode, database_url, args.workers) as url:
            elapsed, latencies = issue(url, cases, args.notices, args.clients)
            began = time.perf_counter() - elapsed
            rendered = wait_rendered(database_url, began)
        check_gap_free(database_url, args.notices)
    return Run(mode, args.notices / elapsed * 60, args.notices / rendered * 60, statistics.median(latencies) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--pg", default=os.environ.get("CASEFLOW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    runs: list[Run] = []
    for rep in range(args.repeat):
        order = list(MODES) if rep % 2 == 0 else list(reversed(MODES))  # interleaved, alternating first
        for mode in order:
            result = run(mode, args)
            runs.append(result)
            print(f"  rep {rep + 1} {mode:9} answered {result.answered_per_min:7.0f}/min  "
                  f"stored {result.stored_per_min:6.0f}/min  median answer {result.median_answer_ms:6.0f} ms",
                  flush=True)

    def median(mode: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in runs if r.mode == mode)

    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"\n{args.notices} notices (询问笔录), {args.clients} clients, {args.workers} server processes, "
          f"{database}, medians of {args.repeat}")
    print(f"{'':12}{'answered/min':>14}{'PDF stored/min':>16}{'answer ms':>11}")
    for mode in MODES:
        print(f"{mode:12}{median(mode, 'answered_per_min'):14.0f}{median(mode, 'stored_per_min'):16.0f}"
              f"{median(mode, 'median_answer_ms'):11.0f}")
    print(f"{'ratio':12}{median('offloaded', 'answered_per_min') / median('inline', 'answered_per_min'):13.2f}×"
          f"{median('offloaded', 'stored_per_min') / median('inline', 'stored_per_min'):15.2f}×"
          f"{median('offloaded', 'median_answer_ms') / median('inline', 'median_answer_ms'):10.2f}×")
    print("numbers gap-free (1..N) and every PDF stored in every run")


if __name__ == "__main__":
    main()
