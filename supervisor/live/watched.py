"""One watched feature: its verdict kept up to date batch by batch, and when it is due for a
checkpoint or a full scan.

A batch is judged incrementally: the snapshot rescans only the paths the events named, the
tree it gives is compared with the one before (equal subtrees skipped), and only the paths
that really changed are judged again by the per-path rules; their verdicts replace the ones
kept from earlier batches. The whole-set rules (counts, quotas) run over every change since
the policy's commit each time: they read no content. `validate` and `promote` still judge the
whole change set afresh (renames across batches are paired there)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from supervisor.config.rules import Live
from supervisor.gitio import trees
from supervisor.gitio.change import Change
from supervisor.gitio.changes import changes_at, changes_between
from supervisor.lifecycle.chain import Checkpointed
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.snapshot import StatKey, stat_key
from supervisor.rules.engine import PathVerdict, Report, judge_paths, judge_whole
from supervisor.rules.types import Violation

OWN_WRITE_GRACE = 5.0  # seconds an event on a path we just wrote is taken for our own


@dataclass
class Batch:
    """What one judgement found."""

    paths: list[bytes]  # the paths whose content changed
    report: Report  # the feature's verdict now
    fresh: list[Violation]  # what this batch brought (containment acts on these only)
    hinted: int | None = None  # how many paths the events named (None: a full scan)


@dataclass
class Timing:
    last_change: float = 0.0
    last_checkpoint: float = field(default_factory=time.monotonic)
    last_full: float = field(default_factory=time.monotonic)


class Watched:
    def __init__(self, feature: Feature) -> None:
        self.feature = feature
        self.changes: dict[bytes, Change] = {}  # from the policy's tree to the shadow, by path
        self.verdicts: dict[bytes, PathVerdict] = {}
        self.renamed: dict[bytes, bytes] = {}  # a rename's old path -> its change's path
        self.whole: set[tuple[str, str | None]] = set()  # whole-set findings: (rule, path)
        self.report: Report | None = None
        self.judged_tree: bytes | None = None  # the shadow's tree as last judged
        self.timing = Timing()
        self.dirty = False  # the shadow differs from the last checkpoint
        self.polling = False  # events cannot be trusted to come: full scans on a timer
        self.paused = False
        self.lost = False  # events were dropped: the next full scan says why
        self.ours: dict[bytes, tuple[float, StatKey | None]] = {}

    @property
    def name(self) -> str:
        return self.feature.name

    @property
    def live(self) -> Live:
        return self.feature.rules.live

    # judging ------------------------------------------------------------------------------
    def prime(self) -> Batch:
        """Scan everything and judge every change since the policy's commit (watch start)."""
        feature = self.feature
        tree = feature.scanner.scan(None, hinted=False)
        changes = changes_between(feature.repo, self._policy_tree(), tree)
        self.changes, self.verdicts, self.renamed, self.whole = {}, {}, {}, set()
        tip = feature.repo.commit_tree(feature.chain.tip()[1])
        since = [path for path, _, _ in trees.compare(feature.repo, tip, tree)]
        batch = self._judge(tree, changes, since)
        self.timing.last_full = time.monotonic()
        return batch

    def judge(self, hinted: Iterable[bytes] | None, secure: bool = False) -> Batch:
        """Rescan `hinted` (None: everything) and judge what changed."""
        scanner = self.feature.scanner
        before = self.judged_tree
        paths = None if hinted is None else set(hinted)
        tree = scanner.scan(paths, secure=secure, hinted=False)
        repo = self.feature.repo
        changed = [path for path, _, _ in trees.compare(repo, before, tree)]
        affected = set(changed)
        for path in changed:
            if path in self.renamed:
                affected.add(self.renamed.pop(path))
        for path in affected:
            self._drop(path)
        fresh = changes_at(repo, self._policy_tree(), tree, affected) if affected else []
        if hinted is None:
            self.timing.last_full = time.monotonic()
        batch = self._judge(tree, fresh, changed)
        batch.hinted = None if paths is None else len(paths)
        return batch

    def _judge(self, tree: bytes | None, fresh: list[Change], changed: list[bytes]) -> Batch:
        feature = self.feature
        ctx = feature.context(tree)
        verdicts = judge_paths(feature.plugins, ctx, fresh)
        brought = [v for verdict in verdicts.values() for v in verdict.violations]
        for change in fresh:
            self.changes[change.raw_path] = change
            if change.old_path is not None and change.status == "R":
                self.renamed[os.fsencode(change.old_path)] = change.raw_path
        self.verdicts.update(verdicts)
        changes = [self.changes[path] for path in sorted(self.changes)]
        report = judge_whole(feature.plugins, ctx, changes, self.verdicts.values())
        per_path = {id(v) for verdict in self.verdicts.values() for v in verdict.violations}
        whole = [v for v in report.violations if id(v) not in per_path]
        # a whole-set rule's message may carry a count that moves with every batch: it is
        # the same finding while its rule and path stay
        brought.extend(v for v in whole if _where(v) not in self.whole)
        self.whole = {_where(v) for v in whole}
        self.report, self.judged_tree = report, tree
        if changed:
            self.timing.last_change = time.monotonic()
        self.dirty = tree != feature.repo.commit_tree(feature.chain.tip()[1])
        return Batch(changed, report, brought)

    def _drop(self, path: bytes) -> None:
        old = self.changes.pop(path, None)
        self.verdicts.pop(path, None)
        if old is not None and old.status == "R" and old.old_path is not None:
            self.renamed.pop(os.fsencode(old.old_path), None)

    def _policy_tree(self) -> bytes | None:
        return self.feature.repo.commit_tree(self.feature.policy_commit)

    # our own writes -------------------------------------------------------------------------
    def wrote(self, path: bytes) -> None:
        """Remember that the supervisor itself just wrote `path` (a containment)."""
        self.ours[path] = (time.monotonic() + OWN_WRITE_GRACE, self._stat(path))

    def not_ours(self, paths: set[bytes]) -> set[bytes]:
        """`paths` without those whose events only echo a write of ours (the path still holds
        exactly what we left there)."""
        now = time.monotonic()
        for path, (until, _) in list(self.ours.items()):
            if until < now:
                del self.ours[path]
        return {p for p in paths if p not in self.ours or self._stat(p) != self.ours[p][1]}

    def _stat(self, path: bytes) -> StatKey | None:
        try:
            return stat_key(os.lstat(os.fsencode(self.feature.shadow) + b"/" + path))
        except OSError:
            return None

    # timers ---------------------------------------------------------------------------------
    def checkpoint_due(self, now: float) -> float | None:
        """0 when an automatic checkpoint is due now, else the seconds until it may be, or None
        when none is pending."""
        if not self.dirty or self.paused:
            return None
        quiet = self.timing.last_change + self.live.checkpoint_quiet_s - now
        every = self.timing.last_checkpoint + self.live.checkpoint_every_s - now
        return max(0.0, min(quiet, every))

    def changed_since_checkpoint(self) -> int:
        """How many paths differ between the last checkpoint and the shadow as last judged."""
        feature = self.feature
        tip = feature.repo.commit_tree(feature.chain.tip()[1])
        return sum(1 for _ in trees.compare(feature.repo, tip, feature.scanner.snapshot().tree))

    def checkpoint(self, message: str) -> Checkpointed:
        done = self.feature.chain.checkpoint(message, paths=[], auto=True)
        self.timing.last_checkpoint = time.monotonic()
        self.dirty = False
        return done

    def full_scan_due(self, now: float, poll_s: float) -> float:
        every = min(poll_s, self.live.reconcile_every_s) if self.polling else None
        period = every if every is not None else self.live.reconcile_every_s
        return max(0.0, self.timing.last_full + period - now)


def _where(violation: Violation) -> tuple[str, str | None]:
    return violation.rule, violation.path


def verdict_words(report: Report) -> str:
    """`ok`, or `2 errors, 1 warning` (and `incomplete` when plugins failed or were blocked)."""
    if report.ok:
        return "ok"
    words = []
    if report.errors:
        words.append(f"{report.errors} error{'s' * (report.errors != 1)}")
    if report.warnings:
        words.append(f"{report.warnings} warning{'s' * (report.warnings != 1)}")
    if report.failures or report.blocked:
        words.append("incomplete")
    return ", ".join(words)
