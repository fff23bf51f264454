"""The quick scan (git's diff-files against the snapshot's private index, directories read
again only when their stat moved) gives exactly the tree of a full scan, or hands over to it.

Most cases need records git can vouch for: files older than the racy window. The work trees
are made once per module and aged past it together; each case then scans, saves (the index is
written), changes the tree, and asks for a quick scan."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from supervisor.gitio import trees
from supervisor.gitio.index import FileId, changed_paths, diff_files, file_id, read_index
from supervisor.gitio.objects import MODE_EXEC, MODE_LINK
from supervisor.gitio.repo import Repo
from supervisor.lifecycle import snapshot as snapshot_module
from supervisor.lifecycle.snapshot import (
    RACY_NS,
    Fallback,
    Ignored,
    Snapshot,
    index_file,
    never_ignored,
)
from tests.kit import checkpoint, expected_tree, git, git_bytes, start, status, tree_of
from tests.lifecycle.test_snapshot import MUTATIONS, Mutation

Change = Callable[[Path], None]
COPIES = 64


def _make_work(root: Path) -> None:
    root.mkdir(parents=True)
    git(root, "init", "-q")
    files = {
        "src/app.py": "print('hello')\n",
        "src/util.py": "X = 1\n",
        "docs/guide.md": "# Guide\n",
        "docs/deep/er/note.md": "note\n",
        "README.md": "demo\n",
        "run.sh": "#!/bin/sh\n",
        ".gitignore": "*.log\nbuild/\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    os.chmod(root / "run.sh", 0o755)
    os.symlink("src/app.py", root / "link")
    (root / "old.log").write_text("ignored\n")
    (root / "build").mkdir()
    (root / "build" / "out.o").write_text("ignored\n")
    (root / b"caf\xe9.txt".decode("utf-8", "surrogateescape")).write_text("latin-1 name\n")


@pytest.fixture(scope="module")
def aged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Path]]:
    """Work trees older than the racy window, one per case (taken in turn)."""
    base = tmp_path_factory.mktemp("aged")
    roots = [base / f"w{n}" for n in range(COPIES)]
    for root in roots:
        _make_work(root)
    time.sleep(RACY_NS / 1e9 + 0.2)
    yield roots


@pytest.fixture
def work(aged: list[Path], tmp_path: Path) -> tuple[Path, Repo, Path]:
    if not aged:
        pytest.fail("more cases than aged work trees: raise COPIES")
    root = aged.pop()
    return root, Repo.open(root), tmp_path / "snapshot.cache"


def _ignored(root: Path) -> Ignored:
    return Repo.open(root).ignored()


def _git_tree(root: Path) -> str:
    """What git makes of the work tree (its .gitignore honoured, like the snapshot's rules)."""
    index = root.parent / f"{root.name}.expected.index"
    index.unlink(missing_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    git_bytes(root, "add", "-A", env=env)
    tree = git_bytes(root, "write-tree", env=env).decode().strip()
    index.unlink()
    return tree


def _full(root: Path, repo: Repo, cache: Path, ignored: Ignored) -> Snapshot:
    snap = Snapshot(repo, root, cache, ignored)
    snap.scan()
    snap.save()
    return snap


def _git_says(root: Path, cache: Path) -> Callable[[], tuple[Sequence[bytes], FileId | None]]:
    seen = file_id(index_file(cache))
    running = diff_files(root / ".git", root, index_file(cache))

    def says() -> tuple[Sequence[bytes], FileId | None]:
        return changed_paths(running.output()), seen

    return says


def _quick(root: Path, repo: Repo, cache: Path, ignored: Ignored) -> bytes | None:
    snap = Snapshot(repo, root, cache, ignored)
    tree = snap.quick_scan(_git_says(root, cache))
    snap.save()
    return tree


def _fresh_full(root: Path, repo: Repo, ignored: Ignored) -> bytes | None:
    cache = root.parent / f"{root.name}.fresh.cache"
    for stale in (cache, index_file(cache)):
        stale.unlink(missing_ok=True)
    return Snapshot(repo, root, cache, ignored).scan()


def _assert_exact(
    root: Path, repo: Repo, cache: Path, tree: bytes | None, like_git: bool = True
) -> None:
    ignored = _ignored(root)
    assert tree is not None
    if like_git:  # git's own add -A refuses a nested repository without a commit
        assert tree.hex() == _git_tree(root)
    assert tree == _fresh_full(root, repo, ignored)
    # the cache the quick scan left serves the next quick scan and the next full scan
    assert _quick(root, repo, cache, ignored) == tree
    assert Snapshot(repo, root, cache, ignored).scan() == tree


# --- the watcher's cases, and more ---------------------------------------------------------------


def _mutation_case(mutate: Mutation) -> Change:
    def change(root: Path) -> None:
        outside = root.parent / f"{root.name}.outside"
        outside.mkdir(exist_ok=True)
        (outside / "app.py").write_text("never captured\n")
        mutate(root, outside)

    change.__name__ = mutate.__name__
    return change


def _new_file_in_old_dir(root: Path) -> None:
    (root / "docs" / "deep" / "new.md").write_text("new\n")


def _new_file_at_top(root: Path) -> None:
    (root / "top.txt").write_text("top\n")


def _rename_file(root: Path) -> None:
    os.rename(root / "src" / "util.py", root / "src" / "moved.py")


def _rename_dir(root: Path) -> None:
    os.rename(root / "docs", root / "manual")


def _exec_bit_off(root: Path) -> None:
    os.chmod(root / "run.sh", 0o644)


def _same_size_mtime_kept(root: Path) -> None:
    target = root / "src" / "app.py"
    before = os.stat(target)
    target.write_text("print('HELLO')\n")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))


