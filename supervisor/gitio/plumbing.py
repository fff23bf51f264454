"""History through git's plumbing commands (no pygit2): what the gates ask of a repository."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from supervisor.errors import GitError
from supervisor.gitio.locate import Location
from supervisor.gitio.run import run_git


class Plumbing:
    def __init__(self, where: Location) -> None:
        self.where = where

    @property
    def cwd(self) -> Path:
        return self.where.work_tree or self.where.git_dir

    def git(self, args: Sequence[str], stdin: bytes | None = None, check: bool = True) -> bytes:
        proc = run_git(
            [f"--git-dir={self.where.git_dir}", *args], self.cwd, stdin=stdin, check=check
        )
        return proc.stdout if proc.returncode == 0 else b""

    def commit_or_none(self, rev: str) -> str | None:
        """`rev` peeled to a commit, or None when it is not one (or is unknown here)."""
        if not rev or rev.startswith("-"):
            return None
        out = self.git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
            check=False,
        )
        return out.decode().strip() or None

    def resolve_commit(self, rev: str) -> str:
        found = self.commit_or_none(rev)
        if found is None:
            from supervisor.errors import UsageError

            raise UsageError(f"unknown revision: {rev}")
        return found

    def new_commits(self, head: str, hide: Sequence[str]) -> list[tuple[str, list[str]]]:
        """(commit, parents) of every commit reachable from `head` and from none of `hide`,
        oldest first (parents before children)."""
        args = ["rev-list", "--parents", "--topo-order", "--reverse", head, "--not", *hide]
        proc = run_git([f"--git-dir={self.where.git_dir}", *args], self.cwd, check=False)
        if proc.returncode != 0:
            detail = proc.stderr.decode(errors="replace").strip().splitlines()
            hint = " (the clone is shallow: fetch more history)" if self.is_shallow() else ""
            raise GitError(
                f"cannot read the history of {head[:12]}: {detail[-1] if detail else ''}{hint}"
            )
        out = []
        for line in proc.stdout.decode().splitlines():
            commit, *parents = line.split()
            out.append((commit, parents))
        return out

    def is_shallow(self) -> bool:
        return (self.where.common_dir / "shallow").is_file()

    def messages(self, commits: Sequence[str]) -> dict[str, str]:
        """Each commit's whole message."""
        if not commits:
            return {}
        listing = "".join(f"{c}\n" for c in commits).encode()
        out = self.git(
            ["log", "--no-walk=unsorted", "--stdin", "-z", "--format=%H %B"], stdin=listing
        )
        found = {}
        for record in out.decode("utf-8", "replace").split("\0"):
            commit, _, message = record.lstrip("\n").partition(" ")
            if commit:
                found[commit] = message
        return found

    def shallow_boundary(self) -> set[str]:
        """The commits where a shallow clone's history is cut (their parents are not here)."""
        try:
            return set((self.where.common_dir / "shallow").read_text().split())
        except OSError:
            return set()

    def refs(self, prefix: str) -> list[str]:
        """The commits the refs under `prefix` point to."""
        out = self.git(["for-each-ref", "--format=%(objectname)", prefix])
        return out.decode().split()

    def kind_of(self, rev: str) -> tuple[str, str] | None:
        """(kind, id) of the object `rev` peels to through tags: commit, tree or blob."""
        if not rev or rev.startswith("-"):
            return None
        for kind in ("commit", "tree", "blob"):
            out = self.git(
                ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{{kind}}}"],
                check=False,
            )
            if out.strip():
                return kind, out.decode().strip()
        return None

    def config_all(self, key: str) -> list[str]:
        """Every value of a (multi-valued) config key."""
        return self.git(["config", "--get-all", key], check=False).decode().split()

    def tree_of(self, rev: str) -> str:
        return self.git(["rev-parse", "--verify", f"{rev}^{{tree}}"]).decode().strip()

    def write_tree(self, index_file: Path | None) -> str:
        """The tree of an index (`index_file`, default the repository's own)."""
        env = {"GIT_INDEX_FILE": str(index_file)} if index_file is not None else None
        proc = run_git([f"--git-dir={self.where.git_dir}", "write-tree"], self.cwd, env=env)
        return proc.stdout.decode().strip()
