"""FastAPI dependencies as Annotated aliases; tests override them through app.state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.engine import Engine

from api.config import Settings
from api.login import Unauthenticated, actor_of_token
from engine.cases import CaseService
from engine.evidence_store import DatabaseStore, EvidenceStore
from engine.library import Library
from engine.model import Actor

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    library: Library
    cases: CaseService
    evidence: EvidenceStore = field(default_factory=DatabaseStore)  # where evidence files' bytes live


__all__ = ["AppState", "CurrentActor", "State", "Unauthenticated", "bearer_or_cookie", "client_address"]


async def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.caseflow
    return state


State = Annotated[AppState, Depends(app_state)]


async def bearer_or_cookie(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> str | None:
    """The bearer token (API) or the session cookie (pages)."""
    return token or request.cookies.get("caseflow_session")


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (uvicorn --proxy-headers sets it behind a proxy)."""
    return request.client.host if request.client else "unknown"


async def current_actor(state: State, token: Annotated[str | None, Depends(bearer_or_cookie)]) -> Actor:
    """The user of an open session, named by a bearer token or the session cookie.

    Read on the event loop: one indexed statement of a few columns (autocommit on PostgreSQL; a
    reader never waits on SQLite's WAL), cheaper than handing it to a thread of its own; every
    request asks it, and a route's own work then runs in the request threads."""
    actor = actor_of_token(state.engine, state.settings, token)
    if actor is None:
        raise Unauthenticated("NOT_AUTHENTICATED", "请先登录")
    return scoped(actor, state.library)


def scoped(actor: Actor, library: Library) -> Actor:
    """The actor with the reading scope his roles declare (processes/roles.yaml)."""
    return replace(actor, reads=library.readable_flows(actor.roles))


CurrentActor = Annotated[Actor, Depends(current_actor)]
