"""Document numbers (文号) in the bureau's style, e.g. 辛医保罚决〔2026〕3号.

The sequence is ``engine.numbering.next_number`` per bureau, kind and year, taken in the
issuing action's own transaction: gap-free, never duplicated, and given back if the action
fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from documents.kinds import Kind
from engine.numbering import next_number
from engine.timeutil import local

PREVIEW_NUMBER = "〔预览〕"


def counter_kind(kind: Kind) -> str:
    return f"doc:{kind.key}"


def prefix_of(settings: dict[str, Any], agency: str) -> str:
    """The bureau setting ``doc_prefix`` (e.g. 辛医保); else the first two characters of the agency + 医保."""
    return str(settings.get("doc_prefix") or f"{agency[:2]}医保")


def format_number(prefix: str, kind: Kind, year: int, seq: int) -> str:
    return f"{prefix}{kind.infix}〔{year}〕{seq}号"


def take_number(
    session: Session, bureau: str, kind: Kind, moment: datetime, prefix: str
) -> tuple[int, int, str]:
    """(year, seq, 文号) for a document issued at ``moment``; the year is the Beijing calendar year."""
    year = local(moment).year
    seq = next_number(session, bureau, counter_kind(kind), year)
    return year, seq, format_number(prefix, kind, year, seq)
