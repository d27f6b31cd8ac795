"""Administration overview: users, departments, the bureau's settings, calendars, the recent record."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import registers, users
from api.bureaus import record_rows, save_settings, settings_of
from api.deps import AppState, State
from api.pages.web import PageActor, posted_form, redirect, render, render_error, require_role
from engine import bureau_settings
from engine.calendar import CalendarError
from engine.definitions import ROLE_LABELS, Role
from engine.errors import DomainError, InvalidInput
from engine.model import Actor
from engine.recompute import calendar_summary, load_year

router = APIRouter(include_in_schema=False)

# Settings an administrator is most likely to change, shown as their own fields.
KNOWN_SETTINGS = ["statement_days", "legal_review_threshold", "collective_discussion_threshold", "doc_prefix",
                  "public_notice_days",
                  # what the documents print about the bureau (落款, 缴款, 救济途径, 窗口)
                  "agency_address", "contact_phone", "credit_code", "window_address", "window_phone",
                  "fine_bank", "fine_account_name", "fine_account_no",
                  "refund_bank", "refund_account_name", "refund_account_no",
                  "review_organ", "court", "supplement_days"]


def catalogue_departments(state: AppState, bureau: str) -> list[str]:
    """The 承办机构 named in the bureau's catalogue, offered when an administrator adds one."""
    catalogue = state.library.catalogues.get(bureau)
    named = {item.department for item in catalogue.items if item.department} if catalogue else set()
    return sorted(named)


def _context(state: AppState, actor: Actor) -> dict[str, Any]:
    settings = settings_of(state.engine, actor.bureau)
    _, recent = record_rows(state.engine, actor.bureau, limit=10)
    return {
        "users": users.listing(state.engine, actor.bureau),
        "departments": registers.departments(state.engine, actor.bureau),
        "catalogue_departments": catalogue_departments(state, actor.bureau),
        "role_labels": ROLE_LABELS,
        "roles": list(Role),
        "settings": settings,
        "settings_json": json.dumps(settings, ensure_ascii=False, indent=2),
        "known_settings": {key: bureau_settings.label(key) for key in KNOWN_SETTINGS},
        "calendar": calendar_summary(state.engine, None),
        "recent": recent,
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
    status = 200 if error is None else {"invalid": 422, "forbidden": 403, "not_found": 404}.get(error.kind, 409)
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
        users.create_user(
            state.engine,
            username,
            bureau=actor.bureau,
            roles=[str(r) for r in form.getlist("roles")],
            password=str(form.get("password") or ""),
            name=str(form.get("name") or "").strip() or None,
            cert_no=str(form.get("cert_no") or "").strip() or None,
            department=str(form.get("department") or "").strip() or None,
            by=actor.username,
        )
    except DomainError as error:
        return _page(request, state, actor, error=error, form=form)
    return redirect("/admin", f"已创建用户 {username}")


@router.post("/admin/departments")
async def add_department(request: Request, state: State, actor: PageActor) -> Response:
    form = await request.form()
    try:
        require_role(actor, Role.admin)
        await posted_form(request, state)
        department = registers.add_department(state.engine, actor.bureau, str(form.get("name") or ""), by=actor)
    except DomainError as error:
        return _page(request, state, actor, error=error, form=form)
    return redirect("/admin", f"已新建承办机构 {department.name}")


@router.post("/admin/departments/{department_id}")
async def change_department(request: Request, state: State, actor: PageActor, department_id: int) -> Response:
    form = await request.form()
    try:
        require_role(actor, Role.admin)
        await posted_form(request, state)
        name = str(form.get("name") or "").strip() or None
        active = {"on": True, "off": False}.get(str(form.get("active") or ""))
        department = registers.update_department(
            state.engine, actor.bureau, department_id, by=actor, name=name, active=active
        )
    except DomainError as error:
        return _page(request, state, actor, error=error, form=form)
    return redirect("/admin", f"已保存承办机构 {department.name}")


@router.post("/admin/settings")
async def save_bureau_settings(request: Request, state: State, actor: PageActor) -> Response:
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
            if raw:
                settings[key] = raw  # checked and converted with the rest (an empty field leaves the JSON as it is)
        changed = save_settings(state.engine, actor.bureau, settings, by=actor)
    except DomainError as error:
        return _page(request, state, actor, error=error, form=form)
    if not changed:
        return redirect("/admin", "本局设置没有变化")
    return redirect("/admin", f"本局设置已保存（改动{len(changed)}项，已记入操作记录；新的办理操作按新设置执行）")


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
