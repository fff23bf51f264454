"""Kept for plugins written against git-agent 0.1: `Event` now comes from `supervisor.plugin`."""

from __future__ import annotations

from supervisor.rules.types import Event

__all__ = ["Event"]
