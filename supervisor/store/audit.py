"""A feature's audit log: append-only JSON Lines, each entry chained to the one before it.

Every entry holds its sequence number, time, type and data, the previous entry's hash and its
own: SHA-256 over the entry's canonical JSON (sorted keys, no spaces) without its own hash. An
edited, removed or reordered entry breaks the chain; a log cut short at its tail is caught by
the hash each checkpoint records in its trailers (`Audit: <hash>`). Appends from several
processes (the CLI, the supervisor) take turns on an exclusive lock of the file itself.

Nothing secret is ever written: violations carry their redacted messages only.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

TAIL = 1 << 16  # bytes read back to find the last entry


class Entry(NamedTuple):
    seq: int
    time: float
    type: str
    data: dict[str, Any]
    prev: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "type": self.type,
            "data": self.data,
            "prev": self.prev,
            "hash": self.hash,
        }


def canonical(value: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, ASCII only (a path that is not UTF-8 still round-trips)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def digest(seq: int, when: float, kind: str, data: Mapping[str, Any], prev: str) -> str:
    body = {"seq": seq, "time": when, "type": kind, "data": data, "prev": prev}
    return hashlib.sha256(canonical(body)).hexdigest()


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, kind: str, data: Mapping[str, Any]) -> Entry:
        """Add one entry (under the file's lock); the entry written."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            torn = _cut_torn_tail(descriptor)
            if torn is not None:
                _write(descriptor, "torn", torn)
            return _write(descriptor, kind, data)
        finally:
            os.close(descriptor)  # closing releases the lock

    def head(self) -> Entry | None:
        try:
            descriptor = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            return _last_entry(descriptor)
        finally:
            os.close(descriptor)

    def entries(self) -> Iterator[Entry]:
        """Every readable entry, in file order (an unreadable line is skipped: `verify` says)."""
        for _, entry in self.lines():
            if entry is not None:
                yield entry

    def lines(self) -> Iterator[tuple[int, Entry | None]]:
        try:
            with self.path.open("rb") as stream:
                for number, line in enumerate(stream, 1):
                    yield number, _parse(line)
        except FileNotFoundError:
            return


def _write(descriptor: int, kind: str, data: Mapping[str, Any]) -> Entry:
    last = _last_entry(descriptor)
    seq, prev = (last.seq + 1, last.hash) if last else (1, "")
    when = round(time.time(), 6)
    plain = json.loads(canonical(data))  # what the file will hold, exactly
    entry = Entry(seq, when, kind, plain, prev, digest(seq, when, kind, plain, prev))
    line = canonical(entry.as_json()) + b"\n"
    while line:
        line = line[os.write(descriptor, line) :]
    return entry


def _cut_torn_tail(descriptor: int) -> dict[str, Any] | None:
    """A crash in the middle of an append leaves a last line without its newline: cut it off,
    and say what was cut (its length and hash) in a `torn` entry, so the chain goes on from
    the last whole entry and the log still shows that something was lost there."""
    size = os.lseek(descriptor, 0, os.SEEK_END)
    if size == 0 or os.pread(descriptor, 1, size - 1) == b"\n":
        return None
    start = _line_start(descriptor, size)
    fragment = os.pread(descriptor, size - start, start)
    os.truncate(descriptor, start)
    return {"bytes": len(fragment), "sha256": hashlib.sha256(fragment).hexdigest()}


def _line_start(descriptor: int, end: int) -> int:
    """Where the line holding the byte before `end` begins (reading back as far as it takes)."""
    position = end
    while position > 0:
        start = max(0, position - TAIL)
        cut = os.pread(descriptor, position - start, start).rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        position = start
    return 0


def _parse(line: bytes) -> Entry | None:
    try:
        raw = json.loads(line)
        return Entry(
            int(raw["seq"]),
            float(raw["time"]),
            str(raw["type"]),
            dict(raw["data"]),
            str(raw["prev"]),
            str(raw["hash"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _last_entry(descriptor: int) -> Entry | None:
    end = os.lseek(descriptor, 0, os.SEEK_END)
    while end > 0 and os.pread(descriptor, 1, end - 1) in (b"\n", b" "):
        end -= 1
    if end == 0:
        return None
    start = _line_start(descriptor, end)
    return _parse(os.pread(descriptor, end - start, start))


class Problem(NamedTuple):
    seq: int  # the first bad sequence number
    why: str


def verify(log: AuditLog, recorded: set[str] | None = None) -> Problem | None:
    """The first entry that breaks the chain, or None. `recorded`: hashes other records hold
    (the checkpoints' `Audit:` trailers): one missing from the log means its tail was cut."""
    expected_seq, prev = 1, ""
    seen: set[str] = set()
    for number, entry in log.lines():
        if entry is None:
            return Problem(expected_seq, f"line {number} is not an audit entry")
        if entry.seq != expected_seq:
            return Problem(
                expected_seq, f"line {number} has sequence {entry.seq}, not {expected_seq}"
            )
        if entry.prev != prev:
            return Problem(entry.seq, "its previous hash does not match the entry before it")
        if digest(entry.seq, entry.time, entry.type, entry.data, entry.prev) != entry.hash:
            return Problem(entry.seq, "its content does not match its hash (edited)")
        seen.add(entry.hash)
        expected_seq, prev = entry.seq + 1, entry.hash
    missing = (recorded or set()) - seen
    if missing:
        return Problem(
            expected_seq, "the log ends before an entry a checkpoint recorded (cut short)"
        )
    return None
