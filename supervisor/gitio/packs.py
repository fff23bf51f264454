"""Writing a batch of new objects as one pack: a checkpoint of many files costs one file
write instead of one loose object per blob and tree."""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from pathlib import Path

from supervisor.gitio.objects import BLOB, COMMIT, TREE
from supervisor.gitio.repo import Repo
from supervisor.gitio.run import run_git

PACK_MIN = 16  # fewer new objects than this are written loose
MAX_PACKS = 64  # past this many packs, git repack --geometric folds the small ones
TYPE_NAMES = {BLOB: b"blob", TREE: b"tree", COMMIT: b"commit"}
PACK_TYPES = {COMMIT: 1, TREE: 2, BLOB: 3}


class PackWriter:
    """An object store that keeps new objects in memory until `flush` writes them."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.pending: dict[bytes, tuple[int, bytes]] = {}

    def write(self, kind: int, data: bytes) -> bytes:
        oid = hashlib.sha1(b"%s %d\0" % (TYPE_NAMES[kind], len(data)) + data).digest()
        if oid not in self.pending and not self.repo.has_object(oid):
            self.pending[oid] = (kind, data)
        return oid

    def read(self, oid: bytes) -> tuple[int, bytes]:
        found = self.pending.get(oid)
        return found if found is not None else self.repo.read(oid)

    def read_blob(self, oid: str | bytes) -> bytes:
        raw = oid if isinstance(oid, bytes) else bytes.fromhex(oid)
        return self.read(raw)[1]

    def write_blob_stream(self, path: Path) -> bytes:
        return self.repo.write_blob_stream(path)

    def flush(self) -> None:
        """Make every pending object part of the repository (a pack, or loose when few)."""
        if len(self.pending) >= PACK_MIN:
            pack_dir = self.repo.objects_dir / "pack"
            write_pack(pack_dir, self.pending)
            if len(list(pack_dir.glob("pack-*.idx"))) > MAX_PACKS:
                # many small packs slow every lookup: let git fold them (libgit2 cannot)
                run_git(["repack", "-d", "-q", "--geometric=2"], self.repo.common_dir, check=False)
        else:
            for kind, data in self.pending.values():
                self.repo.write(kind, data)
        self.pending.clear()


def _header(kind: int, size: int) -> bytes:
    first = (PACK_TYPES[kind] << 4) | (size & 0x0F)
    size >>= 4
    out = bytearray()
    while size:
        out.append(first | 0x80)
        first = size & 0x7F
        size >>= 7
    out.append(first)
    return bytes(out)


def write_pack(pack_dir: Path, objects: dict[bytes, tuple[int, bytes]]) -> str:
    """Write `objects` (id -> (kind, data)) as pack-<sha>.pack and its version 2 index."""
    ids = sorted(objects)
    pack = bytearray(b"PACK" + struct.pack(">II", 2, len(ids)))
    offsets, crcs = [], []
    for oid in ids:
        kind, data = objects[oid]
        chunk = _header(kind, len(data)) + zlib.compress(data, 1)
        offsets.append(len(pack))
        crcs.append(zlib.crc32(chunk))
        pack += chunk
    if len(pack) >= 1 << 31:
        raise ValueError("a batch this large belongs in loose objects or git's own packs")
    pack_sha = hashlib.sha1(pack).digest()
    pack += pack_sha
    fanout = [0] * 256
    for oid in ids:
        fanout[oid[0]] += 1
    total = 0
    for byte in range(256):
        total += fanout[byte]
        fanout[byte] = total
    index = bytearray(b"\377tOc" + struct.pack(">I", 2) + struct.pack(">256I", *fanout))
    index += b"".join(ids)
    index += struct.pack(f">{len(ids)}I", *crcs)
    index += struct.pack(f">{len(ids)}I", *offsets)
    index += pack_sha
    index += hashlib.sha1(index).digest()
    name = f"pack-{pack_sha.hex()}"
    pack_dir.mkdir(parents=True, exist_ok=True)
    _write(pack_dir / f"{name}.pack", bytes(pack))
    _write(pack_dir / f"{name}.idx", bytes(index))  # the index last: git finds packs by it
    return name


def _write(path: Path, data: bytes) -> None:
    """Written whole, then renamed into place: a killed process leaves no half pack. Like
    libgit2's loose objects and refs, not fsynced (a power cut could lose the latest objects
    and the latest ref alike)."""
    tmp = path.with_name(f"tmp_{path.name}")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o444)
    os.replace(tmp, path)
