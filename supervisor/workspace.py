"""One repository's git-agent world: repo, state, plugins; and the features in it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pluggy
import pygit2

from supervisor import plugins
from supervisor.changes import changes_between
from supervisor.context import RuleContext
from supervisor.engine import Report as Report  # lives in engine, so the hooks skip this module
from supervisor.engine import errors, evaluate
from supervisor.errors import OperationalError, UsageError
from supervisor.events import Event
from supervisor.gitio import TREE, Repo
from supervisor.layout import Layout
from supervisor.locks import feature_lock
from supervisor.names import branch_of, chain_of, check_feature
from supervisor.policy import Plan, Policy, Rules, load_plan
from supervisor.policy_source import policy_at
from supervisor.settings import Settings
from supervisor.snapshot import Ignored, Snapshot
from supervisor.state import FeatureRow, State
from supervisor.trees import serialize

SAVE_EVERY = 30.0  # seconds between snapshot cache writes in a long-lived process
SHADOW_MARKER = (
    "git-agent-shadow"  # in a shadow's git dir: the common dir of the repository it serves
)
TRAILER = re.compile(r"^Checkpoint: (\d+)$", re.MULTILINE)
TRAILERS = re.compile(r"\n\nCheckpoint: \d+\nFeature: [^\n]*$")


@dataclass(frozen=True)
class CheckpointInfo:
    number: int
    commit: str
    time: float
    message: str

    def as_json(self) -> dict[str, object]:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.time))
        return {
            "number": self.number,
            "commit": self.commit,
            "time": stamp,
            "message": self.message,
        }


class Workspace:
    def __init__(self, repo: Repo, state: State, settings: Settings) -> None:
        self.repo = repo
        self.state = state
        self.settings = settings
        self.layout = Layout.of(repo.common_dir)

    @cached_property
    def plugins(self) -> pluggy.PluginManager:
        return plugins.load(self.settings.disabled_plugins)

    def emit(self, kind: str, feature: str, **data: object) -> None:
        plugins.emit(self.plugins, Event(kind, feature, dict(data)))

    @contextmanager
    def locked(self, name: str) -> Iterator[None]:
        with feature_lock(self.layout.lock(name), name, self.settings.lock_timeout):
            yield

    def feature(self, name: str) -> Feature:
        row = self.state.require(check_feature(name))
        return Feature(self, row)

    def policy_at(self, commit: str) -> Policy:
        return policy_at(self.repo, commit)


class Feature:
    def __init__(self, ws: Workspace, row: FeatureRow) -> None:
        self.ws = ws
        self.row = row
        self.name = row.name
        self.repo = ws.repo
        self.branch = branch_of(row.name)
        self.chain_ref = chain_of(row.name)
        self.scanned_ref = f"refs/agent/{row.name}/scanned"
        self._snapshot: Snapshot | None = None
        self._saved, self._unsaved = -SAVE_EVERY, False
        self.worktree = Path(row.worktree)
        self.shadow = Path(row.shadow)

    # configuration --------------------------------------------------------
    def plan_bytes(self) -> bytes | None:
        try:
            return self.ws.layout.plan(self.name).read_bytes()
        except FileNotFoundError:
            return None

    def plan(self) -> Plan | None:
        data = self.plan_bytes()
        return None if data is None else load_plan(data, self.row.plan_source or "plan.toml")

    @cached_property
    def rules(self) -> Rules:
        return Rules(self.ws.policy_at(self.row.base), self.plan(), self.row.base)

    def context(self, tree: bytes | None = None) -> RuleContext:
        return RuleContext(self.rules, self.repo, self.shadow, self.name, tree)

    # the shadow's state ---------------------------------------------------
    def require_active(self) -> None:
        if self.row.state != "active":
            raise UsageError(f"feature {self.name} is {self.row.state}")

    def snapshot(self) -> Snapshot:
        """The shadow's snapshot, loaded once and kept warm for this feature's lifetime."""
        self.require_active()
        if not self.shadow.is_dir():
            raise OperationalError(f"shadow of {self.name} is missing: {self.shadow}")
        if self._snapshot is None:
            cache = self.ws.layout.cache(self.name)
            self._snapshot = Snapshot(self.repo, self.shadow, cache, self._ignored())
        return self._snapshot

    def flush(self) -> None:
        """Write the snapshot cache now, if a scan changed it since the last write."""
        if self._snapshot is not None and self._unsaved:
            self._snapshot.save()
            self._saved, self._unsaved = time.monotonic(), False

    def _ignored(self) -> Ignored:
        view = pygit2.Repository(str(self.ws.layout.view(self.name)))
        view.workdir = str(self.shadow)

        def ignored(rel: bytes) -> bool:
            try:
                return bool(view.path_is_ignored(rel.decode("utf-8")))
            except UnicodeDecodeError:
                return False

        return ignored

    def scan(self, paths: Iterable[bytes] | None = None, keep: bool = True) -> bytes | None:
        """The shadow's tree now; `keep`: hold it on a ref when no checkpoint does."""
        tree = self.snapshot().scan(paths)
        self._unsaved = True
        if time.monotonic() - self._saved >= SAVE_EVERY:
            self.flush()
        if keep:
            self._keep_reachable(tree)
        return tree

    def _keep_reachable(self, tree: bytes | None) -> None:
        """Keep a scanned state that no checkpoint holds reachable from a ref, so `git gc`
        never prunes objects the snapshot cache still names."""
        ref = self.scanned_ref
        _, tip = self.tip()
        if tree is None or tree == self.repo.commit_tree(tip):
            self.repo.delete_ref(ref)
            return
        message = "git-agent: scanned shadow state (not a checkpoint)\n"
        self.repo.set_ref(ref, self.repo.create_commit(tree, [tip], message), message.strip())

    # the checkpoint chain -------------------------------------------------
    def tip(self) -> tuple[int, str]:
        commit = self.repo.ref(self.chain_ref)
        if commit is None:
            raise OperationalError(f"checkpoint chain {self.chain_ref} is missing")
        return self.number_of(commit), commit

    def number_of(self, commit: str) -> int:
        if commit == self.row.base:
            return 0
        found = TRAILER.findall(self.repo.commit_info(commit).message)
        if not found:
            raise OperationalError(f"commit {commit} on {self.chain_ref} has no Checkpoint trailer")
        return int(found[-1])

    def chain(self) -> list[CheckpointInfo]:
        number, commit = self.tip()
        out = []
        while True:
            info = self.repo.commit_info(commit)
            out.append(
                CheckpointInfo(
                    number, commit, float(info.commit_time), _title(info.message, number)
                )
            )
            if number == 0:
                return out[::-1]
            if not info.parent_ids:
                raise OperationalError(f"checkpoint chain of {self.name} does not reach its base")
            commit, number = str(info.parent_ids[0]), number - 1

    def resolve(self, number: int) -> str:
        last, commit = self.tip()
        if not 0 <= number <= last:
            raise UsageError(f"feature {self.name} has checkpoints 0 to {last}, not {number}")
        for _ in range(last - number):
            commit = str(self.repo.commit_info(commit).parent_ids[0])
        return commit

    def checkpoint(
        self, message: str | None = None, paths: Iterable[bytes] | None = None
    ) -> tuple[int, str, bool]:
        tree = self.scan(paths, keep=False) or self.repo.write(TREE, serialize({}))
        self.repo.delete_ref(self.scanned_ref)
        number, tip = self.tip()
        if tree == self.repo.commit_tree(tip):
            return number, tip, False
        number += 1
        text = (message or "").strip() or f"checkpoint {number}"
        body = f"{text}\n\nCheckpoint: {number}\nFeature: {self.name}\n"
        commit = self.repo.create_commit(tree, [tip], body)
        self.repo.set_ref(self.chain_ref, commit, f"git-agent: checkpoint {number}")
        self.ws.emit("checkpoint", self.name, number=number, commit=commit)
        return number, commit, True

    # validation -----------------------------------------------------------
    def evaluate(self, tree: bytes | None) -> Report:
        changes = changes_between(self.repo, self.repo.commit_tree(self.row.base), tree)
        violations = evaluate(self.ws.plugins, self.context(tree), changes)
        return Report(violations, changes)

    def validate(self, paths: Iterable[bytes] | None = None) -> Report:
        """The shadow against the base; `paths`: what changed since the last scan, if known."""
        report = self.evaluate(self.scan(paths))
        self.record(report)
        return report

    def record(self, report: Report) -> None:
        warnings = len(report.violations) - errors(report.violations)
        self.ws.state.record_verdict(self.name, report.ok, errors(report.violations), warnings)
        self.ws.emit("validate", self.name, ok=report.ok, errors=errors(report.violations))


def _title(message: str, number: int) -> str:
    """A checkpoint's message without its trailers (the base commit's message for checkpoint 0)."""
    text = message.strip()
    if number:
        text = TRAILERS.sub("", text).strip()
    return text
