"""Request bodies of the JSON API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.errors import InvalidInput, NotFound
from engine.inputs import MAX_ID, clean_json, in_id_range


class Body(BaseModel):
    """A JSON request body: checked whole (depth, size, numbers, text) before its fields are read."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_json(value)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        from engine.timeutil import TZ

        return value.replace(tzinfo=TZ)  # a moment typed without offset is Beijing time
    return value


class Officer(Body):
    name: str = Field(min_length=1)
    cert_no: str = Field(min_length=1)


def _id_check(code: str, noun: str) -> Callable[[int], int]:
    """A row id in a path: one outside the database's integer range names no row (404, not 500)."""

    def check(value: int) -> int:
        if not in_id_range(value):
            raise NotFound(code, f"没有编号为{value}的{noun}", id=str(value))
        return value

    return check


ID_RANGE = {"minimum": 1, "maximum": MAX_ID}
CaseId = Annotated[int, Path(json_schema_extra=ID_RANGE), AfterValidator(_id_check("CASE_NOT_FOUND", "案件"))]
DocumentId = Annotated[
    int, Path(json_schema_extra=ID_RANGE), AfterValidator(_id_check("DOCUMENT_NOT_FOUND", "文书"))
]


class Link(Body):
    case_id: int = Field(ge=1, le=MAX_ID)
    kind: str = "serves"


class OpenCase(Body):
    item: str
    party: dict[str, Any] = Field(default_factory=dict)
    officers: list[Officer] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    occurred_at: datetime | None = None
    links: list[Link] = Field(default_factory=list)

    _tz = field_validator("occurred_at")(classmethod(lambda cls, v: _aware(v)))


class FireAction(Body):
    occurred_at: datetime | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    expected_version: int | None = None

    _tz = field_validator("occurred_at")(classmethod(lambda cls, v: _aware(v)))


def parse_as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    from engine.timeutil import parse_moment

    try:
        return parse_moment(value)
    except ValueError:
        raise InvalidInput("INVALID_DATE", f"as_of 不是有效的时间：{value}", field="as_of") from None
