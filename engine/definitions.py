"""Definitions (specs) of flows and catalogue items: plain validated data, no behaviour.

A flow is shaped like the arguments of a ``transitions`` machine (states, transitions with
trigger/source/dest) plus caseflow's own keys: roles, guards and actions by registered name,
clocks, documents and the legal source of each rule. Unknown keys are rejected so a typo in
YAML fails at load with the key's name instead of being silently ignored.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(StrEnum):
    officer = "officer"  # 执法人员
    clerk = "clerk"  # 窗口人员
    reviewer = "reviewer"  # 法制审核
    head = "head"  # 负责人
    supervisor = "supervisor"
    admin = "admin"


ROLE_LABELS = {
    Role.officer: "执法人员",
    Role.clerk: "窗口人员",
    Role.reviewer: "法制审核人员",
    Role.head: "负责人",
    Role.supervisor: "监督人员",
    Role.admin: "管理员",
}


class ReadScope(StrEnum):
    """Which of its bureau's cases a role reads (查阅范围), declared per role in ``processes/roles.yaml``."""

    bureau = "bureau"  # every case of the bureau
    opened_flows = "opened_flows"  # the cases of the flows this role may open (a clerk: the hall's)


class RoleScopes(BaseModel):
    """The reading scope of every role; a user with several roles reads the union of theirs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    read_scope: dict[Role, ReadScope]

    @model_validator(mode="after")
    def _every_role(self) -> RoleScopes:
        missing = [r.value for r in Role if r not in self.read_scope]
        if missing:
            raise ValueError(f"read_scope: no scope declared for role {missing[0]!r}")
        return self


class Unit(StrEnum):
    hours = "hours"
    natural_days = "natural_days"
    working_days = "working_days"
    months = "months"


UNIT_LABELS = {
    Unit.hours: "小时",
    Unit.natural_days: "日",
    Unit.working_days: "个工作日",
    Unit.months: "个月",
}


class NamedCall(Strict):
    """A guard or action named in YAML, with optional arguments (``with``)."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict, alias="with")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @cached_property
    def key(self) -> str:
        """The call as text (name and arguments): two calls alike have the same key."""
        return self.name + json.dumps(self.args, sort_keys=True, ensure_ascii=False, default=str)


def _named_calls(value: Any) -> Any:
    if isinstance(value, list):
        return [{"name": v} if isinstance(v, str) else v for v in value]
    return value


class StateSpec(Strict):
    name: str
    label: str  # Chinese label shown to users
    stage: str | None = None  # the 责任事项 stage it implements, e.g. 立案, 调查
    role: Role | None = None  # who acts in this state
    final: bool = False


class DocumentEntry(Strict):
    """A document a transition issues; with ``when`` only if that flag is set in the case data.

    In YAML an entry is a kind key (``penalty_notice``) or ``{kind: ..., when: <flag>}``, e.g.
    the 听证告知书 only where the proposed penalty makes a hearing available (处罚法第六十三条).
    """

    kind: str
    when: str | None = None


class TransitionSpec(Strict):
    trigger: str
    label: str
    source: list[str]
    dest: str | None = None  # None: the case stays where it is (a recorded fact)
    roles: list[Role]
    guards: list[NamedCall] = Field(default_factory=list)
    actions: list[NamedCall] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list)  # kind keys, conditional ones included
    document_when: dict[str, str] = Field(default_factory=dict)  # kind → flag it is issued under
    fields: list[str] = Field(default_factory=list)  # payload keys the form asks for
    source_law: str | None = Field(default=None, alias="law")
    # Separation of duties (职责分离): the actor must not be the one who last fired any of these
    # triggers on the case (the head who approves a filing is not the officer who proposed it).
    distinct_from: list[str] = Field(default_factory=list)
    # Only the case's own (not recused) officers may fire it: investigative steps (处罚法第四十二条).
    own_officers: bool = False

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("source"), str):
                data["source"] = [data["source"]]
            for key in ("guards", "actions"):
                if key in data:
                    data[key] = _named_calls(data[key])
            if isinstance(data.get("documents"), list):
                entries = [
                    DocumentEntry(kind=d) if isinstance(d, str) else DocumentEntry(**d)
                    for d in data["documents"]
                ]
                data["documents"] = [e.kind for e in entries]
                data["document_when"] = {
                    **data.get("document_when", {}),
                    **{e.kind: e.when for e in entries if e.when},
                }
        return data

    def issues(self, kind: str, data: dict[str, Any]) -> bool:
        """Whether this transition issues ``kind`` for a case with ``data`` (its ``when`` flag is set)."""
        if kind not in self.documents:
            return False
        flag = self.document_when.get(kind)
        return flag is None or bool(data.get(flag))


