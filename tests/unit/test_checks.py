"""Flow definitions are validated at load: the error names the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.errors import DefinitionError
from processes.loader import load_flow, load_library

MINIMAL: dict[str, Any] = {
    "key": "tiny",
    "version": 1,
    "label": "小流程",
    "initial": "a",
    "open": {"trigger": "open", "label": "开始", "source": [], "dest": "a", "roles": ["clerk"]},
    "states": [{"name": "a", "label": "甲"}, {"name": "b", "label": "乙", "final": True}],
    "transitions": [{"trigger": "go", "label": "前进", "source": "a", "dest": "b", "roles": ["clerk"]}],
}


def write(tmp_path: Path, data: dict[str, Any], name: str = "tiny.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def variant(**changes: Any) -> dict[str, Any]:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data.update(changes)
    return data


def test_minimal_flow_loads(tmp_path: Path) -> None:
    flow = load_flow(write(tmp_path, MINIMAL))
    assert flow.state("b").final


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (variant(colour="red"), "tiny.yaml: colour: Extra inputs are not permitted"),
        (variant(states=[{"name": "a", "label": "甲"}, {"name": "b", "label": "乙", "final": True},
                         {"name": "c", "label": "丙", "final": True}]), "states.c: unreachable"),
        (variant(states=[{"name": "a", "label": "甲"}, {"name": "b", "label": "乙"}]),
         "states.b: a dead end that is not final"),
        (variant(transitions=[{"trigger": "go", "label": "前进", "source": "a", "dest": "b", "roles": ["clerk"],
                               "guards": ["no_such_guard"]}]), "unregistered guard 'no_such_guard'"),
        (variant(transitions=[{"trigger": "go", "label": "前进", "source": "a", "dest": "b", "roles": ["clerk"],
                               "actions": ["no_such_action"]}]), "unregistered action 'no_such_action'"),
        (variant(transitions=[{"trigger": "go", "label": "前进", "source": "x", "dest": "b", "roles": ["clerk"]}]),
         "transitions.go.source: unknown state 'x'"),
        (variant(clocks=[{"key": "k", "label": "期限", "amount": 5, "unit": "working_days", "start": ["nope"],
                          "law": "x"}]), "clocks.k.start: unknown trigger 'nope'"),
        (variant(clocks=[{"key": "k", "label": "期限", "unit": "working_days", "start": ["go"], "law": "x"}]),
         "give exactly one of amount or amount_from"),
        (variant(transitions=[{"trigger": "go", "label": "前进", "source": "a", "dest": "b", "roles": ["king"]}]),
         "roles"),
        (variant(transitions=[{"trigger": "go", "label": "前进", "source": "a", "dest": "b", "roles": ["clerk"],
                               "distinct_from": ["propose"]}]), "transitions.go.distinct_from: unknown trigger 'propose'"),
        (variant(transitions=[{"trigger": "go", "label": "前进", "source": "a", "dest": "b", "roles": ["clerk"],
                               "own_officers": "yes please"}]), "own_officers"),
    ],
)
def test_bad_flows_are_rejected_with_file_and_key(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    with pytest.raises(DefinitionError) as error:
        load_flow(write(tmp_path, data))
    assert "tiny.yaml" in str(error.value)
    assert message in str(error.value)


def test_versions_of_a_flow_stay_loaded(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    write(flows, MINIMAL)
    write(flows, variant(version=2, label="小流程（修订）"), "tiny.v2.yaml")
    library = load_library(flows, tmp_path / "none")
    assert library.flow("tiny").version == 2
    assert library.flow("tiny", 1).label == "小流程"


def test_the_same_version_twice_is_rejected(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    write(flows, MINIMAL)
    write(flows, MINIMAL, "tiny.copy.yaml")
    with pytest.raises(DefinitionError, match="defined twice"):
        load_library(flows, tmp_path / "none")


def test_shipped_flows_pass_the_checks() -> None:
    library = load_library()
    assert ("penalty", 1) in library.flows


def test_every_role_declares_its_reading_scope(tmp_path: Path) -> None:
    from processes.loader import load_roles

    path = tmp_path / "roles.yaml"
    path.write_text("read_scope: {officer: bureau, clerk: opened_flows}", encoding="utf-8")
    with pytest.raises(DefinitionError, match="roles.yaml: .*no scope declared for role 'reviewer'"):
        load_roles(path)
    path.write_text("read_scope: {officer: bureau, clerk: everything}", encoding="utf-8")
    with pytest.raises(DefinitionError, match="roles.yaml: read_scope.clerk"):
        load_roles(path)


def test_a_clerk_reads_the_flows_a_clerk_opens_and_a_supervisor_reads_all() -> None:
    from engine.definitions import Role

    library = load_library()
    clerk = library.readable_flows(frozenset({Role.clerk}))
    assert clerk is not None
    assert "application" in clerk and "penalty" not in clerk and "sealing" not in clerk
    assert library.readable_flows(frozenset({Role.supervisor})) is None
    assert library.readable_flows(frozenset({Role.clerk, Role.officer})) is None  # the union
