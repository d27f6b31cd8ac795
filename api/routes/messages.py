"""Messages and 督办 in the JSON API: a user's messages, a supervisor's reminder on a case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from api.deps import CurrentActor, State
from api.responses import Json
from api.schemas import Body, CaseId
from engine.definitions import Role
from engine.errors import Forbidden
from engine.reminders import messages, send_reminder, unread_count
from engine.statistics import period, statistics

router = APIRouter(prefix="/api", tags=["messages"])


@router.get("/stats", response_class=Json)
def stats(
    state: State,
    actor: CurrentActor,
    start: Annotated[str, Query(alias="from", max_length=10)] = "",
    end: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Json:
    """The period's enforcement figures (default: the current year so far), for heads and supervisors."""
    if not actor.roles & {Role.head, Role.supervisor}:
        raise Forbidden("PAGE_FORBIDDEN", "统计数据仅限负责人、监督人员查阅")
    lo, hi = period(start, end)
    return Json(statistics(state.engine, state.library, actor, lo, hi))


class NewReminder(Body):
    note: str = Field(max_length=2000)
    clock: str | None = Field(default=None, max_length=60)


@router.get("/messages", response_class=Json)
def list_messages(
    state: State,
    actor: CurrentActor,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 30,
) -> Json:
    """The user's messages (督办 sent to him), newest first, with the unread count."""
    result = messages(state.engine, actor, page, size)
    return Json({**result, "unread": unread_count(state.engine, actor)})


@router.post("/cases/{case_id}/reminders", response_class=Json, status_code=201)
def remind(state: State, actor: CurrentActor, case_id: CaseId, body: NewReminder) -> Json:
    """督办: a supervisor's (or head's) reminder with a note on an overdue or due-soon step of the case."""
    return Json(send_reminder(state.engine, state.library, actor, case_id, body.note, body.clock), status_code=201)
