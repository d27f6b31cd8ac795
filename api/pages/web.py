"""What every page shares: templates, the logged-in user, CSRF tokens, rendering and errors.

The session cookie holds the same JWT as the API's bearer token, so pages and API share
users and roles. CSRF is a signed double-submit token bound to the session: a random cookie
value and, in every form, the HMAC under the app secret of that value and of the session
cookie; a POST whose halves disagree, or that comes with another session than the form was
made for, is refused. So a token taken from one's own session (or planted as a cookie) is
worthless in anybody else's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from api.deps import AppState, State, scoped
from api.login import actor_of_token
from engine.definitions import ROLE_LABELS, Role
from engine.errors import DomainError, Forbidden
from engine.model import Actor
from engine.reminders import unread_count
from engine.timeutil import local

SESSION_COOKIE = "caseflow_session"
CSRF_COOKIE = "caseflow_csrf"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

STATUS_LABELS = {
    "running": "进行中",
    "due_soon": "即将到期",
    "overdue": "已超期",
    "satisfied": "已完成",
    "satisfied_late": "逾期完成",
    "suspended": "已中止（期限暂停计算）",
    "cancelled": "已撤销",
    "elapsed": "已届满",
}
STATUS_EXPLAINED = {
    "running": "期限正在计算，尚未临近届满。",
    "due_soon": "期限即将届满，请尽快办理。",
    "overdue": "已超过法定期限，存在追责风险。",
    "satisfied": "已在期限内完成。",
    "satisfied_late": "已完成，但超过了期限。",
    "suspended": "依法不计入期限的事项进行中，期限暂停计算。",
    "cancelled": "该期限因案件终止等原因不再计算。",
    "elapsed": "当事人的期限已经届满，可办理下一步。",
}


def fmt_moment(value: Any, with_time: bool = True) -> str:
    """A stored ISO moment as Beijing wall-clock text."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"{local(moment):%Y-%m-%d %H:%M}" if with_time else f"{local(moment):%Y-%m-%d}"


def clip(value: Any, length: int) -> str:
    """A long name cut to ``length`` characters, the last an ellipsis; the page keeps the whole in a title."""
    text = "" if value is None else str(value)
    return text if len(text) <= length else text[: length - 1] + "…"


def role_labels(roles: Any) -> str:
    return "、".join(ROLE_LABELS[Role(r)] for r in roles if r in Role.__members__)


ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def labelled(record: Any, leave_out: Any = ()) -> list[tuple[str, str]]:
    """A record's values with their Chinese labels, leaving out those with nothing to show (a page
    never reads "理由：；") and a value stored under two keys of one label (article, basis_article)."""
    if not isinstance(record, dict):
        return []
    pairs = [(field_label(k), show(v)) for k, v in record.items() if k not in leave_out]
    return list(dict.fromkeys((label, text) for label, text in pairs if text.strip()))


def show(value: Any) -> str:
    """A payload or data value as plain Chinese-readable text (no JSON escapes)."""
    if isinstance(value, dict):
        return "；".join(f"{label}：{text}" for label, text in labelled(value))
    if isinstance(value, list):
        return "、".join(show(v) for v in value)
    if isinstance(value, str):
        from api.pages.fields import value_labels

        if ISO_MOMENT.match(value):
            return fmt_moment(value)
        return value_labels().get(value, value)
    if value is True:
        return "是"
    if value is False:
        return "否"
    return "" if value is None else str(value)


def field_label(name: Any) -> str:
    """The Chinese name of a stored field; a key nobody named is not shown as such (其他记录)."""
    from api.pages.fields import DATA_LABELS, FLOW_FIELD_LABELS, KNOWN

    key = str(name)
    known = KNOWN.get(key)
    if known:
        return known[0]
    label = DATA_LABELS.get(key) or FLOW_FIELD_LABELS.get(key)
    if label:
        return label
    return key if not re.fullmatch(r"[A-Za-z0-9_.]+", key) else "其他记录"


# A rule taken from a secondary source carries "verify" in its flow's ``law`` (LEGAL.md): it is a
# bureau setting. The flow page says so in Chinese; an officer's case page shows the law alone.
VERIFY_MARK = re.compile(r"[；;，,]?\s*verify(?: article)?\s*[：:；;，,]?\s*")
EMPTY_BRACKETS = re.compile(r"[（(]\s*[）)]")


def law_for_case(text: Any) -> str:
    """The legal source as an officer reads it, without the marker of a rule still to be verified."""
    return EMPTY_BRACKETS.sub("", VERIFY_MARK.sub("", str(text or "")))


def law_for_flow(text: Any) -> str:
    """The legal source on the flow page: a rule to be verified reads as a setting of the bureau."""
    return VERIFY_MARK.sub("；依据有待核实，按本局设置；", str(text or "")).replace("（；", "（").replace("；）", "）").replace("(；", "(").replace("；)", ")")


