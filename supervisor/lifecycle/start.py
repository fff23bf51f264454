"""Starting a feature: branch, worktree, shadow and checkpoint 0, all or nothing."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path

from supervisor.config.load import (
    MAX_CONFIG_BYTES,
    check_size,
    load_plan,
    plan_hash,
    validated_plan,
)
from supervisor.config.rules import Rules
from supervisor.config.settings import fault
from supervisor.errors import FatalError, UsageError
from supervisor.gitio.repo import Repo, init_shadow
from supervisor.gitio.run import git_alongside, run_git
from supervisor.lifecycle import clone
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.records import base_branch, record_row
from supervisor.lifecycle.shadow import ignore_sources
from supervisor.lifecycle.snapshot import Cached, Snapshot, never_ignored
from supervisor.lifecycle.trust import trusted_anchor
from supervisor.lifecycle.workspace import Workspace
from supervisor.lifecycle.writer import Deferred, Progress, checkout, clone_deferred
from supervisor.rules.context import ReadOnly, RuleContext
from supervisor.rules.engine import check_config
from supervisor.store.layout import FEATURE_MARKER, SHADOW_MARKER
from supervisor.store.names import branch_of, chain_of, check_new_feature, record_of
from supervisor.store.state import FeatureRow


def start(
    ws: Workspace,
    name: str,
    base: str = "HEAD",
    plan_file: Path | None = None,
    progress: Progress | None = None,
    prepare: Callable[[Feature], object] | None = None,
) -> Feature:
    """Start feature `name`. `prepare` (the agents' workspace set-up) runs once branch,
    worktree and shadow are made and before the feature counts as started: its failure takes
    the start back like any other."""
    check_new_feature(name)
    repo = ws.repo
    if not repo.has_head() and base == "HEAD":
        raise UsageError(
            "the repository has no commits yet: make a first commit, then start a feature"
        )
    commit = repo.resolve_commit(base)
    plan_data = read_plan(plan_file)
    anchor = trusted_anchor(repo, commit)
    _check_rules(ws, anchor, plan_data, plan_file)  # a broken policy or plan stops it here
    with ws.locked(name):
        existing = ws.state.get(name)
        if existing is not None and existing.state == STARTING:
            abandon(ws, existing)  # an interrupted start: take back what it made, start again
        elif existing is not None:
            raise UsageError(f"feature {name} already exists{_taken_hint(existing)}")
        _check_free(ws, name)
        row = _new_row(ws, name, commit, plan_data, plan_file, anchor)
        row.base_ref = base_branch(repo, base)
        for path in (Path(row.worktree), Path(row.shadow)):
            if os.path.lexists(path):  # not ours: checked before anything is made or undone
                raise UsageError(f"{path} already exists")
        ws.state.insert(row)  # recorded before anything is made: a kill leaves a record
        fault(ws.settings, "start:recorded")
        try:
            _create(ws, row, plan_data, progress)
            if prepare is not None:
                prepare(Feature(ws, row))
                fault(ws.settings, "start:prepared")
        except BaseException:
            abandon(ws, row)
            raise
        ws.state.update(name, state="active")
        row.state = "active"
    feature = Feature(ws, row)
    feature.emit("start", base=commit)
    return feature


STARTING = "starting"


def _taken_hint(existing: FeatureRow) -> str:
    name = existing.name
    if existing.state == "removed":
        return f" (removed: `git agent forget {name}` frees the name)"
    return f" (see `git agent status {name}`)"


def _check_free(ws: Workspace, name: str) -> None:
    repo = ws.repo
    if repo.ref(branch_of(name)) is not None:
        raise UsageError(f"branch agent/{name} already exists")
    for ref in (branch_of(name), chain_of(name)):
        clash = repo.ref_clash(ref)
        if clash is not None:
            raise UsageError(clash)


def _check_rules(
    ws: Workspace, anchor: str, plan_data: bytes | None, plan_file: Path | None
) -> None:
    """The policy (as of `anchor`) and the plan, every plugin table included."""
    plan = load_plan(plan_data, str(plan_file)) if plan_data is not None else None
    rules = Rules(ws.policy_at(anchor), plan, anchor)
    check_config(ws.plugins(rules.disabled_plugins), RuleContext(rules, ReadOnly(ws.repo)))


def read_plan(plan_file: Path | None) -> bytes | None:
    """The plan's bytes: a regular file of at most MAX_CONFIG_BYTES (never a FIFO, a device or
    a file that would take all the memory), checked at once."""
    if plan_file is None:
        return None
    try:
        descriptor = os.open(plan_file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise UsageError(f"{plan_file}: cannot read plan: {exc.strerror}") from exc
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{plan_file}: a plan must be a regular file")
        check_size(info.st_size, str(plan_file))
        data = os.read(descriptor, MAX_CONFIG_BYTES + 1)
    finally:
        os.close(descriptor)
    load_plan(data, str(plan_file))
    return data


def _new_row(
    ws: Workspace,
    name: str,
    commit: str,
    plan: bytes | None,
    plan_file: Path | None,
    anchor: str,
) -> FeatureRow:
    home = ws.layout.feature_dir(name)
    worktree = _configured(ws, "agent.worktreesDir", name) or home / "worktree"
    shadow = _configured(ws, "agent.shadowsDir", name) or home / "shadow"
    return FeatureRow(
        name=name,
        state=STARTING,
        base=commit,
        worktree=str(worktree),
        shadow=str(shadow),
        plan_hash=plan_hash(plan),
        plan_source=str(plan_file) if plan_file else None,
        created=time.time(),
        policy_commit=anchor,
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
    fault(ws.settings, "start:branch")
    tree = repo.commit_tree(row.base)
    cloning = clone.plan(repo, tree, Path(row.worktree), Path(row.shadow)).clones
    deferred: list[Deferred] = []  # large files, cloned from the worktree below
    with git_alongside(
        [*repo.git_args, "worktree", "add", "--quiet", row.worktree, f"agent/{name}"], repo.workdir
    ):
        Repo.init_bare(layout.view(name))
        entries = _make_shadow(ws, row, tree, progress, deferred if cloning else None)
    if deferred:
        same = clone.verbatim(Path(row.worktree), [d.path for d in deferred])
        entries.update(clone_deferred(repo, Path(row.shadow), Path(row.worktree), deferred, same))
    fault(ws.settings, "start:shadow")
    _keep_snapshot(ws, row, tree, entries)  # after the worktree: more of the shadow is settled
    run_git(
        [*repo.git_args, "worktree", "lock", "--reason", f"git-agent feature {name}", row.worktree],
        repo.workdir,
    )
    _mark_worktree(Path(row.worktree), name)
    fault(ws.settings, "start:worktree")
    repo.set_ref(chain_of(name), row.base, "git-agent: checkpoint 0 (base)")
    record_row(repo, row, plan, f"start {name}", state="active")


def _mark_worktree(worktree: Path, name: str) -> None:
    """Name the feature in its worktree's git dir, for the gates (which read no database)."""
    pointer = (worktree / ".git").read_text().strip()
    git_dir = Path(pointer.removeprefix("gitdir:").strip())
    (git_dir / FEATURE_MARKER).write_text(f"{name}\n")


