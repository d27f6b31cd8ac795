"""Administration of one user, the certificate register and the record of administration."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import registers, users
from api.bureaus import record_rows
from api.deps import AppState, State
from api.pages.web import PageActor, posted_form, redirect, render, render_error, require_role
from engine.certificates import KINDS
from engine.definitions import ROLE_LABELS, Role
from engine.errors import DomainError, InvalidInput
from engine.model import Actor

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def _status(error: DomainError | None) -> int:
    return 200 if error is None else {"invalid": 422, "forbidden": 403, "not_found": 404}.get(error.kind, 409)


def _date(form: Any, name: str, label: str) -> date | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("DATE_INVALID", f"{label}不是有效日期：{raw}（应为 2026-01-31 这样的格式）", field=name) from None


# --- one user ----------------------------------------------------------------------------


def _user_page(
    request: Request, state: AppState, actor: Actor, username: str, error: DomainError | None = None,
    notice: str = "",
) -> Response:
    try:
        require_role(actor, Role.admin)
        user = users.summary(state.engine, actor.bureau, username)
    except DomainError as problem:
        return render_error(request, state, actor, problem)
    row = next(u for u in users.listing(state.engine, actor.bureau) if u["username"] == username)
    certs = [c for c in registers.certificate_rows(state.engine, actor.bureau, date.today()) if c["username"] == username]
    return render(
        request, state, "admin_user.html", actor, _status(error), error=error, notice=notice,
        user=user, row=row, certificates=certs, kinds=KINDS,
        departments=[d for d in registers.departments(state.engine, actor.bureau) if d.active],
        roles=list(Role), role_labels=ROLE_LABELS, title=f"用户 {user['name']}",
    )


@router.get("/admin/users/{username}")
def user_page(request: Request, state: State, actor: PageActor, username: str, notice: str = "") -> Response:
    return _user_page(request, state, actor, username, notice=notice)


def _back(username: str, notice: str) -> Response:
    return redirect(f"/admin/users/{quote(username)}", notice)


@router.post("/admin/users/{username}")
async def change_user(request: Request, state: State, actor: PageActor, username: str) -> Response:
    try:
        require_role(actor, Role.admin)
        form = await posted_form(request, state)
        users.update_user(
            state.engine,
            actor.bureau,
            username,
            by=actor,
            name=str(form.get("name") or "").strip() or None,
            roles=[str(r) for r in form.getlist("roles")],
            department=str(form.get("department") or ""),
        )
    except DomainError as error:
        return _user_page(request, state, actor, username, error)
    return _back(username, "已保存用户信息")


@router.post("/admin/users/{username}/active")
async def change_active(request: Request, state: State, actor: PageActor, username: str) -> Response:
    try:
        require_role(actor, Role.admin)
        form = await posted_form(request, state)
        active = str(form.get("active") or "") == "on"
        ended = users.set_active(state.engine, actor.bureau, username, active, by=actor)
    except DomainError as error:
        return _user_page(request, state, actor, username, error)
    return _back(username, "已启用该用户" if active else f"已停用该用户，结束了{ended}处登录")


@router.post("/admin/users/{username}/password")
async def reset_password(request: Request, state: State, actor: PageActor, username: str) -> Response:
    try:
        require_role(actor, Role.admin)
        form = await posted_form(request, state)
        ended = users.reset_password(state.engine, actor.bureau, username, str(form.get("password") or ""), by=actor)
    except DomainError as error:
        return _user_page(request, state, actor, username, error)
    return _back(username, f"已重置密码，结束了该用户的{ended}处登录")


@router.post("/admin/users/{username}/unlock")
async def unlock(request: Request, state: State, actor: PageActor, username: str) -> Response:
    try:
        require_role(actor, Role.admin)
        await posted_form(request, state)
        done = users.unlock(state.engine, actor.bureau, username, by=actor)
    except DomainError as error:
        return _user_page(request, state, actor, username, error)
    return _back(username, "已解除登录锁定" if done else "该账户当前没有被锁定")


# --- certificates ------------------------------------------------------------------------


def _certificates_page(
    request: Request, state: AppState, actor: Actor, error: DomainError | None = None, notice: str = "",
    form: Any = None,
) -> Response:
    try:
        require_role(actor, Role.admin)
    except DomainError as forbidden:
        return render_error(request, state, actor, forbidden)
    return render(
        request, state, "admin_certificates.html", actor, _status(error), error=error, notice=notice, form=form,
        certificates=registers.certificate_rows(state.engine, actor.bureau, date.today()),
        users=users.listing(state.engine, actor.bureau), kinds=KINDS, title="执法证与法律职业资格登记",
    )


@router.get("/admin/certificates")
def certificates_page(request: Request, state: State, actor: PageActor, notice: str = "") -> Response:
    return _certificates_page(request, state, actor, notice=notice)


@router.post("/admin/certificates")
async def add_certificate(request: Request, state: State, actor: PageActor) -> Response:
    form = await request.form()
    try:
        require_role(actor, Role.admin)
        await posted_form(request, state)
        cert = registers.add_certificate(
            state.engine,
            str(form.get("username") or ""),
            str(form.get("number") or ""),
            by=actor,
            bureau=actor.bureau,
            kind=str(form.get("kind") or "enforcement"),
            valid_from=_date(form, "valid_from", "有效期起"),
            valid_to=_date(form, "valid_to", "有效期止"),
            issuer=str(form.get("issuer") or ""),
        )
    except DomainError as error:
        return _certificates_page(request, state, actor, error, form=form)
    return redirect("/admin/certificates", f"已登记{KINDS[cert.kind]} {cert.number}")


@router.post("/admin/certificates/revoke")
async def revoke_certificate(request: Request, state: State, actor: PageActor) -> Response:
    form = await request.form()
    try:
        require_role(actor, Role.admin)
        await posted_form(request, state)
        chosen = str(form.get("certificate") or "")
        rows = registers.certificate_rows(state.engine, actor.bureau, date.today())
        row = next((r for r in rows if str(r["id"]) == chosen), None)
        if row is None:
            raise InvalidInput("CERT_NOT_FOUND", "请选择要注销的证件", field="certificate")
        cert = registers.revoke_certificate(
            state.engine, row["number"], str(form.get("reason") or ""), by=actor, bureau=actor.bureau, kind=row["kind"]
        )
    except DomainError as error:
        return _certificates_page(request, state, actor, error, form=form)
    return redirect("/admin/certificates", f"已注销{KINDS[cert.kind]} {cert.number}")


# --- the record of administration --------------------------------------------------------


@router.get("/admin/log")
def record_page(request: Request, state: State, actor: PageActor, page: int = 1) -> Response:
    try:
        require_role(actor, Role.admin)
    except DomainError as forbidden:
        return render_error(request, state, actor, forbidden)
    page = max(page, 1)
    total, rows = record_rows(state.engine, actor.bureau, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render(
        request, state, "admin_log.html", actor, entries=rows, total=total, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), title="操作记录",
    )
