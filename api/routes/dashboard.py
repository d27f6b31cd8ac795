from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.deps import CurrentActor, State
from api.responses import Json
from api.schemas import parse_as_of
from engine.queries import MAX_PAGE_SIZE, DutyFilter, dashboard, dashboard_groups

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])


@router.get("/overdue", response_class=Json)
def overdue(
    state: State,
    actor: CurrentActor,
    as_of: str | None = None,
    department: str | None = None,
    officer: str | None = None,
    item: str | None = None,
    flow: str | None = None,
    status: Literal["overdue", "due_soon"] | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Json:
    """Overdue and due-soon duties with case, step, days late and the accountability clause at risk."""
    moment = parse_as_of(as_of) or datetime.now().astimezone()
    found = DutyFilter(department=department, officer=officer, item=item, flow=flow, status=status)
    return Json(dashboard(state.engine, state.library, actor, moment, found, page=page, size=size))


@router.get("/overdue/groups")
def overdue_groups(
    state: State,
    actor: CurrentActor,
    by: Literal["department", "officer", "item", "flow"] = "department",
    as_of: str | None = None,
) -> dict[str, Any]:
    """Overdue and due-soon counts per department, officer, item or flow."""
    moment = parse_as_of(as_of) or datetime.now().astimezone()
    return {"as_of": moment.isoformat(), "by": by, "groups": dashboard_groups(state.engine, actor, moment, by)}
