"""Configuration from the environment: DATABASE_URL, CASEFLOW_DATA_DIR, CASEFLOW_SECRET, login limits,
CASEFLOW_MAX_BODY_BYTES (the largest request body accepted; larger ones get 413),
CASEFLOW_MAX_EVIDENCE_BYTES (the largest evidence file; its upload route alone accepts a body that big)
CASEFLOW_EVIDENCE_DIR (keep evidence files in this directory instead of the database)
and CASEFLOW_REQUEST_THREADS (threads per server process answering requests)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    secret: str
    token_minutes: int = 8 * 60
    secure_cookies: bool = False
    max_body_bytes: int = 2 * 1024 * 1024
    max_evidence_bytes: int = 50 * 1024 * 1024
    evidence_dir: Path | None = None  # None: evidence files are kept in the database
    # lockout per account name: this many attempts within the window lock it for lock minutes
    login_attempts: int = 5
    login_window_minutes: int = 60
    login_lock_minutes: int = 15
    # throttling per client address (failed logins; a whole office may share one address)
    client_attempts: int = 30
    client_window_minutes: int = 15
    client_lock_minutes: int = 15
    # Threads per server process that run the (synchronous) routes. Few: they share one interpreter
    # lock and the database's cores. With 16 clients on two processes (bench/http_load.py), 40 threads
    # each (anyio's default) spent a fifth more CPU per request than 8, and 8 answered 106–164
    # actions/s where 4 answered 182–216; a request waits on the database only briefly. Not fewer:
    # a long request (an export, a 卷宗 rendered on demand) holds its thread meanwhile.
    request_threads: int = 4

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        return Path(self.database_url.removeprefix(prefix)) if self.database_url.startswith(prefix) else None


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("CASEFLOW_DATA_DIR", Path.cwd() / "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'caseflow.db'}"
    secret = os.environ.get("CASEFLOW_SECRET") or _stored_secret(data_dir)
    return Settings(
        database_url=url,
        data_dir=data_dir,
        secret=secret,
        secure_cookies=os.environ.get("CASEFLOW_SECURE_COOKIES", "0") == "1",
        max_body_bytes=int(os.environ.get("CASEFLOW_MAX_BODY_BYTES") or Settings.max_body_bytes),
        max_evidence_bytes=int(os.environ.get("CASEFLOW_MAX_EVIDENCE_BYTES") or Settings.max_evidence_bytes),
        evidence_dir=_evidence_dir(),
        **{name: _positive(name) for name in _LIMITS if f"CASEFLOW_{name.upper()}" in os.environ},
    )


_LIMITS = (
    "token_minutes",
    "request_threads",
    "login_attempts",
    "login_window_minutes",
    "login_lock_minutes",
    "client_attempts",
    "client_window_minutes",
    "client_lock_minutes",
)


def _evidence_dir() -> Path | None:
    from engine.evidence_store import ENV_DIR

    raw = os.environ.get(ENV_DIR, "").strip()
    return Path(raw).resolve() if raw else None


def _positive(name: str) -> int:
    variable = f"CASEFLOW_{name.upper()}"
    raw = os.environ[variable].strip()
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"环境变量 {variable} 须为正整数，实为“{raw}”")
    return int(raw)


def _stored_secret(data_dir: Path) -> str:
    path = data_dir / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
