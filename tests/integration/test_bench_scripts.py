"""The bench/ scripts still run against the current code, on SQLite and PostgreSQL, at tiny sizes.

Only that they run and print their figures is checked, never how fast anything was: times are
for the scripts to print (see bench/README.md).
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_ADMIN, PG_UNREACHABLE, REQUIRE_PG

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))  # the scripts import their shared module as ``common``

import fire_and_view_by_events  # noqa: E402
import fire_vs_floor  # noqa: E402
import fire_vs_spiff  # noqa: E402
import http_load  # noqa: E402
import lists  # noqa: E402
import volume  # noqa: E402


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Command-line options for one database; PostgreSQL gets a bench database of its own."""
    if request.param == "postgres" and PG_UNREACHABLE is not None:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here: {PG_UNREACHABLE}")
        pytest.skip(PG_UNREACHABLE)
    yield [
        "--db",
        request.param,
        "--pg",
        PG_ADMIN,
        "--pg-database",
        f"caseflow_bench_{uuid.uuid4().hex[:10]}",
    ]


def ratio_of(cell: str) -> float:
    assert cell.endswith("×"), cell
    return float(cell.removesuffix("×"))


def test_fire_vs_floor_prints_both_times_and_their_ratio(
    db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    [row] = fire_vs_floor.main([*db, "--repeat", "2"])
    assert row[0] == db[1]
    assert ratio_of(row[3]) > 0
    assert int(row[5]) > 0 and int(row[6]) > 0  # SQL statements per fire and per floor write
    assert "fire/floor" in capsys.readouterr().out


def test_fire_vs_spiff_runs_a_spiffworkflow_step_in_the_same_database(db: list[str]) -> None:
    # three rounds and a warm-up: the workflow runs to its end and restarts
    [row] = fire_vs_spiff.main([*db, "--repeat", "3"])
    assert row[0] == db[1]
    assert ratio_of(row[3]) > 0


def test_fire_and_view_by_events_reports_each_size_against_the_smallest(db: list[str]) -> None:
    rows = fire_and_view_by_events.main([*db, "--repeat", "2", "--sizes", "3,6"])
    assert [r[1] for r in rows] == ["3", "6"]
    assert rows[0][3] == rows[0][5] == "1.00×"
    assert ratio_of(rows[1][3]) > 0 and ratio_of(rows[1][5]) > 0


def test_fire_and_view_by_events_refuses_a_size_below_a_filed_case() -> None:
    with pytest.raises(SystemExit):
        fire_and_view_by_events.main(["--db", "sqlite", "--sizes", "1,100"])


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # starts real servers: once is enough for a smoke test
def test_http_load_counts_actions_and_errors_against_the_real_server(db: list[str]) -> None:
    [row] = http_load.main([*db, "--clients", "2", "--seconds", "0.2", "--workers", "1"])
    assert row[:2] == [db[1], "2"]
    assert float(row[2]) > 0  # every client finishes at least one round
    assert row[9] == "0"  # no error but CASE_BUSY (a target of issue 8, reported in its own column)


def test_volume_loads_and_every_list_answers_as_its_sql(db: list[str], tmp_path: Path) -> None:
    """volume.py loads a small province, lists.py finds the same rows as its hand-written SQL for
    every list, and every page answers."""
    kind = db[1]
    url = (f"sqlite:///{tmp_path / 'volume.db'}" if kind == "sqlite"
           else f"{PG_ADMIN.rsplit('/', 1)[0]}/{db[-1]}")
    try:
        volume.main(["--url", url, "--bureaus", "2", "--per-bureau", "80"])
        answers, statuses = lists.main(["--url", url, "--repeat", "2"])
    finally:
        if kind == "postgres":
            from tests.conftest import _pg_exec

            _pg_exec(f"DROP DATABASE IF EXISTS {db[-1]} WITH (FORCE)")
    assert len(answers) == 12 and all(same in ("是", "—") for _, same in answers), answers
    assert statuses and set(statuses.values()) == {200}, statuses
