"""Fire and view of a case with few and with many events: does the cost grow with the history?

For each size, one penalty case in 调查取证 is grown to that many events by repeating the
recorded fact (3 is the fewest: 登记线索, 提请立案, 批准立案 come first). The timed fire needs a case
of exactly that size each round, so the grown case is copied once per round (rows copied,
the event hash chain recomputed for the copy's id); the timed view reads the grown case
itself. Both go through CaseService; the ratio is against the smallest size.

How the history is grown (untimed), ``--build``:
  sql   the floor writer of bench/common.py (the rows fire writes, by hand-written SQL): fast;
  fire  CaseService.fire itself: authentic, but today it takes minutes for 1,000 events.
If fire starts writing rows the floor writer does not (snapshots, read models), grow with
``--build fire`` or teach the floor writer those rows.

Target (issue 8): fire and view at 1,000 events ≤ 1.2× their cost at the smallest size.

    python bench/fire_and_view_by_events.py [--db sqlite|postgres|both] [--sizes 3,100,1000] [--repeat 10]
"""

from __future__ import annotations

import argparse
from typing import Any

from common import (
    EVENTS_TO_INVESTIGATION,
    Bench,
    Floor,
    Trial,
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
from sqlalchemy import insert, select, update

TARGET = 1.2
WARMUP = 1


def sizes(text: str) -> list[int]:
    values = sorted({int(v) for v in text.split(",") if v.strip()})
    if not values or values[0] < EVENTS_TO_INVESTIGATION:
        raise argparse.ArgumentTypeError(
            f"sizes are event counts of at least {EVENTS_TO_INVESTIGATION} (open, propose and approve filing)"
        )
    return values


def grow(bench: Bench, events: int, build: str) -> int:
    """A case in 调查取证 with ``events`` events, the extra ones being the recorded fact."""
    case_id = bench.open_investigation()
    floor = Floor(bench)
    for _ in range(events - EVENTS_TO_INVESTIGATION):
        if build == "fire":
            bench.record_fact(case_id)
        else:
            floor.fire(case_id)
    return case_id


def copy_case(bench: Bench, case_id: int, copies: int) -> list[int]:
    """``copies`` copies of a case: its row, clocks, events (hash chain recomputed per copy) and list entries."""
    from engine.events import GENESIS, event_hash
    from engine.tables import Case, CaseEntry, Clock, Event

    cases, clocks, events = Case.__table__, Clock.__table__, Event.__table__  # type: ignore[attr-defined]
    entries = CaseEntry.__table__  # type: ignore[attr-defined]
    made = []
    with bench.engine.begin() as conn:
        original = dict(conn.execute(select(cases).where(cases.c.id == case_id)).one()._mapping)
        clock_rows = [
            dict(r._mapping) for r in conn.execute(select(clocks).where(clocks.c.case_id == case_id))
        ]
        event_rows = [
            dict(r._mapping)
            for r in conn.execute(select(events).where(events.c.case_id == case_id).order_by(events.c.seq))
        ]
        entry_rows = [
            dict(r._mapping) for r in conn.execute(select(entries).where(entries.c.case_id == case_id))
        ]
        for index in range(copies):
            row = {k: v for k, v in original.items() if k != "id"}
            row["number"] = f"{original['number']}-{index + 1}"
            new_id = conn.execute(insert(cases).values(**row).returning(cases.c.id)).scalar_one()
            conn.execute(insert(clocks), [{**_without_id(c), "case_id": new_id} for c in clock_rows])
            chained: list[dict[str, Any]] = []
            prev = GENESIS
            for e in event_rows:
                e = {**_without_id(e), "case_id": new_id, "prev_hash": prev}
                hashed = {k: e[k] for k in _HASHED}
                e["hash"] = prev = event_hash(**hashed)
                chained.append(e)
            conn.execute(insert(events), chained)
            if entry_rows:
                conn.execute(insert(entries), [{**_without_id(e), "case_id": new_id} for e in entry_rows])
            conn.execute(update(cases).where(cases.c.id == new_id).values(head_hash=prev, last_seq=len(chained)))
            made.append(new_id)
    from sqlmodel import Session

    from engine import readmodel

    with Session(bench.engine) as session:  # the copies' list rows, as the service would have kept them
        readmodel.refresh(session, bench.library, made)
        session.commit()
    return made


_HASHED = "case_id seq trigger from_state to_state actor occurred_at recorded_at payload prev_hash".split()


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "id"}


def measure(bench: Bench, events: list[int], repeat: int, build: str) -> dict[int, dict[str, float]]:
    grown = {n: grow(bench, n, build) for n in events}
    for n, case_id in grown.items():
        seen = bench.view(case_id)["events_total"]
        if seen != n:
            raise RuntimeError(f"the case grown to {n} events shows {seen}")
    fresh = {n: copy_case(bench, case_id, repeat + WARMUP) for n, case_id in grown.items()}
    trials: dict[str, Trial] = {}
    for n in events:
        trials[f"view {n}"] = Trial(lambda case_id=grown[n]: bench.view(case_id))
        trials[f"fire {n}"] = Trial(bench.record_fact, prepare=fresh[n].pop)
    medians = interleaved(trials, repeat, warmup=WARMUP)
    return {n: {"fire": medians[f"fire {n}"], "view": medians[f"view {n}"]} for n in events}


def main(argv: list[str] | None = None) -> list[list[str]]:
    p = parser(__doc__.splitlines()[0], repeat=10)
    p.add_argument("--sizes", type=sizes, default=sizes("3,100,1000"), help="event counts, comma-separated")
    p.add_argument(
        "--build", choices=["sql", "fire"], default="sql", help="how the history is grown (untimed)"
    )
    args = p.parse_args(argv)
    header("fire and view by events", args)
    rows = []
    for kind in databases(args.db):
        with bench_database(kind, args.pg, args.pg_database) as bench:
            m = measure(bench, args.sizes, args.repeat, args.build)
        base = m[args.sizes[0]]
        for n in args.sizes:
            fire, view = m[n]["fire"], m[n]["view"]
            largest = n == args.sizes[-1] and n != args.sizes[0]
            rows.append(
                [
                    kind,
                    str(n),
                    ms(fire),
                    ratio(fire, base["fire"]),
                    ms(view),
                    ratio(view, base["view"]),
                    f"≤ {TARGET}× {verdict(fire <= TARGET * base['fire'] and view <= TARGET * base['view'])}"
                    if largest
                    else "",
                ]
            )
    print_table(
        f"fire and CaseService.view by number of events (median ms of {args.repeat} interleaved rounds; "
        f"history grown by {args.build})",
        ["db", "events", "fire ms", "fire ×smallest", "view ms", "view ×smallest", "target (largest)"],
        rows,
    )
    console.print(f"ratios are against the smallest size ({args.sizes[0]} events)")
    return rows


if __name__ == "__main__":
    main()
