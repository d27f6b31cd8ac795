"""Applying a flow's clock declarations to a case, and reading clocks as of a moment.

A ``ClockSpec`` names the triggers that start, satisfy, cancel, suspend and resume it; the
service calls ``apply_clock_triggers`` once per fired transition, after the actions ran, so
an action may have put into ``data`` the amount a clock reads (``amount_from: data:…``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.calendar import WorkCalendar
from engine.clocks import ClockStatus, Deadline, Span, compute_due, days_late, status_of
from engine.definitions import ClockSpec, FlowSpec, Unit
from engine.errors import InvalidInput
from engine.model import CaseModel, ClockState
from engine.timeutil import parse_moment


def _source_value(source_ref: str, settings: dict[str, Any], payload: dict[str, Any],
                  data: dict[str, Any] | None = None) -> tuple[str, Any]:
    """The value named by "setting:<name>", "data:<name>" (payload first, then the case data) or
    "case:<name>" (the case data only: a value an action computed, which the payload may not override)."""
    source, _, name = source_ref.partition(":")
    if source == "setting":
        return name, settings.get(name)
    if source == "case":
        return name, (data or {}).get(name)
    value = payload.get(name)
    if value in (None, "") and data is not None:
        value = data.get(name)
    return name, value


def clock_amount(
    spec: ClockSpec, settings: dict[str, Any], payload: dict[str, Any], data: dict[str, Any] | None = None
) -> int:
    if spec.amount is not None:
        return spec.amount
    assert spec.amount_from is not None
    name, value = _source_value(spec.amount_from, settings, payload, data)
    if isinstance(value, dict):  # an item setting such as {amount: 20, unit: working_days}
        value = value.get("amount")
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            "CLOCK_AMOUNT_REQUIRED", f"“{spec.label}”的期限（{name}）未设置或不是整数：{value}", field=name
        ) from None
    if amount <= 0:
        raise InvalidInput("CLOCK_AMOUNT_REQUIRED", f"“{spec.label}”的期限须为正整数：{value}", field=name)
    return amount


def clock_applies(
    spec: ClockSpec, settings: dict[str, Any], payload: dict[str, Any], data: dict[str, Any] | None = None
) -> bool:
    """An ``optional`` clock starts only when its amount's source gives a value (e.g. an item's result_clock);
    a clock with ``when`` only when that flag is set in the case's data."""
    if spec.when is not None and not (data or {}).get(spec.when):
        return False
    if not spec.optional or spec.amount_from is None:
        return True
    _, value = _source_value(spec.amount_from, settings, payload, data)
    return value not in (None, "", {}, False)


def clock_terms(spec: ClockSpec, settings: dict[str, Any]) -> tuple[Unit, str]:
    """The unit and legal source of a clock: the spec's, or those the setting named by ``unit_from`` gives."""
    if spec.unit_from is None:
        return spec.unit, spec.law
    name, value = _source_value(spec.unit_from, settings, {})
    law = spec.law
    if isinstance(value, dict):
        if value.get("law"):
            law = f"{value['law']}（{spec.law}）"
        value = value.get("unit", spec.unit.value)
    try:
        return Unit(value or spec.unit.value), law
    except ValueError:
        raise InvalidInput(
            "CLOCK_UNIT_INVALID", f"“{spec.label}”的计算单位（{name}）无效：{value}", field=name
        ) from None


def clock_start(
    spec: ClockSpec, occurred_at: datetime, payload: dict[str, Any], data: dict[str, Any] | None = None
) -> datetime:
    if spec.start_from is None:
        return occurred_at
    name, value = _source_value(spec.start_from, {}, payload, data)
    if value in (None, ""):
        return occurred_at
    try:
        return parse_moment(str(value))
    except ValueError:
        raise InvalidInput("INVALID_DATE", f"“{name}”不是有效的日期：{value}", field=name) from None


def apply_clock_triggers(
    flow: FlowSpec,
    case: CaseModel,
    trigger: str,
    occurred_at: datetime,
    settings: dict[str, Any],
    payload: dict[str, Any],
) -> None:
    """Start, satisfy, cancel, suspend and resume the case's clocks for one fired trigger."""
    for spec in flow.clocks:
        for clock in case.open_clocks(spec.key):
            if trigger in spec.satisfy:
                clock.satisfied_at = occurred_at
            elif trigger in spec.cancel:
                clock.cancelled_at = occurred_at
            elif trigger in spec.suspend and not clock.suspended:
                clock.spans.append(Span(occurred_at, None))
            elif trigger in spec.resume and clock.suspended:
                clock.spans[-1] = Span(clock.spans[-1].start, occurred_at)
        if spec.when is not None and not case.data.get(spec.when):
            continue
        if trigger in spec.start and clock_applies(spec, settings, payload, case.data):
            amount = clock_amount(spec, settings, payload, case.data)
            start = clock_start(spec, occurred_at, payload, case.data)
            clock = ClockState.from_spec(spec, amount, start)
            clock.unit, clock.law = clock_terms(spec, settings)
            case.clocks.append(clock)


@dataclass(frozen=True)
class ClockView:
    clock: ClockState
    deadline: Deadline
    status: ClockStatus
    days_late: int

    def as_dict(self) -> dict[str, Any]:
        c = self.clock
        return {
            "id": c.id,
            "key": c.key,
            "label": c.label,
            "started_at": c.started_at.isoformat(),
            "due_at": self.deadline.due_at.isoformat(),
            "status": self.status.value,
            "unit": c.unit.value,
            "amount": c.amount,
            "extension": c.extension,
            "source": c.law,
            "accountability": c.accountability,
            "party": c.party,
            "provisional": self.deadline.provisional,
            "explanation": self.deadline.explanation,
            "satisfied_at": c.satisfied_at.isoformat() if c.satisfied_at else None,
            "days_late": self.days_late,
        }


def deadline_of(clock: ClockState, calendar: WorkCalendar, as_of: datetime) -> Deadline:
    return compute_due(
        clock.started_at,
        clock.amount,
        clock.unit,
        calendar,
        roll_forward=clock.roll_forward,
        extension=clock.extension,
        spans=clock.spans,
        as_of=as_of,
    )


def view_clock(clock: ClockState, calendar: WorkCalendar, as_of: datetime) -> ClockView:
    deadline = deadline_of(clock, calendar, as_of)
    status = status_of(
        deadline.due_at,
        as_of=as_of,
        satisfied_at=clock.satisfied_at,
        cancelled=clock.cancelled_at is not None,
        suspended=clock.suspended,
        due_soon=clock.due_soon,
        unit=clock.unit,
    )
    if clock.party and status is ClockStatus.overdue:
        return ClockView(clock, deadline, ClockStatus.elapsed, 0)
    late_until = clock.satisfied_at or as_of
    late = days_late(deadline.due_at, late_until) if status in (
        ClockStatus.overdue, ClockStatus.satisfied_late) else 0
    return ClockView(clock, deadline, status, late)
