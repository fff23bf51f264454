"""Rebuilding features from refs alone: the state database is a cache of what refs hold.

A feature's record (`lifecycle.records`) says its base, its base branch, its plan and whether
it is active, removed or forgotten; its branch says what was promoted; its chain holds every
checkpoint. From these, `restore` makes its row again and, for an active feature, its
worktree (on its branch) and its shadow (at its last checkpoint), adopting either when it is
already there: ready for `resume`. A removed feature stays removed, a forgotten one forgotten.
`rebuild` does this for every record when the state database was lost."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path

from supervisor.config.load import load_plan, validated_plan
from supervisor.errors import FatalError, UsageError
from supervisor.gitio.repo import Repo, init_shadow
from supervisor.gitio.run import run_git
from supervisor.lifecycle.records import Record, read_record, record_row
from supervisor.lifecycle.snapshot import Snapshot, never_ignored
from supervisor.lifecycle.trust import trusted_anchor
from supervisor.lifecycle.workspace import Workspace
from supervisor.lifecycle.writer import Progress, checkout
from supervisor.store.layout import FEATURE_MARKER, SHADOW_MARKER
from supervisor.store.names import (
    AGENT_REFS,
    branch_of,
    chain_of,
    feature_of_record,
    is_forgotten,
    kept_branch_of,
    record_of,
)
from supervisor.store.state import FeatureRow

LOG = logging.getLogger("git_agent")
CHECKPOINT = re.compile(r"^Checkpoint: (\d+)$", re.MULTILINE)


def rebuild(ws: Workspace) -> list[str]:
    """Every feature whose record is in refs and not in the database, made again; the names.
    One that cannot be (its base is on no branch of yours, a folder is in the way) is left
    out with a warning, and the others go on."""
    made = []
    for ref in sorted(ws.repo.refs_under(AGENT_REFS)):
        name = feature_of_record(ref)
        if name is None or ws.state.get(name) is not None:
            continue
        try:
            with ws.locked(name):
                if ws.state.get(name) is None:
                    record, plan = read_record(ws.repo, ws.repo.ref(ref) or "")
                    restore(ws, name, record, plan)
                    made.append(name)
        except FatalError as exc:
            LOG.warning("git-agent: feature %s could not be rebuilt from its refs: %s", name, exc)
    return made


def backfill(ws: Workspace) -> None:
    """A record for every feature started before features had records."""
    for row in ws.state.all():
        if row.state in ("active", "removed") and ws.repo.ref(record_of(row.name)) is None:
            plan = _plan_bytes(ws, row.name)
            record_row(ws.repo, row, plan, f"record {row.name} (kept in refs from now on)")


def restore(
    ws: Workspace,
    name: str,
    record: Record,
    plan: bytes | None,
    progress: Progress | None = None,
) -> FeatureRow:
    """Feature `name` as its record says (its refs already here), row last: a failure half-way
    leaves no row, and the next attempt adopts what the first one made."""
    repo = ws.repo
    row = _row(ws, name, record)
    if plan is not None:
        _write_plan(ws, name, plan, record.plan_source)
    if row.state == "active":
        row.policy_commit = trusted_anchor(repo, record.base)  # as this clone sees it
        _worktree(ws, row)
        _shadow(ws, row, progress)
    if ws.state.get(name) is None:
        ws.state.insert(row)
    else:
        ws.state.update(name, **{k: v for k, v in vars(row).items() if k != "name"})
    return row


def _row(ws: Workspace, name: str, record: Record) -> FeatureRow:
    home = ws.layout.feature_dir(name)
    worktree = _configured(ws, "agent.worktreesDir", name) or home / "worktree"
    shadow = _configured(ws, "agent.shadowsDir", name) or home / "shadow"
    commit, number = promoted(ws.repo, name, record.base)
    return FeatureRow(
        name=name,
        state=record.state,
        base=record.base,
        worktree=str(worktree),
        shadow=str(shadow),
        plan_hash=record.plan_hash,
        plan_source=record.plan_source,
        created=record.created,
        promoted_commit=commit,
        promoted_checkpoint=number,
        policy_commit=record.policy_commit,
        base_ref=record.base_ref,
    )


def promoted(repo: Repo, name: str, base: str) -> tuple[str | None, int | None]:
    """The last promotion on the feature's branch: (commit, checkpoint), or (None, None)."""
    head = repo.ref(kept_branch_of(name) if is_forgotten(name) else branch_of(name))
    if head is None or head == base:
        return None, None
    found = CHECKPOINT.findall(repo.commit_message(head))
    return head, (int(found[-1]) if found else None)


