"""The `caseflow` command line (typer + rich)."""

from __future__ import annotations

import getpass
import json
import signal
import socket
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import click
import typer
import yaml
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from api.config import Settings, load_settings
from engine.errors import DomainError

app = typer.Typer(help="caseflow：医疗保障局权责清单事项办理系统", no_args_is_help=True)
db_app = typer.Typer(help="数据库")
users_app = typer.Typer(help="用户")
calendar_app = typer.Typer(help="工作日历")
audit_app = typer.Typer(help="审计")
catalogue_app = typer.Typer(help="权责清单")
readmodel_app = typer.Typer(help="列表与看板的读模型")
documents_app = typer.Typer(help="文书")
certificates_app = typer.Typer(help="执法证与法律职业资格登记")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(calendar_app, name="calendar")
app.add_typer(audit_app, name="audit")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(readmodel_app, name="readmodel")
app.add_typer(documents_app, name="documents")
app.add_typer(certificates_app, name="certificates")
console = Console(soft_wrap=True)


def _engine() -> tuple[Settings, Engine]:
    from api.bootstrap import prepare_database
    from engine.persistence import make_engine
    from processes.loader import default_library

    settings = load_settings()
    engine = make_engine(settings.database_url)
    command = click.get_current_context(silent=True)
    if command is not None:  # its connections close with the command (also when run in-process)
        command.call_on_close(engine.dispose)
    prepare_database(engine, default_library())
    return settings, engine


@contextmanager
def _database():  # type: ignore[no-untyped-def]
    """The configured database for one command; its connections are closed when the command ends."""
    settings, engine = _engine()
    try:
        yield settings, engine
    finally:
        engine.dispose()


def _where(settings: Settings) -> str:
    return str(settings.sqlite_path) if settings.sqlite_path else settings.database_url.split("@")[-1]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="进程数（每个进程各有一个文书生成线程）")] = 1,
    demo: Annotated[bool, typer.Option("--demo", help="加入演示用户和案件")] = False,
) -> None:
    """Create and migrate the database, load flows and catalogues, and serve the API and pages.

    The database is prepared once here; then each of the ``workers`` processes builds its own app
    from the environment (``api.app:app_from_environment``) and runs its own render worker.
    """
    import uvicorn

    settings, engine = _engine()
    if demo:
        from api.app import create_app
        from api.demo import load_demo

        state = create_app(settings, prepare=False, render_worker=False).state.caseflow
        for line in load_demo(state):
            console.print(line)
        state.engine.dispose()  # the servers' render workers render the demo documents
    engine.dispose()
    console.print(f"数据库：{_where(settings)}")
    console.print(f"caseflow 已启动：http://{host}:{port}/  （API 文档：http://{host}:{port}/docs）")
    if workers > 1 and hasattr(socket, "SO_REUSEPORT"):
        _serve_processes(host, port, workers)
    else:
        uvicorn.run("api.app:app_from_environment", **_UVICORN, host=host, port=port, workers=workers)


# at the warning level the access log would print nothing anyway; its formatting costs every request
_UVICORN: dict[str, Any] = {"factory": True, "log_level": "warning", "access_log": False}


def _serve_processes(host: str, port: int, workers: int) -> None:
    """``workers`` server processes, each listening on its own socket bound with SO_REUSEPORT.

    The kernel then gives each new connection to one of them by its address, evenly. With one
    shared socket (uvicorn's ``--workers``) the first process to wake accepted every connection
    waiting, so a burst of clients could all land on one process while another idled (16 clients
    answered 110 to 250 actions/s from run to run). A process that dies is started again.
    """
    import multiprocessing
    import time

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    claim = socket.socket(family, socket.SOCK_STREAM)  # bound, never listening: the port is ours
    claim.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    claim.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        claim.bind((host, port))
    except OSError as error:
        console.print(f"端口 {port} 无法使用：{error.strerror}")
        raise typer.Exit(1) from None
    context = multiprocessing.get_context("spawn")

    def start() -> Any:
        process = context.Process(target=_serve_one, args=(host, port), daemon=True)
        process.start()
        return process, time.monotonic()

    running = [start() for _ in range(workers)]
    stopping = failed = False

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        time.sleep(0.5)
        for i, (process, began) in enumerate(running):
            if process.is_alive() or stopping:
                continue
            if time.monotonic() - began < 10:  # it could not even start: starting it again would not help
                console.print(f"服务进程启动失败（退出码 {process.exitcode}），服务停止")
                stopping = failed = True
                break
            console.print(f"服务进程 {process.pid} 已退出（{process.exitcode}），重新启动")
            running[i] = start()
    for process, _ in running:
        process.terminate()
    for process, _ in running:
        process.join(15)
    claim.close()
    if failed:
        raise typer.Exit(1)


