"""CaseModel's lists kept in rows (engine.entries): counted and kept short in the data, read once when longer."""

from __future__ import annotations

from typing import Any

from engine.model import ENTRY_LISTS, LATEST_KEPT, CaseLists, CaseModel


def model_with(stored: dict[str, list[dict[str, Any]]], keys: frozenset[str]) -> tuple[CaseModel, list[str]]:
    """A case whose lists ``stored`` are in rows (the data keeping their counts and latest entries)."""
    reads: list[str] = []

    def load(key: str) -> list[dict[str, Any]]:
        reads.append(key)
        return [dict(e) for e in stored.get(key, [])]

    data: dict[str, Any] = {
        "decision": {"fine": "100"},
        ENTRY_LISTS: {k: {"count": len(v), "latest": [dict(e) for e in v[-LATEST_KEPT:]]} for k, v in stored.items()},
    }
    model = CaseModel(state="investigation", bureau="xinji", item_code="3", flow_key="penalty", flow_version=1,
                      party={}, officers=[], data=data, id=1)
    model.lists = CaseLists(keys, load)
    return model, reads


def test_a_short_list_is_read_from_the_data_and_a_long_one_from_its_rows_once() -> None:
    long = [{"n": i} for i in range(12)]
    model, reads = model_with({"seals": [{"n": 0}, {"n": 1}], "disposals": long}, frozenset({"seals", "disposals"}))
    assert model.entry_count("disposals") == 12 and model.entry_count("seals") == 2 and reads == []
    assert model.entries("seals") == [{"n": 0}, {"n": 1}] and reads == []  # all of it is in the data
    assert model.entries("disposals") == long and reads == ["disposals"]
    assert model.entries("disposals") == long and reads == ["disposals"]  # read once
    assert model.entries("statements") == [] and model.entry_count("statements") == 0 and reads == ["disposals"]


def test_an_added_entry_is_counted_kept_among_the_latest_and_written_once() -> None:
    model, reads = model_with({"disposals": [{"n": i} for i in range(LATEST_KEPT)]}, frozenset({"disposals"}))
    model.add_entry("disposals", {"n": LATEST_KEPT})
    kept = model.data[ENTRY_LISTS]["disposals"]
    assert kept["count"] == LATEST_KEPT + 1 and [e["n"] for e in kept["latest"]] == list(range(1, LATEST_KEPT + 1))
    assert reads == []  # adding reads nothing
    assert [e["n"] for e in model.entries("disposals")] == list(range(LATEST_KEPT + 1))  # rows + the new one
    written = model.lists.take()
    assert [(e.key, e.position, e.new) for e in written] == [("disposals", LATEST_KEPT, True)]
    assert model.lists.take() == []


def test_a_list_read_before_an_entry_is_added_shows_it_and_a_changed_entry_is_rewritten() -> None:
    model, _ = model_with({"appeals": [{"kind": "review"}]}, frozenset({"appeals"}))
    assert model.entries("appeals") == [{"kind": "review"}]
    model.add_entry("appeals", {"kind": "lawsuit"})
    model.update_entry("appeals", 0, {"outcome": "upheld"})
    assert model.entries("appeals") == [{"kind": "review", "outcome": "upheld"}, {"kind": "lawsuit"}]
    # the data's latest entries are the same objects: the change shows there too
    assert model.data[ENTRY_LISTS]["appeals"]["latest"][0] == {"kind": "review", "outcome": "upheld"}
    written = model.lists.take()
    assert [(e.position, e.new) for e in written] == [(1, True), (0, False)]
    assert written[1].payload == {"kind": "review", "outcome": "upheld"}


def test_a_list_the_flow_does_not_keep_in_rows_stays_in_the_data() -> None:
    model, reads = model_with({}, frozenset({"seals"}))
    model.add_entry("payments", {"amount": "10"})
    model.update_entry("payments", 0, {"receipt": "R1"})
    assert model.data["payments"] == [{"amount": "10", "receipt": "R1"}]
    assert model.entries("payments") == model.data["payments"] and model.entry_count("payments") == 1
    assert model.fact("payments") == model.data["payments"] and model.lists.take() == [] and reads == []


def test_a_flag_on_a_list_kept_in_rows_is_its_count() -> None:
    model, _ = model_with({}, frozenset({"collection_handovers"}))
    assert not model.fact("collection_handovers")
    model.add_entry("collection_handovers", {"receipt": "R1"})
    assert model.fact("collection_handovers") == 1


def test_a_replayed_case_without_rows_holds_every_entry_it_added() -> None:
    model = CaseModel(state="s", bureau="b", item_code="i", flow_key="f", flow_version=1, party={}, officers=[], data={})
    model.lists = CaseLists(frozenset({"disposals"}))
    for i in range(LATEST_KEPT + 3):
        model.add_entry("disposals", {"n": i})
        model.lists.take()
    assert [e["n"] for e in model.entries("disposals")] == list(range(LATEST_KEPT + 3))
    assert [e.position for e in model.lists.added] == list(range(LATEST_KEPT + 3))
