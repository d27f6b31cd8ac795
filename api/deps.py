"""FastAPI dependencies as Annotated aliases; tests override them through app.state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.engine import Engine

from api.config import Settings
from api.security import read_token
from api.users import actor_of, user_by_name
from engine.cases import CaseService
from engine.errors import DomainError
from engine.library import Library
from engine.model import Actor

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    library: Library
    cases: CaseService


class Unauthenticated(DomainError):
    kind = "unauthenticated"


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.caseflow
    return state


State = Annotated[AppState, Depends(app_state)]


def current_actor(request: Request, state: State, token: Annotated[str | None, Depends(oauth2)]) -> Actor:
    """The user of a bearer token (API) or of the session cookie (pages)."""
    token = token or request.cookies.get("caseflow_session")
    username = read_token(token, state.settings.secret) if token else None
    user = user_by_name(state.engine, username) if username else None
    if user is None or not user.active:
        raise Unauthenticated("NOT_AUTHENTICATED", "请先登录")
    return scoped(actor_of(user), state.library)


def scoped(actor: Actor, library: Library) -> Actor:
    """The actor with the reading scope his roles declare (processes/roles.yaml)."""
    return replace(actor, reads=library.readable_flows(actor.roles))


CurrentActor = Annotated[Actor, Depends(current_actor)]
