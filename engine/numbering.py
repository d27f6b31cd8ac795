"""Gap-free numbers per bureau, kind and year, taken inside the caller's transaction.

The counter row is incremented with a single UPDATE … RETURNING, which locks the row on
PostgreSQL until the transaction ends, so two concurrent issuers get distinct consecutive
numbers, and a rolled-back action gives its number back.
"""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from engine.tables import Counter


def next_number(session: Session, bureau: str, kind: str, year: int) -> int:
    for _ in range(3):
        value = session.execute(
            update(Counter)
            .where(col(Counter.bureau_code) == bureau, col(Counter.kind) == kind, col(Counter.year) == year)
            .values(value=col(Counter.value) + 1)
            .returning(col(Counter.value))
        ).scalar_one_or_none()
        if value is not None:
            return int(value)
        try:
            with session.begin_nested():
                session.execute(insert(Counter).values(bureau_code=bureau, kind=kind, year=year, value=1))
            return 1
        except IntegrityError:
            continue  # another transaction created the row first: increment it instead
    raise RuntimeError(f"could not take a number for {bureau}/{kind}/{year}")
