"""Officers issuing at the same moment on PostgreSQL get distinct, consecutive numbers."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from tests.api.test_penalty_walk import ok, open_case
from tests.conftest import Api, at

CASES = 6


def test_parallel_issuing_gives_distinct_consecutive_numbers(api: Api, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers; the race is a PostgreSQL property")
    cases = []
    for _ in range(CASES):
        cid = int(open_case(api)["id"])
        ok(api.fire("zhang", cid, "propose_filing", {}, at("2026-03-03 10:00")))
        cases.append(cid)
    barrier = threading.Barrier(CASES)
    results: dict[int, Any] = {}

    def approve(cid: int) -> None:
        barrier.wait()
        results[cid] = api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00"))

    threads = [threading.Thread(target=approve, args=(cid,)) for cid in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.status_code == 200 for r in results.values()), [r.text for r in results.values()]

    numbers = []
    for cid in cases:
        docs = ok(api.get("zhang", f"/api/cases/{cid}"))["documents"]
        assert [d["kind"] for d in docs] == ["filing_approval"]
        match = re.fullmatch(r"辛医保立审〔2026〕(\d+)号", docs[0]["number"])
        assert match, docs[0]["number"]
        numbers.append(int(match.group(1)))
    assert sorted(numbers) == list(range(1, CASES + 1))

    # A second round against a counter that now exists: the numbers continue without a gap.
    barrier = threading.Barrier(2)
    pair = cases[:2]

    def record(cid: int) -> None:
        barrier.wait()
        results[cid] = api.fire(
            "zhang", cid, "record_evidence", {"kind": "party_statement", "record": "inquiry", "summary": "并发"}, at("2026-03-05 10:00")
        )

    threads = [threading.Thread(target=record, args=(cid,)) for cid in pair]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[cid].status_code == 200 for cid in pair)
    records = sorted(ok(api.get("zhang", f"/api/cases/{cid}"))["documents"][-1]["number"] for cid in pair)
    assert records == ["辛医保笔录〔2026〕1号", "辛医保笔录〔2026〕2号"]
