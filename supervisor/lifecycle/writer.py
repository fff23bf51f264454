"""Writing trees into a directory byte for byte: the shadow's checkout and every revert."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections.abc import Callable, Container, Iterable
from pathlib import Path
from typing import NamedTuple

from supervisor.gitio import trees
from supervisor.gitio.objects import MODE_EXEC, MODE_FILE, MODE_GITLINK, MODE_LINK
from supervisor.gitio.repo import Repo
from supervisor.lifecycle.snapshot import Cached, stat_key

FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)

Progress = Callable[[int, int], None]  # (files done, files in all)
EntryChange = tuple[bytes, trees.Entry | None, trees.Entry | None]  # path, old, new


class Deferred(NamedTuple):
    """A file `checkout` left for `clone_deferred`."""

    path: bytes
    entry: trees.Entry
    size: int


class Writer:
    """Applies tree entries under `root`, never following a link the agent left in the way."""

    def __init__(
        self,
        repo: Repo,
        root: Path,
        empty: bool = False,
        trash: Path | None = None,
        kept: Callable[[bytes], bool] | None = None,
    ) -> None:
        """`empty`: `root` starts empty and only this writer fills it, so nothing can be in
        the way (O_EXCL still refuses to write through anything that is). `trash`: a folder
        where a directory, or anything in the way of a write, is moved instead of deleted
        when it holds something no checkpoint has (`kept(path)` says a file is in one): an
        ignored file, say. What a checkpoint holds is simply removed."""
        self.repo = repo
        self.root = os.fsencode(root)
        self.empty = empty
        self.trash = trash
        self.kept = kept or (lambda _: False)
        self.set_aside: list[bytes] = []
        self._dirs: set[bytes] = set()

    def apply(
        self,
        changes: Iterable[EntryChange],
        progress: Progress | None = None,
        total: int = 0,
        deferred: list[Deferred] | None = None,
        defer_from: int = 0,
    ) -> dict[bytes, Cached | None]:
        """Make each path hold its new entry (None: absent); return the new cache entries.
        With `deferred`, a regular file of at least `defer_from` bytes is not written but put
        there (see `clone`)."""
        written: dict[bytes, Cached | None] = {}
        removed: list[bytes] = []
        for count, (path, _, new) in enumerate(changes, 1):
            if b".git" in path.split(b"/"):
                continue  # never write into a git dir, the shadow's own least of all
            if new is not None and deferred is not None and new[0] in (MODE_FILE, MODE_EXEC):
                data = self.repo.read_blob(new[1])
                if len(data) >= defer_from:
                    deferred.append(Deferred(path, new, len(data)))
                else:
                    written[path] = self._write_file(self._prepare(path), new, data)
            elif new is None:
                self.remove(path)
                removed.append(path)
                written[path] = None
            else:
                written[path] = self.write(path, new)
            if progress and count % 1000 == 0:
                progress(count, total)
        self._prune_empty_parents(removed)
        return written

    def write(self, rel: bytes, entry: trees.Entry) -> Cached:
        mode, oid = entry
        path = self._prepare(rel)
        if mode == MODE_GITLINK:
            os.mkdir(path)
            return (stat_key(os.lstat(path)), oid, mode)
        data = self.repo.read_blob(oid)
        if mode == MODE_LINK:
            os.symlink(data, path)
            return (stat_key(os.lstat(path)), oid, mode)
        return self._write_file(path, entry, data)

    def _write_file(self, path: bytes, entry: trees.Entry, data: bytes) -> Cached:
        mode, oid = entry
        perms = 0o777 if mode == MODE_EXEC else 0o666
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, perms)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            st = os.fstat(fd)
        finally:
            os.close(fd)
        return (stat_key(st), oid, mode)

    def clone(self, rel: bytes, entry: trees.Entry, source: Path, size: int | None) -> Cached:
        """Write `rel` as a copy-on-write clone of the same path under `source` (a checkout of
        the same tree), kept only when it holds the entry's blob: when `size` is given (git
        wrote the file as the blob's bytes) it must have that size, else it must hash to the
        blob. Otherwise it is written from the object store."""
        import fcntl

        mode, oid = entry
        path = self._prepare(rel)
        perms = 0o777 if mode == MODE_EXEC else 0o666
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, perms)
        try:
            src = os.open(os.fsencode(source) + b"/" + rel, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                fcntl.ioctl(fd, FICLONE, src)
            finally:
                os.close(src)
            st = os.fstat(fd)
            if st.st_size == size if size is not None else _blob_id(fd) == oid:
                return (stat_key(st), oid, mode)
        except OSError:
            pass
        finally:
            os.close(fd)
        os.unlink(path)
        return self.write(rel, entry)

    def remove(self, rel: bytes) -> None:
        if self._parents_are_dirs(rel):
            self._discard(rel, in_the_way=False)

    def _prepare(self, rel: bytes) -> bytes:
        parts = rel.split(b"/")
        current = self.root
        for depth, part in enumerate(parts[:-1], 1):
            current += b"/" + part
            key = b"/".join(parts[:depth])
            if key in self._dirs:
                continue
            if self.empty:
                os.mkdir(current)
                self._dirs.add(key)
                continue
            try:
                if not stat.S_ISDIR(os.lstat(current).st_mode):
                    self._discard(key, in_the_way=True)
                    os.mkdir(current)
            except FileNotFoundError:
                os.mkdir(current)
            self._dirs.add(key)
        path = current + b"/" + parts[-1]
        if not self.empty:
            self._discard(rel, in_the_way=True)
        return path

    def _discard(self, rel: bytes, in_the_way: bool) -> None:
        path = self.root + b"/" + rel
        try:
            is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
        except FileNotFoundError:
            return
        if self.trash is None or not (is_dir or in_the_way) or self._all_kept(rel, is_dir):
            _remove(path)
            return
        aside = os.fsencode(self.trash) + b"/" + rel
        os.makedirs(os.path.dirname(aside), exist_ok=True)
        shutil.move(os.fsdecode(path), os.fsdecode(aside))
        self.set_aside.append(rel)

    def _all_kept(self, rel: bytes, is_dir: bool) -> bool:
        """Whether every file at or below `rel` is in a checkpoint (nothing would be lost)."""
        if not is_dir:
            return self.kept(rel)
        pending = [rel]
        while pending:
            folder = pending.pop()
            for entry in os.scandir(self.root + b"/" + folder):
                child = folder + b"/" + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(child)
                elif not self.kept(child):
                    return False
        return True

    def _parents_are_dirs(self, rel: bytes) -> bool:
        current = self.root
        for part in rel.split(b"/")[:-1]:
            current += b"/" + part
            try:
                if not stat.S_ISDIR(os.lstat(current).st_mode):
                    return False
            except FileNotFoundError:
                return False
        return True

    def _prune_empty_parents(self, removed: list[bytes]) -> None:
        for rel in sorted(removed, key=len, reverse=True):
            head = rel.rpartition(b"/")[0]
            while head:
                try:
                    os.rmdir(self.root + b"/" + head)
                except OSError:
                    break
                self._dirs.discard(head)
                head = head.rpartition(b"/")[0]


def _blob_id(fd: int) -> bytes:
    """The blob id of an open file's content, read from its start."""
    size = os.fstat(fd).st_size
    digest = hashlib.sha1(b"blob %d\0" % size)
    os.lseek(fd, 0, os.SEEK_SET)
    read = 0
    while chunk := os.read(fd, 1 << 20):
        digest.update(chunk)
        read += len(chunk)
    if read != size:
        raise OSError("the file changed while it was read")
    return digest.digest()