class ClockSpec(Strict):
    """A statutory deadline: started, satisfied, suspended and cancelled by triggers."""

    key: str
    label: str
    amount: int | None = None
    unit: Unit
    # Where the amount comes from when not fixed: "setting:<name>" (bureau or item setting)
    # or "data:<name>" (a value the user gives when starting it, e.g. a correction period).
    amount_from: str | None = None
    # "data:<field>" to count from a date in the payload instead of occurred_at; "case:<field>" from
    # one an action put into the case data (never the user's payload, e.g. when service takes effect).
    start_from: str | None = None
    # "setting:<name>" whose value is a unit or a dict with ``unit`` (and ``law``), e.g. an item's
    # result_clock {amount: 20, unit: working_days, law: ...}: the item fixes the unit and the source.
    unit_from: str | None = None
    optional: bool = False  # the clock does not start when its amount's source gives no value
    # Starts only when this flag is set in the case's data after the action, e.g. the hearing-request
    # period only where the proposed penalty gives hearing rights, or a decision to be disclosed.
    when: str | None = None
    start: list[str]
    satisfy: list[str] = Field(default_factory=list)
    cancel: list[str] = Field(default_factory=list)
    suspend: list[str] = Field(default_factory=list)
    resume: list[str] = Field(default_factory=list)
    roll_forward: bool = False  # natural-day period ending on a rest day ends next working day
    party: bool = False  # a period for the party's own acts (payment, requests), not an agency duty
    due_soon: int = 2  # days before due when it turns 'due soon' (hours for hour clocks)
    law: str
    accountability: str | None = None  # the 追责情形 a breach risks
    note: str | None = None

    @model_validator(mode="after")
    def _amount_given(self) -> ClockSpec:
        if (self.amount is None) == (self.amount_from is None):
            raise ValueError(f"clock {self.key}: give exactly one of amount or amount_from")
        return self


class FlowSpec(Strict):
    key: str
    version: int
    label: str
    description: str | None = None
    initial: str
    open: TransitionSpec  # how a case is opened: its roles, guards, actions and documents
    states: list[StateSpec]
    transitions: list[TransitionSpec]
    clocks: list[ClockSpec] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)  # defaults an item may override
    # Lookups by name, built once (a flow is immutable): every action and view asks them many
    # times. Cached properties live in the instance's __dict__ (a private attribute of a pydantic
    # model is read through __getattr__, forty times slower).
    @cached_property
    def _states_by_name(self) -> dict[str, StateSpec]:
        return {s.name: s for s in self.states}

    @cached_property
    def _transitions_by_trigger(self) -> dict[str, tuple[TransitionSpec, ...]]:
        by_trigger: dict[str, list[TransitionSpec]] = {}
        for t in self.transitions:
            by_trigger.setdefault(t.trigger, []).append(t)
        return {trigger: tuple(ts) for trigger, ts in by_trigger.items()}

    def state(self, name: str) -> StateSpec:
        return self._states_by_name[name]

    def transitions_for(self, trigger: str) -> list[TransitionSpec]:
        return list(self._transitions_by_trigger.get(trigger, ()))

    @cached_property
    def offers(self) -> dict[str, dict[str, Any]]:
        """What each trigger offers whatever the case, as a case's list of actions shows it: the
        label, roles, fields and documents of its first transition. Read-only: copy to add to it."""
        offers = {}
        for trigger, (spec, *_) in self._transitions_by_trigger.items():
            offers[trigger] = {
                "trigger": spec.trigger,
                "label": spec.label,
                "roles": [r.value for r in spec.roles],
                "fields": spec.fields,
                "documents": spec.documents,
                "internal": spec.dest is None,
            }
        return offers

    def candidates(self, trigger: str, state: str) -> tuple[TransitionSpec, ...]:
        """The transitions of ``trigger`` that may leave ``state`` (in the flow's order)."""
        return self._candidates_by_state.get(state, {}).get(trigger, ())

    @cached_property
    def _candidates_by_state(self) -> dict[str, dict[str, tuple[TransitionSpec, ...]]]:
        return {
            state.name: {
                trigger: found
                for trigger, ts in self._transitions_by_trigger.items()
                if (found := tuple(t for t in ts if state.name in t.source or "*" in t.source))
            }
            for state in self.states
        }


# --- catalogue -------------------------------------------------------------------------

PowerType = Literal[
    "penalty",  # 行政处罚
    "coercion",  # 行政强制
    "licensing",  # 行政许可
    "payment",  # 行政给付
    "inspection",  # 行政检查 / 行政监督
    "confirmation",  # 行政确认
    "reward",  # 行政奖励
    "filing",  # 行政备案
    "adjudication",  # 行政裁决
    "collection",  # 行政征收
    "public_service",  # 公共服务
    "other",  # 其他行政权力
]


class Duty(Strict):
    stage: str  # e.g. 立案责任, 受理阶段责任
    text: str


class CatalogueItem(Strict):
    code: str  # unique within the bureau: the bureau's own code or number
    number: str | None = None  # the row number as printed; None when missing in the source
    power_code: str | None = None  # 山丹's 23-character 权力编码, 赵县's 职权编码
    power_type: str  # as the bureau wrote it
    type: PowerType
    name: str
    parent: str | None = None  # code of the 主项 for a 子项
    subject: str  # 行政主体
    department: str | None = None  # 承办机构
    basis: list[str]  # 实施依据, quoted
    duties: list[Duty] = Field(default_factory=list)  # 责任事项 by stage
    accountability: list[str] = Field(default_factory=list)  # 追责情形
    remarks: str | None = None  # 备注
    phone: str | None = None
    supervision_phone: str | None = None
    stages: list[str] = Field(default_factory=list)  # steps of a published flowchart
    flow: str
    # Whom the item may be opened against (its 实施依据's subjects): "organisation" (定点医药机构,
    # 经办机构, 用人单位 …) and/or "individual" (参保人员 …); a penalty item must declare them.
    subjects: list[Literal["individual", "organisation"]] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)


class BureauSpec(Strict):
    code: str
    name: str
    region: str | None = None
    source: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)


class InternalProcedures(Strict):
    """Procedures every bureau runs that are not powers of its published list (委托执法, 协查)."""

    items: list[CatalogueItem]


class Catalogue(Strict):
    bureau: BureauSpec
    items: list[CatalogueItem]

    def item(self, code: str) -> CatalogueItem:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)
