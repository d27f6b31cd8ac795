"""Separation of duties: distinct actors for declared steps, investigative steps by the case's officers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.calendar import WorkCalendar
from engine.definitions import FlowSpec, Role
from engine.errors import Forbidden, RuleViolation
from engine.machine import available, check_roles
from engine.model import Actor, CaseModel
from engine.registry import Context
from engine.timeutil import TZ

FLOW = FlowSpec.model_validate({
    "key": "tiny",
    "version": 1,
    "label": "小流程",
    "initial": "a",
    "open": {"trigger": "open", "label": "登记", "source": [], "dest": "a", "roles": ["officer"]},
    "states": [{"name": "a", "label": "甲"}, {"name": "b", "label": "乙"}, {"name": "c", "label": "丙", "final": True}],
    "transitions": [
        {"trigger": "propose", "label": "提请", "source": "a", "dest": "b", "roles": ["officer"], "own_officers": True},
        {"trigger": "approve", "label": "批准", "source": "b", "dest": "c", "roles": ["head"],
         "distinct_from": ["propose", "open"]},
        {"trigger": "note", "label": "记录", "source": "b", "roles": ["officer", "head"], "own_officers": True},
    ],
})
OFFICERS = [{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002", "recused": True}]


def actor(username: str, *roles: str, cert: str | None = None) -> Actor:
    return Actor(1, username, username, frozenset(Role(r) for r in roles), "xinji", cert)


def context(who: Actor, state: str = "b", acted_by: dict[str, str] | None = None) -> Context:
    case = CaseModel(state=state, bureau="xinji", item_code="1", flow_key="tiny", flow_version=1, party={},
                     officers=[dict(o) for o in OFFICERS], data={}, acted_by=acted_by or {})
    item: Any = None
    return Context(case, FLOW, item, None, who, datetime(2026, 3, 2, tzinfo=TZ), WorkCalendar(), {})


def spec(trigger: str) -> Any:
    return FLOW.transitions_for(trigger)[0]


@pytest.mark.parametrize(
    ("who", "acted_by", "code"),
    [
        (actor("zhang", "officer", "head", cert="JZ-001"), {"open": "zhang", "propose": "zhang"}, "SAME_ACTOR_FORBIDDEN"),
        (actor("zhang", "officer", "head", cert="JZ-001"), {"open": "zhang", "propose": "li"}, "SAME_ACTOR_FORBIDDEN"),
        (actor("zhang", "officer", "head", cert="JZ-001"), {"open": "li", "propose": "wang"}, None),
        (actor("head", "head"), {"open": "zhang", "propose": "zhang"}, None),
        (actor("zhang", "officer", cert="JZ-001"), {"open": "li", "propose": "li"}, "ROLE_NOT_ALLOWED"),
    ],
)
def test_the_approver_is_not_who_proposed(who: Actor, acted_by: dict[str, str], code: str | None) -> None:
    ctx = context(who, acted_by=acted_by)
    if code is None:
        check_roles(spec("approve"), ctx)
        return
    with pytest.raises((RuleViolation, Forbidden)) as refused:
        check_roles(spec("approve"), ctx)
    assert refused.value.code == code
    if code == "SAME_ACTOR_FORBIDDEN":
        assert isinstance(refused.value, RuleViolation) and "“批准”不得由办理" in refused.value.message


@pytest.mark.parametrize(
    ("who", "trigger", "allowed"),
    [
        (actor("zhang", "officer", cert="JZ-001"), "propose", True),
        (actor("wu", "officer", cert="JZ-003"), "propose", False),  # not named on the case
        (actor("li", "officer", cert="JZ-002"), "propose", False),  # recused
        (actor("nobody", "officer"), "propose", False),  # no certificate
        (actor("head", "head"), "note", True),  # a head acts as head, not as one of the officers
        (actor("wu", "officer", "head", cert="JZ-003"), "note", True),
        (actor("wu", "officer", cert="JZ-003"), "note", False),
    ],
)
def test_investigative_steps_only_by_the_cases_own_officers(who: Actor, trigger: str, allowed: bool) -> None:
    ctx = context(who, state="a" if trigger == "propose" else "b")
    if allowed:
        check_roles(spec(trigger), ctx)
        return
    with pytest.raises(Forbidden) as refused:
        check_roles(spec(trigger), ctx)
    assert refused.value.code == "NOT_CASE_OFFICER"


def test_the_action_list_says_why_a_step_is_not_for_this_user() -> None:
    who = actor("zhang", "officer", "head", cert="JZ-001")
    listed = {a["trigger"]: a for a in available(FLOW, context(who, acted_by={"open": "zhang", "propose": "zhang"}))}
    assert listed["approve"]["allowed"] is False
    assert listed["approve"]["code"] == "SAME_ACTOR_FORBIDDEN"
    assert listed["note"]["allowed"] is True
