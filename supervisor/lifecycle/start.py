"""Starting a feature: branch, worktree, shadow and checkpoint 0, all or nothing."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path

from supervisor.config.load import load_plan, plan_hash, validated_plan
from supervisor.errors import FatalError, UsageError
from supervisor.gitio.repo import Repo, init_shadow
from supervisor.gitio.run import git_alongside, run_git
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.snapshot import Snapshot, never_ignored
from supervisor.lifecycle.workspace import SHADOW_MARKER, Workspace
from supervisor.lifecycle.writer import Progress, checkout
from supervisor.store.layout import FEATURE_MARKER
from supervisor.store.names import branch_of, chain_of, check_feature
from supervisor.store.state import FeatureRow


def start(
    ws: Workspace,
    name: str,
    base: str = "HEAD",
    plan_file: Path | None = None,
    progress: Progress | None = None,
) -> Feature:
    check_feature(name)
    repo = ws.repo
    if not repo.has_head() and base == "HEAD":
        raise UsageError(
            "the repository has no commits yet: make a first commit, then start a feature"
        )
    commit = repo.resolve_commit(base)
    plan_data = _read_plan(plan_file)
    ws.policy_at(commit)  # a broken policy stops the start, not a later command
    with ws.locked(name):
        if ws.state.get(name) is not None:
            raise UsageError(f"feature {name} already exists (see `git agent status {name}`)")
        if repo.ref(branch_of(name)) is not None:
            raise UsageError(f"branch agent/{name} already exists")
        for ref in (branch_of(name), chain_of(name)):
            clash = repo.ref_clash(ref)
            if clash is not None:
                raise UsageError(clash)
        row = _new_row(ws, name, commit, plan_data, plan_file)
        for path in (Path(row.worktree), Path(row.shadow)):
            if os.path.lexists(path):  # not ours: checked before anything is made or undone
                raise UsageError(f"{path} already exists")
        try:
            _create(ws, row, plan_data, progress)
        except BaseException:
            _undo(ws, row)
            raise
        ws.state.insert(row)
    feature = Feature(ws, row)
    feature.emit("start", base=commit)
    return feature


def _read_plan(plan_file: Path | None) -> bytes | None:
    if plan_file is None:
        return None
    try:
        data = plan_file.read_bytes()
    except OSError as exc:
        raise UsageError(f"{plan_file}: cannot read plan: {exc.strerror}") from exc
    load_plan(data, str(plan_file))
    return data


def _new_row(
    ws: Workspace, name: str, commit: str, plan: bytes | None, plan_file: Path | None
) -> FeatureRow:
    home = ws.layout.feature_dir(name)
    worktree = _configured(ws, "agent.worktreesDir", name) or home / "worktree"
    shadow = _configured(ws, "agent.shadowsDir", name) or home / "shadow"
    return FeatureRow(
        name=name,
        state="active",
        base=commit,
        worktree=str(worktree),
        shadow=str(shadow),
        plan_hash=plan_hash(plan),
        plan_source=str(plan_file) if plan_file else None,
        created=time.time(),
    )


def _configured(ws: Workspace, key: str, name: str) -> Path | None:
    value = ws.settings.env.get("GIT_AGENT_" + key.split(".")[1].upper()) or ws.repo.config_get(key)
    return Path(value).expanduser().resolve() / name if value else None


def _create(ws: Workspace, row: FeatureRow, plan: bytes | None, progress: Progress | None) -> None:
    repo, layout, name = ws.repo, ws.layout, row.name
    home = layout.feature_dir(name)
    home.mkdir(parents=True, exist_ok=True)
    if plan is not None:
        layout.plan(name).write_bytes(plan)
        valid = validated_plan(plan, row.plan_source or "plan.toml")
        layout.plan_json(name).write_text(json.dumps(valid, sort_keys=True))
    repo.create_ref(branch_of(name), row.base, "git-agent: start")
    with git_alongside(["worktree", "add", "--quiet", row.worktree, f"agent/{name}"], repo.workdir):
        Repo.init_bare(layout.view(name))
        _make_shadow(ws, row, progress)
    run_git(
        ["worktree", "lock", "--reason", f"git-agent feature {name}", row.worktree], repo.workdir
    )
    _mark_worktree(Path(row.worktree), name)
    repo.set_ref(chain_of(name), row.base, "git-agent: checkpoint 0 (base)")


def _mark_worktree(worktree: Path, name: str) -> None:
    """Name the feature in its worktree's git dir, for the gates (which read no database)."""
    pointer = (worktree / ".git").read_text().strip()
    git_dir = Path(pointer.removeprefix("gitdir:").strip())
    (git_dir / FEATURE_MARKER).write_text(f"{name}\n")


def _make_shadow(ws: Workspace, row: FeatureRow, progress: Progress | None) -> None:
    repo, shadow = ws.repo, Path(row.shadow)
    if shadow.parent == ws.layout.feature_dir(row.name):
        _fence(shadow.parent)  # only in a folder of git-agent's own, never in one a user chose
    tree = repo.commit_tree(row.base)
    own = init_shadow(shadow, f"agent/{row.name}", repo.objects_dir, row.base, tree)
    (own.git_dir / SHADOW_MARKER).write_text(f"{repo.common_dir}\n")
    total = repo.count_files(tree) if progress is not None else 0
    if progress is not None:
        progress(0, total)
    entries = checkout(repo, tree, shadow, progress, total)
    if progress is not None:
        progress(total, total)
    snap = Snapshot(repo, shadow, ws.layout.snapshot_cache(row.name), never_ignored)
    snap.reset(tree, entries)
    snap.save()


def _fence(parent: Path) -> None:
    """Stop git's search for a repository just above the shadow. The shadow may live inside the
    user's .git: were its own .git deleted or broken, git run there would find the user's."""
    fence = parent / ".git"
    if not os.path.lexists(fence):
        parent.mkdir(parents=True, exist_ok=True)
        fence.write_text("gitdir: shadow-lost-its-own-.git\n")


def _undo(ws: Workspace, row: FeatureRow) -> None:
    """Take back a start that failed half-way, so the same start can be tried again."""
    repo = ws.repo
    if Path(row.worktree).exists():
        run_git(
            ["worktree", "remove", "--force", "--force", row.worktree], repo.workdir, check=False
        )
    run_git(["worktree", "prune"], repo.workdir, check=False)
    for ref in (branch_of(row.name), chain_of(row.name)):
        with contextlib.suppress(FatalError):
            repo.delete_ref(ref)
    shutil.rmtree(row.shadow, ignore_errors=True)
    shutil.rmtree(ws.layout.feature_dir(row.name), ignore_errors=True)