TEMPLATES.env.filters["law"] = law_for_case
TEMPLATES.env.filters["law_setting"] = law_for_flow
TEMPLATES.env.filters["show"] = show
TEMPLATES.env.filters["labelled"] = labelled
TEMPLATES.env.filters["label"] = field_label
TEMPLATES.env.filters["moment"] = fmt_moment
TEMPLATES.env.filters["day"] = lambda v: fmt_moment(v, with_time=False)
TEMPLATES.env.filters["roles"] = role_labels
TEMPLATES.env.filters["clip"] = clip
TEMPLATES.env.globals["STATUS_LABELS"] = STATUS_LABELS
TEMPLATES.env.globals["STATUS_EXPLAINED"] = STATUS_EXPLAINED


# --- session -----------------------------------------------------------------------------


def session_actor(request: Request, state: AppState) -> Actor | None:
    actor = actor_of_token(state.engine, state.settings, request.cookies.get(SESSION_COOKIE))
    return scoped(actor, state.library) if actor is not None else None


async def page_actor(request: Request, state: State) -> Actor:
    """The logged-in user of a page; anyone else is sent to the login page (read on the event loop,
    as ``api.deps.current_actor``)."""
    actor = session_actor(request, state)
    if actor is None:
        target = request.url.path
        raise HTTPException(status_code=303, headers={"Location": f"/login?next={target}"})
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def require_role(actor: Actor, *roles: Role) -> None:
    if not actor.roles & set(roles):
        allowed = "、".join(ROLE_LABELS[r] for r in roles)
        raise Forbidden("PAGE_FORBIDDEN", f"此页面仅限{allowed}使用")


def landing(actor: Actor) -> str:
    """The page each role starts on."""
    if Role.officer in actor.roles:
        return "/workbench"
    if Role.clerk in actor.roles:
        return "/hall"
    if actor.roles & {Role.head, Role.supervisor}:
        return "/dashboard"
    if Role.reviewer in actor.roles:
        return "/workbench?view=review"
    if Role.admin in actor.roles:
        return "/admin"
    return "/catalogue"


# --- CSRF --------------------------------------------------------------------------------


def _sign(secret: str, nonce: str, session: str) -> str:
    bound = hashlib.sha256(session.encode()).hexdigest()
    return hmac.new(secret.encode(), f"csrf:{nonce}:{bound}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request, state: AppState) -> str:
    """The token a form of this page carries: for this browser's nonce and this session."""
    return _sign(state.settings.secret, csrf_nonce(request), request.cookies.get(SESSION_COOKIE) or "")


def csrf_nonce(request: Request) -> str:
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_nonce", None)
    if not nonce:
        nonce = secrets.token_urlsafe(24)
        request.state.csrf_nonce = nonce
    return str(nonce)


def check_csrf(request: Request, state: AppState, form: Any) -> None:
    nonce = request.cookies.get(CSRF_COOKIE)
    given = str(form.get("csrf") or "")
    session = request.cookies.get(SESSION_COOKIE) or ""
    if not nonce or not hmac.compare_digest(given, _sign(state.settings.secret, nonce, session)):
        raise Forbidden("CSRF_FAILED", "表单已过期或来源不明，请刷新页面后重新提交")


async def posted_form(request: Request, state: AppState) -> Any:
    """The submitted form, after its CSRF token has been checked."""
    form = await request.form()
    check_csrf(request, state, form)
    return form


# --- rendering ---------------------------------------------------------------------------


NAV = [
    ("/workbench", "我的案件", {Role.officer, Role.reviewer}),
    ("/hall", "服务大厅", {Role.clerk}),
    ("/dashboard", "督办看板", {Role.head, Role.supervisor}),
    ("/approvals", "待我审批", {Role.head}),
    ("/cases", "全部案件", {Role.officer, Role.head, Role.supervisor, Role.reviewer, Role.clerk}),
    ("/statistics", "统计", {Role.head, Role.supervisor}),
    ("/catalogue", "权责清单", set(Role)),
    ("/admin", "系统管理", {Role.admin}),
]


def render(
    request: Request,
    state: AppState,
    template: str,
    actor: Actor | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    nonce = csrf_nonce(request)
    nav = [(href, label) for href, label, roles in NAV if actor and actor.roles & roles]
    bureau = state.library.catalogues.get(actor.bureau) if actor else None
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "nav": nav,
            "bureau_name": bureau.bureau.name if bureau else "",
            "csrf": csrf_token(request, state),
            "path": request.url.path,
            "unread": unread_count(state.engine, actor) if actor else 0,
            **context,
        },
        status_code=status_code,
    )
    if request.cookies.get(CSRF_COOKIE) != nonce:
        response.set_cookie(
            CSRF_COOKIE,
            nonce,
            httponly=True,
            samesite="strict",
            secure=state.settings.secure_cookies,
        )
    return response


def render_error(request: Request, state: AppState, actor: Actor | None, error: DomainError) -> HTMLResponse:
    status = {"not_found": 404, "forbidden": 403, "invalid": 422, "unauthenticated": 401, "throttled": 429}.get(
        error.kind, 409
    )
    return render(request, state, "error.html", actor, status_code=status, error=error)


def redirect(url: str, notice: str | None = None) -> RedirectResponse:
    if notice:
        from urllib.parse import quote

        url += ("&" if "?" in url else "?") + "notice=" + quote(notice)
    return RedirectResponse(url, status_code=303)
