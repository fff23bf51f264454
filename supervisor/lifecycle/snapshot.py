"""The exact state of a directory as a git tree, with a stat cache so cost follows what changed.

A `Snapshot` remembers, for every file it has seen, the stat fields and the blob it hashed to,
and the tree all of that forms. A scan looks at every file (`paths=None`) or only at the paths
a watcher reported, hashes only what changed and rewrites only the trees on changed paths.

The cache on disk is a private git index (`<cache>.index`: every file's stat fields and blob,
as git keeps them) and a small file (`<cache>`): the tree, the entries changed or still too
young to trust since the index was written (the delta), the directories walked with their own
stat fields, the ignore files and the skipped paths. A `quick_scan` needs no more than that:
git's `diff-files` against the index names the files whose stat changed (git lstat's them at
C speed), the directories whose stat changed are read again for new names, and only those
paths are hashed. Anything it cannot vouch for (an ignore rule changed, the index is not the
one the small file names) is left to the full walk.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from supervisor.errors import OperationalError
from supervisor.gitio import trees
from supervisor.gitio.index import U32, FileId, Record, file_id, read_index, write_index
from supervisor.gitio.objects import BLOB, MODE_EXEC, MODE_FILE, MODE_GITLINK, MODE_LINK, MODE_TREE
from supervisor.gitio.packs import PackWriter
from supervisor.gitio.repo import Repo
from supervisor.store.layout import is_own

StatKey = tuple[
    int, int, int, int, int
]  # git mode, size, mtime ns, ctime ns, inode (as git keeps them)
Cached = tuple[StatKey, bytes, int]  # stat fields, blob id, git mode
DirKey = tuple[int, int, int]  # mtime ns, ctime ns, inode of a directory walked
RACY_NS = 2_000_000_000  # files younger than this are hashed again on the next scan
STREAM_BYTES = 32 << 20
STORE_CEILING = 256 << 20  # a larger file is not hashed into a checkpoint (a 10 GB sparse file)
CACHE_VERSION = 4
GIT_DIR = "git-dir"  # why a path was skipped: a nested repository's .git
TOO_LARGE = "too-large"
IGNORE_FILE = b".gitignore"
UNKNOWN: StatKey = (-1, -1, -1, -1, -1)  # the stat of an entry known only from the tree
STALE: DirKey = (-1, -1, -1)  # a directory to read again at the next scan
COMPACT_AT = 256  # settled entries in the delta before the index is written again
Ignored = Callable[[bytes], bool]
# the files outside the tree that decide what is ignored (config, excludes); `full`: also
# those only pygit2 can name (a configured core.excludesFile)
IgnoreSources = Callable[[bool], list[bytes]]
SourceKeys = dict[bytes, tuple[int, int, int, int] | None]
# what git's diff-files named, and which index it compared with (None: it could not tell)
GitSays = Callable[[], tuple[Sequence[bytes], FileId | None] | None]


class Fallback(Exception):
    """A quick scan cannot vouch for the result: the full walk must run."""


class EntryMap(Protocol):
    def get(self, rel: bytes, /) -> Cached | None: ...
    def __contains__(self, rel: object, /) -> bool: ...
    def __setitem__(self, rel: bytes, value: Cached, /) -> None: ...
    def pop(self, rel: bytes, default: None, /) -> Cached | None: ...


class DirSet(Protocol):
    def __contains__(self, rel: object, /) -> bool: ...
    def add(self, rel: bytes, /) -> None: ...


def stat_key(st: os.stat_result) -> StatKey:
    """The stat fields git's index keeps and compares (sizes and inodes on 32 bits)."""
    return (git_mode(st), st.st_size & U32, st.st_mtime_ns, st.st_ctime_ns, st.st_ino & U32)


def dir_key(st: os.stat_result, now: int) -> DirKey:
    """A walked directory's stat: a new name in it changes it; a young one is read again."""
    if max(st.st_mtime_ns, st.st_ctime_ns) + RACY_NS > now:
        return STALE
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def git_mode(st: os.stat_result) -> int:
    if stat.S_ISLNK(st.st_mode):
        return MODE_LINK
    return MODE_EXEC if st.st_mode & stat.S_IXUSR else MODE_FILE


