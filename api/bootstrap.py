"""Start-up: migrate the database and make sure every catalogue's bureau exists."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from engine import readmodel
from engine.library import Library
from engine.persistence import unit_of_work
from engine.read_tables import CaseSummary
from engine.tables import Bureau, Case
from migrations.runner import upgrade


def prepare_database(engine: Engine, library: Library) -> None:
    """Migrate to the newest revision and create missing bureaus from their catalogues."""
    upgrade(engine)
    with unit_of_work(engine) as session:
        existing = {b.code for b in session.exec(select(Bureau)).all()}
        for code, catalogue in library.catalogues.items():
            if code not in existing:
                session.add(
                    Bureau(code=code, name=catalogue.bureau.name, settings=dict(catalogue.bureau.settings))
                )
    with unit_of_work(engine) as session:
        cases = session.exec(select(func.count()).select_from(Case)).one()
        summaries = session.exec(select(func.count()).select_from(CaseSummary)).one()
    if cases != summaries:  # cases from before the read model (or a partial restore)
        readmodel.rebuild(engine, library)
