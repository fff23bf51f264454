"""The trust boundary: where the rules that judge a feature may come from, and what may run
where an agent works.

- The policy of a feature comes from a commit the agent cannot have written: the nearest
  ancestor of its base (along first parents) that a ref outside `refs/agent/` and the
  `agent/*` branches reaches. A feature based on another's promoted work is judged by the
  policy under that work, never by one inside it.
- From inside a shadow, or with a feature's agent environment (`GIT_AGENT_FEATURE`), only what
  concerns that feature and cannot widen it may run: reading it, checkpointing, validating,
  reverting its shadow. Starting, promoting, removing, stopping or resuming a feature, choosing
  a base or a policy, installing hooks: refused. In a feature's worktree, `init` and
  `install-hooks` are refused too (they would change the repository's policy or hooks from a
  place that is not the repository's).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from supervisor.errors import Forbidden, UsageError
from supervisor.gitio.locate import locate
from supervisor.gitio.run import run_git
from supervisor.store.layout import FEATURE_MARKER, SHADOW_MARKER

if TYPE_CHECKING:
    from supervisor.gitio.repo import Repo

AGENT_ENV = "GIT_AGENT_FEATURE"
AGENTS_FILE = "agents.json"  # in the supervisor's folder: its agents' processes
UNTRUSTED = ("refs/agent/", "refs/heads/agent/")
# what the agent of a feature may do with its own feature (and nothing else)
AGENT_MAY = frozenset(
    {
        "status",
        "list",
        "checkpoints",
        "diff",
        "validate",
        "checkpoint",
        "revert",
        "check",
        "hook",
        "audit",
        "logs",
        "claude-hook",
    }
)
NOT_IN_A_WORKTREE = frozenset({"init", "install-hooks"})


class Context(NamedTuple):
    """Who runs a command, as far as where and how it runs says."""

    agent_of: str | None  # the feature whose agent this is
    how: str  # how that was known
    worktree_of: str | None  # the feature whose worktree this is


def is_trusted_ref(name: str) -> bool:
    """A ref the agent cannot have written: not under refs/agent/, not an agent/* branch (of
    this repository or of a remote)."""
    if name.startswith(UNTRUSTED) or name == "HEAD":
        return False
    parts = name.split("/")
    return not (len(parts) > 3 and parts[:2] == ["refs", "remotes"] and parts[3] == "agent")


def trusted_anchor(repo: Repo, commit: str) -> str:
    """The nearest ancestor of `commit` along first parents (itself included) that a trusted
    ref reaches: the commit whose policy judges work based on `commit`."""
    tips = [
        t
        for name in repo.refs_under("refs/")
        if is_trusted_ref(name) and (t := repo.commit_or_none(name))
    ]
    listing = "".join(f"^{tip}\n" for tip in dict.fromkeys(tips))
    proc = run_git(
        [f"--git-dir={repo.git_dir}", "rev-list", "--stdin", commit],
        repo.git_dir,
        stdin=listing.encode(),
    )
    untrusted = set(proc.stdout.decode().split())
    current: str | None = commit
    while current is not None and current in untrusted:
        parents = repo.parents(current)
        current = parents[0] if parents else None
    if current is None:
        raise UsageError(
            f"no ancestor of {commit[:12]} is on a branch or tag of yours (only agent work "
            "leads to it), so no policy can judge it: base the feature on your own history"
        )
    return current


def context_of(cwd: Path, env: Mapping[str, str]) -> Context:
    """Where the command runs: a shadow, a feature's worktree, with an agent's environment, or
    as a descendant of an agent the supervisor runs (wherever it went, whatever it unset)."""
    named = env.get(AGENT_ENV)
    if named:
        return Context(named, f"the agent's environment ({AGENT_ENV}={named})", None)
    try:
        where = locate(cwd, env)
    except UsageError:
        return Context(None, "", None)
    ancestor = agent_ancestor(where.common_dir / "agent" / "live" / AGENTS_FILE)
    if ancestor is not None:
        return Context(ancestor, "a process of its agent", None)
    feature = _marker(where.git_dir / FEATURE_MARKER)
    if (where.git_dir / SHADOW_MARKER).is_file():
        return Context(feature or "?", "its shadow", None)
    if feature is not None and where.git_dir != where.common_dir:
        return Context(None, "", feature)
    return Context(None, "", None)


def start_ticks(pid: int) -> int | None:
    """When `pid` started, in clock ticks since boot (with the pid, a process's identity)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return int(stat.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def agent_ancestor(registry: Path, pid: int | None = None) -> str | None:
    """The feature whose running agent this process (or `pid`) descends from, or whose agent's
    process group it is in, by the registry the supervisor keeps of its agents' processes."""
    try:
        known = json.loads(registry.read_text())
        pids = {int(k): (str(v[0]), int(v[1])) for k, v in known.get("pids", {}).items()}
        groups = {int(k): str(v) for k, v in known.get("pgids", {}).items()}
    except (OSError, ValueError, TypeError, AttributeError, IndexError):
        return None
    current = os.getpid() if pid is None else pid
    group = os.getpgid(current) if pid is None else None
    if group is not None and group in groups:
        return groups[group]
    for _ in range(64):
        if current in pids and start_ticks(current) == pids[current][1]:
            return pids[current][0]
        parent = _parent(current)
        if parent is None or parent <= 1:
            return None
        current = parent
    return None


def _marker(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def authorize(args: argparse.Namespace, cwd: Path, env: Mapping[str, str]) -> Context:
    """Refuse what may not run where this command runs (exit 1, one line saying why)."""
    command = args.command
    if command == "hook":
        return Context(None, "", None)  # git runs the hooks in the user's repository
    here = context_of(cwd, env)
    if here.worktree_of and command in NOT_IN_A_WORKTREE:
        raise Forbidden(
            f"{command} is refused in the worktree of feature {here.worktree_of}: "
            "run it in the repository itself"
        )
    if here.agent_of is None:
        return here
    target = getattr(args, "feature", None)
    if command not in AGENT_MAY or (command == "revert" and getattr(args, "worktree", False)):
        raise Forbidden(
            f"{command} is refused to the agent of feature {here.agent_of} "
            f"(run from {here.how}): only a person can {_what(command)}"
        )
    if target is not None and target != here.agent_of:
        raise Forbidden(
            f"{command} {target} is refused to the agent of feature {here.agent_of} "
            f"(run from {here.how}): an agent sees only its own feature"
        )
    return here


def _what(command: str) -> str:
    return {
        "start": "start a feature (and choose its base and policy)",
        "promote": "promote a feature",
        "remove": "remove a feature",
        "stop": "stop a feature's supervision",
        "resume": "resume a feature's supervision",
        "watch": "change what is watched",
        "init": "write the repository's policy",
        "install-hooks": "install the repository's hooks",
        "revert": "reset a feature's worktree",
        "gc": "clean the state of every feature",
    }.get(command, f"run {command}")
