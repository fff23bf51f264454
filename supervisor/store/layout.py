"""Where git-agent keeps its state: under the common git dir, shared by every worktree."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

FEATURE_MARKER = "git-agent-feature"  # in a feature's worktree and shadow git dirs: its name
SHADOW_MARKER = "git-agent-shadow"  # in a shadow's git dir: the common dir it serves


class Layout(NamedTuple):
    root: Path  # <common git dir>/agent

    @classmethod
    def of(cls, common_dir: Path) -> Layout:
        return cls(common_dir / "agent")

    @property
    def db(self) -> Path:
        return self.root / "state.db"

    def lock(self, feature: str) -> Path:
        return self.root / "locks" / f"{feature}.lock"

    def feature_dir(self, feature: str) -> Path:
        return self.root / "features" / feature

    @property
    def cache_dir(self) -> Path:
        """Validated policies, by blob id: what the gates read without importing pydantic."""
        return self.root / "cache"

    @property
    def plugins_cache(self) -> Path:
        """The entry points found installed, while the interpreter's folders stay the same."""
        return self.cache_dir / "entry-points"

    def snapshot_cache(self, feature: str) -> Path:
        return self.feature_dir(feature) / "snapshot.cache"

    def view(self, feature: str) -> Path:
        return self.feature_dir(feature) / "view.git"

    def audit(self, feature: str) -> Path:
        """The feature's audit log (JSON Lines, hash-chained)."""
        return self.feature_dir(feature) / "audit.jsonl"

    def live_dir(self) -> Path:
        """The supervisor's socket and what it keeps (owner-only)."""
        return self.root / "live"

    def quarantine(self, feature: str) -> Path:
        """What containment took out of the shadow (owner-only, never checkpointed)."""
        return self.feature_dir(feature) / "quarantine"

    def agent_dir(self, feature: str) -> Path:
        """The agent's logs, its notices, the built-in agent's conversation (owner-only)."""
        return self.feature_dir(feature) / "agent"

    def journal(self, feature: str) -> Path:
        return self.feature_dir(feature) / "promote.journal"

    def plan(self, feature: str) -> Path:
        return self.feature_dir(feature) / "plan.toml"

    def plan_json(self, feature: str) -> Path:
        """The plan as validated at start, for the gates (no pydantic there)."""
        return self.feature_dir(feature) / "plan.json"
