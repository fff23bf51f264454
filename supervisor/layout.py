"""Where git-agent keeps its state: under the common git dir, shared by every worktree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
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

    def cache(self, feature: str) -> Path:
        return self.feature_dir(feature) / "snapshot.cache"

    def view(self, feature: str) -> Path:
        return self.feature_dir(feature) / "view.git"

    def journal(self, feature: str) -> Path:
        return self.feature_dir(feature) / "promote.journal"

    def plan(self, feature: str) -> Path:
        return self.feature_dir(feature) / "plan.toml"
