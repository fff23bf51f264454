"""Keeping the agent's own git history in its shadow whole, whatever gc runs where.

git in the shadow does not write an object it finds through alternates (in your object
store), so a commit the agent makes there can lean on a blob that only your store holds: one
git-agent wrote while scanning the shadow, say. `git gc --prune=now` in your repository then
deletes it (nothing of yours reaches it) and the shadow's history breaks.

So whenever the shadow's refs, reflogs or index have changed since the last look, every object
they reach that your repository does not keep for good (the feature's checkpoint chain and its
branch only ever grow, so what they reach stays) is copied into the shadow's own store, as one
pack. The cost follows what the agent made, not the size of the repository.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from supervisor.errors import FatalError
from supervisor.gitio.repo import Repo
from supervisor.gitio.run import run_git


def secure_history(repo: Repo, shadow: Path, keep_refs: list[str], stamp: Path) -> bool:
    """Copy what the shadow's history needs into its store when that history changed since
    the `stamp` file was written; True when it looked."""
    git_dir = shadow / ".git"
    if not (git_dir / "objects").is_dir():
        return False  # no repository of its own (deleted, or never made): no history to keep
    try:
        return _secure(repo, git_dir, keep_refs, stamp)
    except FatalError:
        return False  # a history git cannot read is no reason to stop a checkpoint


def _secure(repo: Repo, git_dir: Path, keep_refs: list[str], stamp: Path) -> bool:
    state = _history_state(git_dir)
    try:
        if stamp.read_text() == state:
            return False
    except OSError:
        pass
    kept = [tip for ref in keep_refs if (tip := repo.ref(ref)) is not None]
    if _copy_needed(git_dir, kept):
        stamp.write_text(state)
    return True


def _history_state(git_dir: Path) -> str:
    """A fingerprint of what the shadow's history is: every file that holds a ref, a reflog,
    HEAD or the index (git rewrites a file, under a new inode, whenever one changes). Read
    from the files, without starting git: it runs on every scan."""
    digest = hashlib.sha256()
    for name in ("HEAD", "index", "packed-refs"):
        digest.update(name.encode() + _stat_of(git_dir / name))
    for folder in ("refs", "logs", "reftable"):
        top = git_dir / folder
        if not top.is_dir():
            continue
        for base, dirs, files in os.walk(top):
            dirs.sort()
            for file in sorted(files):
                path = Path(base, file)
                digest.update(os.fsencode(path) + _stat_of(path))
    return digest.hexdigest()


def _stat_of(path: Path) -> bytes:
    try:
        info = path.stat()
    except OSError:
        return b"-"
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}".encode()


def _copy_needed(git_dir: Path, kept: list[str]) -> bool:
    """Copy; False when the shadow's history cannot be read whole (already broken by hand):
    nothing to save then, and the next look tries again."""
    listing = "".join(f"^{tip}\n" for tip in kept).encode()
    args = ["rev-list", "--objects", "--all", "--reflog", "--indexed-objects", "--stdin"]
    found = run_git([f"--git-dir={git_dir}", *args], git_dir, stdin=listing, check=False)
    if found.returncode != 0:
        return False
    ids = b"".join(line.split(b" ", 1)[0] + b"\n" for line in found.stdout.splitlines() if line)
    if ids:
        pack = git_dir / "objects" / "pack" / "pack"
        proc = run_git(
            [f"--git-dir={git_dir}", "pack-objects", "-q", str(pack)],
            git_dir,
            stdin=ids,
            check=False,
        )
        return proc.returncode == 0
    return True
