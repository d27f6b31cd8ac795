"""Registered guards and actions, one module per family of procedures."""

from engine.rules import application, common, enforcement, penalty

__all__ = ["application", "common", "enforcement", "penalty"]