def _make_shadow(
    ws: Workspace,
    row: FeatureRow,
    tree: bytes,
    progress: Progress | None,
    deferred: list[Deferred] | None,
) -> dict[bytes, Cached]:
    repo, shadow = ws.repo, Path(row.shadow)
    if shadow.parent == ws.layout.feature_dir(row.name):
        _fence(shadow.parent)  # only in a folder of git-agent's own, never in one a user chose
    own = init_shadow(shadow, f"agent/{row.name}", repo.objects_dir, row.base, tree)
    (own.git_dir / SHADOW_MARKER).write_text(f"{repo.common_dir}\n")
    (own.git_dir / FEATURE_MARKER).write_text(f"{row.name}\n")
    total = repo.count_files(tree) if progress is not None else 0
    if progress is not None:
        progress(0, total)
    entries = checkout(repo, tree, shadow, progress, total, deferred, clone.CLONE_MIN)
    if progress is not None:
        progress(total, total)
    return entries


def _keep_snapshot(
    ws: Workspace, row: FeatureRow, tree: bytes, entries: dict[bytes, Cached]
) -> None:
    """The shadow's snapshot cache, from what the checkout wrote (and its private index)."""
    layout = ws.layout
    sources = ignore_sources(layout.view(row.name), os.environ)
    cache = layout.snapshot_cache(row.name)
    snap = Snapshot(ws.repo, Path(row.shadow), cache, never_ignored, sources)
    snap.reset(tree, entries)
    snap.save()


def _fence(parent: Path) -> None:
    """Stop git's search for a repository just above the shadow. The shadow may live inside the
    user's .git: were its own .git deleted or broken, git run there would find the user's."""
    fence = parent / ".git"
    if not os.path.lexists(fence):
        parent.mkdir(parents=True, exist_ok=True)
        fence.write_text("gitdir: shadow-lost-its-own-.git\n")


def abandon(ws: Workspace, row: FeatureRow) -> None:
    """Take back a start that failed or was killed half-way (its record included), so the
    same start can be tried again. Its refs go only while they still point at its base."""
    repo = ws.repo
    # git marks a worktree it is still adding as locked: unlock it even if the folder is gone,
    # or prune would keep its entry forever
    run_git([*repo.git_args, "worktree", "unlock", row.worktree], repo.workdir, check=False)
    if Path(row.worktree).exists():
        run_git(
            [*repo.git_args, "worktree", "remove", "--force", "--force", row.worktree],
            repo.workdir,
            check=False,
        )
    shutil.rmtree(row.worktree, ignore_errors=True)
    run_git([*repo.git_args, "worktree", "prune"], repo.workdir, check=False)
    for ref in (branch_of(row.name), chain_of(row.name)):
        if repo.ref(ref) == row.base:
            with contextlib.suppress(FatalError):
                repo.delete_ref(ref)
    with contextlib.suppress(FatalError):
        repo.delete_ref(record_of(row.name))  # written last, by this start: it never ran
    shutil.rmtree(row.shadow, ignore_errors=True)
    shutil.rmtree(ws.layout.feature_dir(row.name), ignore_errors=True)
    ws.state.delete(row.name)
