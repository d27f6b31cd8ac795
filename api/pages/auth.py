"""Login, logout and 修改密码 for browser users: the session cookie holds the API's token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.config import Settings
from api.deps import AppState, State, client_address
from api.login import log_in, log_out, new_session
from api.pages.web import (
    SESSION_COOKIE,
    PageActor,
    check_csrf,
    landing,
    page_actor,
    posted_form,
    redirect,
    render,
    session_actor,
)
from api.users import change_own_password
from engine.errors import DomainError, InvalidInput

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"


@router.get("/static/{name}")
def static(name: str) -> Response:
    path = (STATIC / name).resolve()
    if path.parent != STATIC or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, headers={"Cache-Control": "max-age=300"})


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every site, pages or not (the pages name the SVG one)."""
    return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"})


@router.get("/")
def home(request: Request, state: State) -> Response:
    actor = session_actor(request, state)
    return redirect(landing(actor) if actor else "/login")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, state: State, next: str = "") -> Response:
    actor = session_actor(request, state)
    if actor is not None:
        return redirect(landing(actor))
    return _login_form(request, state, next=_safe_next(next), username="")


def _login_form(request: Request, state: AppState, status_code: int = 200, **context: Any) -> Response:
    settings = state.settings
    return render(
        request, state, "login.html", None, status_code,
        attempts=settings.login_attempts, lock_minutes=settings.login_lock_minutes, **context,
    )


@router.post("/login")
async def login(request: Request, state: State) -> Response:
    form = await request.form()
    username = str(form.get("username") or "").strip()
    next_url = _safe_next(str(form.get("next") or ""))
    try:
        check_csrf(request, state, form)
        # hashing and the database take a while: off the event loop, like the API's sync route
        actor, token = await run_in_threadpool(
            log_in, state.engine, state.settings, username, str(form.get("password") or ""), client_address(request)
        )
    except DomainError as error:
        status = {"forbidden": 403, "throttled": 429}.get(error.kind, 401)
        return _login_form(request, state, status, error=error.message, username=username, next=next_url)
    response = redirect(next_url or landing(actor))
    _set_session(response, state.settings, token)
    return response


def _set_session(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


@router.post("/logout")
async def logout(request: Request, state: State) -> Response:
    await page_actor(request, state)
    await posted_form(request, state)
    log_out(state.engine, state.settings, request.cookies.get(SESSION_COOKIE))
    response = redirect("/login", "已退出登录")
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=state.settings.secure_cookies)
    return response


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, state: State, actor: PageActor, notice: str = "") -> Response:
    return render(request, state, "password.html", actor, notice=notice, title="修改密码")


@router.post("/password")
async def change_password(request: Request, state: State, actor: PageActor) -> Response:
    """Change one's own password; every session ends, this browser gets a fresh one."""
    try:
        form = await posted_form(request, state)
        new, again = str(form.get("new_password") or ""), str(form.get("new_password_again") or "")
        if new != again:
            raise InvalidInput("PASSWORD_MISMATCH", "两次输入的新密码不一致", field="new_password_again")
        ended = change_own_password(state.engine, actor, str(form.get("current_password") or ""), new)
    except DomainError as error:
        status = 403 if error.kind == "forbidden" else 422
        return render(request, state, "password.html", actor, status, error=error, title="修改密码")
    response = redirect("/password", f"密码已修改，其他{max(ended - 1, 0)}处登录已失效")
    _set_session(response, state.settings, new_session(state.engine, state.settings, actor, client_address(request)))
    return response


def _safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no host) may follow a login."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""
