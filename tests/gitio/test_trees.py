"""supervisor/trees.py: byte-exact trees that git itself would write, updated only on changed paths."""

from __future__ import annotations

from pathlib import Path

from supervisor.gitio import trees
from supervisor.gitio.objects import BLOB, MODE_EXEC, MODE_FILE, MODE_LINK, MODE_TREE
from supervisor.gitio.repo import Repo
from tests.kit import git, git_bytes, write_bytes_path

NAMES = [b"a/x", b"a.b", b"a-b/y", b"a0", b"ab/c/d", b"\xff\xfe raw", b"sp ace/t\tab"]


def _repo(tmp_path: Path) -> tuple[Path, Repo]:
    path = tmp_path / "objects"
    path.mkdir()
    git(path, "init", "-q")
    return path, Repo.open(path)


def _blob(store: Repo, data: bytes) -> bytes:
    return store.write(BLOB, data)


def _git_tree(path: Path, files: dict[bytes, bytes]) -> str:
    for rel, data in files.items():
        parent = rel.rpartition(b"/")[0]
        if parent:
            (path / parent.decode(errors="surrogateescape")).mkdir(parents=True, exist_ok=True)
        write_bytes_path(path, rel, data)
    git(path, "add", "-A")
    return git_bytes(path, "write-tree").decode().strip()


def test_update_writes_the_same_tree_as_git(tmp_path: Path) -> None:
    path, store = _repo(tmp_path)
    files = {name: b"content of " + name for name in NAMES}
    tree = trees.update(store, None, {n: (MODE_FILE, _blob(store, d)) for n, d in files.items()})
    assert tree is not None
    assert tree.hex() == _git_tree(path, files)


def test_entries_round_trip_through_serialize_and_parse(tmp_path: Path) -> None:
    _, store = _repo(tmp_path)
    oid = _blob(store, b"x")
    entries = {b"\xff": (MODE_FILE, oid), b"run": (MODE_EXEC, oid), b"l": (MODE_LINK, oid)}
    assert trees.parse(trees.serialize(entries)) == entries


def test_update_rewrites_only_the_trees_on_changed_paths(tmp_path: Path) -> None:
    _, store = _repo(tmp_path)
    one, two = _blob(store, b"1"), _blob(store, b"2")
    tree = trees.update(store, None, {b"a/x": (MODE_FILE, one), b"b/y": (MODE_FILE, one)})
    after = trees.update(store, tree, {b"a/x": (MODE_FILE, two)})
    before_b = trees.read_tree(store, tree)[b"b"]
    assert trees.read_tree(store, after)[b"b"] == before_b
    assert trees.read_tree(store, after)[b"a"] != trees.read_tree(store, tree)[b"a"]
    assert trees.lookup(store, after, b"a/x") == (MODE_FILE, two)
    assert trees.update(store, after, {}) == after


def test_deleting_the_last_file_drops_its_directories(tmp_path: Path) -> None:
    _, store = _repo(tmp_path)
    one = _blob(store, b"1")
    tree = trees.update(store, None, {b"a/b/c": (MODE_FILE, one), b"top": (MODE_FILE, one)})
    after = trees.update(store, tree, {b"a/b/c": None})
    assert set(trees.read_tree(store, after)) == {b"top"}
    assert trees.update(store, after, {b"top": None}) is None


def test_file_becomes_directory_and_back(tmp_path: Path) -> None:
    _, store = _repo(tmp_path)
    one, two = _blob(store, b"1"), _blob(store, b"2")
    tree = trees.update(store, None, {b"a": (MODE_FILE, one)})
    as_dir = trees.update(store, tree, {b"a": None, b"a/inner": (MODE_FILE, two)})
    assert trees.read_tree(store, as_dir)[b"a"][0] == MODE_TREE
    assert list(trees.walk(store, as_dir)) == [(b"a/inner", (MODE_FILE, two))]
    back = trees.update(store, as_dir, {b"a": (MODE_FILE, one), b"a/inner": None})
    assert back == tree


def test_diff_orders_type_changes_so_a_writer_can_follow_it(tmp_path: Path) -> None:
    _, store = _repo(tmp_path)
    one, two = _blob(store, b"1"), _blob(store, b"2")
    file_tree = trees.update(store, None, {b"a": (MODE_FILE, one), b"same": (MODE_FILE, one)})
    dir_tree = trees.update(store, None, {b"a/x": (MODE_FILE, two), b"same": (MODE_FILE, one)})
    forward = list(trees.compare(store, file_tree, dir_tree))
    assert forward == [(b"a", (MODE_FILE, one), None), (b"a/x", None, (MODE_FILE, two))]
    backward = list(trees.compare(store, dir_tree, file_tree))
    assert backward == [(b"a/x", (MODE_FILE, two), None), (b"a", None, (MODE_FILE, one))]
    assert list(trees.compare(store, dir_tree, dir_tree)) == []


def test_lookup_and_walk_keep_raw_names(tmp_path: Path) -> None:
    _, store = _repo(tmp_path)
    one = _blob(store, b"1")
    tree = trees.update(store, None, {b"d\xff/n\nl": (MODE_FILE, one)})
    assert trees.lookup(store, tree, b"d\xff/n\nl") == (MODE_FILE, one)
    assert trees.lookup(store, tree, b"d\xff/missing") is None
    assert trees.lookup(store, tree, b"d\xff/n\nl/below") is None
    assert list(trees.walk(store, tree)) == [(b"d\xff/n\nl", (MODE_FILE, one))]
