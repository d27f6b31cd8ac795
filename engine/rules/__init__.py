"""Registered guards and actions, one module per family of procedures."""

from engine.rules import (
    application,
    common,
    enforcement,
    execution,
    hearing,
    internal,
    measures,
    officers,
    penalty,
    reward,
)

__all__ = [
    "application", "common", "enforcement", "execution", "hearing", "internal", "measures", "officers", "penalty",
    "reward",
]
