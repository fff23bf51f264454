"""A private git index (version 2) written from git-agent's own stat cache, and git's
`diff-files` run against it: git lstat's every file at C speed, on every core, and names
only the entries whose stat data no longer matches.

The index is ours alone (never the agent's, never yours): git only reads it. Its file time is
set to the epoch, which turns git's own racy-timestamp rule off (git would then compare
contents through the work tree's attributes and filters); the caller decides which records it
cannot trust by their timestamps and checks those itself.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from supervisor.errors import GitError
from supervisor.gitio.run import Running

SIGNATURE = b"DIRC"
VERSION = 2
HEADER = struct.Struct(">4sII")
ENTRY = struct.Struct(">IIIIIIIIII20sH")  # ctime s/ns, mtime s/ns, dev, ino, mode, uid, gid, size
NAME_MAX = 0xFFF
U32 = 0xFFFFFFFF
NS = 1_000_000_000

# Settings that decide what `diff-files` compares, fixed whatever your config says: stat data
# as git knows it (inode, owner, ctime), modes and symlinks as files hold them, no fsmonitor
# (nothing of yours or the agent's runs), no sparse or split index.
PINNED = (
    "core.fsmonitor=false",
    "core.checkStat=default",
    "core.trustctime=true",
    "core.fileMode=true",
    "core.symlinks=true",
    "core.ignoreCase=false",
    "core.precomposeUnicode=false",
    "core.preloadIndex=true",
    "core.splitIndex=false",
    "core.sparseCheckout=false",
    "index.sparse=false",
)


class Record(NamedTuple):
    """One entry: what git compares (the stat fields it keeps) and what it names."""

    path: bytes
    mode: int  # git mode
    oid: bytes  # raw object id
    ctime_ns: int
    mtime_ns: int
    ino: int
    size: int


class FileId(NamedTuple):
    """Which file an index is: a new file (written, renamed into place) never has the same
    inode, size and change time as the one it replaced."""

    ino: int
    size: int
    ctime_ns: int


def file_id(path: Path) -> FileId | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return FileId(st.st_ino, st.st_size, st.st_ctime_ns)


def encode(records: Iterable[Record], dev: int, uid: int, gid: int) -> bytes:
    """The index file's bytes; `records` sorted by path, each path once."""
    rows = list(records)
    out = [HEADER.pack(SIGNATURE, VERSION, len(rows))]
    pack = ENTRY.pack
    for path, mode, oid, ctime, mtime, ino, size in rows:
        length = len(path)
        out.append(
            pack(
                (ctime // NS) & U32,
                ctime % NS,
                (mtime // NS) & U32,
                mtime % NS,
                dev & U32,
                ino & U32,
                mode,
                uid & U32,
                gid & U32,
                size & U32,
                oid,
                min(length, NAME_MAX),
            )
        )
        out.append(path + b"\0" * (8 - (62 + length) % 8))  # NUL-padded to 8 bytes, at least one
    data = b"".join(out)
    return data + hashlib.sha1(data).digest()


def write_index(path: Path, records: Iterable[Record], dev: int, uid: int, gid: int) -> FileId:
    """Write the index whole, its time set to the epoch, then rename it into place."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(encode(records, dev, uid, gid))
    os.utime(tmp, ns=(0, 0))
    os.replace(tmp, path)
    found = file_id(path)
    if found is None:
        raise GitError(f"index {path} vanished as it was written")
    return found


def decode(data: bytes) -> list[Record]:
    """The entries of an index we wrote; ValueError when it is not one (or damaged)."""
    if len(data) < HEADER.size + 20 or hashlib.sha1(data[:-20]).digest() != data[-20:]:
        raise ValueError("not an index, or a damaged one")
    signature, version, count = HEADER.unpack_from(data, 0)
    if signature != SIGNATURE or version != VERSION:
        raise ValueError("not an index of version 2")
    out = []
    unpack = ENTRY.unpack_from
    end_of_entries = len(data) - 20
    pos = HEADER.size
    for _ in range(count):
        if pos + ENTRY.size > end_of_entries:
            raise ValueError("index entries run past the end")
        cs, cn, ms, mn, _dev, ino, mode, _uid, _gid, size, oid, flags = unpack(data, pos)
        length = flags & NAME_MAX
        start = pos + ENTRY.size
        end = data.index(b"\0", start) if length == NAME_MAX else start + length
        out.append(Record(data[start:end], mode, oid, cs * NS + cn, ms * NS + mn, ino, size))
        pos += (ENTRY.size + (end - start) + 8) & ~7
    return out


def read_index(path: Path) -> list[Record]:
    return decode(path.read_bytes())


def diff_files(git_dir: Path, work_tree: Path, index: Path) -> Running:
    """`git diff-files` of `work_tree` against `index`, started now: the entries whose stat
    data changed (or that are gone), read with `changed_paths`."""
    pinned = [arg for setting in PINNED for arg in ("-c", setting)]
    args = [
        "--no-optional-locks",
        *pinned,
        f"--git-dir={git_dir}",
        f"--work-tree={work_tree}",
        "diff-files",
        "-z",
        "--name-only",
    ]
    return Running(args, work_tree, env={"GIT_INDEX_FILE": str(index)})


def changed_paths(output: bytes) -> Sequence[bytes]:
    return [path for path in output.split(b"\0") if path]
