"""Bearer tokens: a token is honoured while well signed and unexpired, also once remembered."""

from __future__ import annotations

import time

from api import security
from api.security import make_token, read_token

SECRET = "a secret of the length HS256 asks for, 32 bytes and more"
OTHER = "another secret of the length HS256 asks for, 32 bytes"


def test_a_token_names_its_session_until_it_expires() -> None:
    token = make_token("zhang", "session-1", SECRET, minutes=1)
    assert read_token(token, SECRET) == "session-1"
    assert read_token(token, SECRET) == "session-1"  # remembered
    assert read_token(token, OTHER) is None  # remembered per secret: not for this one
    # the remembered expiry is honoured as the token's own would be
    security._checked[(token, SECRET)] = ("session-1", time.time() - 1)
    assert read_token(token, SECRET) is None


def test_an_expired_or_forged_token_names_nothing() -> None:
    assert read_token(make_token("zhang", "session-2", SECRET, minutes=-1), SECRET) is None
    token = make_token("zhang", "session-3", SECRET, minutes=1)
    assert read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), SECRET) is None
    assert read_token("not a token", SECRET) is None
