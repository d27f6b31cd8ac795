from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from api.deps import CurrentActor, State, bearer_or_cookie, client_address
from api.login import log_in, log_out, new_session
from api.users import change_own_password, summary

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/token")
def token(
    request: Request, state: State, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> dict[str, str]:
    """OAuth2 password flow: a bearer token for a user's name and password.

    Attempts are limited per account and per client address; an unknown name gets the same
    answer as a wrong password.
    """
    _, access = log_in(state.engine, state.settings, form.username, form.password, client_address(request))
    return {"access_token": access, "token_type": "bearer"}


@router.post("/logout")
def logout(
    state: State, actor: CurrentActor, token: Annotated[str | None, Depends(bearer_or_cookie)]
) -> dict[str, bool]:
    """End the session of this token at once (the token is refused afterwards)."""
    return {"ended": log_out(state.engine, state.settings, token)}


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


@router.post("/password")
def change_password(request: Request, state: State, actor: CurrentActor, body: PasswordChange) -> dict[str, object]:
    """Change one's own password: every session of the user ends; a new token is returned."""
    ended = change_own_password(state.engine, actor, body.current_password, body.new_password)
    access = new_session(state.engine, state.settings, actor, client_address(request))
    return {"sessions_ended": ended, "access_token": access, "token_type": "bearer"}


@router.get("/me")
def me(state: State, actor: CurrentActor) -> dict[str, object]:
    return {
        "username": actor.username,
        "name": actor.name,
        "bureau": actor.bureau,
        "roles": sorted(r.value for r in actor.roles),
        "cert_no": actor.cert_no,
        "department": summary(state.engine, actor.bureau, actor.username)["department"],
    }
