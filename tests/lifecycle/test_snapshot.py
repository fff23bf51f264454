"""supervisor/snapshot.py: full scans, the stat cache and the known-path mode give git's own tree."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from supervisor.gitio import trees
from supervisor.gitio.objects import MODE_LINK
from supervisor.gitio.repo import Repo
from supervisor.lifecycle import snapshot as snapshot_module
from supervisor.lifecycle.snapshot import Snapshot, never_ignored
from tests.kit import checkpoint, cli, expected_tree, git, git_bytes, start, status, tree_of

Mutation = Callable[[Path, Path], list[bytes]]  # (root, outside) -> the paths that changed


def _workdir(tmp_path: Path) -> tuple[Path, Repo]:
    """A git repository whose work tree is the scanned directory (git computes the expected tree)."""
    root = tmp_path / "work"
    root.mkdir()
    git(root, "init", "-q")
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('hello')\n")
    (root / "src" / "util.py").write_text("X = 1\n")
    (root / "docs" / "deep" / "er").mkdir(parents=True)
    (root / "docs" / "guide.md").write_text("# Guide\n")
    (root / "docs" / "deep" / "er" / "note.md").write_text("note\n")
    (root / "README.md").write_text("demo\n")
    return root, Repo.open(root)


def _git_tree(root: Path) -> str:
    index = root.parent / "scratch.index"
    index.unlink(missing_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    git_bytes(root, "add", "-A", env=env)
    tree = git_bytes(root, "write-tree", env=env).decode().strip()
    index.unlink()
    return tree


def _snap(repo: Repo, root: Path, cache: Path) -> Snapshot:
    return Snapshot(repo, root, cache, never_ignored)


def _full_scan_tree(repo: Repo, root: Path, tmp_path: Path) -> bytes | None:
    """A scan with no cache at all: every file hashed from scratch."""
    cache = tmp_path / "fresh.cache"
    cache.unlink(missing_ok=True)
    return _snap(repo, root, cache).scan()


def _paths(tree: bytes | None, repo: Repo) -> dict[bytes, trees.Entry]:
    return dict(trees.walk(repo, tree))


# --- mutations: each returns every path a watcher would report --------------------------------


def _modify(root: Path, outside: Path) -> list[bytes]:
    (root / "src" / "app.py").write_text("print('bye')\n")
    return [b"src/app.py"]


def _delete_dir(root: Path, outside: Path) -> list[bytes]:
    shutil.rmtree(root / "docs")
    return [b"docs"]


def _delete_dir_leaves(root: Path, outside: Path) -> list[bytes]:
    shutil.rmtree(root / "docs")
    return [b"docs/guide.md", b"docs/deep/er/note.md"]


def _dir_to_file(root: Path, outside: Path) -> list[bytes]:
    shutil.rmtree(root / "docs")
    (root / "docs").write_text("now a file\n")
    return [b"docs"]


def _dir_to_file_with_leaves(root: Path, outside: Path) -> list[bytes]:
    shutil.rmtree(root / "docs")
    (root / "docs").write_text("now a file\n")
    return [b"docs", b"docs/guide.md", b"docs/deep/er/note.md"]


def _file_to_symlink(root: Path, outside: Path) -> list[bytes]:
    (root / "README.md").unlink()
    os.symlink("docs/guide.md", root / "README.md")
    return [b"README.md"]


def _file_to_dir_leaf_only(root: Path, outside: Path) -> list[bytes]:
    (root / "README.md").unlink()
    (root / "README.md").mkdir()
    (root / "README.md" / "inner.txt").write_text("inside\n")
    return [b"README.md/inner.txt"]


def _parent_to_symlink(root: Path, outside: Path) -> list[bytes]:
    shutil.rmtree(root / "src")
    os.symlink(outside, root / "src")
    return [b"src"]


def _parent_to_symlink_leaf_only(root: Path, outside: Path) -> list[bytes]:
    shutil.rmtree(root / "src")
    os.symlink(outside, root / "src")
    return [b"src/app.py"]


def _symlink_to_dir_back(root: Path, outside: Path) -> list[bytes]:
    (root / "README.md").unlink()
    os.symlink(outside, root / "README.md")
    return [b"README.md", b"README.md/app.py"]


def _new_nested(root: Path, outside: Path) -> list[bytes]:
    (root / "new" / "a" / "b").mkdir(parents=True)
    (root / "new" / "a" / "b" / "c.txt").write_text("c\n")
    (root / "new" / "top.txt").write_text("t\n")
    return [b"new"]


def _new_nested_leaves(root: Path, outside: Path) -> list[bytes]:
    (root / "new" / "a" / "b").mkdir(parents=True)
    (root / "new" / "a" / "b" / "c.txt").write_text("c\n")
    return [b"new/a/b/c.txt"]


def _chmod(root: Path, outside: Path) -> list[bytes]:
    os.chmod(root / "src" / "app.py", 0o755)
    return [b"src/app.py"]


def _unrelated_path_reported(root: Path, outside: Path) -> list[bytes]:
    return [b"never/existed", b"src/app.py/below-a-file", b".git/config"]


MUTATIONS: list[Mutation] = [
    _modify,
    _delete_dir,
    _delete_dir_leaves,
    _dir_to_file,
    _dir_to_file_with_leaves,
    _file_to_symlink,
    _file_to_dir_leaf_only,
    _parent_to_symlink,
    _parent_to_symlink_leaf_only,
    _symlink_to_dir_back,
    _new_nested,
    _new_nested_leaves,
    _chmod,
    _unrelated_path_reported,
]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda m: m.__name__.strip("_"))
def test_known_paths_give_the_tree_of_a_full_scan(tmp_path: Path, mutate: Mutation) -> None:
    root, repo = _workdir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "app.py").write_text("never captured\n")
    (outside / "secret.txt").write_text("never captured\n")
    cache = tmp_path / "snapshot.cache"
    first = _snap(repo, root, cache)
    first.scan()
    first.save()
    changed = mutate(root, outside)
    known = _snap(repo, root, cache)
    tree = known.scan(changed)
    known.save()
    assert tree is not None
    assert tree.hex() == _git_tree(root)
    assert tree == _full_scan_tree(repo, root, tmp_path)
    # the cache the known-path scan left behind stays right for the next full scan
    assert _snap(repo, root, cache).scan() == tree


def test_nothing_is_captured_through_a_symlinked_parent(tmp_path: Path) -> None:
    root, repo = _workdir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "app.py").write_text("outside\n")
    cache = tmp_path / "snapshot.cache"
    _snap(repo, root, cache).scan()
    shutil.rmtree(root / "src")
    os.symlink(outside, root / "src")
    for paths in ([b"src/app.py"], [b"src", b"src/app.py"], None):
        snap = _snap(repo, root, cache)
        found = _paths(snap.scan(paths), repo)
        assert found[b"src"][0] == MODE_LINK
        assert repo.read_blob(found[b"src"][1]) == os.fsencode(outside)
        assert not [p for p in found if p.startswith(b"src/")]


def test_full_scan_matches_git_for_odd_content(tmp_path: Path) -> None:
    root, repo = _workdir(tmp_path)
    (root / "crlf.txt").write_bytes(b"a\r\nb\r\n")
    (root / "bin.dat").write_bytes(bytes(range(256)) * 4)
    (root / "empty").write_bytes(b"")
    (root / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(root / "run.sh", 0o755)
    os.symlink("/etc/passwd", root / "etc-link")
    os.symlink("../../../outside", root / "up-link")
    os.symlink("dangling-target", root / "dangling")
    (root / "empty-dir").mkdir()
    tree = _snap(repo, root, tmp_path / "c").scan()
    assert tree is not None and tree.hex() == _git_tree(root)
    entries = _paths(tree, repo)
    assert entries[b"etc-link"][0] == MODE_LINK
    assert repo.read_blob(entries[b"etc-link"][1]) == b"/etc/passwd"
    assert b"empty-dir" not in entries


def test_same_size_rewrite_within_the_same_second_is_detected(tmp_path: Path) -> None:
    root, repo = _workdir(tmp_path)
    target = root / "src" / "app.py"
    cache = tmp_path / "snapshot.cache"
    snap = _snap(repo, root, cache)
    snap.scan()
    snap.save()
    before = os.stat(target)
    target.write_text("print('HELLO')\n")  # same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(target).st_size == before.st_size
    for paths in (None, [b"src/app.py"]):
        tree = _snap(repo, root, cache).scan(paths)
        assert repo.read_blob(trees.lookup(repo, tree, b"src/app.py")[1]) == b"print('HELLO')\n"  # type: ignore[index]


def test_racy_files_are_rehashed_where_timestamps_cannot_tell_writes_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filesystem with whole-second mtimes and no usable ctime (FAT, some network mounts):
    only the racy-git rule (a file as young as the scan is never trusted) catches the rewrite."""

    def coarse(st: os.stat_result) -> tuple[int, int, int, int, int]:
        return (st.st_mode, st.st_size, st.st_mtime_ns // 10**9, 0, st.st_ino)

    monkeypatch.setattr(snapshot_module, "stat_key", coarse)
    root, repo = _workdir(tmp_path)
    target = root / "src" / "app.py"
    cache = tmp_path / "snapshot.cache"
    snap = _snap(repo, root, cache)
    snap.scan()
    snap.save()
    before = os.stat(target)
    target.write_text("print('HELLO')\n")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert coarse(os.stat(target)) == coarse(before)
    tree = _snap(repo, root, cache).scan()
    assert repo.read_blob(trees.lookup(repo, tree, b"src/app.py")[1]) == b"print('HELLO')\n"  # type: ignore[index]


def test_without_a_cache_known_paths_still_give_the_whole_tree(tmp_path: Path) -> None:
    root, repo = _workdir(tmp_path)
    (root / "src" / "app.py").write_text("changed\n")
    for content in (None, b"garbage \x00\xff" * 10):
        cache = tmp_path / "snapshot.cache"
        cache.unlink(missing_ok=True)
        if content is not None:
            cache.write_bytes(content)
        tree = _snap(repo, root, cache).scan([b"src/app.py"])
        assert tree is not None and tree.hex() == _git_tree(root)


def test_gitlink_is_kept_even_when_a_path_inside_it_is_reported(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    (other / "lib.txt").write_text("lib\n")
    git(other, "add", "-A")
    git(other, "commit", "-qm", "lib")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), "sub")
    git(repo, "commit", "-qm", "submodule")
    gitlink = git(repo, "rev-parse", "HEAD:sub")
    shadow = start(repo).shadow
    (shadow / "sub" / "stray.txt").write_text("inside the submodule's folder\n")
    from supervisor.lifecycle.workspace import open_feature as feature

    with feature(dict(os.environ), str(repo), "f") as found:
        for paths in ([b"sub/stray.txt"], [b"sub"], None):
            tree = found.scanner.scan(paths)
            entry = trees.lookup(found.repo, tree, b"sub")
            assert entry is not None and f"{entry[0]:o}" == "160000"
            assert entry[1].hex() == gitlink


