"""CaseService.fire of a recorded fact vs the same rows written by hand-written SQL (the floor).

The floor is what the action must cost at least on this database: in one transaction, read
the case's snapshot (state, version, data, the head of its hash chain); append the payload to
the case data the way the ``append`` action does; UPDATE the case with the version check and
its new chain head; INSERT the event with its chained hash (engine.events.event_hash); UPDATE
the case's list row (version); COMMIT: the rows fire writes for this recorded fact. The
statements go to the driver as written (``exec_driver_sql``), through the same connection
pool. Both sides work on their own case of the same history, in interleaved rounds.

Target (issue 8): fire ≤ 2× the floor on SQLite and on PostgreSQL.

    python bench/fire_vs_floor.py [--db sqlite|postgres|both] [--repeat 600]
"""

from __future__ import annotations

from common import (
    RECORDED_FACT,
    RECORDED_INTO,
    Bench,
    Floor,
    bench_database,
    console,
    databases,
    header,
    interleaved,
    ms,
    parser,
    print_table,
    ratio,
    verdict,
)

TARGET = 2.0


def measure(bench: Bench, repeat: int) -> dict[str, float]:
    """Median seconds of fire and floor, and statements per call of each."""
    fire_case, floor_case = bench.open_investigation(), bench.open_investigation()
    floor = Floor(bench)
    medians = interleaved(
        {"fire": lambda: bench.record_fact(fire_case), "floor": lambda: floor.fire(floor_case)}, repeat
    )
    fire_view, floor_view = bench.view(fire_case), bench.view(floor_case)
    grown = [view["lists"].get(RECORDED_INTO, {}).get("count") for view in (fire_view, floor_view)]
    if fire_view["events_total"] != floor_view["events_total"] or grown[0] != grown[1] or not grown[1]:
        raise RuntimeError("the floor did not write what fire writes")  # both cases must have grown alike
    return {
        **medians,
        "fire_sql": bench.statements.per_call(lambda: bench.record_fact(fire_case)),
        "floor_sql": bench.statements.per_call(lambda: floor.fire(floor_case)),
    }


def main(argv: list[str] | None = None) -> list[list[str]]:
    args = parser(__doc__.splitlines()[0], repeat=600).parse_args(argv)
    header("fire vs floor", args)
    rows = []
    for kind in databases(args.db):
        with bench_database(kind, args.pg, args.pg_database) as bench:
            m = measure(bench, args.repeat)
        rows.append(
            [
                kind,
                ms(m["fire"]),
                ms(m["floor"]),
                ratio(m["fire"], m["floor"]),
                f"≤ {TARGET:.0f}× {verdict(m['fire'] <= TARGET * m['floor'])}",
                f"{m['fire_sql']:.0f}",
                f"{m['floor_sql']:.0f}",
            ]
        )
    print_table(
        f"{RECORDED_FACT}: CaseService.fire vs hand-written SQL (median ms of {args.repeat} interleaved rounds)",
        ["db", "fire ms", "floor ms", "fire/floor", "target", "SQL/fire", "SQL/floor"],
        rows,
    )
    console.print(
        "floor = SELECT case snapshot; UPDATE case (version check, chain head); INSERT event (hash); INSERT the entry; UPDATE its list row"
    )
    return rows


if __name__ == "__main__":
    main()