def _configured(ws: Workspace, key: str, name: str) -> Path | None:
    """Where `start` would put the folder (git config or environment), as `start` decides."""
    value = ws.settings.env.get("GIT_AGENT_" + key.split(".")[1].upper()) or ws.repo.config_get(key)
    return Path(value).expanduser().resolve() / name if value else None


def _plan_bytes(ws: Workspace, name: str) -> bytes | None:
    try:
        return ws.layout.plan(name).read_bytes()
    except OSError:
        return None


def _write_plan(ws: Workspace, name: str, plan: bytes, source: str | None) -> None:
    load_plan(plan, source or "plan.toml")  # a plan that no longer validates stops here
    ws.layout.feature_dir(name).mkdir(parents=True, exist_ok=True)
    ws.layout.plan(name).write_bytes(plan)
    valid = validated_plan(plan, source or "plan.toml")
    ws.layout.plan_json(name).write_text(json.dumps(valid, sort_keys=True))


def _worktree(ws: Workspace, row: FeatureRow) -> None:
    """The feature's worktree on its branch: the one there, or a new one."""
    repo, path, name = ws.repo, Path(row.worktree), row.name
    if repo.ref(branch_of(name)) is None:
        repo.set_ref(branch_of(name), row.base, "git-agent: branch rebuilt at its base")
    if _is_worktree_of(path, name):
        return
    if os.path.lexists(path):
        raise UsageError(f"{path} is in the way of the worktree of {name}: move it away")
    path.parent.mkdir(parents=True, exist_ok=True)
    run_git(["worktree", "prune"], repo.workdir, check=False)
    run_git(["worktree", "add", "--quiet", str(path), f"agent/{name}"], repo.workdir)
    run_git(["worktree", "lock", "--reason", f"git-agent feature {name}", str(path)], repo.workdir)
    pointer = (path / ".git").read_text().strip()
    (Path(pointer.removeprefix("gitdir:").strip()) / FEATURE_MARKER).write_text(f"{name}\n")


def _is_worktree_of(path: Path, name: str) -> bool:
    if not (path / ".git").is_file():
        return False
    proc = run_git(["symbolic-ref", "-q", "HEAD"], path, check=False)
    return proc.stdout.decode().strip() == f"refs/heads/agent/{name}"


def _shadow(ws: Workspace, row: FeatureRow, progress: Progress | None) -> None:
    """The feature's shadow at its last checkpoint: the one there, or a new one."""
    repo, layout, name = ws.repo, ws.layout, row.name
    shadow = Path(row.shadow)
    if not layout.view(name).exists():
        Repo.init_bare(layout.view(name))
    if (shadow / ".git" / SHADOW_MARKER).is_file():
        return
    if os.path.lexists(shadow):
        raise UsageError(f"{shadow} is in the way of the shadow of {name}: move it away")
    tip = repo.ref(chain_of(name)) or row.base
    tree = repo.commit_tree(tip)
    if shadow.parent == layout.feature_dir(name):
        _fence(shadow.parent)
    head = repo.ref(branch_of(name)) or row.base
    try:
        own = init_shadow(shadow, f"agent/{name}", repo.objects_dir, head, tree)
        (own.git_dir / SHADOW_MARKER).write_text(f"{repo.common_dir}\n")
        (own.git_dir / FEATURE_MARKER).write_text(f"{name}\n")
        total = repo.count_files(tree) if progress is not None else 0
        entries = checkout(repo, tree, shadow, progress, total)
        snap = Snapshot(repo, shadow, layout.snapshot_cache(name), never_ignored)
        snap.reset(tree, entries)
        snap.save()
    except BaseException:
        shutil.rmtree(shadow, ignore_errors=True)  # half a shadow is none: the next try remakes it
        raise


def _fence(parent: Path) -> None:
    """As `start` does: stop git's search for a repository just above the shadow."""
    fence = parent / ".git"
    if not os.path.lexists(fence):
        parent.mkdir(parents=True, exist_ok=True)
        fence.write_text("gitdir: shadow-lost-its-own-.git\n")
