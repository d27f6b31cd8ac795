"""Checks on what users send, before any rule reads it: shape, size, numbers and text.

Every value that reaches a case (party, officers, data, an action's payload) is JSON-shaped and
is stored twice (in the case and in its event), shown on pages and printed in documents. So it
must be small and shallow enough to store, render and serialise; its numbers must be finite and
within a range where two decimal places are exact; its text must be valid Unicode in one form
(NFC, so "é" typed two ways is one name) without control or bidi-override characters, which
make a printed name read differently from the stored one. A refusal names the problem in
Chinese and the offending place (``field``, a dotted path) in its detail.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from engine.errors import InvalidInput

MAX_DEPTH = 16  # a case's data is records of records of lists, never deeper than a few levels
MAX_NODES = 10_000  # values in one submission, containers included
MAX_TEXT = 20_000  # characters in one text value (a long 调查终结报告 fits)
MAX_KEY = 100  # characters in one key
MAX_NUMBER = 10**15  # beyond this an amount in yuan has no exact cents (and no real case has it)
MAX_ID = 2**31 - 1  # the largest row id the databases' INTEGER keys hold (PostgreSQL int4)

LINE_BREAKS = frozenset("\n\r\t")
# Explicit bidirectional formatting characters (Unicode UAX #9): they reorder what is shown.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Every character ``_forbidden`` names, found by one scan in C instead of a Python loop per character
# (every action cleans its payload): control characters (general category Cc, fixed by Unicode's
# stability policy to U+0000–U+001F and U+007F–U+009F) but the line breaks, surrogates (Cs), bidi controls.
_SUSPECT = "\x7f-\x9f\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS))
_SUSPECT_IN_LINES = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_SUSPECT}]")  # \t \n \r allowed
_SUSPECT_IN_ONE_LINE = re.compile(f"[\x00-\x1f{_SUSPECT}]")


def clean_text(value: str, field: str, *, multiline: bool = True) -> str:
    """``value`` in NFC, or a refusal if it is too long or carries control or bidi characters."""
    if len(value) > MAX_TEXT:
        raise InvalidInput(
            "TEXT_TOO_LONG",
            f"填写的文字过长：每项不得超过{MAX_TEXT}字，此项有{len(value)}字",
            field=field,
            length=len(value),
            limit=MAX_TEXT,
        )
    found = (_SUSPECT_IN_LINES if multiline else _SUSPECT_IN_ONE_LINE).search(value)
    if found is not None:
        char = found.group()
        kind = _forbidden(char, multiline)
        if kind:  # always (tests/unit/test_inputs.py checks every code point)
            raise InvalidInput(
                "TEXT_FORBIDDEN_CHARACTER",
                f"填写的内容含有不允许的{kind}（U+{ord(char):04X}），请删除后重新提交",
                field=field,
                character=f"U+{ord(char):04X}",
            )
    return unicodedata.normalize("NFC", value)


def _forbidden(char: str, multiline: bool) -> str | None:
    """What kind of character ``char`` is if it may not appear in text, else None."""
    if char in LINE_BREAKS:
        return None if multiline else "换行或制表符（此项只能填一行）"
    if char in BIDI_CONTROLS:
        return "文字方向控制字符"
    category = unicodedata.category(char)
    if category == "Cc":
        return "控制字符"
    if category == "Cs":
        return "无效字符（孤立的代理码元）"
    return None


def check_number(value: int | float, field: str) -> int | float:
    """A finite number no larger than ``MAX_NUMBER`` in absolute value, or a refusal."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput("NUMBER_NOT_FINITE", f"数值须为有限的数：{value}", field=field)
    if abs(value) > MAX_NUMBER:
        raise InvalidInput(
            "NUMBER_OUT_OF_RANGE",
            f"数值超出允许范围（绝对值不得超过一千万亿）：{value:.6g}",
            field=field,
            limit=MAX_NUMBER,
        )
    return value


def clean_json(value: Any, field: str = "", *, multiline: bool = True) -> Any:
    """A JSON-shaped ``value`` with its text normalised, or a refusal naming the first problem.

    Checks nesting (at most ``MAX_DEPTH`` levels) and size (``MAX_NODES`` values) first,
    without recursion, so a hostile depth cannot exhaust the stack; then every number and
    every text, keys included.
    """

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, str):
            return clean_text(node, path, multiline=multiline)
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int | float):
            return check_number(node, path)
        if isinstance(node, dict):
            cleaned = {}
            for key, item in node.items():
                if not isinstance(key, str):
                    raise InvalidInput("DATA_INVALID", "数据的键须为文字", field=path)
                where = f"{path}.{_printable(key)}" if path else _printable(key)
                if len(key) > MAX_KEY:
                    raise InvalidInput("KEY_TOO_LONG", f"数据项名称过长：不得超过{MAX_KEY}字", field=where)
                cleaned[clean_text(key, where, multiline=False)] = walk(item, where)
            return cleaned
        if isinstance(node, list | tuple):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(node)]
        raise InvalidInput("DATA_INVALID", f"不支持的数据类型：{type(node).__name__}", field=path)

    _check_depth(value, field)
    return walk(value, field)


def _printable(key: str) -> str:
    """A key as it may appear in an error's detail: escaped if it is not printable, cut if long."""
    shown = key if key.isprintable() else key.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= MAX_KEY else shown[:MAX_KEY] + "…"


def _check_depth(value: Any, field: str) -> None:
    """Refuse a structure deeper than ``MAX_DEPTH`` without recursing into it."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            raise InvalidInput(
                "DATA_TOO_DEEP", f"提交的数据嵌套过深：不得超过{MAX_DEPTH}层", field=field, limit=MAX_DEPTH
            )
        if seen > MAX_NODES:
            raise InvalidInput(
                "DATA_TOO_LARGE", f"提交的数据项过多：不得超过{MAX_NODES}项", field=field, limit=MAX_NODES
            )
        if isinstance(node, dict):
            stack.extend((item, depth + 1) for item in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((item, depth + 1) for item in node)


def clean_opening(
    party: dict[str, Any], officers: list[dict[str, Any]], data: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """Party, officers and data of a new case, cleaned; names and numbers on one line."""
    return (
        clean_json(party, "party", multiline=False),
        clean_json(officers, "officers", multiline=False),
        clean_json(data, "data"),
    )


def in_id_range(value: int) -> bool:
    """Whether ``value`` can be a row id at all; outside this range no row exists."""
    return 1 <= value <= MAX_ID
