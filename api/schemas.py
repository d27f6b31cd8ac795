"""Request bodies of the JSON API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.errors import InvalidInput, NotFound
from engine.inputs import MAX_ID, clean_json, in_id_range
from engine.timeutil import TZ, check_moment


class Body(BaseModel):
    """A JSON request body: checked whole (depth, size, numbers, text) before its fields are read."""

    model_config = ConfigDict(extra="forbid")
    single_line: ClassVar[bool] = False  # names and numbers: no line breaks either

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_json(value, multiline=not cls.single_line)


def aware_moment(value: datetime | None) -> datetime | None:
    """A moment typed without offset is Beijing time; one outside the years a case can have is refused."""
    if value is None:
        return None
    try:
        check_moment(value)
    except ValueError as error:
        raise InvalidInput("INVALID_DATE", str(error), field="occurred_at") from None
    return value if value.tzinfo else value.replace(tzinfo=TZ)


class Officer(Body):
    single_line = True
    name: Line = Field(min_length=1, title="姓名")
    cert_no: Annotated[str, Field(max_length=50)] = Field(min_length=1, title="执法证号")


def _id_check(code: str, noun: str) -> Callable[[int], int]:
    """A row id in a path: one outside the database's integer range names no row (404, not 500)."""

    def check(value: int) -> int:
        if not in_id_range(value):
            raise NotFound(code, f"没有编号为{value}的{noun}", id=str(value))
        return value

    return check


ID_RANGE = {"minimum": 1, "maximum": MAX_ID}
CaseId = Annotated[int, Path(json_schema_extra=ID_RANGE), AfterValidator(_id_check("CASE_NOT_FOUND", "案件"))]


def _list_key(value: str) -> str:
    """A list's key in a path (statements, seals …): anything else names no list (404)."""
    if not re.fullmatch(r"[a-z_]{1,60}", value):
        raise NotFound("LIST_NOT_FOUND", "本案的流程没有这项登记记录", key=value[:60])
    return value


ListKey = Annotated[str, Path(), AfterValidator(_list_key)]
DocumentId = Annotated[
    int, Path(json_schema_extra=ID_RANGE), AfterValidator(_id_check("DOCUMENT_NOT_FOUND", "文书"))
]


class Link(Body):
    case_id: int = Field(ge=1, le=MAX_ID)
    kind: str = "serves"


Line = Annotated[str, Field(max_length=200)]


class PartyBase(Body):
    single_line = True
    name: Line = Field(min_length=1, title="名称或姓名")
    address: Line | None = Field(default=None, title="住所或地址")
    phone: Annotated[str, Field(max_length=50)] | None = Field(default=None, title="联系电话")


class Individual(PartyBase):
    """当事人：公民 (a natural person)."""

    type: Literal["individual"] = Field(title="当事人类型：公民")
    id_no: Annotated[str, Field(max_length=50)] | None = Field(default=None, title="身份证件号码")


class Organisation(PartyBase):
    """当事人：法人或其他组织 (a legal person or another organisation)."""

    type: Literal["organisation"] = Field(title="当事人类型：法人或其他组织")
    credit_code: Annotated[str, Field(max_length=50)] | None = Field(default=None, title="统一社会信用代码")
    legal_rep: Line | None = Field(default=None, title="法定代表人或负责人")


Party = Annotated[Individual | Organisation, Field(discriminator="type")]


class FirstAction(Body):
    """An action fired in the same transaction as the opening (the hall: intake with its decision)."""

    trigger: str = Field(max_length=60)
    data: dict[str, Any] = Field(default_factory=dict)


class OpenCase(Body):
    item: str = Field(max_length=100)
    party: Party | None = None
    officers: list[Officer] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    occurred_at: datetime | None = None
    links: list[Link] = Field(default_factory=list)
    then: FirstAction | None = None

    _tz = field_validator("occurred_at")(classmethod(lambda cls, v: aware_moment(v)))

    def party_data(self) -> dict[str, Any]:
        """The party as the engine stores it: the given fields only."""
        return self.party.model_dump(exclude_none=True) if self.party else {}


class FireAction(Body):
    occurred_at: datetime | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    expected_version: int | None = None

    _tz = field_validator("occurred_at")(classmethod(lambda cls, v: aware_moment(v)))


def parse_as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    from engine.timeutil import parse_moment

    try:
        return parse_moment(value)
    except ValueError as error:
        raise InvalidInput("INVALID_DATE", f"统计时点（as_of）{error}", field="as_of") from None
