"""Kept for plugins written against git-agent 0.1: `Violation` now comes from `supervisor.plugin`."""

from __future__ import annotations

from supervisor.rules.types import Violation

__all__ = ["Violation"]
