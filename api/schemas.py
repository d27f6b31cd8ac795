"""Request bodies of the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engine.errors import InvalidInput


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        from engine.timeutil import TZ

        return value.replace(tzinfo=TZ)  # a moment typed without offset is Beijing time
    return value


class Officer(Body):
    name: str = Field(min_length=1)
    cert_no: str = Field(min_length=1)


class Link(Body):
    case_id: int
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
