"""Administration over JSON: users, departments, certificates, settings and their record (admins only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api import registers, users
from api.bureaus import record_rows, save_settings, settings_of
from api.deps import CurrentActor, State
from engine.definitions import Role
from engine.errors import Forbidden
from engine.model import Actor

router = APIRouter(prefix="/api/admin", tags=["admin"])


async def admin_actor(actor: CurrentActor) -> Actor:
    if Role.admin not in actor.roles:
        raise Forbidden("ADMIN_ONLY", "仅限本局系统管理员操作")
    return actor


Admin = Annotated[Actor, Depends(admin_actor)]


class NewUser(BaseModel):
    username: str = Field(max_length=40)
    name: str | None = Field(default=None, max_length=80)
    roles: list[str]
    password: str = Field(max_length=200)
    department: str | None = Field(default=None, max_length=80)
    cert_no: str | None = Field(default=None, max_length=60)
    cert_valid_from: date | None = None
    cert_valid_to: date | None = None


class UserChange(BaseModel):
    name: str | None = Field(default=None, max_length=80)
    roles: list[str] | None = None
    department: str | None = Field(default=None, max_length=80, description="空字符串表示取消所属承办机构")
    active: bool | None = None


class NewPassword(BaseModel):
    password: str = Field(max_length=200)


class NewDepartment(BaseModel):
    name: str = Field(max_length=80)


class DepartmentChange(BaseModel):
    name: str | None = Field(default=None, max_length=80)
    active: bool | None = None


class NewCertificate(BaseModel):
    kind: str = Field(default="enforcement", description="enforcement 执法证；legal 法律职业资格证书")
    number: str = Field(max_length=60)
    username: str = Field(max_length=40)
    issuer: str | None = Field(default=None, max_length=120)
    valid_from: date | None = None
    valid_to: date | None = None


class Revocation(BaseModel):
    reason: str = Field(max_length=200)


class SettingsBody(BaseModel):
    settings: dict[str, Any]


@router.get("/users")
def list_users(state: State, actor: Admin) -> list[dict[str, Any]]:
    return users.listing(state.engine, actor.bureau)


@router.post("/users", status_code=201)
def create_user(state: State, actor: Admin, body: NewUser) -> dict[str, Any]:
    """Create a user of the administrator's bureau; an officer's 执法证 is registered with it."""
    users.create_user(
        state.engine,
        body.username,
        bureau=actor.bureau,
        roles=body.roles,
        password=body.password,
        name=body.name,
        cert_no=body.cert_no,
        cert_valid_from=body.cert_valid_from,
        cert_valid_to=body.cert_valid_to,
        department=body.department,
        by=actor.username,
    )
    return users.summary(state.engine, actor.bureau, body.username.strip())


@router.patch("/users/{username}")
def change_user(state: State, actor: Admin, username: str, body: UserChange) -> dict[str, Any]:
    """Change name, roles, department or enabled state; disabling ends every session of the user."""
    ended = users.update_user(
        state.engine, actor.bureau, username, by=actor, name=body.name, roles=body.roles,
        department=body.department, active=body.active,
    )
    return {**users.summary(state.engine, actor.bureau, username), "sessions_ended": ended}


@router.post("/users/{username}/password")
def reset_password(state: State, actor: Admin, username: str, body: NewPassword) -> dict[str, int]:
    """Set a new password for a user; every session of the user ends."""
    return {"sessions_ended": users.reset_password(state.engine, actor.bureau, username, body.password, by=actor)}


@router.post("/users/{username}/unlock")
def unlock(state: State, actor: Admin, username: str) -> dict[str, bool]:
    return {"unlocked": users.unlock(state.engine, actor.bureau, username, by=actor)}


@router.get("/departments")
def list_departments(state: State, actor: Admin) -> list[dict[str, Any]]:
    return [d.model_dump() for d in registers.departments(state.engine, actor.bureau)]


@router.post("/departments", status_code=201)
def add_department(state: State, actor: Admin, body: NewDepartment) -> dict[str, Any]:
    return registers.add_department(state.engine, actor.bureau, body.name, by=actor).model_dump()


@router.patch("/departments/{department_id}")
def change_department(state: State, actor: Admin, department_id: int, body: DepartmentChange) -> dict[str, Any]:
    return registers.update_department(
        state.engine, actor.bureau, department_id, by=actor, name=body.name, active=body.active
    ).model_dump()


@router.get("/certificates")
def list_certificates(state: State, actor: Admin, on: date | None = None) -> list[dict[str, Any]]:
    """The register with each certificate's status on a day (default today)."""
    return registers.certificate_rows(state.engine, actor.bureau, on or date.today())


@router.post("/certificates", status_code=201)
def add_certificate(state: State, actor: Admin, body: NewCertificate) -> dict[str, Any]:
    cert = registers.add_certificate(
        state.engine,
        body.username,
        body.number,
        by=actor,
        bureau=actor.bureau,
        kind=body.kind,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        issuer=body.issuer,
    )
    return next(r for r in registers.certificate_rows(state.engine, actor.bureau, date.today()) if r["id"] == cert.id)


@router.post("/certificates/{kind}/{number}/revoke")
def revoke_certificate(state: State, actor: Admin, kind: str, number: str, body: Revocation) -> dict[str, Any]:
    cert = registers.revoke_certificate(state.engine, number, body.reason, by=actor, bureau=actor.bureau, kind=kind)
    return next(r for r in registers.certificate_rows(state.engine, actor.bureau, date.today()) if r["id"] == cert.id)


@router.get("/settings")
def get_settings(state: State, actor: Admin) -> dict[str, Any]:
    return settings_of(state.engine, actor.bureau)


@router.put("/settings")
def put_settings(state: State, actor: Admin, body: SettingsBody) -> dict[str, Any]:
    """Replace the bureau's settings (each key checked); returns what changed."""
    changed = save_settings(state.engine, actor.bureau, body.settings, by=actor)
    return {"settings": settings_of(state.engine, actor.bureau), "changes": changed}


@router.get("/log")
def admin_log(
    state: State,
    actor: Admin,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Who changed which setting or account, when and what, newest first (hash-chained)."""
    total, rows = record_rows(state.engine, actor.bureau, size, (page - 1) * size)
    return {"total": total, "page": page, "size": size, "items": rows}
