from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter

from api.deps import CurrentActor, State
from api.schemas import parse_as_of
from engine.queries import dashboard

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])


@router.get("/overdue")
def overdue(
    state: State,
    actor: CurrentActor,
    as_of: str | None = None,
    department: str | None = None,
    officer: str | None = None,
    item: str | None = None,
    flow: str | None = None,
) -> dict[str, Any]:
    """Overdue and due-soon duties with case, step, days late and the accountability clause at risk."""
    moment = parse_as_of(as_of) or datetime.now().astimezone()
    return dashboard(
        state.engine,
        state.library,
        actor,
        moment,
        department=department,
        officer=officer,
        item=item,
        flow=flow,
    )
