"""Actions per second over HTTP: the real server under 4 and 16 concurrent clients.

The server is ``caseflow serve --workers N`` in a subprocess, on a fresh database. Before it
starts, the database is migrated and one penalty case per client is opened and filed through
CaseService with the app's PDF issuer (so each holds its filing approval, as over HTTP, but
without waiting for the server). Each client is a thread with its own httpx connection and its
own case; after a few untimed rounds it repeats, for ``--seconds``: POST the recorded fact, GET
the case. Every response that is not 2xx is counted by its error code; ``CASE_BUSY`` (SQLite's
lock wait ran out) is shown on its own, since the clients never share a case.

Targets (issue 8): on PostgreSQL with 16 clients ≥ 150 actions/s, p99 < 250 ms, zero errors;
on SQLite no CASE_BUSY between different cases.

    python bench/http_load.py [--db sqlite|postgres|both] [--clients 4,16] [--seconds 10] [--workers 2]
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from common import (
    PASSWORD,
    RECORDED_FACT,
    RECORDED_PAYLOAD,
    ROOT,
    Bench,
    console,
    create_staff,
    databases,
    fresh_database_url,
    machine,
    parser,
    percentile,
    prepare,
    print_table,
    verdict,
)

TARGET_RATE = 150.0
TARGET_P99 = 0.250
WARMUP_ROUNDS = 3


@dataclass
class Tally:
    """What the clients saw during the timed phase."""

    actions: int = 0
    warmup_busy: int = 0  # CASE_BUSY answers in the untimed warm-up rounds (retried)
    post: list[float] = field(default_factory=list)
    get: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    failures: list[BaseException] = field(default_factory=list)  # a client that could not set up
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, other: Tally) -> None:
        with self.lock:
            self.actions += other.actions
            self.warmup_busy += other.warmup_busy
            self.post += other.post
            self.get += other.get
            self.errors.update(other.errors)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``caseflow serve --workers N`` on a free port, configured through the environment."""

    def __init__(self, url: str, workers: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.folder = tempfile.TemporaryDirectory(prefix="caseflow-bench-http-")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CASEFLOW_DATA_DIR": self.folder.name,
            "CASEFLOW_SECRET": "bench-secret-" + "x" * 40,
            "PYTHONPATH": str(ROOT),
        }
        command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(workers)]
        self.log = open(os.path.join(self.folder.name, "server.log"), "w+")  # noqa: SIM115 - closed in stop
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.output()}")
            try:
                if httpx.get(f"{self.base}/api/flows", timeout=2).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        self.folder.cleanup()


