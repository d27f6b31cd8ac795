"""Registered guards and actions, one module per family of procedures."""

from engine.rules import application, common, enforcement, execution, internal, penalty, reward

__all__ = ["application", "common", "enforcement", "execution", "internal", "penalty", "reward"]
