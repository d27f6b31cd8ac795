"""Actions per second over HTTP: the real server under 4 and 16 concurrent clients.

The server is ``caseflow serve --workers N`` in a subprocess, on a fresh database. Before it
starts, the database is migrated and one penalty case per client is opened and filed through
CaseService with the app's PDF issuer (so each holds its filing approval, as over HTTP, but
without waiting for the server). Each client has its own keep-alive connection and its own case
(all clients are tasks of one event loop speaking raw HTTP/1.1: a load generator that costs the
shared cores little); after a few untimed rounds it repeats, for ``--seconds``: POST the recorded
fact, GET the case. Every response that is not 2xx is counted by its error code; ``CASE_BUSY`` (SQLite's
lock wait ran out) is shown on its own, since the clients never share a case.

Targets (issue 8): on PostgreSQL with 16 clients ≥ 150 actions/s, p99 < 250 ms, zero errors;
on SQLite no CASE_BUSY between different cases.

    python bench/http_load.py [--db sqlite|postgres|both] [--clients 4,16] [--seconds 10] [--workers 2]
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
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
    warmed: int = 0  # clients through their warm-up

    def add(self, other: Tally) -> None:
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


class Connection:
    """One keep-alive HTTP/1.1 connection that speaks just enough HTTP for this benchmark.

    The load generator runs on the server's machine, so it should cost little: one event loop
    with raw connections spends about a tenth of the CPU per request that sixteen threads of
    httpx clients do, and leaves the cores to the server, as clients on other machines would.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, base: str) -> Connection:
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        return cls(reader, writer, f"{host}:{port}")

    async def request(self, method: str, path: str, token: str, body: dict[str, Any] | None = None) -> Answer:
        payload = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + payload)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if not chunked:
            return Answer(status, await self.reader.readexactly(length))
        data = b""
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            data += await self.reader.readexactly(size)
            await self.reader.readline()
        await self.reader.readline()
        return Answer(status, data)

    def close(self) -> None:
        self.writer.close()


@dataclass
class Answer:
    status: int
    body: bytes

    def code(self) -> str:
        """``status code`` of an error answer, e.g. ``409 CASE_BUSY``."""
        try:
            return f"{self.status} {json.loads(self.body).get('code', '?')}"
        except ValueError:
            return f"{self.status} (not JSON)"


async def warm_up(connection: Connection, action: str, token: str, tally: Tally) -> None:
    """Untimed rounds before the timed phase, retried when SQLite reports CASE_BUSY (counted)."""
    for _ in range(WARMUP_ROUNDS):
        for attempt in range(1, 21):
            answer = await connection.request("POST", action, token, {"data": RECORDED_PAYLOAD})
            if answer.status < 300:
                break
            if answer.code() != "409 CASE_BUSY" or attempt == 20:
                raise RuntimeError(f"POST {action}: {answer.status} {answer.body[:300]!r}")
            tally.warmup_busy += 1  # nothing was written: the action is one transaction
            await asyncio.sleep(0.05 * attempt)


async def client_loop(
    base: str, case_id: int, token: str, ready: asyncio.Event, stop_at: list[float], total: Tally
) -> None:
    """Warm up, then POST the recorded fact and GET the case until the deadline."""
    mine = Tally()
    connection = await Connection.open(base)
    action = f"/api/cases/{case_id}/actions/{RECORDED_FACT}"
    try:
        await warm_up(connection, action, token, mine)
        total.warmed += 1
        await ready.wait()
        rounds = 0
        while rounds == 0 or time.monotonic() < stop_at[0]:  # at least one round, however short the run
            rounds += 1
            try:
                started = time.perf_counter()
                posted = await connection.request("POST", action, token, {"data": RECORDED_PAYLOAD})
                mine.post.append(time.perf_counter() - started)
                if posted.status >= 300:
                    mine.errors[posted.code()] += 1
                    continue
                mine.actions += 1
                started = time.perf_counter()
                viewed = await connection.request("GET", f"/api/cases/{case_id}", token)
                mine.get.append(time.perf_counter() - started)
                if viewed.status >= 300:
                    mine.errors[viewed.code()] += 1
            except (ConnectionError, asyncio.IncompleteReadError) as error:  # counted; a new connection
                mine.errors[type(error).__name__] += 1
                connection.close()
                connection = await Connection.open(base)
    finally:
        connection.close()
        total.add(mine)


def run_clients(base: str, cases: list[int], seconds: float) -> tuple[Tally, float]:
    """One client per case for ``seconds`` after all warmed up; returns the tally and the time."""
    bearer = token(base, "zhang")
    total = Tally()

    async def run() -> float:
        ready = asyncio.Event()
        stop_at = [float("inf")]
        tasks = [asyncio.create_task(client_loop(base, c, bearer, ready, stop_at, total)) for c in cases]
        while total.warmed < len(cases):  # every client warmed up (a failure ends the run with its error)
            for task in tasks:
                if task.done() and task.exception() is not None:
                    raise RuntimeError(f"a client failed while warming up: {task.exception()}")
            await asyncio.sleep(0.01)
        started = time.perf_counter()
        stop_at[0] = time.monotonic() + seconds
        ready.set()
        await asyncio.gather(*tasks)
        return time.perf_counter() - started

    elapsed = asyncio.run(run())
    return total, elapsed


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
