"""Finding the repository as git finds it: from a directory, honouring GIT_DIR, GIT_WORK_TREE
and the other variables git itself reads (one `git rev-parse`, no pygit2)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from supervisor.errors import GitError, UsageError
from supervisor.gitio.run import FIXED_CONFIG

# What the user (or git, running a hook) may set to say where the repository is.
LOCATING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES")
QUERY = ("--path-format=absolute", "--git-dir", "--git-common-dir", "--is-bare-repository")


class Location(NamedTuple):
    git_dir: Path
    common_dir: Path
    work_tree: Path | None  # None: a bare repository
    head: str | None = None  # HEAD's commit, when asked for and born

    @property
    def bare(self) -> bool:
        return self.work_tree is None


def locating_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without GIT_* variables but those that say where the repository is."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    out.update({k: env[k] for k in LOCATING if env.get(k)})
    return out


def locate(cwd: Path, env: Mapping[str, str], head: bool = False) -> Location:
    """The repository at `cwd` as git sees it (and HEAD's commit, when `head`); a UsageError
    when there is none. The common case costs one `git rev-parse`."""
    if head:
        found = _rev_parse([*QUERY, "--show-toplevel", "--verify", "HEAD"], cwd, env)
        if found is not None and len(found) == 5:
            return Location(Path(found[0]), Path(found[1]), Path(found[3]), found[4])
    where = _located(cwd, env)
    if not head or where.bare:
        return where
    born = _rev_parse(["--verify", "--quiet", "HEAD"], cwd, env)
    return Location(where.git_dir, where.common_dir, where.work_tree, born[0] if born else None)


# Where a process just found a repository: a command asks twice in a row (who runs it, then
# where it works) and git is asked once. Kept for a moment, and while its git dir is there.
_FOUND: dict[tuple[str, tuple[str, ...]], tuple[float, Location]] = {}
REMEMBER = 2.0  # seconds


def _located(cwd: Path, env: Mapping[str, str]) -> Location:
    key = (os.path.abspath(cwd), tuple(env.get(k, "") for k in LOCATING))
    when, known = _FOUND.get(key, (0.0, None))
    if known is not None and time.monotonic() - when < REMEMBER and known.git_dir.is_dir():
        return known
    found = _locate(cwd, env)
    _FOUND[key] = (time.monotonic(), found)
    return found


def _locate(cwd: Path, env: Mapping[str, str]) -> Location:
    found = _rev_parse([*QUERY, "--show-toplevel"], cwd, env) or _rev_parse(list(QUERY), cwd, env)
    if found is None:
        raise UsageError(f"not a git repository: {cwd}")
    git_dir, common_dir = Path(found[0]), Path(found[1])
    if found[2] == "true":
        return Location(git_dir, common_dir, None)
    top = Path(found[3]) if len(found) > 3 else _work_tree_of(git_dir, common_dir)
    return Location(git_dir, common_dir, top)


def _rev_parse(args: list[str], cwd: Path, env: Mapping[str, str]) -> list[str] | None:
    try:
        proc = subprocess.run(
            ["git", *FIXED_CONFIG, "rev-parse", *args],
            cwd=cwd,
            capture_output=True,
            env=locating_env(env),
            check=False,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape").splitlines()


def _work_tree_of(git_dir: Path, common_dir: Path) -> Path:
    """The work tree of a repository entered through its git dir (cwd inside `.git`)."""
    pointer = git_dir / "gitdir"  # a linked worktree's git dir names its `.git` file
    if git_dir != common_dir and pointer.is_file():
        return Path(pointer.read_text().strip()).parent
    return common_dir.parent
