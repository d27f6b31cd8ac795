"""Registered guards and actions, one module per family of procedures."""

from engine.rules import common, penalty

__all__ = ["common", "penalty"]