def _serve_one(host: str, port: int) -> None:
    """One server process on its own SO_REUSEPORT socket (see ``_serve_processes``)."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    config = uvicorn.Config("api.app:app_from_environment", **_UVICORN)
    uvicorn.Server(config).run(sockets=[sock])


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest revision."""
    settings, _ = _engine()
    console.print(f"数据库已升级到最新版本：{_where(settings)}")


def _who() -> str:
    """Changes made at the command line are recorded as made by the system account running it."""
    return f"cli:{getpass.getuser()}"


def _fail(error: DomainError) -> typer.Exit:
    console.print(f"[red]{error.code}[/red] {error.message}")
    return typer.Exit(2)


def _day(text: str | None, label: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        console.print(f"[red]DATE_INVALID[/red] {label}不是有效日期：{text}（应为 2026-01-31 这样的格式）")
        raise typer.Exit(2) from None


@users_app.command("create")
def users_create(
    username: str,
    bureau: Annotated[str, typer.Option(help="医保局代码，如 xinji")],
    role: Annotated[
        list[str], typer.Option(help="角色：officer clerk reviewer head supervisor admin（可重复）")
    ],
    password: Annotated[str, typer.Option(help="密码（至少10位，混合字母、数字或符号，不含用户名）")],
    cert_no: Annotated[str | None, typer.Option(help="执法证号（执法人员必填），同时登记到执法证登记册")] = None,
    cert_valid_from: Annotated[str | None, typer.Option(help="执法证有效期起（YYYY-MM-DD，可不填）")] = None,
    cert_valid_to: Annotated[str | None, typer.Option(help="执法证有效期止（YYYY-MM-DD，可不填）")] = None,
    name: Annotated[str | None, typer.Option(help="姓名")] = None,
    department: Annotated[str | None, typer.Option(help="承办机构（须已在系统管理中设置）")] = None,
) -> None:
    """Create a user; an officer's certificate is registered (without dates: 有效期未登记)."""
    from api.users import create_user

    valid_from, valid_to = _day(cert_valid_from, "执法证有效期起"), _day(cert_valid_to, "执法证有效期止")
    _, engine = _engine()
    try:
        create_user(
            engine, username, bureau=bureau, roles=role, password=password, cert_no=cert_no, name=name,
            cert_valid_from=valid_from, cert_valid_to=valid_to, department=department, by=_who(),
        )
    except DomainError as error:
        raise _fail(error) from None
    console.print(f"已创建用户 {username}（{bureau}，{'、'.join(role)}）")


@users_app.command("passwd")
def users_passwd(
    username: str,
    password: Annotated[
        str | None, typer.Option(help="新密码；不填则在终端中输入（不回显）")
    ] = None,
) -> None:
    """Set a user's password; every session of the user ends at once."""
    from api.users import reset_password

    if password is None:
        password = typer.prompt("新密码", hide_input=True, confirmation_prompt="再次输入新密码")
    _, engine = _engine()
    try:
        ended = reset_password(engine, None, username, password, by=_who())
    except DomainError as error:
        raise _fail(error) from None
    console.print(f"已为 {username} 设置新密码，结束了{ended}处登录")


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable a user: every session ends and logging in is refused."""
    from api.users import set_active

    _, engine = _engine()
    try:
        ended = set_active(engine, None, username, False, by=_who())
    except DomainError as error:
        raise _fail(error) from None
    console.print(f"已停用 {username}，结束了{ended}处登录")


@users_app.command("enable")
def users_enable(username: str) -> None:
    """Enable a disabled user again."""
    from api.users import set_active

    _, engine = _engine()
    try:
        set_active(engine, None, username, True, by=_who())
    except DomainError as error:
        raise _fail(error) from None
    console.print(f"已启用 {username}")


@users_app.command("list")
def users_list(bureau: str) -> None:
    """A bureau's users with roles, department, certificate and state."""
    from api.pages.web import role_labels
    from api.users import listing

    _, engine = _engine()
    table = Table("用户名", "姓名", "角色", "承办机构", "执法证号", "状态")
    for user in listing(engine, bureau):
        state = "启用" if user["active"] else "停用"
        if user["locked_until"]:
            state += "（登录锁定中）"
        table.add_row(
            user["username"], user["name"], role_labels(user["roles"]), user["department"] or "",
            user["cert_no"] or "", state,
        )
    console.print(table)


@certificates_app.command("add")
def certificates_add(
    number: str,
    user: Annotated[str, typer.Option("--user", help="持证人的用户名")],
    valid_from: Annotated[str | None, typer.Option(help="有效期起（YYYY-MM-DD）")] = None,
    valid_to: Annotated[str | None, typer.Option(help="有效期止（YYYY-MM-DD）")] = None,
    issuer: Annotated[str | None, typer.Option(help="发证机关")] = None,
    legal: Annotated[bool, typer.Option("--legal", help="登记法律职业资格证书（默认登记执法证）")] = False,
) -> None:
    """Register a 执法证 (or with --legal a 法律职业资格) for a user."""
    from api.registers import add_certificate

    start, end = _day(valid_from, "有效期起"), _day(valid_to, "有效期止")
    _, engine = _engine()
    try:
        cert = add_certificate(
            engine, user, number, by=_who(), kind="legal" if legal else "enforcement",
            valid_from=start, valid_to=end, issuer=issuer,
        )
    except DomainError as error:
        raise _fail(error) from None
    span = f"{start or '…'} 至 {end or '…'}" if start or end else "有效期未登记"
    console.print(f"已登记 {cert.number}（持证人 {user}，{span}）")


@certificates_app.command("list")
def certificates_list(
    bureau: Annotated[str | None, typer.Option(help="只列出一个医保局的证件")] = None,
    on: Annotated[str | None, typer.Option(help="按哪一天判断状态（YYYY-MM-DD，默认今天）")] = None,
) -> None:
    """The certificate register with each certificate's status."""
    from api.registers import certificate_rows

    day = _day(on, "日期") or date.today()
    _, engine = _engine()
    table = Table("类别", "证号", "持证人", "医保局", "有效期起", "有效期止", "状态", title=f"证件登记（{day}）")
    for row in certificate_rows(engine, bureau, day):
        table.add_row(
            row["kind_label"], row["number"], f"{row['holder']}（{row['username']}）", row["bureau"],
            row["valid_from"] or "未登记", row["valid_to"] or "未登记", row["status_label"],
        )
    console.print(table)


@certificates_app.command("revoke")
def certificates_revoke(
    number: str,
    reason: Annotated[str, typer.Option(help="注销原因")],
    legal: Annotated[bool, typer.Option("--legal", help="注销法律职业资格证书（默认执法证）")] = False,
) -> None:
    """Revoke a certificate; it stays in the register as 已注销."""
    from api.registers import revoke_certificate

    _, engine = _engine()
    try:
        cert = revoke_certificate(engine, number, reason, by=_who(), kind="legal" if legal else "enforcement")
    except DomainError as error:
        raise _fail(error) from None
    console.print(f"已注销 {cert.number}")


@calendar_app.command("load")
def calendar_load(path: Path) -> None:
    """Load a year's official holiday schedule (JSON or YAML) and recompute the open clocks."""
    from engine.calendar import CalendarError
    from engine.recompute import load_year
    from processes.loader import default_library

    _, engine = _engine()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        year, changed = load_year(engine, default_library(), data, loaded_by="cli")
    except (CalendarError, OSError, yaml.YAMLError) as error:
        console.print(f"[red]CALENDAR_INVALID[/red] {error}")
        raise typer.Exit(2) from None
    console.print(f"已载入{year}年官方节假日安排，重新计算了{changed}个未完成期限")


@calendar_app.command("show")
def calendar_show(year: Annotated[int | None, typer.Argument()] = None) -> None:
    """Which years are official and which provisional; with a year, its rest days and 调休 workdays."""
    from engine.recompute import calendar_summary

    _, engine = _engine()
    summary = calendar_summary(engine, year)
    table = Table("年份", "来源", "状态")
    for row in summary["years"]:
        table.add_row(
            str(row["year"]),
            row["source"],
            "正式" if not row["provisional"] else "暂定（周末与固定节日推算）",
        )
    console.print(table)
    if year is not None:
        console.print(f"{year}年休息日（非周末）：{', '.join(summary['holidays'])}")
        console.print(f"{year}年调休上班日：{', '.join(summary['workdays'])}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Replay every case through its flow and compare with what is stored; report each discrepancy."""
    from sqlmodel import Session

    from engine.admin_log import verify_all as verify_admin_record
    from engine.audit import verify_database
    from engine.evidence_store import store_for
    from processes.loader import default_library

    with _database() as (settings, engine):
        report = verify_database(engine, default_library(), store_for(settings.evidence_dir))
        with Session(engine) as session:
            admin_broken = verify_admin_record(session)
    for found in report.discrepancies:
        console.print(f"[red]不符[/red] {found}")
    for broken in admin_broken:
        console.print(f"[red]不符[/red] 管理操作记录（{broken.bureau}）第{broken.seq}条：{broken.reason}")
    summary = f"已校验{report.cases}个案件、{report.events}个事件、{report.documents}份文书及管理操作记录"
    if report.clean and not admin_broken:
        console.print(f"记录完整：{summary}，事件链、链头、状态、数据、期限与文书均与事件重放一致，证据材料与其哈希相符")
        return
    console.print(f"[red]发现{len(report.discrepancies) + len(admin_broken)}处不符[/red]（{summary}）")
    raise typer.Exit(1)


@app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="备份文件（SQLite为数据库副本，PostgreSQL为pg_dump自定义格式）")],
) -> None:
    """A consistent copy of the database while the server runs (SQLite backup API, or pg_dump)."""
    from engine.backup import BackupError, backup

    with _database() as (settings, engine):
        try:
            backup(engine, file)
        except BackupError as error:
            console.print(f"[red]BACKUP_FAILED[/red] {error}")
            raise typer.Exit(2) from None
    console.print(f"已备份 {_where(settings)} 到 {file.resolve()}")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="caseflow backup 生成的备份文件")],
    yes: Annotated[bool, typer.Option("--yes", help="不再确认")] = False,
) -> None:
    """Replace the database with a backup (stop the server first), migrate it and verify it."""
    from api.bootstrap import prepare_database
    from engine.audit import verify_database
    from engine.backup import BackupError, restore
    from engine.evidence_store import store_for
    from processes.loader import default_library

    with _database() as (settings, engine):
        if not yes and not typer.confirm(f"将用{file}覆盖数据库{_where(settings)}的全部内容，确定吗？"):
            raise typer.Exit(1)
        try:
            restore(engine, file)
        except BackupError as error:
            console.print(f"[red]RESTORE_FAILED[/red] {error}")
            raise typer.Exit(2) from None
        prepare_database(engine, default_library())  # a backup from an older version is migrated
        report = verify_database(engine, default_library(), store_for(settings.evidence_dir))
    console.print(f"已从 {file} 恢复 {_where(settings)}：{report.cases}个案件")
    for found in report.discrepancies:
        console.print(f"[red]不符[/red] {found}")
    if not report.clean:
        raise typer.Exit(1)


