"""What the replay of `audit verify` costs against checking the hash chains alone.

Fills a scratch SQLite database with N penalty cases (a few steps each, no PDFs), then times
``engine.audit.verify_database`` (chains, heads, replay, comparisons) and the baseline
``engine.recompute.verify_all`` (chains only), in interleaved repetitions. Run:

    .venv/bin/python bench/audit_verify.py [--cases 300] [--repeat 5]

Nothing here asserts a time; the ratio shows what the replay adds per case.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fill(url: str, cases: int) -> None:
    from api.bootstrap import prepare_database
    from engine.cases import CaseService
    from engine.definitions import Role
    from engine.model import Actor
    from engine.persistence import make_engine
    from engine.timeutil import TZ
    from processes.loader import default_library

    engine = make_engine(url)
    library = default_library()
    prepare_database(engine, library)
    service = CaseService(engine, library)
    officer = Actor(1, "zhang", "张三", frozenset({Role.officer}), "xinji", "JZ-001")
    head = Actor(2, "head", "局长", frozenset({Role.head}), "xinji")
    officers = [{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}]
    start = datetime(2026, 3, 2, 9, tzinfo=TZ)
    for n in range(cases):
        cid = service.open_case(officer, "3", {"name": f"药房{n}", "type": "organisation"}, officers,
                                {"lead_summary": "线索", "violation_ended_on": "2026-02-01"}, start)
        service.fire(head, cid, "extend_lead_check", {"days": 5, "reason": "复杂"}, start + timedelta(hours=1))
        service.fire(officer, cid, "propose_filing", {"opinion": "建议立案"}, start + timedelta(days=1))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from engine.audit import verify_database
    from engine.persistence import make_engine
    from engine.recompute import verify_all
    from processes.loader import default_library

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        fill(url, args.cases)
        engine = make_engine(url)
        library = default_library()
        replay: list[float] = []
        chains: list[float] = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            checked, broken = verify_all(engine)
            chains.append(time.perf_counter() - began)
            assert broken is None and checked == args.cases
            began = time.perf_counter()
            report = verify_database(engine, library)
            replay.append(time.perf_counter() - began)
            assert report.clean, report.discrepancies[:3]
        engine.dispose()
    base, full = statistics.median(chains), statistics.median(replay)
    print(f"{args.cases} cases, {args.repeat} repetitions, medians")
    print(f"  chains only (baseline)   {base * 1000:8.1f} ms   1.00")
    print(f"  audit verify (replay)    {full * 1000:8.1f} ms   {full / base:.2f}")


if __name__ == "__main__":
    main()