def _retarget_link_same_length(root: Path) -> None:
    (root / "link").unlink()
    os.symlink("src/xyz.py", root / "link")


def _replace_by_rename(root: Path) -> None:
    (root / "src" / "tmp").write_text("X = 2\n")
    os.replace(root / "src" / "tmp", root / "src" / "util.py")


def _new_ignored_files(root: Path) -> None:
    (root / "src" / "debug.log").write_text("ignored\n")
    (root / "build" / "more.o").write_text("ignored\n")
    (root / "tmp" / "build").mkdir(parents=True)
    (root / "tmp" / "build" / "x").write_text("ignored dir inside a new one\n")


def _ignored_file_deleted_and_new_one(root: Path) -> None:
    (root / "old.log").unlink()
    (root / "fresh.txt").write_text("kept\n")


def _non_utf8_names(root: Path) -> None:
    name = b"caf\xe9.txt".decode("utf-8", "surrogateescape")
    (root / name).write_text("changed\n")
    (root / b"\xff\xfe dir".decode("utf-8", "surrogateescape")).mkdir()
    (root / b"\xff\xfe dir/\x01\n.txt".decode("utf-8", "surrogateescape")).write_text("odd\n")


def _nested_repo_in_new_dir(root: Path) -> None:
    (root / "vendor" / "lib").mkdir(parents=True)
    git(root / "vendor" / "lib", "init", "-q")
    (root / "vendor" / "lib" / "lib.c").write_text("int x;\n")


def _nested_repo_in_old_dir(root: Path) -> None:
    git(root / "docs", "init", "-q")


def _fifo_and_empty_dir(root: Path) -> None:
    os.mkfifo(root / "src" / "pipe")
    (root / "empty" / "deeper").mkdir(parents=True)


def _deleted_everything_in_a_dir(root: Path) -> None:
    for child in (root / "src").iterdir():
        child.unlink()


def _new_gitignore_in_new_dir(root: Path) -> None:
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / ".gitignore").write_text("*.tmp\n")
    (root / "pkg" / "a.tmp").write_text("ignored by the new file\n")
    (root / "pkg" / "sub" / "b.py").write_text("kept\n")


def _unchanged(root: Path) -> None:
    return None


CHANGES: list[Change] = [
    *(_mutation_case(m) for m in MUTATIONS),
    _new_file_in_old_dir,
    _new_file_at_top,
    _rename_file,
    _rename_dir,
    _exec_bit_off,
    _same_size_mtime_kept,
    _retarget_link_same_length,
    _replace_by_rename,
    _new_ignored_files,
    _ignored_file_deleted_and_new_one,
    _non_utf8_names,
    _nested_repo_in_new_dir,
    _nested_repo_in_old_dir,
    _fifo_and_empty_dir,
    _deleted_everything_in_a_dir,
    _new_gitignore_in_new_dir,
    _unchanged,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__.strip("_"))