@readmodel_app.command("rebuild")
def readmodel_rebuild(
    bureau: Annotated[str | None, typer.Option(help="只重建该局的案件（默认全部）")] = None,
) -> None:
    """Recompute every list and dashboard row from the cases (after a restore or a fix)."""
    from engine.readmodel import rebuild
    from processes.loader import default_library

    _, engine = _engine()
    done = rebuild(engine, default_library(), bureau)
    console.print(f"已重建{done}件案件的列表与看板数据")
@documents_app.command("render")
def documents_render() -> None:
    """Render every queued PDF now (e.g. before deploying changed templates); report what is left."""
    from sqlmodel import Session, col, select

    from documents.jobs import drain
    from engine.tables import RenderJob

    _, engine = _engine()
    rendered = drain(engine)
    with Session(engine) as session:
        left = session.exec(select(RenderJob).where(col(RenderJob.done_at).is_(None))).all()
    engine.dispose()
    console.print(f"已生成{rendered}份文书PDF，尚余{len(left)}份")
    for job in left:
        console.print(f"  文书{job.document_id}：{job.error or f'正由{job.claimed_by}生成'}")
    if any(job.error for job in left):
        raise typer.Exit(1)


@catalogue_app.command("show")
def catalogue_show(bureau: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print a bureau's 权责清单 as a table."""
    from processes.loader import default_library

    library = default_library()
    try:
        catalogue = library.catalogue(bureau)
    except DomainError as error:
        console.print(f"[red]{error.code}[/red] {error.message}")
        raise typer.Exit(2) from None
    if as_json:
        console.print_json(json.dumps([i.model_dump() for i in catalogue.items], ensure_ascii=False))
        return
    table = Table(
        "编号",
        "权力类型",
        "事项名称",
        "承办机构",
        "流程",
        title=f"{catalogue.bureau.name}权责清单（{len(catalogue.items)}项）",
    )
    for item in catalogue.items:
        table.add_row(item.code, item.power_type, item.name, item.department or "", item.flow)
    console.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
