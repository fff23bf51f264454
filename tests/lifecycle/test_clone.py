"""supervisor/lifecycle/clone.py: start clones large files from the worktree into the shadow
where the file system can (FICLONE), keeps a clone only when it hashes to its blob, and changes
nothing anywhere else.

This machine's disk has no reflinks: the decision is tested as a function, the clone path with
an ioctl that copies (a clone as far as the bytes go), and, when REFLINK_TEST_DIR names a folder
on btrfs or XFS, for real."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from supervisor.gitio.objects import MODE_FILE
from supervisor.gitio.repo import Repo
from supervisor.lifecycle import clone, writer
from tests.kit import expected_tree, git, make_repo, start, status, tree_of

BIG = 300 << 10
REFLINK_DIR = os.environ.get("REFLINK_TEST_DIR")


@pytest.mark.parametrize(
    ("reflinks", "converted", "clones"),
    [(True, False, True), (True, True, False), (False, False, False), (False, True, False)],
)
def test_the_decision(reflinks: bool, converted: bool, clones: bool) -> None:
    assert clone.should_clone(reflinks, converted) is clones
    assert clone.ClonePlan(reflinks, converted).clones is clones


def test_what_may_convert(repo: Path) -> None:
    store = Repo.open(repo)
    tree = store.commit_tree(git(repo, "rev-parse", "HEAD"))
    assert clone.converted(store, tree) is False
    git(repo, "config", "core.autocrlf", "input")
    assert clone.converted(store, tree) is True
    git(repo, "config", "core.autocrlf", "false")
    (repo / ".gitattributes").write_text("*.txt text eol=crlf\n")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-qm", "attributes")
    assert clone.converted(store, store.commit_tree(git(repo, "rev-parse", "HEAD"))) is True


def test_no_reflinks_here_means_today_s_start(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    if clone.reflinks_between(tmp_path / "a", tmp_path / "b"):
        pytest.skip("this file system clones")
    assert list((tmp_path / "a").iterdir()) == [] and list((tmp_path / "b").iterdir()) == []
    store = Repo.open(repo)
    tree = store.commit_tree(git(repo, "rev-parse", "HEAD"))
    assert clone.plan(store, tree, tmp_path / "a" / "wt", tmp_path / "b" / "sh").clones is False


def _repo_with_big_files(path: Path) -> Path:
    files = {
        "small.txt": "small\n",
        "data/big.bin": os.urandom(BIG),
        "data/big.txt": ("line\n" * (BIG // 5)),
        "run/tool.sh": "#!/bin/sh\n" + "#" * BIG,
        "docs/.gitattributes": "*.md text eol=crlf\n",
        "docs/big.md": "doc line\n" * (BIG // 9),
    }
    make_repo(path, {})
    for rel, content in files.items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    os.chmod(path / "run" / "tool.sh", 0o755)
    git(path, "add", "-A")
    git(path, "commit", "-qm", "big files")
    return path


def _copying_ioctl(fd: int, request: int, arg: Any = 0, *rest: Any) -> Any:
    """FICLONE as far as the bytes go: the source's content copied into the target."""
    if request != clone.FICLONE:
        return fcntl.ioctl(fd, request, arg, *rest)
    os.lseek(arg, 0, os.SEEK_SET)
    while chunk := os.read(arg, 1 << 20):
        os.write(fd, chunk)
    return 0


def _spy_writes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The files written from the object store (their paths below the shadow)."""
    written: list[bytes] = []
    original = writer.Writer._write_file

    def spy(self: writer.Writer, path: bytes, entry: tuple[int, bytes], data: bytes) -> Any:
        written.append(path[len(self.root) + 1 :])
        return original(self, path, entry, data)

    monkeypatch.setattr(writer.Writer, "_write_file", spy)
    return written


def test_cloned_files_are_the_blobs_and_the_rest_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo_with_big_files(tmp_path / "repo")
    monkeypatch.setattr(clone, "reflinks_between", lambda source, target: True)
    monkeypatch.setattr(fcntl, "ioctl", _copying_ioctl)
    written = _spy_writes(monkeypatch)
    shadow = start(repo).shadow
    assert b"data/big.bin" not in written and b"run/tool.sh" not in written  # cloned
    assert b"docs/big.md" in written  # git wrote CRLF: the clone did not hash to the blob
    assert b"small.txt" in written  # small: written alongside git
    assert tree_of(repo, "HEAD") == expected_tree(shadow, status(repo)["base"])
    assert os.stat(shadow / "run" / "tool.sh").st_mode & 0o100
    assert b"\r\n" not in (shadow / "docs" / "big.md").read_bytes()
    assert b"\r\n" in (Path(status(repo)["worktree"]) / "docs" / "big.md").read_bytes()


def test_a_clone_that_fails_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Told it can clone, on a disk that cannot: every file still lands, from the object store."""
    repo = _repo_with_big_files(tmp_path / "repo")
    monkeypatch.setattr(clone, "reflinks_between", lambda source, target: True)
    shadow = start(repo).shadow
    assert tree_of(repo, "HEAD") == expected_tree(shadow, status(repo)["base"])


def test_a_source_that_is_a_symlink_is_never_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", {})
    (repo / "big.bin").write_bytes(b"x" * BIG)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "big")
    store = Repo.open(repo)
    oid = bytes.fromhex(git(repo, "rev-parse", "HEAD:big.bin"))
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    target.mkdir()
    secret = tmp_path / "secret"
    secret.write_bytes(b"x" * BIG)
    os.symlink(secret, source / "big.bin")
    monkeypatch.setattr(fcntl, "ioctl", _copying_ioctl)
    deferred = [writer.Deferred(b"big.bin", (MODE_FILE, oid), BIG)]
    got = writer.clone_deferred(store, target, source, deferred, set())
    assert got[b"big.bin"][1] == oid and (target / "big.bin").read_bytes() == b"x" * BIG
    assert not (target / "big.bin").is_symlink()


@pytest.mark.skipif(REFLINK_DIR is None, reason="REFLINK_TEST_DIR names no btrfs or XFS folder")
def test_real_clones_on_a_file_system_that_has_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert REFLINK_DIR is not None
    base = Path(REFLINK_DIR) / f"test-{os.getpid()}-{tmp_path.name}"
    try:
        repo = _repo_with_big_files(base / "repo")
        store = Repo.open(repo)
        home = repo / ".git" / "agent" / "features" / "f"
        home.mkdir(parents=True)
        assert clone.reflinks_between(home, home)
        tree = store.commit_tree(git(repo, "rev-parse", "HEAD"))
        assert clone.plan(store, tree, home / "worktree", home / "shadow").clones
        written = _spy_writes(monkeypatch)
        shadow = start(repo).shadow
        assert b"data/big.bin" not in written and b"docs/big.md" in written
        assert tree_of(repo, "HEAD") == expected_tree(shadow, status(repo)["base"])
    finally:
        shutil.rmtree(base, ignore_errors=True)
