"""supervisor/changes.py: the change list rules see, built from the changed subtrees only."""

from __future__ import annotations

import os
from pathlib import Path

from supervisor.gitio import trees
from supervisor.gitio.changes import changes_between, find_renames
from supervisor.gitio.objects import BLOB, MODE_FILE, MODE_GITLINK
from supervisor.gitio.repo import Repo
from tests.kit import commit_all, git


def tree_of(repo: Path, rev: str = "HEAD") -> bytes:
    return bytes.fromhex(git(repo, "rev-parse", f"{rev}^{{tree}}"))


def test_renames_exact_and_similar_and_unrelated(repo: Path) -> None:
    body = "".join(f"line {n}\n" for n in range(40))
    (repo / "src" / "exact.py").write_text(body)
    (repo / "src" / "edited.py").write_text("x\n" + body)
    (repo / "src" / "gone.py").write_text("only here\n")
    before = tree_of(repo, commit_all(repo, "before"))
    os.rename(repo / "src" / "exact.py", repo / "lib_exact.py")
    (repo / "src" / "edited.py").unlink()
    (repo / "lib_edited.py").write_text(body + "y\n")
    (repo / "src" / "gone.py").unlink()
    (repo / "unrelated.py").write_text("nothing alike\n")
    after = tree_of(repo, commit_all(repo, "after"))
    found = {
        (c.status, c.old_path, c.path) for c in changes_between(Repo.open(repo), before, after)
    }
    assert found == {
        ("R", "src/exact.py", "lib_exact.py"),
        ("R", "src/edited.py", "lib_edited.py"),
        ("D", None, "src/gone.py"),
        ("A", None, "unrelated.py"),
    }
    git_says = git(repo, "diff", "--name-status", "-M", "HEAD~1", "HEAD").splitlines()
    assert sorted(line.split("\t")[0][0] for line in git_says) == ["A", "D", "R", "R"]


def test_line_counts_and_lines_match_git(repo: Path) -> None:
    before = tree_of(repo)
    (repo / "src" / "app.py").write_text("print('hello')\nprint('more')\nprint('again')\n")
    (repo / "README.md").unlink()
    after = tree_of(repo, commit_all(repo, "edit"))
    changes = {c.path: c for c in changes_between(Repo.open(repo), before, after)}
    numstat = git(repo, "diff", "--numstat", "HEAD~1", "HEAD").splitlines()
    for line in numstat:
        added, deleted, path = line.split("\t")
        assert (changes[path].added, changes[path].deleted) == (int(added), int(deleted))
    assert list(changes["src/app.py"].added_lines()) == [
        (2, "print('more')"),
        (3, "print('again')"),
    ]
    assert changes["README.md"].status == "D"


def test_gitlink_and_equal_trees(repo: Path) -> None:
    store = Repo.open(repo)
    base = tree_of(repo)
    assert changes_between(store, base, base) == []
    commit = bytes.fromhex(git(repo, "rev-parse", "HEAD"))
    with_link = trees.update(store, base, {b"vendor/lib": (MODE_GITLINK, commit)})
    (change,) = changes_between(store, base, with_link)
    assert (change.status, change.mode, change.added, change.binary) == (
        "A",
        MODE_GITLINK,
        0,
        False,
    )


def test_rename_search_is_bounded(repo: Path) -> None:
    store = Repo.open(repo)
    blobs = {n: store.write(BLOB, f"content {n}\n".encode() * 3) for n in range(3)}
    gone = {f"old{n}".encode(): (MODE_FILE, blobs[n]) for n in range(3)}
    came = {f"new{n}".encode(): (MODE_FILE, blobs[n]) for n in range(3)}
    assert find_renames(store, gone, came) == {b"new0": b"old0", b"new1": b"old1", b"new2": b"old2"}
