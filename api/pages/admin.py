"""Administration: users and roles, the bureau's settings, working-day calendars by year."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from api.deps import AppState, State
from api.pages.web import PageActor, posted_form, redirect, render, render_error, require_role
from api.users import create_user
from engine.calendar import CalendarError
from engine.definitions import ROLE_LABELS, Role
from engine.errors import DomainError, InvalidInput
from engine.model import Actor
from engine.persistence import unit_of_work
from engine.recompute import calendar_summary, load_year
from engine.tables import Bureau, User

router = APIRouter(include_in_schema=False)

# Settings an administrator is most likely to change, shown as their own fields.
KNOWN_SETTINGS = {
    "statement_days": "陈述申辩期（工作日）",
    "legal_review_threshold": "法制审核罚款金额（元，达到即须审核）",
    "collective_discussion_threshold": "集体讨论罚款金额（元）",
    "doc_prefix": "文书文号前缀（如 辛医保）",
    "public_notice_days": "公示期（日）",
}


def _context(state: AppState, actor: Actor) -> dict[str, Any]:
    with Session(state.engine) as session:
        users = session.exec(
            select(User).where(User.bureau_code == actor.bureau).order_by(col(User.username))
        ).all()
        bureau = session.exec(select(Bureau).where(Bureau.code == actor.bureau)).one()
        settings = dict(bureau.settings)
    return {
        "users": users,
        "role_labels": ROLE_LABELS,
        "roles": list(Role),
        "settings": settings,
        "settings_json": json.dumps(settings, ensure_ascii=False, indent=2),
        "known_settings": KNOWN_SETTINGS,
        "calendar": calendar_summary(state.engine, None),
        "title": "系统管理",
    }


def _page(
    request: Request,
    state: AppState,
    actor: Actor,
    error: DomainError | None = None,
    notice: str = "",
    form: Any = None,
) -> Response:
    try:
        require_role(actor, Role.admin)
    except DomainError as forbidden:
        return render_error(request, state, actor, forbidden)
    status = 200 if error is None else {"invalid": 422, "forbidden": 403}.get(error.kind, 409)
    return render(
        request, state, "admin.html", actor, status_code=status, error=error, notice=notice, form=form,
        **_context(state, actor),
    )


@router.get("/admin")
def admin(request: Request, state: State, actor: PageActor, notice: str = "") -> Response:
    return _page(request, state, actor, notice=notice)


@router.post("/admin/users")
async def add_user(request: Request, state: State, actor: PageActor) -> Response:
    form = await request.form()
    try:
        require_role(actor, Role.admin)
        await posted_form(request, state)
        username = str(form.get("username") or "").strip()
        if not username:
            raise InvalidInput("FIELD_REQUIRED", "缺少必填项：用户名", field="username")
        create_user(
            state.engine,
            username,
            bureau=actor.bureau,
            roles=[str(r) for r in form.getlist("roles")],
            password=str(form.get("password") or ""),
            name=str(form.get("name") or "").strip() or None,
            cert_no=str(form.get("cert_no") or "").strip() or None,
        )
    except DomainError as error:
        return _page(request, state, actor, error=error, form=form)
    return redirect("/admin", f"已创建用户 {username}")


@router.post("/admin/settings")
async def save_settings(request: Request, state: State, actor: PageActor) -> Response:
    form = await request.form()
    try:
        require_role(actor, Role.admin)
        await posted_form(request, state)
        try:
            settings = json.loads(str(form.get("settings") or "{}"))
        except json.JSONDecodeError as error:
            raise InvalidInput("SETTINGS_INVALID", f"设置不是有效的 JSON：第{error.lineno}行 {error.msg}") from None
        if not isinstance(settings, dict):
            raise InvalidInput("SETTINGS_INVALID", "设置须为 JSON 对象（{…}）")
        for key in KNOWN_SETTINGS:
            raw = str(form.get(f"s.{key}") or "").strip()
            if not raw:
                continue
            if key == "doc_prefix":
                settings[key] = raw
            elif raw.isdigit():
                settings[key] = int(raw)
            else:
                raise InvalidInput("SETTINGS_INVALID", f"“{KNOWN_SETTINGS[key]}”须为非负整数：{raw}", field=key)
        with unit_of_work(state.engine) as session:
            bureau = session.exec(select(Bureau).where(Bureau.code == actor.bureau)).one()
            bureau.settings = settings
            session.add(bureau)
    except DomainError as error:
        return _page(request, state, actor, error=error, form=form)
    return redirect("/admin", "本局设置已保存（新的办理操作按新设置执行）")


@router.post("/admin/calendar")
async def load_calendar_year(request: Request, state: State, actor: PageActor) -> Response:
    form = await request.form()
    try:
        require_role(actor, Role.admin)
        await posted_form(request, state)
        upload = form.get("file")
        text = str(form.get("schedule") or "").strip()
        content = await upload.read() if upload is not None and hasattr(upload, "read") else b""
        try:
            data = json.loads(content.decode("utf-8").strip() or text)
        except json.JSONDecodeError as error:
            raise InvalidInput("CALENDAR_INVALID", f"节假日安排不是有效的 JSON：{error.msg}") from None
        except UnicodeDecodeError:
            raise InvalidInput("CALENDAR_INVALID", "节假日安排文件须为 UTF-8 编码的 JSON") from None
        if not isinstance(data, dict):
            raise InvalidInput("CALENDAR_INVALID", '节假日安排须为 {"year": …, "holidays": […], "workdays": […]}')
        try:
            year, changed = load_year(state.engine, state.library, data, actor.username)
        except CalendarError as error:
            raise InvalidInput("CALENDAR_INVALID", str(error)) from None
    except DomainError as error:
        return _page(request, state, actor, error=error, form=form)
    finally:
        await form.close()  # an uploaded file is spooled to a temporary file
    return redirect("/admin", f"已载入{year}年节假日安排，重新计算了{changed}个期限")
