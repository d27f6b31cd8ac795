"""Domain errors: a stable code, a Chinese message a clerk understands, and the offending values."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every refusal the engine gives; the API maps ``kind`` to an HTTP status."""

    kind = "conflict"  # conflict (409), not_found (404), invalid (422), forbidden (403)

    def __init__(self, code: str, message: str, **detail: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail = detail


class RuleViolation(DomainError):
    """A move the flow or the law does not allow now (409)."""


class InvalidInput(DomainError):
    kind = "invalid"


class NotFound(DomainError):
    kind = "not_found"


class Forbidden(DomainError):
    kind = "forbidden"


class ConcurrentUpdate(DomainError):
    """Another action on the same case committed first (version check)."""


class DefinitionError(ValueError):
    """A flow or catalogue file is malformed; the message names the file and the key."""
