from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import CurrentActor, State, Unauthenticated
from api.security import make_token
from api.users import authenticate, is_locked

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/token")
def token(state: State, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    """OAuth2 password flow: a bearer token for a user's name and password."""
    user = authenticate(state.engine, form.username, form.password)
    if user is None:
        if is_locked(state.engine, form.username):
            raise Unauthenticated("ACCOUNT_LOCKED", "连续登录失败次数过多，账户已暂时锁定，请15分钟后再试")
        raise Unauthenticated("BAD_CREDENTIALS", "用户名或密码错误")
    return {
        "access_token": make_token(user.username, state.settings.secret, state.settings.token_minutes),
        "token_type": "bearer",
    }


@router.get("/me")
def me(actor: CurrentActor) -> dict[str, object]:
    return {
        "username": actor.username,
        "name": actor.name,
        "bureau": actor.bureau,
        "roles": sorted(r.value for r in actor.roles),
        "cert_no": actor.cert_no,
    }