def test_quick_scan_gives_the_tree_of_a_full_scan(
    work: tuple[Path, Repo, Path], change: Change
) -> None:
    root, repo, cache = work
    ignored = _ignored(root)
    _full(root, repo, cache, ignored)
    change(root)
    tree = _quick(root, repo, cache, ignored)
    _assert_exact(root, repo, cache, tree, "nested_repo" not in change.__name__)


def test_skipped_paths_follow_the_tree(work: tuple[Path, Repo, Path]) -> None:
    root, repo, cache = work
    ignored = _ignored(root)
    _nested_repo_in_old_dir(root)
    snap = _full(root, repo, cache, ignored)
    assert b"docs/.git" in snap.skipped
    shutil.rmtree(root / "docs" / ".git")
    (root / "docs" / "x.md").write_text("x\n")
    quick = Snapshot(repo, root, cache, ignored)
    quick.quick_scan(_git_says(root, cache))
    assert b"docs/.git" not in quick.skipped


def test_a_file_growing_past_the_ceiling_and_back(
    work: tuple[Path, Repo, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot_module, "STORE_CEILING", 64)
    root, repo, cache = work
    ignored = _ignored(root)
    _full(root, repo, cache, ignored)
    (root / "big.bin").write_bytes(b"x" * 100)
    snap = Snapshot(repo, root, cache, ignored)
    tree = snap.quick_scan(_git_says(root, cache))
    snap.save()
    assert b"big.bin" in snap.skipped and trees.lookup(repo, tree, b"big.bin") is None
    (root / "big.bin").write_bytes(b"small now\n")
    again = Snapshot(repo, root, cache, ignored)
    tree = again.quick_scan(_git_says(root, cache))
    assert b"big.bin" not in again.skipped and trees.lookup(repo, tree, b"big.bin") is not None


# --- what a quick scan hands over to the full walk ---------------------------------------------


def _edit_gitignore(root: Path) -> None:
    (root / ".gitignore").write_text("*.log\n")  # build/ is no longer ignored


def _new_gitignore_in_old_dir(root: Path) -> None:
    (root / "docs" / ".gitignore").write_text("!*.log\n")


def _delete_gitignore(root: Path) -> None:
    (root / ".gitignore").unlink()


@pytest.mark.parametrize(
    "change", [_edit_gitignore, _new_gitignore_in_old_dir, _delete_gitignore], ids=str
)
def test_a_changed_ignore_rule_hands_over_to_the_full_walk(
    work: tuple[Path, Repo, Path], change: Change
) -> None:
    root, repo, cache = work
    ignored = _ignored(root)
    _full(root, repo, cache, ignored)
    change(root)
    with pytest.raises(Fallback):
        Snapshot(repo, root, cache, ignored).quick_scan(_git_says(root, cache))
    tree = Snapshot(repo, root, cache, ignored).scan()
    assert tree is not None and tree.hex() == _git_tree(root)


def test_an_ignore_source_outside_the_tree_hands_over(work: tuple[Path, Repo, Path]) -> None:
    root, repo, cache = work
    exclude = root.parent / f"{root.name}.exclude"
    exclude.write_text("")

    def sources(full: bool) -> list[bytes]:
        return [os.fsencode(exclude)]

    first = Snapshot(repo, root, cache, never_ignored, sources)
    first.scan()
    first.save()
    quick = Snapshot(repo, root, cache, never_ignored, sources)
    quick.quick_scan(_git_says(root, cache))
    quick.save()
    exclude.write_text("*.md\n")
    with pytest.raises(Fallback):
        Snapshot(repo, root, cache, never_ignored, sources).quick_scan(_git_says(root, cache))


def test_an_index_that_is_not_the_caches_hands_over(work: tuple[Path, Repo, Path]) -> None:
    root, repo, cache = work
    _full(root, repo, cache, never_ignored)
    says = _git_says(root, cache)
    other = Snapshot(repo, root, cache, never_ignored)
    other.scan()
    other.save()  # a new index: the one git read (says) is gone
    with pytest.raises(Fallback):
        Snapshot(repo, root, cache, never_ignored).quick_scan(says)
    index_file(cache).write_bytes(index_file(cache).read_bytes())  # same bytes, another file
    with pytest.raises(Fallback):
        Snapshot(repo, root, cache, never_ignored).quick_scan(_git_says(root, cache))
    # and the full scan then starts over, right
    tree = Snapshot(repo, root, cache, never_ignored).scan()
    assert tree == _fresh_full(root, repo, never_ignored)


def test_a_damaged_index_costs_a_full_hash_never_a_wrong_tree(
    work: tuple[Path, Repo, Path],
) -> None:
    root, repo, cache = work
    _full(root, repo, cache, never_ignored)
    (root / "src" / "app.py").write_text("changed\n")
    index = index_file(cache)
    data = bytearray(index.read_bytes())
    data[100] ^= 0xFF
    stat = os.stat(index)
    index.write_bytes(bytes(data))
    os.utime(index, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    tree = Snapshot(repo, root, cache, never_ignored).scan()
    assert tree == _fresh_full(root, repo, never_ignored)


# --- young files: the delta, compared to the nanosecond ------------------------------------------


def test_young_records_are_checked_by_us_not_by_git(tmp_path: Path) -> None:
    """A same-size rewrite with the mtime put back, in the second the record was taken: git
    (whole seconds here) cannot see it; the delta's nanosecond comparison does."""
    root = tmp_path / "young"
    _make_work(root)
    repo, cache = Repo.open(root), tmp_path / "snapshot.cache"
    snap = _full(root, repo, cache, never_ignored)
    assert b"src/app.py" in snap.delta  # too young for the index alone
    target = root / "src" / "app.py"
    before = os.stat(target)
    target.write_text("print('HELLO')\n")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    tree = _quick(root, repo, cache, never_ignored)
    entry = trees.lookup(repo, tree, b"src/app.py")
    assert entry is not None and repo.read_blob(entry[1]) == b"print('HELLO')\n"


def test_settled_records_leave_the_delta_for_the_index(work: tuple[Path, Repo, Path]) -> None:
    root, repo, cache = work
    snap = _full(root, repo, cache, never_ignored)
    assert not [p for p, c in snap.delta.items() if c is not None and c[2] != 0o160000]
    recorded = {r.path for r in read_index(index_file(cache))}
    assert b"src/app.py" in recorded and b"link" in recorded
    mode = {r.path: r.mode for r in read_index(index_file(cache))}
    assert mode[b"run.sh"] == MODE_EXEC and mode[b"link"] == MODE_LINK


def test_the_index_is_one_git_reads(work: tuple[Path, Repo, Path]) -> None:
    root, repo, cache = work
    _full(root, repo, cache, never_ignored)
    env = {"GIT_INDEX_FILE": str(index_file(cache))}
    listed = git_bytes(root, "ls-files", "-z", env=env).split(b"\0")
    assert b"src/app.py" in listed and "caf\xe9.txt".encode("latin-1") in listed
    assert git_bytes(root, "diff-files", "--name-only", env=env) == b""
    assert os.stat(index_file(cache)).st_mtime_ns == 0  # git's racy rule stays off


# --- through the command line -------------------------------------------------------------------


def test_cli_checkpoints_after_start_are_exact(repo: Path) -> None:
    shadow = start(repo).shadow
    base = status(repo)["base"]
    time.sleep(RACY_NS / 1e9 + 0.2)
    assert checkpoint(repo)["created"] is False  # settles what start wrote
    (shadow / "src" / "app.py").write_text("print('changed')\n")
    (shadow / "new" / "deep").mkdir(parents=True)
    (shadow / "new" / "deep" / "file.txt").write_text("new\n")
    (shadow / "README.md").unlink()
    made = checkpoint(repo)
    assert made["created"] is True
    assert tree_of(repo, made["commit"]) == expected_tree(shadow, base)
    # at once, in the same second: a same-size rewrite with the mtime put back
    target = shadow / "new" / "deep" / "file.txt"
    before = os.stat(target)
    target.write_text("NEW\n")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = checkpoint(repo)
    assert again["created"] is True
    assert tree_of(repo, again["commit"]) == expected_tree(shadow, base)


def test_cli_checkpoint_of_modified_files_never_imports_pygit2(repo: Path) -> None:
    shadow = start(repo).shadow
    checkpoint(repo)
    (shadow / "src" / "app.py").write_text("print('changed')\n")
    code = (
        "import sys; from supervisor.cli import main; "
        f"code = main(['checkpoint', 'f'], cwd={str(repo)!r}); "
        "print(code, 'pygit2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 False", out.stdout + out.stderr
