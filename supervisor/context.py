"""What a rule sees besides the change: the effective rules, configuration and object access."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supervisor.gitio import Repo
from supervisor.policy import Rules


@dataclass(frozen=True)
class RuleContext:
    rules: Rules
    repo: Repo
    root: Path | None = None  # the directory holding the content under review, when there is one
    feature: str | None = None
    tree: bytes | None = None  # the tree under review (raw id), when the caller knows it

    def config(self, plugin: str) -> dict[str, Any]:
        """`[plugins.<plugin>]` of the policy."""
        return self.rules.plugin_config(plugin)[0]

    def plan_config(self, plugin: str) -> dict[str, Any]:
        """`[plugins.<plugin>]` of the plan: use it only to narrow what the policy allows."""
        return self.rules.plugin_config(plugin)[1]

    def blob(self, oid: str) -> bytes:
        return self.repo.read_blob(oid)
