"""supervisor/gitio/index.py: the private index round-trips, git reads it, and its diff-files
names exactly the entries whose stat data moved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from supervisor.gitio.index import (
    Record,
    changed_paths,
    decode,
    diff_files,
    encode,
    read_index,
    write_index,
)
from supervisor.gitio.objects import MODE_FILE
from supervisor.gitio.repo import Repo
from tests.kit import git, git_bytes


def _record(root: Path, rel: bytes, repo: Repo) -> Record:
    from supervisor.gitio.objects import BLOB

    path = os.fsencode(root) + b"/" + rel
    st = os.lstat(path)
    with open(path, "rb") as handle:
        oid = repo.write(BLOB, handle.read())
    return Record(rel, MODE_FILE, oid, st.st_ctime_ns, st.st_mtime_ns, st.st_ino, st.st_size)


def test_round_trip_with_long_and_odd_names() -> None:
    long_name = b"d/" + b"x" * 5000
    records = sorted(
        [
            Record(b"a", MODE_FILE, b"\x01" * 20, 10**18 + 5, 2 * 10**18 + 7, 12, 34),
            Record(long_name, MODE_FILE, b"\x02" * 20, 1, 2, 3, 4),
            Record(b"\xff\n name", 0o120000, b"\x03" * 20, 0, 0, 0, 0),
        ]
    )
    assert decode(encode(records, 1, 2, 3)) == records
    damaged = bytearray(encode(records, 1, 2, 3))
    damaged[40] ^= 1
    with pytest.raises(ValueError):
        decode(bytes(damaged))


def test_git_reads_it_and_names_only_what_moved(repo: Path, tmp_path: Path) -> None:
    store = Repo.open(repo)
    rels = sorted([b"README.md", b"docs/guide.md", b"src/app.py"])
    index = tmp_path / "private.index"
    write_index(
        index,
        [_record(repo, rel, store) for rel in rels],
        os.lstat(repo).st_dev,
        os.getuid(),
        os.getgid(),
    )
    assert os.stat(index).st_mtime_ns == 0
    assert read_index(index)[0].path == b"README.md"
    listed = git_bytes(repo, "ls-files", "-s", env={"GIT_INDEX_FILE": str(index)}).decode()
    assert listed == git(repo, "ls-files", "-s") + "\n"
    git(repo, "config", "core.fsmonitor", "true")  # yours: never ours
    assert changed_paths(diff_files(repo / ".git", repo, index).output()) == []
    (repo / "src" / "app.py").write_text("print('changed')\n")
    (repo / "README.md").unlink()
    (repo / "untracked.txt").write_text("not in the index: not git's to name\n")
    found = changed_paths(diff_files(repo / ".git", repo, index).output())
    assert sorted(found) == [b"README.md", b"src/app.py"]