def _remove(path: bytes) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def checkout(
    repo: Repo,
    tree: bytes | None,
    root: Path,
    progress: Progress | None = None,
    total: int = 0,
    deferred: list[Deferred] | None = None,
    defer_from: int = 0,
) -> dict[bytes, Cached]:
    """Write every entry of `tree` into the empty directory `root` (but, with `deferred`, the
    regular files of at least `defer_from` bytes: they go there, for `clone_deferred`);
    return the stat cache."""
    root.mkdir(parents=True, exist_ok=True)
    empty = all(child.name == ".git" for child in root.iterdir())
    changes = trees.compare(repo, None, tree)
    written = Writer(repo, root, empty).apply(changes, progress, total, deferred, defer_from)
    return {path: cached for path, cached in written.items() if cached is not None}


def clone_deferred(
    repo: Repo,
    root: Path,
    source: Path,
    deferred: list[Deferred],
    verbatim: Container[bytes],
) -> dict[bytes, Cached]:
    """The files `checkout` left out, cloned from `source` (or written where that fails);
    those in `verbatim` are known to be the blob's bytes in `source` (no attribute converts
    them), the others are hashed."""
    writer = Writer(repo, root)
    return {
        path: writer.clone(path, entry, source, size if path in verbatim else None)
        for path, entry, size in deferred
    }


def checkout_once(repo: Repo, tree: bytes | None, root: Path) -> Callable[[], Path]:
    """A function that writes `tree` into a fresh `root` the first time it is called."""
    made: list[Path] = []

    def make() -> Path:
        if not made:
            shutil.rmtree(root, ignore_errors=True)
            checkout(repo, tree, root)
            made.append(root)
        return root

    return make
