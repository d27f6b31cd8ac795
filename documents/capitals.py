"""Amounts in Chinese capital numerals (大写金额), as customary on notices: 150000 → 壹拾伍万元整."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
BIG_UNITS = ["", "万", "亿", "万亿"]


def _four(group: int) -> str:
    """0..9999 in capitals, with inner zeros collapsed (e.g. 1005 → 壹仟零伍)."""
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + SMALL_UNITS[position]
    return text


def _integer(value: int) -> str:
    if value == 0:
        return "零"
    groups: list[int] = []
    while value:
        groups.append(value % 10000)
        value //= 10000
    text = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or group < 1000):
            text += "零"
        text += _four(group) + BIG_UNITS[index]
        need_zero = False
    return text


def amount_in_capitals(amount: Decimal | int | float | str) -> str:
    """Yuan to 大写: 150000 → 壹拾伍万元整, 1005.5 → 壹仟零伍元伍角, 0.05 → 零元伍分."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        return "负" + amount_in_capitals(-value)
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    text = _integer(yuan) + "元"
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return text


def yuan(amount: Decimal | int | float | str) -> str:
    """人民币60,000.00元（大写：陆万元整）."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    return f"人民币{value:,.2f}元（大写：{amount_in_capitals(value)}）"
