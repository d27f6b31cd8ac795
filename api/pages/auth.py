"""Login and logout for browser users: the session cookie holds the API's JWT."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.deps import State
from api.pages.web import (
    SESSION_COOKIE,
    check_csrf,
    landing,
    page_actor,
    posted_form,
    redirect,
    render,
    session_actor,
)
from api.security import make_token
from api.users import authenticate, is_locked
from engine.errors import DomainError

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"


@router.get("/static/{name}")
def static(name: str) -> Response:
    path = (STATIC / name).resolve()
    if path.parent != STATIC or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, headers={"Cache-Control": "max-age=300"})


@router.get("/")
def home(request: Request, state: State) -> Response:
    actor = session_actor(request, state)
    return redirect(landing(actor) if actor else "/login")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, state: State, next: str = "") -> Response:
    actor = session_actor(request, state)
    if actor is not None:
        return redirect(landing(actor))
    return render(request, state, "login.html", None, next=_safe_next(next), username="")


@router.post("/login")
async def login(request: Request, state: State) -> Response:
    form = await request.form()
    username = str(form.get("username") or "").strip()
    next_url = _safe_next(str(form.get("next") or ""))
    try:
        check_csrf(request, state, form)
    except DomainError as error:
        return render(request, state, "login.html", None, 403, error=error.message, username=username, next=next_url)
    user = authenticate(state.engine, username, str(form.get("password") or ""))
    if user is None:
        message = (
            "连续登录失败次数过多，账户已暂时锁定，请15分钟后再试"
            if is_locked(state.engine, username)
            else "用户名或密码错误"
        )
        return render(request, state, "login.html", None, 401, error=message, username=username, next=next_url)
    from api.users import actor_of

    response = redirect(next_url or landing(actor_of(user)))
    response.set_cookie(
        SESSION_COOKIE,
        make_token(user.username, state.settings.secret, state.settings.token_minutes),
        max_age=state.settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=state.settings.secure_cookies,
    )
    return response


@router.post("/logout")
async def logout(request: Request, state: State) -> Response:
    page_actor(request, state)
    await posted_form(request, state)
    response = redirect("/login", "已退出登录")
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=state.settings.secure_cookies)
    return response


def _safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no host) may follow a login."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""
