"""Read-model tables: what every list and the dashboard query, kept by each action's transaction.

They hold nothing that is not derived from the case tables (``case``, ``clock``, ``document``):
``engine.readmodel`` writes them in the same transaction as the change they reflect, and
``caseflow readmodel rebuild`` recomputes them from scratch. Datetimes are naive UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, desc
from sqlmodel import Field, SQLModel

NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)  # sorts after every real deadline on both databases


class CaseSummary(SQLModel, table=True):
    """One row per case: what a list shows and filters on."""

    __tablename__ = "case_summary"
    # Lists order by (sort_due, case_id DESC); each list's filter is a prefix of one of these.
    __table_args__ = (
        Index("ix_case_summary_bureau_order", "bureau_code", "sort_due", desc("case_id")),
        Index("ix_case_summary_bureau_open_order", "bureau_code", "final", "sort_due", desc("case_id")),
        Index("ix_case_summary_bureau_role_order", "bureau_code", "awaiting_role", "final", "sort_due",
              desc("case_id")),
        Index("ix_case_summary_bureau_due", "bureau_code", "next_due_at"),
        Index("ix_case_summary_bureau_opened", "bureau_code", "opened_at"),
        Index("ix_case_summary_bureau_closed", "bureau_code", "closed_at"),
        Index("ix_case_summary_bureau_state", "bureau_code", "state"),
        Index("ix_case_summary_bureau_party_id", "bureau_code", "party_id_no"),
        Index("ix_case_summary_bureau_party_name", "bureau_code", "party_name"),
        Index("ix_case_summary_bureau_opened_by", "bureau_code", "opened_by", "final"),
    )

    case_id: int = Field(primary_key=True, foreign_key="case.id")
    bureau_code: str = Field(max_length=40)
    number: str = Field(max_length=80)
    item_code: str = Field(max_length=80)
    item_name: str = Field(max_length=300)
    power_type: str = Field(default="", max_length=40)
    department: str = Field(default="", max_length=120)
    flow_key: str = Field(max_length=60)
    flow_label: str = Field(max_length=120)
    state: str = Field(max_length=60)
    state_label: str = Field(max_length=120)
    stage: str = Field(default="", max_length=40)
    awaiting_role: str | None = Field(default=None, max_length=20)  # the role that acts in this state
    final: bool = False
    party_name: str = Field(default="", max_length=300)
    party_type: str = Field(default="", max_length=40)
    party_id_no: str = Field(default="", max_length=80)  # ID number or 统一社会信用代码
    officer_names: str = Field(default="", max_length=300)
    opened_by: str = Field(max_length=80)
    opened_at: datetime
    closed_at: datetime | None = None
    updated_at: datetime
    version: int
    next_due_at: datetime | None = None  # nearest running duty of the agency (not suspended, not the party's)
    next_due_soon_at: datetime | None = None  # from this moment that duty is due soon
    sort_due: datetime = Field(default=NO_DEADLINE)  # next_due_at, or far in the future: the lists' order
    next_clock_label: str | None = Field(default=None, max_length=120)
    party_due_at: datetime | None = None  # nearest running period of the party (payment, statement …)
    party_clock_label: str | None = Field(default=None, max_length=120)
    fine: Decimal | None = Field(default=None, sa_column=Column(Numeric(16, 2), nullable=True))
    paid: Decimal | None = Field(default=None, sa_column=Column(Numeric(16, 2), nullable=True))
    extras: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    search_text: str = Field(default="", max_length=2000)  # 案号, 文号, party name and ID, lower-cased


class CaseOfficer(SQLModel, table=True):
    """The officers assigned to a case (not recused), for "my cases" and per-officer figures."""

    __tablename__ = "case_officer"
    __table_args__ = (
        Index("ix_case_officer_bureau_cert", "bureau_code", "cert_no"),
        # the officers of a bureau by name, with their cases: index-only scans for officer_names
        # (one probe per name) and for the dashboard's figures per officer
        Index("ix_case_officer_bureau_name", "bureau_code", "name", "case_id"),
    )

    case_id: int = Field(primary_key=True, foreign_key="case.id")
    position: int = Field(primary_key=True)
    bureau_code: str = Field(max_length=40)
    cert_no: str = Field(default="", max_length=60)
    name: str = Field(default="", max_length=80)


class CaseActor(SQLModel, table=True):
    """Who took a step in a case (opened it or fired a transition): "my done cases" (我的已办)."""

    __tablename__ = "case_actor"
    __table_args__ = (Index("ix_case_actor_bureau_user", "bureau_code", "username"),)

    case_id: int = Field(primary_key=True, foreign_key="case.id")
    username: str = Field(primary_key=True, max_length=80)
    bureau_code: str = Field(max_length=40)


class OpenDuty(SQLModel, table=True):
    """One row per open clock of an open case: the dashboard's overdue and due-soon queries."""

    __tablename__ = "open_duty"
    __table_args__ = (
        Index("ix_open_duty_bureau_soon", "bureau_code", "party", "due_soon_at"),
        Index("ix_open_duty_case", "case_id"),
    )

    clock_id: int = Field(primary_key=True, foreign_key="clock.id")
    case_id: int = Field(foreign_key="case.id")
    bureau_code: str = Field(max_length=40)
    department: str = Field(default="", max_length=120)
    item_code: str = Field(max_length=80)
    flow_key: str = Field(max_length=60)
    key: str = Field(max_length=60)
    label: str = Field(max_length=120)
    party: bool = False
    # A suspended clock has no due moment while suspended: both are NULL until it resumes.
    due_at: datetime | None = None
    due_soon_at: datetime | None = None
    provisional: bool = False
    law: str = Field(max_length=300)
    accountability: str | None = Field(default=None, max_length=500)
    explanation: str = Field(default="", max_length=500)
