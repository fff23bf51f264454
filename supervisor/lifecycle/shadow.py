"""A feature's shadow as trees: the snapshot kept warm between scans, and the scanned states
kept reachable from a ref so `git gc` never prunes what the snapshot cache names.

A full scan of a shadow no process has scanned yet is a quick one when it can be: git's
`diff-files` against the snapshot's private index (started by `probe` as the command opens
the feature, so git lstat's the shadow while Python is still importing and locking) names
what changed, and only that is hashed (see `Snapshot.quick_scan`)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from supervisor.errors import GitError, OperationalError
from supervisor.gitio.index import FileId, changed_paths, diff_files, file_id
from supervisor.gitio.repo import Repo
from supervisor.gitio.run import Running
from supervisor.lifecycle.shadow_history import secure_history
from supervisor.lifecycle.snapshot import (
    Fallback,
    Snapshot,
    excluding_own,
    index_file,
    unless_tracked,
)
from supervisor.store.layout import Layout
from supervisor.store.state import FeatureRow

if TYPE_CHECKING:
    from supervisor.lifecycle.feature import Feature

SAVE_EVERY = 30.0  # seconds between snapshot cache writes in a long-lived process


class Probe:
    """`git diff-files` of a shadow against its snapshot's index, started early, read later."""

    def __init__(self, view: Path, shadow: Path, index: Path) -> None:
        self.shadow = shadow
        self.index_id = file_id(index)  # before git opens it: `quick_scan` checks it is the cache's
        self._running: Running | None = None
        if self.index_id is not None and view.is_dir() and shadow.is_dir():
            try:
                self._running = diff_files(view, shadow, index)
            except GitError:  # the shadow went away meanwhile: the scan will say so
                self._running = None

    def result(self) -> tuple[Sequence[bytes], FileId | None] | None:
        """The paths git named and the index it read; None when it had no index or failed."""
        running, self._running = self._running, None
        if running is None or self.index_id is None:
            return None
        try:
            return list(changed_paths(running.output())), self.index_id
        except GitError:
            return None

    def cancel(self) -> None:
        running, self._running = self._running, None
        if running is not None:
            running.proc.kill()
            running.proc.communicate()


def probe(layout: Layout, row: FeatureRow) -> Probe | None:
    """Start looking at the shadow of `row` (an active feature with a snapshot index)."""
    if row.state != "active":
        return None
    index = index_file(layout.snapshot_cache(row.name))
    if not index.is_file():
        return None
    return Probe(layout.view(row.name), Path(row.shadow), index)


def ignore_sources(view: Path, env: Mapping[str, str]) -> Callable[[bool], list[bytes]]:
    """The files outside the shadow that decide what is ignored in it: the view's exclude file
    and config, your global and system config, the default excludes file, and (`full`) the
    excludes file your config names (read through pygit2, as the ignore rules are)."""

    def sources(full: bool) -> list[bytes]:
        home = env.get("HOME", "")
        xdg = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
        found = [
            view / "info" / "exclude",
            view / "config",
            Path(home, ".gitconfig"),
            Path(xdg, "git", "config"),
            Path(xdg, "git", "ignore"),
            Path("/etc/gitconfig"),
        ]
        if full:
            named = Repo.ignore_view(view, view).config_get("core.excludesFile")
            if named:
                found.append(Path(os.path.expanduser(named)))
        return [os.fsencode(path) for path in found]

    return sources


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
            view = layout.view(feature.name)
            ignored = unless_tracked(
                excluding_own(Repo.ignore_view(view, feature.shadow).ignored()),
                feature.repo,
                feature.repo.commit_tree(feature.row.base),
            )
            cache = layout.snapshot_cache(feature.name)
            sources = ignore_sources(view, os.environ)
            self._snapshot = Snapshot(feature.repo, feature.shadow, cache, ignored, sources)
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
        try:
            tree = self._quick(snapshot) if paths is None else snapshot.scan(paths)
        except Fallback:
            tree = snapshot.scan(paths)
        self._unsaved = True
        if time.monotonic() - self._saved >= SAVE_EVERY:
            self.flush()
        if keep:
            self._keep_reachable(tree)
        return tree

    def _quick(self, snapshot: Snapshot) -> bytes | None:
        """The tree by a quick scan; Fallback when the full walk must run."""
        if snapshot.warm:
            raise Fallback("a warm snapshot: its own entries are ahead of the index")
        feature = self.feature
        found = feature.ws.probes.pop(feature.name, None)
        if found is None or found.shadow != feature.shadow:
            if found is not None:
                found.cancel()
            found = probe(feature.ws.layout, feature.row)
        if found is None:
            raise Fallback("no index to ask git about")
        return snapshot.quick_scan(found.result)

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