def token(base: str, username: str) -> str:
    r = httpx.post(f"{base}/api/auth/token", data={"username": username, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return str(r.json()["access_token"])


class WarmUp:
    """Untimed requests before the timed phase, retried when SQLite reports CASE_BUSY (counted)."""

    ATTEMPTS = 20

    def __init__(self, client: httpx.Client, tally: Tally) -> None:
        self.client, self.tally = client, tally

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        for attempt in range(1, self.ATTEMPTS + 1):
            response = self.client.post(path, json=body, headers=headers)
            if response.status_code < 300:
                result: dict[str, Any] = response.json()
                return result
            if error_code(response) != "409 CASE_BUSY" or attempt == self.ATTEMPTS:
                raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
            self.tally.warmup_busy += 1  # nothing was written: the action is one transaction
            time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")


def error_code(response: httpx.Response) -> str:
    try:
        return f"{response.status_code} {response.json().get('code', '?')}"
    except ValueError:
        return f"{response.status_code} (not JSON)"


def client_loop(
    base: str,
    case_id: int,
    headers: dict[str, dict[str, str]],
    ready: threading.Barrier,
    stop_at: list[float],
    total: Tally,
) -> None:
    """Warm up, then POST the recorded fact and GET the case until the deadline."""
    mine = Tally()
    with httpx.Client(base_url=base, timeout=60) as client:
        try:
            warmup = WarmUp(client, mine)
            action = f"/api/cases/{case_id}/actions/{RECORDED_FACT}"
            for _ in range(WARMUP_ROUNDS):
                warmup.post(action, {"data": RECORDED_PAYLOAD}, headers["zhang"])
        except Exception as error:  # noqa: BLE001 - reported by run_clients
            with total.lock:
                total.failures.append(error)
            ready.abort()
            return
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        rounds = 0
        while rounds == 0 or time.monotonic() < stop_at[0]:  # at least one round, however short the run
            rounds += 1
            started = time.perf_counter()
            try:
                posted = client.post(action, json={"data": RECORDED_PAYLOAD}, headers=headers["zhang"])
            except httpx.TransportError as error:
                mine.errors[type(error).__name__] += 1
                continue
            mine.post.append(time.perf_counter() - started)
            if posted.status_code >= 300:
                mine.errors[error_code(posted)] += 1
                continue
            mine.actions += 1
            started = time.perf_counter()
            try:
                viewed = client.get(f"/api/cases/{case_id}", headers=headers["zhang"])
            except httpx.TransportError as error:
                mine.errors[type(error).__name__] += 1
                continue
            mine.get.append(time.perf_counter() - started)
            if viewed.status_code >= 300:
                mine.errors[error_code(viewed)] += 1
    total.add(mine)


def run_clients(base: str, cases: list[int], seconds: float) -> tuple[Tally, float]:
    """One client thread per case for ``seconds`` after all warmed up; returns the tally and the time."""
    clients = len(cases)
    headers = {name: {"Authorization": f"Bearer {token(base, name)}"} for name in ("zhang", "head")}
    total = Tally()
    stop_at = [float("inf")]
    started: list[float] = []
    ready = threading.Barrier(clients + 1, action=lambda: started.append(time.perf_counter()))
    threads = [
        threading.Thread(
            target=client_loop, args=(base, case_id, headers, ready, stop_at, total), daemon=True
        )
        for case_id in cases
    ]
    for thread in threads:
        thread.start()
    try:
        ready.wait(timeout=600)
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise RuntimeError(f"a client failed while warming up: {total.failures[:1]}") from None
    stop_at[0] = time.monotonic() + seconds
    for thread in threads:
        thread.join()
    return total, time.perf_counter() - started[0]


def filed_cases(kind: str, url: str, runs: list[int]) -> list[list[int]]:
    """Migrate, create the staff and file one case per client of each run (with its PDF)."""
    from documents.issuer import PdfIssuer
    from engine.cases import CaseService

    engine, library = prepare(url)
    try:
        bench = Bench(
            kind, url, engine, library, CaseService(engine, library, PdfIssuer()), create_staff(engine)
        )
        return [[bench.open_investigation() for _ in range(clients)] for clients in runs]
    finally:
        engine.dispose()


def wait_rendered(url: str, timeout: float = 600) -> int:
    """Wait until the server has rendered the setup's documents, so no render runs in the timed phase."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        deadline = time.monotonic() + timeout
        while True:
            with engine.connect() as conn:
                done = conn.execute(text("SELECT count(*) FROM render_job WHERE done_at IS NOT NULL")).scalar_one()
                pending = conn.execute(text("SELECT count(*) FROM render_job WHERE done_at IS NULL")).scalar_one()
            if not pending or time.monotonic() > deadline:
                return int(done)
            time.sleep(0.5)
    finally:
        engine.dispose()


def p(values: list[float], share: float) -> str:
    return f"{percentile(values, share) * 1000:.0f}"


def main(argv: list[str] | None = None) -> list[list[str]]:
    ap = parser(__doc__.splitlines()[0], repeat=None)
    ap.add_argument("--clients", default="4,16", help="concurrent clients, comma-separated runs")
    ap.add_argument("--seconds", type=float, default=10, help="timed seconds per run")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = ap.parse_args(argv)
    runs = [int(c) for c in args.clients.split(",") if c.strip()]
    console.print(
        f"[bold]HTTP load[/bold]  {machine()}, {args.workers} worker(s), {args.seconds:g} s per run, "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
    )
    rows = []
    for kind in databases(args.db):
        with fresh_database_url(kind, args.pg, args.pg_database) as url:
            began = time.perf_counter()
            cases = filed_cases(kind, url, runs)
            console.print(f"{kind}: {sum(runs)} cases filed in {time.perf_counter() - began:.0f} s")
            began = time.perf_counter()
            server = Server(url, args.workers)
            try:
                server.wait_ready()
                rendered = wait_rendered(url)
                console.print(
                    f"{kind}: server answering, the setup's {rendered} documents rendered, "
                    f"after {time.perf_counter() - began:.0f} s"
                )
                for clients in runs:
                    tally, elapsed = run_clients(server.base, cases.pop(0), args.seconds)
                    rows.append(row(kind, clients, tally, elapsed))
            finally:
                server.stop()
    print_table(
        f"POST {RECORDED_FACT} then GET the case, each client on its own case (latency ms)",
        [
            "db",
            "clients",
            "actions/s",
            "POST p50",
            "p95",
            "p99",
            "GET p50",
            "p95",
            "p99",
            "errors",
            "CASE_BUSY",
            "target",
        ],
        rows,
    )
    console.print(
        f"targets: postgres, 16 clients: ≥ {TARGET_RATE:.0f} actions/s, p99 < {TARGET_P99 * 1000:.0f} ms, no error; "
        "sqlite: no CASE_BUSY"
    )
    return rows


def row(kind: str, clients: int, tally: Tally, elapsed: float) -> list[str]:
    rate = tally.actions / elapsed
    busy = sum(n for code, n in tally.errors.items() if code.endswith("CASE_BUSY"))
    others = ", ".join(
        f"{code}: {n}" for code, n in tally.errors.most_common() if not code.endswith("CASE_BUSY")
    )
    worst_p99 = max(percentile(tally.post, 0.99), percentile(tally.get, 0.99))
    if kind == "postgres" and clients == 16:
        target = verdict(rate >= TARGET_RATE and worst_p99 < TARGET_P99 and not tally.errors)
    elif kind == "sqlite":
        target = verdict(busy == 0 and tally.warmup_busy == 0)
    else:
        target = ""
    return [
        kind,
        str(clients),
        f"{rate:.1f}",
        p(tally.post, 0.5),
        p(tally.post, 0.95),
        p(tally.post, 0.99),
        p(tally.get, 0.5),
        p(tally.get, 0.95),
        p(tally.get, 0.99),
        others or "0",
        f"{busy} (+{tally.warmup_busy} warming up)" if tally.warmup_busy else str(busy),
        target,
    ]


if __name__ == "__main__":
    main()
