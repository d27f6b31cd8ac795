"""The command line keeps managing users and certificates; its changes go into the admin record."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from api import cli
from api.cli import app
from engine.persistence import make_engine
from engine.tables import AdminEvent, LoginSession


@pytest.fixture(autouse=True)
def _engines_closed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each command opens an engine for its process; in-process runs must close them."""
    opened: list[Any] = []
    real = cli._engine

    def tracked() -> Any:
        settings, engine = real()
        opened.append(engine)
        return settings, engine

    monkeypatch.setattr(cli, "_engine", tracked)
    yield
    for engine in opened:
        engine.dispose()


def _run(database_url: str, tmp_path: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    env = {"DATABASE_URL": database_url, "CASEFLOW_DATA_DIR": str(tmp_path), "COLUMNS": "300"}
    cli.console.width = 300  # the console was made at import, maybe in another test's narrower terminal
    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.output


def test_users_and_certificates_on_the_command_line(database_url: str, tmp_path: Path) -> None:
    code, out = _run(database_url, tmp_path, "users", "create", "zhangwei", "--bureau", "xinji", "--role", "officer",
                     "--password", "first-pass-123", "--name", "张伟", "--cert-no", "冀130181001")
    assert code == 0, out
    code, out = _run(database_url, tmp_path, "users", "create", "liqiang", "--bureau", "xinji", "--role", "officer",
                     "--password", "first-pass-123", "--name", "李强", "--cert-no", "冀130181002",
                     "--cert-valid-from", "2020-01-01", "--cert-valid-to", "2030-12-31")
    assert code == 0, out
    code, out = _run(database_url, tmp_path, "users", "create", "weak", "--bureau", "xinji", "--role", "clerk",
                     "--password", "weakweakweak")
    assert code == 2 and "PASSWORD_ONE_CLASS" in out and "密码不能只由一类字符组成" in out
    code, out = _run(database_url, tmp_path, "certificates", "add", "冀130181009", "--user", "zhangwei",
                     "--valid-from", "2024-01-01", "--valid-to", "2029-12-31", "--issuer", "河北省人民政府")
    assert code == 0, out
    code, out = _run(database_url, tmp_path, "certificates", "add", "X1", "--user", "zhangwei", "--valid-from", "01/02/2024")
    assert code == 2 and "不是有效日期" in out
    code, out = _run(database_url, tmp_path, "certificates", "list", "--on", "2026-06-01")
    assert code == 0, out
    lines = {line.split("│")[2].strip(): line for line in out.splitlines() if "冀1301810" in line}
    assert "有效期未登记" in lines["冀130181001"]
    assert "2030-12-31" in lines["冀130181002"] and "有效" in lines["冀130181002"]
    code, out = _run(database_url, tmp_path, "certificates", "revoke", "冀130181001", "--reason", "换发新证")
    assert code == 0, out
    code, out = _run(database_url, tmp_path, "certificates", "list")
    assert "已注销" in next(line for line in out.splitlines() if "冀130181001" in line)
    code, out = _run(database_url, tmp_path, "users", "list", "xinji")
    assert "冀130181009" in next(line for line in out.splitlines() if "zhangwei" in line)  # the current certificate

    engine = make_engine(database_url)
    from api.config import Settings
    from api.login import log_in

    settings = Settings(database_url=database_url, data_dir=tmp_path, secret="c" * 48)
    log_in(engine, settings, "zhangwei", "first-pass-123", "127.0.0.1")
    code, out = _run(database_url, tmp_path, "users", "passwd", "zhangwei",
                     stdin="second-pass-456\nsecond-pass-456\n")
    assert code == 0 and "结束了1处登录" in out, out
    with Session(engine) as session:
        assert session.exec(select(LoginSession).where(col(LoginSession.ended_at).is_(None))).all() == []
        entries = session.exec(select(AdminEvent).order_by(col(AdminEvent.seq))).all()
    engine.dispose()
    assert [e.action for e in entries] == [
        "user.create", "user.create", "certificate.add", "certificate.revoke", "user.password_reset",
    ]
    assert {e.actor for e in entries} == {f"cli:{getpass.getuser()}"}
    engine = make_engine(database_url)
    assert log_in(engine, settings, "zhangwei", "second-pass-456", "127.0.0.1")[0].username == "zhangwei"
    engine.dispose()
