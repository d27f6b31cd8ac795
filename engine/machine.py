"""Running a flow: a ``transitions`` machine over a plain ``CaseModel``.

The machine is built from the flow's data. Each transition's condition evaluates the named
guards in the registry and keeps the first refusal, so a failed move can be explained; the
``before`` callback runs the named actions. When several transitions share a trigger, the
first whose guards pass is taken (a conditional branch, e.g. serving a penalty vs. a
no-penalty decision).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from transitions import Machine, MachineError

from engine.definitions import ROLE_LABELS, FlowSpec, NamedCall, TransitionSpec
from engine.duties import check_duties
from engine.errors import DomainError, Forbidden, RuleViolation
from engine.registry import ACTIONS, GUARDS, Context, Guard


def check_guards(spec: TransitionSpec, ctx: Context) -> None:
    """Raise the first refusal of the transition's guards (input guards only when firing)."""
    for call in spec.guards:
        registered = GUARDS[call.name]
        if ctx.checking_only:
            if registered.needs_input:
                continue
            if registered.per_case:
                _check_once(registered, call, ctx)
                continue
        registered.fn(ctx, **call.args)


def _check_once(registered: Guard, call: NamedCall, ctx: Context) -> None:
    """A per-case guard while listing actions: checked at its first call, its outcome reused after."""
    if call.key in ctx.outcomes:
        refusal = ctx.outcomes[call.key]
        if refusal is not None:
            raise refusal
        return
    try:
        registered.fn(ctx, **call.args)
    except DomainError as error:
        ctx.outcomes[call.key] = error
        raise
    ctx.outcomes[call.key] = None


def check_roles(spec: TransitionSpec, ctx: Context) -> None:
    """Who may fire it: one of its roles, then the flow's separation of duties (engine.duties)."""
    if not ctx.actor.roles & set(spec.roles):
        allowed = "、".join(ROLE_LABELS[r] for r in spec.roles)
        raise Forbidden(
            "ROLE_NOT_ALLOWED",
            f"“{spec.label}”只能由{allowed}办理",
            trigger=spec.trigger,
            roles=[r.value for r in spec.roles],
        )
    check_duties(spec, ctx)


def run_actions(spec: TransitionSpec, ctx: Context) -> None:
    for call in spec.actions:
        ACTIONS[call.name](ctx, **call.args)


@dataclass
class Outcome:
    transition: TransitionSpec
    from_state: str
    to_state: str


class _Driver:
    """What the machine drives: holds the case model's state and the firing's context."""

    def __init__(self, state: str) -> None:
        self.state = state
        self.refusal: DomainError | None = None
        self.taken: TransitionSpec | None = None


def _condition(spec: TransitionSpec) -> Any:
    def passes(event: Any) -> bool:
        driver: _Driver = event.model
        ctx: Context = event.kwargs["ctx"]
        ctx.transition = spec
        try:
            check_roles(spec, ctx)
            check_guards(spec, ctx)
        except DomainError as refusal:
            driver.refusal = driver.refusal or refusal
            return False
        return True

    return passes


def _before(spec: TransitionSpec) -> Any:
    def act(event: Any) -> None:
        event.model.taken = spec
        run_actions(spec, event.kwargs["ctx"])

    return act


def build_machine(flow: FlowSpec, driver: _Driver) -> Machine:
    transitions = [
        {
            "trigger": spec.trigger,
            "source": spec.source if spec.source != ["*"] else "*",
            "dest": spec.dest,
            "conditions": [_condition(spec)],
            "before": [_before(spec)],
        }
        for spec in flow.transitions
    ]
    return Machine(
        model=driver,
        states=[s.name for s in flow.states],
        transitions=transitions,
        initial=driver.state,
        auto_transitions=False,
        send_event=True,
        model_attribute="state",
    )


Menu = list[tuple[dict[str, Any], tuple[TransitionSpec, ...]]]
_MENUS: dict[tuple[int, str], tuple[FlowSpec, Menu]] = {}


def _menu(flow: FlowSpec, state: str) -> Menu:
    """Each trigger of the flow as listed in ``state``, with the transitions that may leave it; a
    trigger none of whose transitions leaves ``state`` is listed as refused. Built once per flow and state."""
    entry = _MENUS.get((id(flow), state))
    if entry is not None and entry[0] is flow:
        return entry[1]
    not_here = {
        "allowed": False,
        "code": "ACTION_NOT_ALLOWED_IN_STATE",
        "reason": f"当前环节“{flow.state(state).label}”不能进行此操作",
    }
    menu: Menu = []
    for trigger, offer in flow.offers.items():
        candidates = flow.candidates(trigger, state)
        menu.append((offer if candidates else {**offer, **not_here}, candidates))
    _MENUS[(id(flow), state)] = (flow, menu)
    return menu


_local = threading.local()


def _machine_for(flow: FlowSpec, state: str) -> tuple[Machine, _Driver]:
    """The flow's machine, built once per flow version and thread, with its driver set to ``state``."""
    built: dict[int, tuple[FlowSpec, Machine, _Driver]] = _local.__dict__.setdefault("machines", {})
    entry = built.get(id(flow))
    if entry is None or entry[0] is not flow:
        driver = _Driver(state)
        entry = built[id(flow)] = (flow, build_machine(flow, driver), driver)
    _, machine, driver = entry
    machine.set_state(state, model=driver)
    driver.refusal, driver.taken = None, None
    return machine, driver


def fire(flow: FlowSpec, ctx: Context, trigger: str) -> Outcome:
    """Fire ``trigger`` on the case in ``ctx``; on success the case model carries the new state."""
    case = ctx.case
    if not flow.transitions_for(trigger):
        raise RuleViolation("UNKNOWN_ACTION", f"流程“{flow.label}”没有“{trigger}”这项操作", trigger=trigger)
    machine, driver = _machine_for(flow, case.state)
    from_state = case.state
    try:
        moved = machine.events[trigger].trigger(driver, ctx=ctx)
    except MachineError:
        label = flow.transitions_for(trigger)[0].label
        raise RuleViolation(
            "ACTION_NOT_ALLOWED_IN_STATE",
            f"案件当前处于“{flow.state(from_state).label}”环节，不能进行“{label}”",
            state=from_state,
            trigger=trigger,
        ) from None
    if not moved or driver.taken is None:
        assert driver.refusal is not None
        raise driver.refusal
    case.state = driver.state
    return Outcome(driver.taken, from_state, driver.state)


def available(flow: FlowSpec, ctx: Context) -> list[dict[str, Any]]:
    """Every action of the flow with ``allowed`` and, if not, a Chinese ``reason`` and its code."""
    result: list[dict[str, Any]] = []
    for offer, candidates in _menu(flow, ctx.case.state):
        entry = dict(offer)
        if not candidates:  # the offer already says it cannot be taken here
            result.append(entry)
            continue
        refusal: DomainError | None = None
        for candidate in candidates:
            ctx.transition = candidate
            try:
                check_roles(candidate, ctx)
                check_guards(candidate, ctx)
            except DomainError as error:
                refusal = refusal or error
                continue
            refusal = None
            break
        if refusal is None:
            entry.update(allowed=True, code=None, reason=None)
        else:
            entry.update(allowed=False, code=refusal.code, reason=refusal.message)
        result.append(entry)
    return result
