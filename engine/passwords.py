"""The password policy: long enough, more than one kind of character, not the user's name.

A policy, not a strength meter: it refuses the passwords an attacker tries first (a name, a
run of digits) with a message saying which rule failed. Hashing lives with the web layer.
"""

from __future__ import annotations

from engine.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 128  # Argon2 hashes anything, but a megabyte "password" is an attack


def character_classes(password: str) -> int:
    """How many of lower-case letters, upper-case letters, digits and other characters occur."""
    kinds = {
        "lower" if c.islower() else "upper" if c.isupper() else "digit" if c.isdigit() else "other"
        for c in password
    }
    return len(kinds)


def check_password(password: str, username: str) -> None:
    """Raise InvalidInput naming the rule a new password breaks."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("PASSWORD_TOO_SHORT", f"密码至少{MIN_LENGTH}位", field="password", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise InvalidInput("PASSWORD_TOO_LONG", f"密码不能超过{MAX_LENGTH}位", field="password", max=MAX_LENGTH)
    if character_classes(password) < 2:
        raise InvalidInput(
            "PASSWORD_ONE_CLASS",
            "密码不能只由一类字符组成，请混合使用字母、数字或符号",
            field="password",
        )
    name = username.strip().lower()
    lowered = password.lower()
    if len(name) >= 3 and (name in lowered or name[::-1] in lowered):
        raise InvalidInput("PASSWORD_HAS_USERNAME", "密码不能包含用户名", field="password")
