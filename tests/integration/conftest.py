"""Fixtures of the integration layer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_UNREACHABLE, _pg_exec, _pg_url


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as ``database_url``: where a copy or a restore goes."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'copy.db'}"
        return
    assert PG_UNREACHABLE is None
    name = f"cf_copy_{uuid.uuid4().hex[:10]}"
    _pg_exec(f"CREATE DATABASE {name}")
    yield _pg_url(name)
    _pg_exec(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
