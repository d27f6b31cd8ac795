"""Start-up: migrate the database and make sure every catalogue's bureau exists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from engine import readmodel
from engine.library import Library
from engine.persistence import unit_of_work
from engine.read_tables import CaseSummary
from engine.tables import Bureau, Case
from migrations.runner import upgrade

PREPARE_LOCK = 0x6361_7365  # "case": the advisory lock key of start-up preparation


def prepare_database(engine: Engine, library: Library) -> None:
    """Migrate to the newest revision and create missing bureaus from their catalogues.

    Servers started together against one PostgreSQL take turns (an advisory lock), so the
    migrations run once and each bureau is created once.
    """
    with one_at_a_time(engine):
        upgrade(engine)
        _create_bureaus(engine, library)
        _fill_read_model(engine, library)


@contextmanager
def one_at_a_time(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "postgresql":
        yield  # SQLite: servers on one file share one machine; `caseflow serve` prepares before forking
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PREPARE_LOCK})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PREPARE_LOCK})
            connection.commit()


def _create_bureaus(engine: Engine, library: Library) -> None:
    with unit_of_work(engine) as session:
        existing = {b.code for b in session.exec(select(Bureau)).all()}
        for code, catalogue in library.catalogues.items():
            if code not in existing:
                session.add(
                    Bureau(code=code, name=catalogue.bureau.name, settings=dict(catalogue.bureau.settings))
                )


def _fill_read_model(engine: Engine, library: Library) -> None:
    with unit_of_work(engine) as session:
        cases = session.exec(select(func.count()).select_from(Case)).one()
        summaries = session.exec(select(func.count()).select_from(CaseSummary)).one()
    if cases != summaries:  # cases from before the read model (or a partial restore)
        readmodel.rebuild(engine, library)