def settled(key: StatKey, now: int) -> bool:
    """Whether git's whole-second comparison of this record is safe: any later change of
    the file moves its ctime to a later second. Younger records stay in the delta, where
    every scan compares them to the nanosecond."""
    return key[1] != -1 and key[3] + RACY_NS <= now


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


def source_keys(paths: Iterable[bytes]) -> SourceKeys:
    out: SourceKeys = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out[path] = None
            continue
        out[path] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    return out


def index_file(cache_file: Path) -> Path:
    return cache_file.with_name(cache_file.name + ".index")


def _no_entries() -> dict[bytes, Cached]:
    return {}


class LazyEntries:
    """The entries of a quick scan: the delta where it has the path, else the tree (whose
    stat fields are unknown: git named the path because they changed)."""

    def __init__(
        self, store: trees.ObjectReader, tree: bytes | None, delta: dict[bytes, Cached | None]
    ):
        self.store = store
        self.tree = tree
        self.delta = delta

    def get(self, rel: bytes, /) -> Cached | None:
        if rel in self.delta:
            return self.delta[rel]
        entry = trees.lookup(self.store, self.tree, rel)
        if entry is None or entry[0] == MODE_TREE:
            return None
        return (UNKNOWN, entry[1], entry[0])

    def __contains__(self, rel: object, /) -> bool:
        return isinstance(rel, bytes) and self.get(rel) is not None

    def __setitem__(self, rel: bytes, value: Cached, /) -> None:
        self.delta[rel] = value

    def pop(self, rel: bytes, default: None, /) -> Cached | None:
        old = self.get(rel)
        if old is not None:
            self.delta[rel] = None
        return old


class LazyDirs:
    """The directories holding entries, as the tree has them, and those a scan adds."""

    def __init__(self, store: trees.ObjectReader, tree: bytes | None) -> None:
        self.store, self.tree, self.added = store, tree, set[bytes]()

    def __contains__(self, rel: object, /) -> bool:
        if not isinstance(rel, bytes):
            return False
        if rel in self.added:
            return True
        entry = trees.lookup(self.store, self.tree, rel)
        return entry is not None and entry[0] == MODE_TREE

    def add(self, rel: bytes, /) -> None:
        self.added.add(rel)


