"""Starting and removing features: branch, worktree, shadow, first checkpoint; and back."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pygit2

from supervisor import shadow as shadow_io
from supervisor.errors import FatalError, GitError, Refused, UsageError
from supervisor.gitio import SIGNATURE, TREE, git_alongside, run_git
from supervisor.names import branch_of, chain_of, check_feature
from supervisor.policy import load_plan, plan_hash
from supervisor.snapshot import Snapshot, never_ignored
from supervisor.state import FeatureRow
from supervisor.trees import serialize
from supervisor.workspace import SHADOW_MARKER, Feature, Workspace

Progress = Callable[[int, int], None]


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
    ws.emit("start", name, base=commit)
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
    repo.create_ref(branch_of(name), row.base, "git-agent: start")
    with git_alongside(["worktree", "add", "--quiet", row.worktree, f"agent/{name}"], repo.workdir):
        pygit2.init_repository(str(layout.view(name)), bare=True)
        _make_shadow(ws, row, progress)
    run_git(
        ["worktree", "lock", "--reason", f"git-agent feature {name}", row.worktree], repo.workdir
    )
    repo.set_ref(chain_of(name), row.base, "git-agent: checkpoint 0 (base)")


def _make_shadow(ws: Workspace, row: FeatureRow, progress: Progress | None) -> None:
    repo, shadow = ws.repo, Path(row.shadow)
    if shadow.parent == ws.layout.feature_dir(row.name):
        _fence(shadow.parent)  # only in a folder of git-agent's own, never in one a user chose
    own = pygit2.init_repository(str(shadow), initial_head=f"agent/{row.name}")
    alternates = Path(own.path) / "objects" / "info" / "alternates"
    alternates.write_text(f"{repo.objects_dir}\n")
    (Path(own.path) / SHADOW_MARKER).write_text(f"{repo.common_dir}\n")
    own = pygit2.Repository(str(shadow))
    own.create_reference_direct(f"refs/heads/agent/{row.name}", pygit2.Oid(hex=row.base), False)
    tree = repo.commit_tree(row.base)
    total = 0
    if progress is not None:
        index = pygit2.Index()
        index.read_tree(repo.raw[pygit2.Oid(raw=tree)].peel(pygit2.Tree))
        total = len(index)
        progress(0, total)
    entries = shadow_io.checkout(
        repo, tree, shadow, (lambda n: progress(n, total)) if progress else None
    )
    if progress is not None:
        progress(total, total)
    index = own.index
    try:
        index.read_tree(pygit2.Oid(raw=tree))
    except pygit2.GitError as exc:
        raise GitError(f"cannot check out {row.base[:12]}: {exc}") from exc
    index.write()
    snap = Snapshot(repo, shadow, ws.layout.cache(row.name), never_ignored)
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
        with contextlib.suppress(pygit2.GitError):
            repo.delete_ref(ref)
    shutil.rmtree(row.shadow, ignore_errors=True)
    shutil.rmtree(ws.layout.feature_dir(row.name), ignore_errors=True)


def remove(feature: Feature, force: bool = False) -> bool:
    """Remove worktree and shadow; the branch and checkpoints stay. True if work was checkpointed."""
    feature.require_active()
    saved = False
    if feature.shadow.is_dir():
        saved = _keep_shadow_work(feature, force)
    _remove_worktree(feature, force)
    shutil.rmtree(feature.shadow, ignore_errors=True)
    home = feature.ws.layout.feature_dir(feature.name)
    for leftover in ("view.git", "snapshot.cache"):
        target = home / leftover
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            os.unlink(target)
    feature.ws.state.update(feature.name, state="removed")
    feature.row.state = "removed"
    feature.ws.emit("remove", feature.name, checkpointed=saved)
    return saved


def _keep_shadow_work(feature: Feature, force: bool) -> bool:
    tree = feature.scan()
    repo = feature.repo
    _, tip = feature.tip()
    head = repo.ref(feature.branch)
    known = {repo.commit_tree(tip)} | ({repo.commit_tree(head)} if head else set())
    if tree in known:
        return False
    if not force:
        raise Refused(
            f"feature {feature.name} has work that is neither checkpointed nor promoted; "
            f"run `git agent checkpoint {feature.name}` first, or remove with --force"
        )
    feature.checkpoint("before remove")
    return True


def _remove_worktree(feature: Feature, force: bool) -> None:
    repo, path = feature.repo, feature.worktree
    if path.exists():
        tree = worktree_tree(feature)
        if tree != _head_tree(feature) and not force:
            raise Refused(
                f"worktree {path} has changes or untracked files; "
                f"remove with --force to keep them in refs/agent/{feature.name}/worktree and go on"
            )
        save_worktree(feature, tree)
        run_git(["worktree", "unlock", str(path)], repo.workdir, check=False)
        try:
            run_git(["worktree", "remove", "--force", "--force", str(path)], repo.workdir)
        except FatalError:
            shutil.rmtree(path, ignore_errors=True)
    run_git(["worktree", "prune"], repo.workdir, check=False)


def worktree_tree(feature: Feature) -> bytes:
    """The worktree's exact state as a tree: untracked files in, ignored files out."""
    own = pygit2.Repository(str(feature.worktree))

    def ignored(rel: bytes) -> bool:
        try:
            return bool(own.path_is_ignored(rel.decode("utf-8")))
        except UnicodeDecodeError:
            return False

    with tempfile.TemporaryDirectory() as scratch:
        snap = Snapshot(feature.repo, feature.worktree, Path(scratch) / "cache", ignored)
        tree = snap.scan()
    return tree or feature.repo.write(TREE, serialize({}))


def _head_tree(feature: Feature) -> bytes | None:
    head = feature.repo.ref(feature.branch)
    return feature.repo.commit_tree(head) if head else None


def save_worktree(feature: Feature, tree: bytes) -> str | None:
    """Keep a worktree state that differs from the branch on refs/agent/<feature>/worktree.

    Each save's parents are the branch head and the previous save, so none is ever lost."""
    repo, head = feature.repo, feature.repo.ref(feature.branch)
    if head is None or tree == repo.commit_tree(head):
        return None
    ref = f"refs/agent/{feature.name}/worktree"
    previous = repo.ref(ref)
    message = f"git-agent: worktree of {feature.name} before it was reset\n"
    commit = repo.create_commit(tree, [head, *([previous] if previous else [])], message)
    repo.set_ref(ref, commit, "git-agent: saved worktree")
    return commit


def identity(feature: Feature) -> dict[str, str]:
    """git-agent's name for commits git makes, where the user has not set one."""
    if feature.repo.config_get("user.email"):
        return {}
    name, email = SIGNATURE
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
