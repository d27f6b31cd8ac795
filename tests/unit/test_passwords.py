"""The password policy: length, more than one kind of character, not the user's name."""

from __future__ import annotations

import pytest

from engine.errors import InvalidInput
from engine.passwords import character_classes, check_password


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-1", "PASSWORD_TOO_SHORT"),
        ("x" * 129 + "1", "PASSWORD_TOO_LONG"),
        ("abcdefghijkl", "PASSWORD_ONE_CLASS"),
        ("12345678901234", "PASSWORD_ONE_CLASS"),
        ("！@#￥%……&*（）——", "PASSWORD_ONE_CLASS"),
        ("zhangwei-2026", "PASSWORD_HAS_USERNAME"),
        ("ZhangWei-2026", "PASSWORD_HAS_USERNAME"),
        ("iewgnahz-2026", "PASSWORD_HAS_USERNAME"),
    ],
)
def test_weak_passwords_are_refused_naming_the_rule(password: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password(password, "zhangwei")
    assert refused.value.code == code
    assert refused.value.message.startswith("密码")


@pytest.mark.parametrize("password", ["password-123", "caseflow-demo", "Correcthorsebattery", "医保局办案2026年"])
def test_reasonable_passwords_pass(password: str) -> None:
    check_password(password, "zhangwei")


def test_a_two_letter_name_is_not_searched_for() -> None:
    check_password("climbing-123", "li")  # "li" occurs in many words


def test_character_classes() -> None:
    assert [character_classes(p) for p in ("abc", "aB", "a1", "a-", "aB1-")] == [1, 2, 2, 2, 4]
