"""Messages (消息) and 督办: a user's in-app messages, the daily digest, and the supervisor's reminder form.

Stored messages are the 督办 sent to the user (``engine.reminders``); the rest of the list is
read from the read model when the page is asked for, each a paginated SQL query: cases
assigned to me, steps waiting for me, and my deadlines falling due in the next N days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import AppState, State
from api.pages.lists import list_page
from api.pages.web import PageActor, posted_form, redirect, render, render_error, require_role
from api.schemas import CaseId
from engine.definitions import Role
from engine.errors import DomainError, InvalidInput
from engine.model import Actor
from engine.queries import CaseFilter
from engine.reminders import mark_read, messages, reminders_of_case, send_reminder

router = APIRouter(include_in_schema=False)

DAYS = (3, 7, 15, 30)


def inbox(state: AppState, actor: Actor, days: int, as_of: datetime | None = None) -> dict[str, Any]:
    """What waits for the actor: assigned cases, steps for his roles, deadlines in ``days`` days."""
    now = as_of or datetime.now().astimezone()
    personal = bool(actor.roles & {Role.officer, Role.clerk})
    mine = actor if personal else None
    waiting_roles = [r.value for r in (Role.officer, Role.clerk, Role.reviewer, Role.head) if r in actor.roles]
    waiting = [
        (role, list_page(state, actor, CaseFilter(awaiting_role=role, closed=False, mine=mine), 1))
        for role in waiting_roles
    ]
    return {
        "assigned": list_page(
            state, actor, CaseFilter(mine=actor, closed=False, opened_from=now - timedelta(days=days)), 1
        ) if personal else None,
        "waiting": waiting,
        "due": list_page(
            state, actor, CaseFilter(mine=mine, closed=False, due_before=now + timedelta(days=days)), 1
        ),
    }


def _days(value: int) -> int:
    return value if value in DAYS else 7


@router.get("/messages")
def message_list(request: Request, state: State, actor: PageActor, days: int = 7, page: int = 1) -> Response:
    days = _days(days)
    stored = messages(state.engine, actor, max(1, min(page, 10_000)))
    unread = sum(1 for m in stored["items"] if not m["read"])  # type: ignore[attr-defined]
    response = render(
        request, state, "messages.html", actor, stored=stored, fresh=unread, days=days, choices=DAYS,
        title="消息", **inbox(state, actor, days),
    )
    mark_read(state.engine, actor)  # opening the list reads the 督办 shown on it
    return response


@router.get("/messages/digest")
def digest(request: Request, state: State, actor: PageActor, days: int = 7) -> Response:
    days = _days(days)
    today = datetime.now().astimezone()
    stored = messages(state.engine, actor, 1, 10)
    return render(
        request, state, "digest.html", actor, stored=stored, days=days, choices=DAYS, today=today,
        title="每日待办摘要", **inbox(state, actor, days),
    )


def _remind_page(
    request: Request, state: AppState, actor: Actor, case_id: int, clock: str = "",
    error: DomainError | None = None, form: Any = None, notice: str = "",
) -> Response:
    try:
        require_role(actor, Role.supervisor, Role.head)
        view = state.cases.view(actor, case_id, actions=False)
    except DomainError as refused:
        return render_error(request, state, actor, refused)
    running = [c for c in view["clocks"] if c["status"] in ("overdue", "due_soon") and not c.get("party")]
    status = 200 if error is None else {"invalid": 422, "forbidden": 403, "not_found": 404}.get(error.kind, 409)
    return render(
        request, state, "remind.html", actor, status_code=status, case=view, running=running, clock=clock,
        reminders=reminders_of_case(state.engine, case_id), error=error, form=form, notice=notice, title="督办",
    )


@router.get("/cases/{case_id}/remind")
def remind_page(
    request: Request, state: State, actor: PageActor, case_id: CaseId, clock: str = "", notice: str = ""
) -> Response:
    return _remind_page(request, state, actor, case_id, clock[:60], notice=notice[:200])


@router.post("/cases/{case_id}/remind")
async def remind(request: Request, state: State, actor: PageActor, case_id: CaseId) -> Response:
    form = await request.form()
    clock = str(form.get("clock") or "")[:60]
    try:
        await posted_form(request, state)
        require_role(actor, Role.supervisor, Role.head)
        note = form.get("note")
        if not isinstance(note, str):
            raise InvalidInput("FIELD_REQUIRED", "缺少必填项：督办意见", field="note")
        sent = send_reminder(state.engine, state.library, actor, case_id, note, clock or None)
    except DomainError as error:
        return _remind_page(request, state, actor, case_id, clock, error, form)
    names = "、".join(sent["recipient_names"]) or "（无在岗办理人员）"  # type: ignore[arg-type]
    return redirect(f"/cases/{case_id}/remind", f"已督办，已通知：{names}")