class Snapshot:
    """Scans `root` into trees of `repo`'s object store, keeping its cache in `cache_file`."""

    def __init__(
        self,
        repo: Repo,
        root: Path,
        cache_file: Path,
        ignored: Ignored,
        sources: IgnoreSources | None = None,
    ) -> None:
        self.repo = repo
        self.root = os.fsencode(root)
        self.cache_file = cache_file
        self.index_file = index_file(cache_file)
        self.ignored = ignored
        self.sources = sources
        self.tree: bytes | None = None
        self._entries: dict[bytes, Cached] | None = None  # None: not read from the index yet
        self._map: EntryMap = _no_entries()
        self._dirs: DirSet | None = None
        self._now = 0
        self._added: list[bytes] = []
        self._store = PackWriter(repo)
        self.loaded = False  # False: no usable cache, so only a full scan gives the whole tree
        # paths the scans found and could not take: a nested `.git`, a file too large to
        # store; path -> (why, size)
        self.skipped: dict[bytes, tuple[str, int]] = {}
        # what a quick scan needs besides the index
        self.delta: dict[bytes, Cached | None] = {}  # entries the index has not (right)
        self.dir_keys: dict[bytes, DirKey] = {}  # every directory walked, root included
        self.ignore_files: dict[bytes, StatKey | None] = {}  # every .gitignore in them
        self.ignored_names: set[bytes] = set()  # untracked paths found ignored (dirs end in /)
        self.source_keys: SourceKeys | None = None
        self.index_id: FileId | None = None
        self._hot: set[bytes] = set()  # entries the index may not vouch for
        self._load()

    # persistence ------------------------------------------------------------
    def _load(self) -> None:
        try:
            data = marshal.loads(self.cache_file.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return
        if not (isinstance(data, tuple) and len(data) == 10 and data[0] == CACHE_VERSION):
            return
        (
            _,
            self.tree,
            self.delta,
            self.skipped,
            self.dir_keys,
            self.ignore_files,
            ignored_names,
            self.source_keys,
            index_id,
            _reserved,
        ) = data
        self.ignored_names = set(ignored_names)
        self.index_id = FileId(*index_id) if index_id is not None else None
        self._hot = {path for path, cached in self.delta.items() if cached is not None}
        self.loaded = True

    @property
    def warm(self) -> bool:
        """Whether every entry is in memory (read from the index, or found by a scan)."""
        return self._entries is not None

    @property
    def entries(self) -> dict[bytes, Cached]:
        """Every entry: the index with the delta over it, read when first asked for."""
        if self._entries is None:
            self._entries = self._read_entries()
            self._map = self._entries
        return self._entries

    def _read_entries(self) -> dict[bytes, Cached]:
        if not self.loaded:
            return {}
        try:
            if self.index_id is None or file_id(self.index_file) != self.index_id:
                raise ValueError("the index is not the one the cache names")
            records = read_index(self.index_file)
        except (OSError, ValueError):
            self._forget_all()
            return {}
        entries = {
            r.path: ((r.mode, r.size, r.mtime_ns, r.ctime_ns, r.ino), r.oid, r.mode)
            for r in records
        }
        for path, cached in self.delta.items():
            if cached is None:
                entries.pop(path, None)
            else:
                entries[path] = cached
        return entries

    def _forget_all(self) -> None:
        """No usable cache: the next scan hashes everything."""
        self.tree, self.delta, self._hot, self.loaded = None, {}, set(), False
        self.skipped, self.dir_keys, self.ignore_files = {}, {}, {}
        self.ignored_names, self.source_keys, self.index_id = set(), None, None

    def save(self) -> None:
        """Write the cache. It is only ever a shortcut: a stale one is safe, a missing one costs
        a full hash, so it needs no fsync and a busy process may save it only now and then.
        With every entry at hand the index is written again (the delta keeps only what it
        cannot vouch for); after a quick scan only the small file is."""
        if self._entries is not None:
            self._write_index(self._entries)
        self._write_meta()

    def _write_index(self, entries: dict[bytes, Cached]) -> None:
        self._settle(entries)
        records = sorted(
            Record(path, mode, oid, key[3], key[2], key[4], key[1])
            for path, (key, oid, mode) in entries.items()
            if mode != MODE_GITLINK
        )
        dev = os.lstat(self.root).st_dev if os.path.isdir(self.root) else 0
        self.index_id = write_index(self.index_file, records, dev, os.getuid(), os.getgid())
        self.delta = {
            path: cached
            for path, cached in entries.items()
            if path in self._hot or cached[2] == MODE_GITLINK
        }

    def _settle(self, entries: Mapping[bytes, Cached]) -> None:
        """Look again at the entries too young for git when they were recorded: those still
        as recorded, and old enough now, can be left to the index."""
        now = time.time_ns()
        for path in list(self._hot):
            cached = entries.get(path)
            if cached is None:
                self._hot.discard(path)
                continue
            try:
                key = stat_key(os.lstat(self._abs(path)))
            except OSError:
                continue
            if key == cached[0] and settled(key, now):
                self._hot.discard(path)

    def _write_meta(self) -> None:
        tmp = self.cache_file.with_name(self.cache_file.name + ".tmp")
        state = (
            CACHE_VERSION,
            self.tree,
            self.delta,
            self.skipped,
            self.dir_keys,
            self.ignore_files,
            sorted(self.ignored_names),
            self.source_keys,
            tuple(self.index_id) if self.index_id is not None else None,
            None,
        )
        tmp.write_bytes(marshal.dumps(state))
        os.replace(tmp, self.cache_file)

    def reset(self, tree: bytes | None, entries: dict[bytes, Cached]) -> None:
        """The cache of a directory just written from `tree` (nothing else wrote into it since):
        its directories and ignore files are looked at now."""
        now = time.time_ns()
        self.tree, self._entries, self._map, self._dirs, self.loaded = (
            tree,
            entries,
            entries,
            None,
            True,
        )
        self._hot = {path for path, (key, _, _) in entries.items() if not settled(key, now)}
        self.delta = {}
        self.skipped, self.ignored_names = {}, set()
        self.dir_keys, self.ignore_files = {}, {}
        folders = {b""}
        for path in entries:
            head = path.rpartition(b"/")[0]
            while head and head not in folders:
                folders.add(head)
                head = head.rpartition(b"/")[0]
        for folder in folders:
            try:
                self.dir_keys[folder] = dir_key(os.lstat(self._abs(folder)), now)
            except OSError:
                continue
        for path in entries:
            if path.rpartition(b"/")[2] == IGNORE_FILE:
                with contextlib.suppress(OSError):
                    self.ignore_files[path] = stat_key(os.lstat(self._abs(path)))
        self._note_sources()

    def _note_sources(self) -> None:
        self.source_keys = source_keys(self.sources(True)) if self.sources is not None else None

    @property
    def dirs(self) -> DirSet:
        if self._dirs is None:
            dirs: set[bytes] = set()
            self._dirs = dirs
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
        entries = self.entries  # every entry at hand: a full walk, or the warm known-path mode
        self._begin()
        changes: dict[bytes, trees.Entry | None] = {}
        try:
            if paths is None or not self.loaded:
                self._full_walk(entries, changes)
            else:
                for path in sorted(set(paths)):
                    self._scan_path(path.strip(b"/"), changes)
            self.tree = trees.update(self._store, self.tree, changes)
        finally:
            self._store.flush()  # the cache may already name these objects: never drop them
        return self.tree

    def _begin(self) -> None:
        self._now = time.time_ns()
        self._added = []
        self._store = PackWriter(self.repo)

    def _full_walk(
        self, entries: dict[bytes, Cached], changes: dict[bytes, trees.Entry | None]
    ) -> None:
        self.skipped, self.dir_keys, self.ignore_files, self.ignored_names = {}, {}, {}, set()
        seen: set[bytes] = set()
        try:
            root = os.lstat(self.root)
        except OSError:
            root = None
        self._walk(b"", changes, seen, root)
        for gone in entries.keys() - seen:
            self._forget(gone, changes)
        self._note_sources()
        self.loaded = True

    def _abs(self, rel: bytes) -> bytes:
        return self.root + b"/" + rel if rel else self.root

    def _walk(
        self,
        prefix: bytes,
        changes: dict[bytes, trees.Entry | None],
        seen: set[bytes],
        st: os.stat_result | None,
    ) -> None:
        """Every file below `prefix` (b"" for the top, else ending in "/"), without recursion:
        a directory nesting as deep as the file system allows costs no stack. `st`: the stat
        of `prefix`, taken before it is read."""
        pending = [(prefix, st)]
        while pending:
            folder, folder_st = pending.pop()
            key = folder.rstrip(b"/")
            fresh = key not in self.dir_keys
            if folder_st is not None:
                self.dir_keys[key] = dir_key(folder_st, self._now)
            for rel, entry_st in self._listing(folder, fresh):
                if stat.S_ISDIR(entry_st.st_mode):
                    if self._descend(rel, seen):
                        pending.append((rel + b"/", entry_st))
                elif stat.S_ISREG(entry_st.st_mode) or stat.S_ISLNK(entry_st.st_mode):
                    seen.add(rel)
                    self._file(rel, entry_st, changes)

    def _listing(self, folder: bytes, fresh: bool = True) -> list[tuple[bytes, os.stat_result]]:
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
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if entry.name == IGNORE_FILE:
                self._note_ignore_file(folder + entry.name, st, fresh)
            found.append((folder + entry.name, st))
        return found

    def _note_ignore_file(self, rel: bytes, st: os.stat_result, fresh: bool) -> None:
        """Remember a .gitignore: a quick scan hands over to the full walk when it changes.
        One met again in a folder walked before is left as it was recorded (a change found
        by a known-path scan is still a change the next quick scan must see)."""
        if fresh or rel not in self.ignore_files:
            self.ignore_files[rel] = stat_key(st) if fresh else None

    def _descend(self, rel: bytes, seen: set[bytes]) -> bool:
        """Whether to look inside the directory `rel` (not into a gitlink, nor an ignored one)."""
        old = self._map.get(rel)
        if old is not None and old[2] == MODE_GITLINK:
            seen.add(rel)
            return False
        if rel in self.dirs or not self.ignored(rel + b"/"):
            return True
        self.ignored_names.add(rel + b"/")
        return False

    def _visit(
        self,
        rel: bytes,
        st: os.stat_result,
        changes: dict[bytes, trees.Entry | None],
        seen: set[bytes],
    ) -> None:
        if stat.S_ISDIR(st.st_mode):
            if self._descend(rel, seen):
                self._walk(rel + b"/", changes, seen, st)
        elif stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
            seen.add(rel)
            self._file(rel, st, changes)

    def _file(
        self, rel: bytes, st: os.stat_result, changes: dict[bytes, trees.Entry | None]
    ) -> None:
        key = stat_key(st)
        old = self._map.get(rel)
        if old is not None and old[0] == key:
            if rel in self._hot and settled(key, self._now):
                self._hot.discard(rel)
            return
        if old is None and self.ignored(rel):
            self.ignored_names.add(rel)
            return
        mode = git_mode(st)
        oid = self._hash(rel, st)
        if oid is None:
            return
        if old is None or old[1] != oid or old[2] != mode:
            changes[rel] = (mode, oid)
        if st.st_mtime_ns + RACY_NS > self._now:
            key = (key[0], -1, *key[2:])
        self._map[rel] = (key, oid, mode)
        if settled(key, self._now):
            self._hot.discard(rel)
        else:
            self._hot.add(rel)
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
        if self._map.pop(rel, None) is not None:
            changes[rel] = None
            self._hot.discard(rel)

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
            if is_dir == (head in self._map):
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
            self._full_walk(self.entries, changes)
            return
        gone = [*self._under(rel), rel]
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # gone: forgotten below
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

    # the quick scan ---------------------------------------------------------
    def quick_scan(self, git_says: GitSays) -> bytes | None:
        """The tree a full scan would give, from what git's `diff-files` reported against the
        index (`git_says()`: the paths it named and the index it read, None when it could not
        tell): those paths, the delta's entries that moved, the new names in directories whose
        stat changed, and what was skipped. The directories are looked at while git still
        works. Raises Fallback when it cannot vouch for the result (the full scan must run)."""
        try:
            return self._quick_scan(git_says)
        except Fallback:
            self._hot = {path for path, cached in self.delta.items() if cached is not None}
            raise

    def _quick_scan(self, git_says: GitSays) -> bytes | None:
        if self._entries is not None or not self.loaded or self.index_id is None:
            raise Fallback("no cache a quick scan can start from")
        if file_id(self.index_file) != self.index_id:
            raise Fallback("the index is not the cache's")
        self._begin()
        self._check_sources()
        delta = dict(self.delta)
        view = LazyEntries(self._store, self.tree, delta)
        walked = set(self.dir_keys)
        candidates = self._new_names(view)
        told = git_says()
        if told is None or told[1] != self.index_id:
            raise Fallback("git did not read the cache's index")
        candidates |= self._moved(told[0], delta)
        candidates |= {p for p, (why, _) in self.skipped.items() if why == TOO_LARGE}
        self._map, self._dirs = view, LazyDirs(self._store, self.tree)
        changes: dict[bytes, trees.Entry | None] = {}
        try:
            for path in sorted(candidates):
                self._scan_path(path, changes)
            for path in changes:
                head, _, name = path.rpartition(b"/")
                if name == IGNORE_FILE and head in walked:
                    # rules of a folder walked before changed: what they now ignore or let in
                    # may be anywhere below it, unchanged itself
                    raise Fallback("an ignore file changed")
            tree = trees.update(self._store, self.tree, changes)
        finally:
            self._store.flush()
            self._map, self._dirs = _no_entries(), None
        self.tree, self.delta = tree, delta
        # every entry of the delta was looked at just now: those old enough go to the index
        self._hot = {
            path
            for path, cached in delta.items()
            if cached is not None
            and (cached[2] == MODE_GITLINK or not settled(cached[0], self._now))
        }
        if len(delta) - len(self._hot) >= COMPACT_AT:
            self._entries = self._read_entries()  # the next save writes the index again
        return tree

    def _check_sources(self) -> None:
        """The ignore rules outside the tree are as the last full walk found them."""
        if self.sources is None:
            return
        if self.source_keys is None or not set(self.sources(False)) <= self.source_keys.keys():
            raise Fallback("the ignore sources are not known")
        if source_keys(self.source_keys) != self.source_keys:
            raise Fallback("an ignore source changed")
        for path, key in self.ignore_files.items():
            try:
                now = stat_key(os.lstat(self._abs(path)))
            except OSError:
                now = None
            if key is None or now != key:
                raise Fallback("an ignore file changed")

    def _moved(self, reported: Sequence[bytes], delta: Mapping[bytes, Cached | None]) -> set[bytes]:
        """The paths git named that the delta does not vouch for, and the delta's own entries
        whose stat moved (gitlinks are always looked at: git is not asked about them)."""
        out = {path for path in reported if path not in delta}
        for path, cached in delta.items():
            try:
                st = os.lstat(self._abs(path))
            except OSError:
                if cached is not None:
                    out.add(path)
                continue
            if cached is None or cached[2] == MODE_GITLINK or stat_key(st) != cached[0]:
                out.add(path)  # a racy record (size -1) never matches: hashed again
        return out

    def _new_names(self, view: LazyEntries) -> set[bytes]:
        """Names the cache does not know, in every walked directory whose stat changed."""
        out: set[bytes] = set()
        children: dict[bytes, set[bytes]] = {}
        for path, cached in view.delta.items():
            if cached is not None:
                head, _, name = path.rpartition(b"/")
                children.setdefault(head, set()).add(name)
        for folder, key in list(self.dir_keys.items()):
            try:
                st = os.lstat(self._abs(folder))
            except OSError:
                del self.dir_keys[folder]
                continue
            if not stat.S_ISDIR(st.st_mode):
                del self.dir_keys[folder]
            elif key == STALE or (st.st_mtime_ns, st.st_ctime_ns, st.st_ino) != key:
                self.dir_keys[folder] = dir_key(st, self._now)
                out |= self._unknown_in(folder, view, children.get(folder, set()))
        return out

    def _unknown_in(self, folder: bytes, view: LazyEntries, added: set[bytes]) -> set[bytes]:
        prefix = folder + b"/" if folder else b""
        subtree = self.tree
        if folder:
            sub = trees.lookup(self._store, self.tree, folder)
            subtree = sub[1] if sub is not None and sub[0] == MODE_TREE else None
        known = set(trees.read_tree(self._store, subtree)) | added
        out: set[bytes] = set()
        has_git = False
        try:
            listing = list(os.scandir(self._abs(folder)))
        except OSError:
            return out
        for entry in listing:
            name, rel = entry.name, prefix + entry.name
            if name == b".git":
                has_git = True
                if folder:
                    self.skipped.setdefault(rel, (GIT_DIR, 0))
                continue
            if name == IGNORE_FILE and rel not in self.ignore_files:
                raise Fallback("a new ignore file")
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and (rel in self.dir_keys or rel + b"/" in self.ignored_names):
                continue
            if name in known and view.delta.get(rel, ...) is not None:
                continue
            if not is_dir and rel in self.ignored_names:
                continue
            out.add(rel)
        if folder and not has_git:
            self.skipped.pop(prefix + b".git", None)
        return out
