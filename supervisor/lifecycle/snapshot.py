"""The exact state of a directory as a git tree, with a stat cache so cost follows what changed.

A `Snapshot` remembers, for every file it has seen, the stat fields and the blob it hashed to,
and the tree all of that forms. A scan looks at every file (`paths=None`) or only at the paths
a watcher reported, hashes only what changed and rewrites only the trees on changed paths.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from supervisor.errors import OperationalError
from supervisor.gitio import trees
from supervisor.gitio.objects import BLOB, MODE_EXEC, MODE_FILE, MODE_GITLINK, MODE_LINK, MODE_TREE
from supervisor.gitio.packs import PackWriter
from supervisor.gitio.repo import Repo
from supervisor.store.layout import is_own

StatKey = tuple[int, int, int, int, int]
Cached = tuple[StatKey, bytes, int]  # stat fields, blob id, git mode
RACY_NS = 2_000_000_000  # files younger than this are hashed again on the next scan
STREAM_BYTES = 32 << 20
STORE_CEILING = 256 << 20  # a larger file is not hashed into a checkpoint (a 10 GB sparse file)
CACHE_VERSION = 3
GIT_DIR = "git-dir"  # why a path was skipped: a nested repository's .git
TOO_LARGE = "too-large"
Ignored = Callable[[bytes], bool]


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def git_mode(st: os.stat_result) -> int:
    if stat.S_ISLNK(st.st_mode):
        return MODE_LINK
    return MODE_EXEC if st.st_mode & stat.S_IXUSR else MODE_FILE


def never_ignored(_: bytes) -> bool:
    return False


def unless_tracked(ignored: Ignored, repo: Repo, tree: bytes | None) -> Ignored:
    """git's rule: a path the tree tracks is tracked whatever the ignore files say, and so is a
    directory holding one. `ignored` holds only for what `tree` does not have."""

    def test(rel: bytes) -> bool:
        if not ignored(rel):
            return False
        entry = trees.lookup(repo, tree, rel.rstrip(b"/"))
        if entry is None:
            return True
        return (entry[0] == MODE_TREE) != rel.endswith(b"/")  # a tracked file is no tracked dir

    return test


def excluding_own(ignored: Ignored) -> Ignored:
    """`ignored`, and git-agent's own files in a shadow besides (Claude Code's hook settings,
    the agent's notices): git-agent itself keeps them out of every checkpoint and promotion,
    whatever the repository's ignore files say (unless the base tracks them: `unless_tracked`
    goes over this, and git-agent then never writes them)."""

    def test(rel: bytes) -> bool:
        return is_own(rel) or ignored(rel)

    return test


class Snapshot:
    """Scans `root` into trees of `repo`'s object store, keeping its cache in `cache_file`."""

    def __init__(self, repo: Repo, root: Path, cache_file: Path, ignored: Ignored) -> None:
        self.repo = repo
        self.root = os.fsencode(root)
        self.cache_file = cache_file
        self.ignored = ignored
        self.entries: dict[bytes, Cached] = {}
        self.tree: bytes | None = None
        self._dirs: set[bytes] | None = None
        self._now = 0
        self._added: list[bytes] = []
        self._store = PackWriter(repo)
        self.loaded = False  # False: no usable cache, so only a full scan gives the whole tree
        # paths the scans found and could not take: a nested `.git`, a file too large to
        # store; path -> (why, size)
        self.skipped: dict[bytes, tuple[str, int]] = {}
        self._load()

    # persistence ------------------------------------------------------------
    def _load(self) -> None:
        try:
            data = marshal.loads(self.cache_file.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return
        if isinstance(data, tuple) and len(data) == 5 and data[0] == CACHE_VERSION:
            self.tree, self.entries, self._dirs, self.skipped = data[1], data[2], data[3], data[4]
            self.loaded = True

    def save(self) -> None:
        """Write the cache. It is only ever a shortcut: a stale one is safe, a missing one costs
        a full hash, so it needs no fsync and a busy process may save it only now and then."""
        tmp = self.cache_file.with_name(self.cache_file.name + ".tmp")
        state = (CACHE_VERSION, self.tree, self.entries, self.dirs, self.skipped)
        tmp.write_bytes(marshal.dumps(state))
        os.replace(tmp, self.cache_file)

    def reset(self, tree: bytes | None, entries: dict[bytes, Cached]) -> None:
        self.tree, self.entries, self._dirs, self.loaded = tree, entries, None, True

    @property
    def dirs(self) -> set[bytes]:
        if self._dirs is None:
            self._dirs = set()
            for path in self.entries:
                self._add_dirs(path)
        return self._dirs

    def _add_dirs(self, path: bytes) -> None:
        assert self._dirs is not None
        head = path.rpartition(b"/")[0]
        while head and head not in self._dirs:
            self._dirs.add(head)
            head = head.rpartition(b"/")[0]

    # scanning ---------------------------------------------------------------
    def scan(self, paths: Iterable[bytes] | None = None) -> bytes | None:
        """Bring the tree up to date with the directory; return the tree id (None: empty)."""
        self._now = time.time_ns()
        self._added = []
        self._store = PackWriter(self.repo)
        changes: dict[bytes, trees.Entry | None] = {}
        try:
            if paths is None or not self.loaded:
                self.skipped = {}
                seen: set[bytes] = set()
                self._walk(b"", changes, seen)
                for gone in self.entries.keys() - seen:
                    self._forget(gone, changes)
                self.loaded = True
            else:
                for path in sorted(set(paths)):
                    self._scan_path(path.strip(b"/"), changes)
            self.tree = trees.update(self._store, self.tree, changes)
        finally:
            self._store.flush()  # the cache may already name these objects: never drop them
        return self.tree

    def _abs(self, rel: bytes) -> bytes:
        return self.root + b"/" + rel if rel else self.root

    def _walk(
        self, prefix: bytes, changes: dict[bytes, trees.Entry | None], seen: set[bytes]
    ) -> None:
        """Every file below `prefix` (b"" for the top, else ending in "/"), without recursion:
        a directory nesting as deep as the file system allows costs no stack."""
        pending = [prefix]
        while pending:
            folder = pending.pop()
            for rel, st in self._listing(folder):
                if stat.S_ISDIR(st.st_mode):
                    if self._descend(rel, seen):
                        pending.append(rel + b"/")
                elif stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                    seen.add(rel)
                    self._file(rel, st, changes)

    def _listing(self, folder: bytes) -> list[tuple[bytes, os.stat_result]]:
        try:
            entries = list(os.scandir(self._abs(folder.rstrip(b"/"))))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise OperationalError(f"cannot read {os.fsdecode(self._abs(folder))}: {exc}") from exc
        found = []
        for entry in entries:
            if entry.name == b".git":
                if folder:  # a repository inside the shadow: never taken, always reported
                    self.skipped[folder + entry.name] = (GIT_DIR, 0)
                continue
            try:
                found.append((folder + entry.name, entry.stat(follow_symlinks=False)))
            except FileNotFoundError:
                continue
        return found

    def _descend(self, rel: bytes, seen: set[bytes]) -> bool:
        """Whether to look inside the directory `rel` (not into a gitlink, nor an ignored one)."""
        old = self.entries.get(rel)
        if old is not None and old[2] == MODE_GITLINK:
            seen.add(rel)
            return False
        return rel in self.dirs or not self.ignored(rel + b"/")

    def _visit(
        self,
        rel: bytes,
        st: os.stat_result,
        changes: dict[bytes, trees.Entry | None],
        seen: set[bytes],
    ) -> None:
        if stat.S_ISDIR(st.st_mode):
            if self._descend(rel, seen):
                self._walk(rel + b"/", changes, seen)
        elif stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
            seen.add(rel)
            self._file(rel, st, changes)

    def _file(
        self, rel: bytes, st: os.stat_result, changes: dict[bytes, trees.Entry | None]
    ) -> None:
        key = stat_key(st)
        old = self.entries.get(rel)
        if old is not None and old[0] == key:
            return
        if old is None and self.ignored(rel):
            return
        mode = git_mode(st)
        oid = self._hash(rel, st)
        if oid is None:
            return
        if old is None or old[1] != oid or old[2] != mode:
            changes[rel] = (mode, oid)
        if st.st_mtime_ns + RACY_NS > self._now:
            key = (key[0], -1, *key[2:])
        self.entries[rel] = (key, oid, mode)
        if old is None:
            self._added.append(rel)
            if self._dirs is not None:
                self._add_dirs(rel)

    def _hash(self, rel: bytes, st: os.stat_result) -> bytes | None:
        path = self._abs(rel)
        if stat.S_ISREG(st.st_mode) and st.st_size > STORE_CEILING:
            self.skipped[rel] = (TOO_LARGE, st.st_size)
            return None
        self.skipped.pop(rel, None)
        try:
            if stat.S_ISLNK(st.st_mode):
                return self._store.write(BLOB, os.readlink(path))
            if st.st_size > STREAM_BYTES:
                return self._store.write_blob_stream(Path(os.fsdecode(path)))
            with open(path, "rb") as handle:
                return self._store.write(BLOB, handle.read())
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise OperationalError(f"cannot read {os.fsdecode(path)!r}: {exc}") from exc

    def _forget(self, rel: bytes, changes: dict[bytes, trees.Entry | None]) -> None:
        if self.entries.pop(rel, None) is not None:
            changes[rel] = None

    def _under(self, rel: bytes) -> list[bytes]:
        """The cached paths below `rel`: those of the last tree's subtree (cost follows the
        subtree, not the repository) and those this scan added."""
        if rel not in self.dirs:
            return []
        prefix = rel + b"/"
        entry = trees.lookup(self.repo, self.tree, rel)
        below = (
            [p for p, _ in trees.walk(self.repo, entry[1], prefix)]
            if entry and entry[0] == MODE_TREE
            else []
        )
        return below + [p for p in self._added if p.startswith(prefix)]

    def _parents_are_dirs(self, rel: bytes) -> bool:
        head = rel.rpartition(b"/")[0]
        while head:
            try:
                if not stat.S_ISDIR(os.lstat(self._abs(head)).st_mode):
                    return False
            except OSError:
                return False
            head = head.rpartition(b"/")[0]
        return True

    def _changed_ancestor(self, rel: bytes) -> bytes:
        """The shallowest ancestor of `rel` that the cache does not know as a directory (a file
        now a directory, a directory now a file or a link, a gitlink holding `rel`), else `rel`."""
        parts = rel.split(b"/")
        for depth in range(1, len(parts)):
            head = b"/".join(parts[:depth])
            try:
                is_dir = stat.S_ISDIR(os.lstat(self._abs(head)).st_mode)
            except OSError:
                is_dir = False
            if is_dir == (head in self.entries):
                return head
        return rel

    def _scan_path(self, rel: bytes, changes: dict[bytes, trees.Entry | None]) -> None:
        parts = rel.split(b"/")
        if b".git" in parts:
            top = parts.index(b".git")
            if top == 0:
                return  # the shadow's own repository
            rel = b"/".join(parts[:top])  # the folder holding a nested one: look at it again
        rel = self._changed_ancestor(rel)
        self._unskip(rel)
        seen: set[bytes] = set()
        if not rel:
            self._walk(b"", changes, seen)
            gone = list(self.entries)
        else:
            gone = [*self._under(rel), rel]
            with contextlib.suppress(
                FileNotFoundError, NotADirectoryError
            ):  # gone: forgotten below
                if self._parents_are_dirs(rel):
                    self._visit(rel, os.lstat(self._abs(rel)), changes, seen)
        for path in gone:
            if path not in seen:
                self._forget(path, changes)

    def _unskip(self, rel: bytes) -> None:
        """Forget what was skipped at or below `rel` (about to be looked at again)."""
        if not rel:
            self.skipped.clear()
            return
        prefix = rel + b"/"
        for path in [p for p in self.skipped if p == rel or p.startswith(prefix)]:
            del self.skipped[path]
