"""`gc`: what git-agent keeps only in case (the set-aside folders of reverts) goes once it is
older than the age the user chooses. Checkpoints are never touched: they are history."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from supervisor.lifecycle.workspace import Workspace


@dataclass(frozen=True)
class Removed:
    feature: str
    path: Path
    files: int
    size: int

    def as_json(self) -> dict[str, object]:
        return {
            "feature": self.feature,
            "path": str(self.path),
            "files": self.files,
            "bytes": self.size,
        }


def collect(ws: Workspace, older_than: float, dry_run: bool = False) -> list[Removed]:
    """Remove every set-aside folder older than `older_than` seconds (all when 0)."""
    cutoff = time.time() - older_than
    found = []
    for row in ws.state.all():
        aside = ws.layout.feature_dir(row.name) / "set-aside"
        if not aside.is_dir():
            continue
        for folder in sorted(aside.iterdir()):
            if folder.lstat().st_mtime > cutoff and older_than > 0:
                continue
            files, size = _measure(folder)
            if not dry_run:
                shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink()
            found.append(Removed(row.name, folder, files, size))
    return found


def _measure(path: Path) -> tuple[int, int]:
    if not path.is_dir():
        return 1, path.lstat().st_size
    files = size = 0
    for top, _, names in os.walk(path):
        for name in names:
            files += 1
            try:
                size += os.lstat(os.path.join(top, name)).st_size
            except OSError:
                continue
    return files, size
