"""Removing a feature: worktree and shadow go; its branch and checkpoints stay."""

from __future__ import annotations

import os
import shutil

from supervisor.errors import FatalError, Refused
from supervisor.gitio.run import run_git
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.records import record_row
from supervisor.lifecycle.worktree import head_tree, save_worktree, worktree_tree


def remove(feature: Feature, force: bool = False) -> bool:
    """Remove worktree and shadow; the branch and checkpoints stay. True if work was checkpointed.

    A feature whose start was interrupted is taken back whole: it never held any work."""
    if feature.row.state == "starting":
        from supervisor.lifecycle.start import abandon

        abandon(feature.ws, feature.row)
        feature.row.state = "removed"
        return False
    feature.require_active()
    saved = False
    if feature.shadow.is_dir():
        saved = _keep_shadow_work(feature, force)
    _remove_worktree(feature, force)
    shutil.rmtree(feature.shadow, ignore_errors=True)
    home = feature.ws.layout.feature_dir(feature.name)
    for leftover in ("view.git", "snapshot.cache", "snapshot.cache.index"):
        target = home / leftover
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            os.unlink(target)
    feature.ws.state.update(feature.name, state="removed")
    feature.row.state = "removed"
    record_row(feature.repo, feature.row, feature.plan_bytes(), f"remove {feature.name}")
    feature.emit("remove", checkpointed=saved)
    return saved


def _keep_shadow_work(feature: Feature, force: bool) -> bool:
    tree = feature.scanner.scan()
    repo = feature.repo
    _, tip = feature.chain.tip()
    head = repo.ref(feature.branch)
    known = {repo.commit_tree(tip)} | ({repo.commit_tree(head)} if head else set())
    if tree in known:
        return False
    if not force:
        raise Refused(
            f"feature {feature.name} has work that is neither checkpointed nor promoted; "
            f"run `git agent checkpoint {feature.name}` first, or remove with --force"
        )
    feature.chain.checkpoint("before remove")
    return True


def _remove_worktree(feature: Feature, force: bool) -> None:
    repo, path = feature.repo, feature.worktree
    if path.exists():
        tree = worktree_tree(feature)
        if tree != head_tree(feature) and not force:
            raise Refused(
                f"worktree {path} has changes or untracked files; "
                f"remove with --force to keep them in refs/agent/{feature.name}/worktree and go on"
            )
        save_worktree(feature, tree)
    # unlocked even when the folder is gone, or prune would keep its entry forever
    run_git([*repo.git_args, "worktree", "unlock", str(path)], repo.workdir, check=False)
    if path.exists():
        try:
            run_git(
                [*repo.git_args, "worktree", "remove", "--force", "--force", str(path)],
                repo.workdir,
            )
        except FatalError:
            shutil.rmtree(path, ignore_errors=True)
    run_git([*repo.git_args, "worktree", "prune"], repo.workdir, check=False)
