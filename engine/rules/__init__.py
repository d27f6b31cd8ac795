"""Registered guards and actions, one module per family of procedures."""

from engine.rules import application, common, enforcement, hearing, measures, officers, penalty

__all__ = ["application", "common", "enforcement", "hearing", "measures", "officers", "penalty"]
