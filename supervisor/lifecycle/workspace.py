"""One repository's git-agent world: the repository, the state database and the settings of
this run; and how a command gets it, or one feature of it, locked and recovered.

Opening a feature starts git looking at its shadow (`shadow.probe`) before anything slow (the
lock's library, the plugins) is imported: a command that then scans the shadow finds git's
answer waiting. The imports that only some commands need are made where they are used."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from supervisor.config.settings import Settings
from supervisor.errors import UsageError
from supervisor.gitio.repo import Repo
from supervisor.store.layout import SHADOW_MARKER, Layout
from supervisor.store.locks import feature_lock
from supervisor.store.names import check_recorded
from supervisor.store.state import State, open_state

if TYPE_CHECKING:
    from supervisor.config.rules import Layer
    from supervisor.lifecycle.feature import Feature
    from supervisor.lifecycle.shadow import Probe
    from supervisor.rules import manager as plugin_manager


class Workspace:
    def __init__(self, repo: Repo, state: State, settings: Settings) -> None:
        self.repo = repo
        self.state = state
        self.settings = settings
        self.layout = Layout.of(repo.common_dir)
        self._managers: dict[frozenset[str], plugin_manager.Manager] = {}
        self.probes: dict[str, Probe] = {}  # git looking at a shadow, by feature

    def plugins(self, disabled: frozenset[str] = frozenset()) -> plugin_manager.Manager:
        """The plugins installed here, minus those `disabled` (by a policy) and those the
        environment blocks; loaded once per set."""
        from supervisor.rules import manager as plugin_manager

        if disabled not in self._managers:
            self._managers[disabled] = plugin_manager.load(
                disabled, self.settings.blocked_plugins, cache=self.layout.plugins_cache
            )
        return self._managers[disabled]

    @contextmanager
    def locked(self, name: str) -> Iterator[None]:

        with feature_lock(self.layout.lock(name), name, self.settings.lock_timeout):
            yield

    def feature(self, name: str) -> Feature:
        from supervisor.lifecycle.feature import Feature

        row = self.state.require(check_recorded(name))
        return Feature(self, row)

    def policy_at(self, commit: str) -> Layer:
        from supervisor.config.source import policy_at

        return policy_at(self.repo, commit, self.layout.cache_dir)

    def cancel_probes(self) -> None:
        for found in self.probes.values():
            found.cancel()
        self.probes.clear()


def served_repo(repo: Repo) -> Repo:
    """Inside a shadow, the repository it serves, so an agent can run `git agent` where it works."""
    marker = repo.git_dir / SHADOW_MARKER
    if not marker.is_file():
        return repo
    served = Path(marker.read_text().strip())
    if not Layout.of(served).db.is_file():
        raise UsageError(f"{marker} names {served}, which holds no git-agent state")
    return Repo.open(served)


@contextmanager
def open_workspace(env: Mapping[str, str], cwd: str) -> Iterator[Workspace]:
    repo = served_repo(Repo.discover(Path(cwd), env))
    settings = Settings.from_env(env)
    with open_state(Layout.of(repo.common_dir).db) as state:
        ws = Workspace(repo, state, settings)
        _sync_with_refs(ws)
        try:
            yield ws
        finally:
            ws.cancel_probes()


def _sync_with_refs(ws: Workspace) -> None:
    """The database is a cache of what refs hold: a new one is filled from the features'
    records; a feature from before records gets one."""
    from supervisor.lifecycle import restore

    if ws.state.fresh:
        restore.rebuild(ws)
    else:
        restore.backfill(ws)


@contextmanager
def open_feature(env: Mapping[str, str], cwd: str, name: str) -> Iterator[Feature]:
    """The named feature, locked, with any interrupted promotion rolled forward."""
    from supervisor.lifecycle.shadow import probe

    with open_workspace(env, cwd) as ws:
        row = ws.feature(name).row
        started = probe(ws.layout, row)  # before the lock: git works while we wait and import
        if started is not None:
            ws.probes[name] = started
        with ws.locked(name):
            found = ws.feature(name)
            if found.row.state == "active" and _rolled_forward(found):
                found = ws.feature(name)  # the row as the finished promotion left it
                ws.cancel_probes()  # the promotion moved the shadow on: look again
            yield found
            if found.row.state == "active":
                found.scanner.flush()


def _rolled_forward(found: Feature) -> bool:
    """Finish a promotion a crash interrupted (its journal is there); True if there was one."""
    if not found.ws.layout.journal(found.name).exists():
        return False  # the common case, without importing what a promotion needs
    from supervisor.lifecycle.promote import roll_forward

    return roll_forward(found)
