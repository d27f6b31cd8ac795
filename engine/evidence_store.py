"""Where the bytes of evidence files live: one interface, two backends, content-addressed by sha256.

``DatabaseStore`` (the default) keeps them in ``evidence_blob``, in the same transaction as the
file's row and event, so a backup of the database holds them. ``DirectoryStore`` keeps them as
files under a directory (``CASEFLOW_EVIDENCE_DIR``), named by their sha256: a file is written
(to a temporary name, then renamed) before the transaction commits, so a rolled-back attachment
can leave an unreferenced file behind but never a row without its bytes; such a file is harmless
(nothing points at it) and is reused if the same bytes are attached again. Neither backend ever
overwrites or deletes: the same bytes have the same name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from engine.tables import EvidenceBlob
from engine.timeutil import to_db

ENV_DIR = "CASEFLOW_EVIDENCE_DIR"


class MissingBlob(LookupError):
    """The store has no bytes under a sha256 that a file row records."""


class EvidenceStore(Protocol):
    def put(self, session: Session, sha256: str, data: bytes) -> None:
        """Keep ``data`` under its sha256 (nothing happens when it is kept already)."""
        ...

    def get(self, session: Session, sha256: str) -> bytes:
        """The bytes kept under ``sha256``; ``MissingBlob`` when there are none."""
        ...


@dataclass(frozen=True)
class DatabaseStore:
    def put(self, session: Session, sha256: str, data: bytes) -> None:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(
            dialect.insert(EvidenceBlob)
            .values(sha256=sha256, size=len(data), data=data, stored_at=to_db(datetime.now(UTC)))
            .on_conflict_do_nothing(index_elements=["sha256"])
        )

    def get(self, session: Session, sha256: str) -> bytes:
        data = session.exec(select(EvidenceBlob.data).where(EvidenceBlob.sha256 == sha256)).first()
        if data is None:
            raise MissingBlob(sha256)
        return bytes(data)


@dataclass(frozen=True)
class DirectoryStore:
    root: Path

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, session: Session, sha256: str, data: bytes) -> None:
        target = self.path(sha256)
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o440)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, session: Session, sha256: str) -> bytes:
        target = self.path(sha256)
        if not target.is_file():
            raise MissingBlob(sha256)
        return target.read_bytes()


def store_for(directory: Path | None) -> EvidenceStore:
    """A directory store for a directory, else the database store."""
    return DirectoryStore(directory) if directory is not None else DatabaseStore()


def store_from_environment() -> EvidenceStore:
    """The directory named by ``CASEFLOW_EVIDENCE_DIR`` if set, else the database."""
    directory = os.environ.get(ENV_DIR, "").strip()
    return store_for(Path(directory).resolve() if directory else None)
