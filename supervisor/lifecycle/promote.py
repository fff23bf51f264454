"""Promotion: validated shadow state becomes a commit on agent/<feature>, crash-safe by journal.

The journal is written before the first change. Any later command on the feature that finds a
journal rolls forward: the worktree and the branch end up both at the new commit.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from supervisor.config.settings import fault
from supervisor.errors import OperationalError, Refused
from supervisor.gitio.run import run_git
from supervisor.lifecycle.attest import attest
from supervisor.lifecycle.attest import record as record_attestation
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.verdict import evaluate, record
from supervisor.lifecycle.worktree import require_unlocked, save_worktree, worktree_tree
from supervisor.rules.engine import PluginsFailed, Report, before_promote
from supervisor.rules.manager import PluginFailure
from supervisor.rules.types import Violation

LOG = logging.getLogger("git_agent")


class PromotionRefused(Refused):
    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Promotion:
    checkpoint: int
    commit: str | None  # None: nothing new to promote
    report: Report
    attestation: str | None = None  # the commit of its attestation (see lifecycle.attest)

    def as_json(self) -> dict[str, object]:
        return {
            "checkpoint": self.checkpoint,
            "commit": self.commit,
            "promoted": self.commit is not None,
            "attestation": self.attestation,
        }


def promote(feature: Feature, message: str | None = None) -> Promotion:
    repo, settings = feature.repo, feature.ws.settings
    done = feature.chain.checkpoint("before promotion")
    number, tip = done.number, done.commit
    tree = repo.commit_tree(tip)
    report = evaluate(feature, tree)
    if report.ok:
        report = report.with_violations(*_before_promote(feature, tree))
    record(feature, report)
    if report.failures:
        raise PluginsFailed(report)
    if not report.ok:
        raise PromotionRefused(f"promotion of {feature.name} refused: {_count(report)}", report)
    head = repo.ref(feature.branch)
    if head is None:
        raise OperationalError(f"branch agent/{feature.name} is missing")
    _refuse_foreign_commits(feature, head)
    if repo.commit_tree(head) == tree:
        return Promotion(number, None, report)
    commit = repo.create_commit(tree, [head], _message(feature, number, message))
    fault(settings, "promote:commit")
    _check_worktree(feature, head, commit)
    attestation = attest(
        feature, commit, tree, number, tip, report
    )  # a key that cannot sign stops it here
    journal = feature.ws.layout.journal(feature.name)
    entry = {"old": head, "new": commit, "checkpoint": number, "attestation": attestation}
    _write_journal(journal, entry)
    fault(settings, "promote:journal")
    run_git(["read-tree", "-m", "-u", head, commit], feature.worktree)
    fault(settings, "promote:worktree")
    repo.set_ref(feature.branch, commit, f"git-agent: promote checkpoint {number}")
    fault(settings, "promote:branch")
    _finish(feature, journal, commit, number, attestation)
    return Promotion(number, commit, report, attestation)


def _refuse_foreign_commits(feature: Feature, head: str) -> None:
    """Promotion puts the shadow's tree on top of the branch: a commit made on the branch some
    other way would be silently undone, so promotion refuses until it is dealt with."""
    expected = feature.row.promoted_commit or feature.row.base
    if head != expected:
        raise Refused(
            f"agent/{feature.name} is at {head[:12]}, not at its last promotion {expected[:12]}: "
            "bring those commits into the shadow (or reset the branch) before promoting"
        )


def _before_promote(feature: Feature, tree: bytes) -> tuple[list[Violation], list[PluginFailure]]:
    """Run the before-promotion hooks (the plan's checks). A checkout of exactly what is
    promoted is made only if a hook asks for it, so nothing the agent left in the shadow,
    ignored files included, sways them."""
    root = feature.ws.layout.feature_dir(feature.name) / "promote-checkout"
    try:
        return before_promote(feature.plugins, feature.context(tree, checkout=root))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def roll_forward(feature: Feature) -> bool:
    """Complete a promotion a crash interrupted; True if there was one."""
    journal = feature.ws.layout.journal(feature.name)
    try:
        entry = json.loads(journal.read_text())
        old, new, number = entry["old"], entry["new"], int(entry["checkpoint"])
        attestation = entry.get("attestation")  # None: a journal from before attestations
    except FileNotFoundError:
        return False
    except (ValueError, KeyError, TypeError) as exc:
        raise OperationalError(f"promotion journal {journal} is unreadable: {exc}") from exc
    head = feature.repo.ref(feature.branch)
    if head not in (old, new):
        LOG.warning(
            "git-agent: an interrupted promotion of %s was abandoned: agent/%s has moved since",
            feature.name,
            feature.name,
        )
        journal.unlink()
        return False
    if head == old:  # the branch moves last: the worktree may be anywhere between old and new
        _clear_stale_index_lock(feature)
        _worktree_forward(feature, old, new)
        feature.repo.set_ref(
            feature.branch, new, f"git-agent: promote checkpoint {number} (resumed)"
        )
    _finish(feature, journal, new, number, attestation)
    return True


def _worktree_forward(feature: Feature, old: str, new: str) -> None:
    """Bring the worktree from `old` to `new` keeping local edits, as a promotion does; where a
    half-done update makes that impossible, save the worktree first, then reset it."""
    run_git(["update-index", "-q", "--refresh"], feature.worktree, check=False)
    if run_git(["read-tree", "-m", "-u", old, new], feature.worktree, check=False).returncode == 0:
        return
    save_worktree(feature, worktree_tree(feature))
    run_git(["read-tree", "--reset", "-u", new], feature.worktree)


def _finish(
    feature: Feature, journal: Path, commit: str, number: int, attestation: str | None
) -> None:
    if attestation is not None:
        tree = feature.repo.commit_tree(commit).hex()
        record_attestation(feature, tree, commit, attestation)
    feature.ws.state.update(feature.name, promoted_commit=commit, promoted_checkpoint=number)
    journal.unlink()
    feature.emit("promote", commit=commit, checkpoint=number)


def _check_worktree(feature: Feature, head: str, commit: str) -> None:
    require_unlocked(feature)
    run_git(["update-index", "-q", "--refresh"], feature.worktree, check=False)
    proc = run_git(["read-tree", "-m", "-u", "-n", head, commit], feature.worktree, check=False)
    if proc.returncode != 0:
        raise OperationalError(
            f"worktree {feature.worktree} has local changes the promotion would overwrite: "
            f"commit or stash them there first (git -C {feature.worktree} stash)"
        )


def _write_journal(path: Path, entry: dict[str, object]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w") as handle:
        json.dump(entry, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _clear_stale_index_lock(feature: Feature) -> None:
    proc = run_git(["rev-parse", "--git-dir"], feature.worktree)
    lock = (feature.worktree / proc.stdout.decode().strip() / "index.lock").resolve()
    lock.unlink(missing_ok=True)


def _message(feature: Feature, number: int, message: str | None) -> str:
    title = (message or "").strip() or f"Promote {feature.name} checkpoint {number}"
    return (
        f"{title}\n\nFeature: {feature.name}\nCheckpoint: {number}\n"
        f"Plan-Hash: {feature.row.plan_hash}\n"
    )


def _count(report: Report) -> str:
    if report.blocked and not report.errors:
        return f"the verdict is incomplete ({', '.join(report.blocked)} blocked locally)"
    return f"{report.errors} error{'s' * (report.errors != 1)}"
