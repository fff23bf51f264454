"""Copy-on-write clones for `start`, where the file system has them (btrfs, XFS; FICLONE).

`start` checks out the base twice at once: git writes the worktree while we write the shadow,
one per core. The files that cost bytes rather than file-system calls (large blobs) are left
out of the shadow's checkout when the worktree's files can be cloned into it: once git has
written them, each is cloned (no data copied) and hashed back to its blob, so the shadow holds
exactly the blob's bytes even where a filter or an attribute made git write something else
(such a file is written from the object store instead). Everywhere else (ext4, tmpfs, another
file system between the two, no Linux) nothing changes: both checkouts run as before.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import NamedTuple

from supervisor.gitio import trees
from supervisor.gitio.repo import Repo
from supervisor.gitio.run import run_git
from supervisor.lifecycle.writer import FICLONE

CLONE_MIN = 256 << 10  # smaller files cost their system calls, not their bytes: written


class ClonePlan(NamedTuple):
    """Why start clones or not (for its tests and the bench), and the rule it applies."""

    reflinks: bool  # the two folders share a file system that clones
    converted: bool  # git may write other bytes than the blob's (autocrlf, attributes)

    @property
    def clones(self) -> bool:
        return should_clone(self.reflinks, self.converted)


def should_clone(reflinks: bool, converted: bool) -> bool:
    """Clone large files from the worktree only where that saves their bytes and will pass the
    check of every clone (else they would be written twice: slower than today)."""
    return reflinks and not converted


def reflinks_between(source: Path, target: Path) -> bool:
    """Whether a file made in `source` can be cloned into `target` (tried, then removed)."""
    if sys.platform != "linux":
        return False
    import fcntl

    made: list[Path] = []
    try:
        name = f".git-agent-clone-{os.getpid()}"
        src, dst = source / f"{name}-from", target / f"{name}-to"
        with src.open("xb") as out:
            made.append(src)
            out.write(b"clone probe\n")
        with src.open("rb") as reading, dst.open("xb") as writing:
            made.append(dst)
            fcntl.ioctl(writing.fileno(), FICLONE, reading.fileno())
        return dst.read_bytes() == b"clone probe\n"
    except OSError:
        return False
    finally:
        for path in made:
            with contextlib.suppress(OSError):
                path.unlink()


def converted(repo: Repo, tree: bytes) -> bool:
    """Whether git may write a checked-out file with other bytes than its blob: line endings
    converted, or attributes (filters, encodings) anywhere they can come from. Attributes
    deeper in the tree are caught by each clone's check."""
    if (repo.config_get("core.autocrlf") or "false").lower() != "false":
        return True
    if repo.config_get("core.attributesFile") or trees.lookup(repo, tree, b".gitattributes"):
        return True
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.environ.get("HOME", "/"), ".config")
    return (repo.common_dir / "info" / "attributes").exists() or Path(
        xdg, "git", "attributes"
    ).exists()


CONVERTING = ("text", "eol", "crlf", "filter", "ident", "working-tree-encoding")


def verbatim(worktree: Path, paths: list[bytes]) -> set[bytes]:
    """The paths of `worktree` that git wrote as their blobs' bytes: no attribute that
    converts content is set for them (`converted` ruled out autocrlf and the rest)."""
    if not paths:
        return set()
    listing = b"".join(path + b"\0" for path in paths)
    proc = run_git(
        ["check-attr", "-z", "--stdin", *CONVERTING], worktree, stdin=listing, check=False
    )
    if proc.returncode != 0:
        return set()
    fields = proc.stdout.split(b"\0")
    touched = {fields[i] for i in range(0, len(fields) - 2, 3) if fields[i + 2] != b"unspecified"}
    return set(paths) - touched


def plan(repo: Repo, tree: bytes, worktree: Path, shadow: Path) -> ClonePlan:
    """Look at both folders' file systems (their parents: neither exists yet) and the tree."""
    reflinks = reflinks_between(worktree.parent, shadow.parent)
    return ClonePlan(reflinks, converted(repo, tree) if reflinks else False)
