"""A feature's shadow as trees: the snapshot kept warm between scans, and the scanned states
kept reachable from a ref so `git gc` never prunes what the snapshot cache names."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from supervisor.errors import OperationalError
from supervisor.gitio.repo import Repo
from supervisor.lifecycle.shadow_history import secure_history
from supervisor.lifecycle.snapshot import Snapshot, unless_tracked

if TYPE_CHECKING:
    from supervisor.lifecycle.feature import Feature

SAVE_EVERY = 30.0  # seconds between snapshot cache writes in a long-lived process


class ShadowScanner:
    def __init__(self, feature: Feature) -> None:
        self.feature = feature
        self.scanned_ref = f"refs/agent/{feature.name}/scanned"
        self._snapshot: Snapshot | None = None
        self._saved, self._unsaved = -SAVE_EVERY, False
        # a watcher's word on what changed since the last scan (None from it: it cannot tell);
        # a scan of "everything" then looks only there
        self.hint: Callable[[], Iterable[bytes] | None] | None = None

    def snapshot(self) -> Snapshot:
        """The shadow's snapshot, loaded once and kept warm for this feature's lifetime."""
        feature = self.feature
        feature.require_active()
        if not feature.shadow.is_dir():
            raise OperationalError(f"shadow of {feature.name} is missing: {feature.shadow}")
        if self._snapshot is None:
            layout = feature.ws.layout
            ignored = unless_tracked(
                Repo.ignore_view(layout.view(feature.name), feature.shadow).ignored(),
                feature.repo,
                feature.repo.commit_tree(feature.row.base),
            )
            cache = layout.snapshot_cache(feature.name)
            self._snapshot = Snapshot(feature.repo, feature.shadow, cache, ignored)
        return self._snapshot

    def skipped(self) -> dict[str, tuple[str, int]]:
        """What the last scan found and could not take (nested repositories, huge files)."""
        if self._snapshot is None:
            return {}
        return {os.fsdecode(path): why for path, why in self._snapshot.skipped.items()}

    def flush(self) -> None:
        """Write the snapshot cache now, if a scan changed it since the last write."""
        if self._snapshot is not None and self._unsaved:
            self._snapshot.save()
            self._saved, self._unsaved = time.monotonic(), False

    def scan(
        self,
        paths: Iterable[bytes] | None = None,
        keep: bool = True,
        secure: bool = True,
        hinted: bool = True,
    ) -> bytes | None:
        """The shadow's tree now; `keep`: hold it on a ref when no checkpoint does. First, the
        agent's own git history is made safe from a gc in your repository (unless a watcher
        knows that history did not change: `secure=False`). `hinted=False`: a full scan even
        when a watcher could say what changed."""
        snapshot = self.snapshot()
        if paths is None and hinted and self.hint is not None:
            paths = self.hint()
        if secure:
            self.secure_history()
        tree = snapshot.scan(paths)
        self._unsaved = True
        if time.monotonic() - self._saved >= SAVE_EVERY:
            self.flush()
        if keep:
            self._keep_reachable(tree)
        return tree

    def secure_history(self) -> None:
        feature = self.feature
        stamp = feature.ws.layout.feature_dir(feature.name) / "history.stamp"
        secure_history(feature.repo, feature.shadow, [feature.chain_ref, feature.branch], stamp)

    def forget_scanned(self) -> None:
        self.feature.repo.delete_ref(self.scanned_ref)

    def _keep_reachable(self, tree: bytes | None) -> None:
        repo = self.feature.repo
        _, tip = self.feature.chain.tip()
        if tree is None or tree == repo.commit_tree(tip):
            repo.delete_ref(self.scanned_ref)
            return
        message = "git-agent: scanned shadow state (not a checkpoint)\n"
        repo.set_ref(self.scanned_ref, repo.create_commit(tree, [tip], message), message.strip())
