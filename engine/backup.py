"""Online backup and restore of the whole database.

SQLite: the database's own backup API copies a consistent snapshot through a connection, so
what is still in the write-ahead log (WAL) is included and the running server keeps working;
copying the file would lose the WAL's transactions. PostgreSQL: ``pg_dump`` in its custom
format (one snapshot transaction), restored with ``pg_restore --clean --single-transaction``.
The file's kind must match the database's: a SQLite backup restores only into SQLite.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, Engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in Chinese."""


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to ``target`` while the server may keep running."""
    target = target.resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if engine.dialect.name == "sqlite":
        _sqlite_backup(engine, partial)
    elif engine.dialect.name == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", _libpq_url(engine.url)],
             engine.url, "备份")
    else:
        raise BackupError(f"不支持备份{engine.dialect.name}数据库")
    partial.replace(target)  # the file appears only once complete


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with the backup in ``source`` (stop the server first)."""
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if engine.dialect.name == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source}不是SQLite数据库的备份文件")
        _sqlite_restore(engine, source)
    elif engine.dialect.name == "postgresql":
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source}不是PostgreSQL（pg_dump）的备份文件")
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
              f"--dbname={_libpq_url(engine.url)}", str(source)], engine.url, "恢复")
    else:
        raise BackupError(f"不支持恢复{engine.dialect.name}数据库")
    engine.dispose()  # connections opened before hold the old schema's state


def _sqlite_backup(engine: Engine, target: Path) -> None:
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # all pages in one step: one consistent read snapshot
        finally:
            copy.close()
    finally:
        raw.close()


def _sqlite_restore(engine: Engine, source: Path) -> None:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        checked = backup_db.execute("PRAGMA integrity_check").fetchone()
        if not checked or checked[0] != "ok":
            raise BackupError(f"备份文件已损坏：{source}（{checked[0] if checked else '无结果'}）")
        raw = engine.raw_connection()
        try:
            live = raw.driver_connection
            assert isinstance(live, sqlite3.Connection)
            backup_db.backup(live)  # through SQLite: the live file's WAL is rewritten consistently
        finally:
            raw.close()
    finally:
        backup_db.close()


def _libpq_url(url: URL) -> str:
    """The URL for pg_dump and pg_restore, without the driver and without the password."""
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


def _run(command: list[str], url: URL, doing: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"未找到{command[0]}，请安装PostgreSQL客户端（postgresql-client）")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps would show it
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{doing}失败（{command[0]}）：{done.stderr.strip()[:500]}")
