"""Helpers for the checkpoint/diff/revert/promote/remove tests: real git, read back byte for byte."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import cli, git


def git_env(cwd: Path, *args: str, env: dict[str, str] | None = None) -> bytes:
    """git with extra GIT_* variables (GIT_INDEX_FILE, ...), raw stdout."""
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIT_") or k == "GIT_CONFIG_NOSYSTEM"
    }
    full.update(env or {})
    proc = subprocess.run(["git", *args], cwd=cwd, env=full, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


def start(repo: Path, name: str = "f", *extra: str) -> tuple[Path, Path]:
    """Start feature `name`; return (shadow, worktree)."""
    result = cli(repo, "start", name, *extra)
    assert result.code == 0, result
    info = status(repo, name)
    return Path(info["shadow"]), Path(info["worktree"])


def status(repo: Path, name: str = "f") -> dict:
    result = cli(repo, "status", name, "--json")
    assert result.code == 0, result
    data = result.json()
    assert isinstance(data, dict)
    return data


def checkpoint(repo: Path, name: str = "f", *extra: str) -> dict:
    result = cli(repo, "checkpoint", name, "--json", *extra)
    assert result.code == 0, result
    data = result.json()
    assert isinstance(data, dict)
    return data


def chain_commit(repo: Path, name: str = "f", number: int | None = None) -> str:
    """The commit of checkpoint `number` (default: the tip)."""
    tip = git(repo, "rev-parse", f"refs/agent/{name}/checkpoints")
    if number is None:
        return tip
    found = {c["number"]: c["commit"] for c in checkpoints(repo, name)}
    return found[number]


def checkpoints(repo: Path, name: str = "f") -> list[dict]:
    result = cli(repo, "checkpoints", name, "--json")
    assert result.code == 0, result
    data = result.json()
    assert isinstance(data, list)
    return data


def tree_of(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", f"{rev}^{{tree}}")


def ls_tree(repo: Path, rev: str) -> dict[bytes, tuple[str, str]]:
    """Every non-tree entry of `rev`: raw path -> (mode, object id)."""
    out = git_env(repo, "ls-tree", "-r", "-z", "--full-tree", rev)
    entries: dict[bytes, tuple[str, str]] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, oid = meta.decode().split()
        entries[path] = (mode, oid)
    return entries


def blob(repo: Path, oid: str) -> bytes:
    return git_env(repo, "cat-file", "blob", oid)


def content_at(repo: Path, rev: str, path: bytes) -> tuple[str, bytes]:
    """(mode, bytes) of `path` in `rev`."""
    mode, oid = ls_tree(repo, rev)[path]
    return mode, blob(repo, oid)


def expected_tree(shadow: Path, base: str) -> str:
    """The tree git itself makes of `shadow` (base's entries, then `add -A`), with a private index."""
    index = shadow.parent / "expected.index"
    index.unlink(missing_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        git_env(shadow, "read-tree", base, env=env)
        git_env(shadow, "add", "-A", env=env)
        return git_env(shadow, "write-tree", env=env).decode().strip()
    finally:
        index.unlink(missing_ok=True)


def user_state(repo: Path) -> dict[str, object]:
    """What of the user's repository must never move: refs, HEAD, index, config, hooks, status."""
    gitdir = repo / ".git"
    refs = [
        line
        for line in git(repo, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
        if not line.startswith("refs/agent/")
    ]
    return {
        "HEAD": git(repo, "rev-parse", "HEAD"),
        "symbolic": (gitdir / "HEAD").read_bytes(),
        "refs": refs,
        "index": (gitdir / "index").read_bytes(),
        "config": (gitdir / "config").read_bytes(),
        "hooks": sorted(p.name for p in (gitdir / "hooks").iterdir()),
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
    }


def write_bytes_path(root: Path, rel: bytes, data: bytes) -> None:
    """Create a file whose name may hold any bytes but NUL and slash-separated components."""
    path = os.fsencode(root) + b"/" + rel
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_bytes_path(root: Path, rel: bytes) -> bytes:
    with open(os.fsencode(root) + b"/" + rel, "rb") as handle:
        return handle.read()