# --- the cache file on disk, through the command line --------------------------------------------


def _cache_file(repo: Path, name: str = "f") -> Path:
    return repo / ".git" / "agent" / "features" / name / "snapshot.cache"


@pytest.mark.parametrize("damage", ["delete", "garbage", "truncate", "empty", "wrong-version"])
def test_a_damaged_cache_still_gives_a_correct_checkpoint(repo: Path, damage: str) -> None:
    shadow = start(repo).shadow
    base = status(repo)["base"]
    (shadow / "src" / "app.py").write_text("print('one')\n")
    assert checkpoint(repo)["created"]
    (shadow / "src" / "app.py").write_text("print('two')\n")
    (shadow / "docs" / "guide.md").unlink()
    (shadow / "new.txt").write_text("new\n")
    cache = _cache_file(repo)
    assert cache.is_file()
    if damage == "delete":
        cache.unlink()
    elif damage == "garbage":
        cache.write_bytes(os.urandom(64) + b"\xff" * 100)
    elif damage == "truncate":
        cache.write_bytes(cache.read_bytes()[: len(cache.read_bytes()) // 2])
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        import marshal

        cache.write_bytes(marshal.dumps((999, None, {})))
    made = checkpoint(repo)
    assert made["created"] and made["number"] == 2
    assert tree_of(repo, made["commit"]) == expected_tree(shadow, base)
    # and the rebuilt cache serves the next checkpoint: nothing changed, nothing made
    assert checkpoint(repo)["created"] is False


def test_a_stale_cache_from_an_older_checkpoint_is_harmless(repo: Path) -> None:
    shadow = start(repo).shadow
    base = status(repo)["base"]
    (shadow / "a.txt").write_text("a\n")
    checkpoint(repo)
    old_cache = _cache_file(repo).read_bytes()
    (shadow / "a.txt").unlink()
    (shadow / "src" / "app.py").write_text("changed\n")
    (shadow / "b.txt").write_text("b\n")
    checkpoint(repo)
    _cache_file(repo).write_bytes(old_cache)
    result = cli(repo, "checkpoint", "f", "--json")
    assert result.code == 0, result
    tip = git(repo, "rev-parse", "refs/agent/f/checkpoints")
    assert tree_of(repo, tip) == expected_tree(shadow, base)


def test_scan_never_enters_the_shadows_own_git_dir(repo: Path) -> None:
    shadow = start(repo).shadow
    git(shadow, "status")  # the agent may use git here
    (shadow / "src" / ".git").write_text("gitdir: nowhere\n")
    from supervisor.lifecycle.workspace import open_feature as feature

    with feature(dict(os.environ), str(repo), "f") as found:
        entries = dict(trees.walk(found.repo, found.scanner.scan()))
        assert not [p for p in entries if b".git" in p.split(b"/")]
        entries = dict(trees.walk(found.repo, found.scanner.scan([b".git/config", b"src/.git"])))
        assert not [p for p in entries if b".git" in p.split(b"/")]


def test_ignored_directory_is_not_walked(repo: Path) -> None:
    shadow = start(repo).shadow
    base = status(repo)["base"]
    (shadow / ".gitignore").write_text("build/\n*.log\n!keep.log\n")
    (shadow / "build" / "deep").mkdir(parents=True)
    (shadow / "build" / "deep" / "out.o").write_bytes(b"\0obj")
    (shadow / "trace.log").write_text("noise\n")
    (shadow / "keep.log").write_text("kept\n")
    (shadow / "src" / "build").write_text("a file named build is not a directory\n")
    made = checkpoint(repo)
    entries = set(trees_of(repo, made["commit"]))
    assert b"keep.log" in entries and b".gitignore" in entries
    assert b"trace.log" not in entries
    assert not [p for p in entries if p.startswith(b"build/")]
    assert tree_of(repo, made["commit"]) == expected_tree(shadow, base)


def trees_of(repo: Path, rev: str) -> list[bytes]:
    out = git_bytes(repo, "ls-tree", "-r", "-z", "--name-only", rev)
    return [p for p in out.split(b"\0") if p]


def test_interrupted_checkpoint_leftovers_do_not_matter(repo: Path) -> None:
    shadow = start(repo).shadow
    base = status(repo)["base"]
    (shadow / "one.txt").write_text("1\n")
    checkpoint(repo)
    # what a kill -9 in the middle leaves: a half-written cache, an object no ref reaches
    tmp = _cache_file(repo).with_name("snapshot.cache.tmp")
    tmp.write_bytes(b"half a cache")
    dangling = git(repo, "hash-object", "-w", "--stdin", input=b"orphan blob\n")
    (shadow / "two.txt").write_text("2\n")
    (shadow / "one.txt").write_text("one\n")
    made = checkpoint(repo)
    assert made["created"] and made["number"] == 2
    assert tree_of(repo, made["commit"]) == expected_tree(shadow, base)
    assert git(repo, "cat-file", "-t", dangling) == "blob"
    fsck = subprocess.run(
        ["git", "fsck", "--no-dangling", "--connectivity-only"], cwd=repo, capture_output=True
    )
    assert fsck.returncode == 0, fsck.stderr


def test_stale_ref_lock_after_a_kill_is_a_clear_error(repo: Path) -> None:
    shadow = start(repo).shadow
    (shadow / "new.txt").write_text("x\n")
    lock = repo / ".git" / "refs" / "agent" / "f" / "checkpoints.lock"
    lock.write_text("")
    result = cli(repo, "checkpoint", "f")
    assert result.code == 3, result
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert "checkpoints.lock" in result.err
    lock.unlink()
    made = checkpoint(repo)
    assert made["created"] and made["number"] == 1


def test_a_tree_holding_a_git_dir_is_never_written_into_the_shadows(repo: Path) -> None:
    """A hostile base tree with a `.git/hooks/...` entry: start works, nothing lands in .git."""
    from supervisor.gitio import trees as raw_trees
    from supervisor.gitio.objects import BLOB, MODE_EXEC
    from supervisor.gitio.repo import Repo

    store = Repo.open(repo)
    head = git(repo, "rev-parse", "HEAD")
    hook = store.write(BLOB, b"#!/bin/sh\necho owned > /tmp/owned\n")
    tree = raw_trees.update(
        store, store.commit_tree(head), {b".git/hooks/post-checkout": (MODE_EXEC, hook)}
    )
    assert tree is not None
    hostile = store.create_commit(tree, [head], "hostile tree\n")
    result = cli(repo, "start", "h", "--base", hostile)
    assert result.code in (0, 3), result
    assert "Traceback" not in result.err
    if result.code == 0:
        shadow = Path(cli(repo, "status", "h", "--json").json()["shadow"])  # type: ignore[index]
        assert not (shadow / ".git" / "hooks" / "post-checkout").exists()
        assert (shadow / "src" / "app.py").exists()
