"""Start-up: migrate the database and make sure every catalogue's bureau exists."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from engine.library import Library
from engine.persistence import unit_of_work
from engine.tables import Bureau
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
