"""Which block of TCP ports each feature holds: a small JSON table under the state directory,
changed only under its own lock, so two features of the repository never get the same ports.

`{"version": 1, "features": {"<feature>": {"first": 20000, "count": 10}}}`; a reader without
the lock sees either the old table or the new one (it is replaced whole)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import filelock

from supervisor.errors import LockTimeout, OperationalError
from supervisor.store.layout import Layout

VERSION = 1
LOCK_TIMEOUT = 30.0


@dataclass(frozen=True)
class Block:
    """`count` consecutive ports from `first`."""

    first: int
    count: int

    @property
    def last(self) -> int:
        return self.first + self.count - 1

    def overlaps(self, other: Block) -> bool:
        return self.first <= other.last and other.first <= self.last

    def as_json(self) -> dict[str, int]:
        return {"first": self.first, "count": self.count}


def read(layout: Layout) -> dict[str, Block]:
    """The table as it stands (empty when there is none, or it cannot be read)."""
    try:
        data = json.loads(layout.ports.read_text())
        return {
            str(name): Block(int(entry["first"]), int(entry["count"]))
            for name, entry in data["features"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def block_of(layout: Layout, feature: str) -> Block | None:
    return read(layout).get(feature)


@contextmanager
def changing(layout: Layout, timeout: float = LOCK_TIMEOUT) -> Iterator[dict[str, Block]]:
    """The table, locked; what the caller leaves in it is saved when the block ends well."""
    layout.ports_lock.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(layout.ports_lock), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise LockTimeout(
            f"the ports table is busy: {layout.ports_lock} held for {timeout:g}s"
        ) from exc
    try:
        table = read(layout)
        yield table
        _save(layout, table)
    finally:
        lock.release()


def _save(layout: Layout, table: dict[str, Block]) -> None:
    data = {"version": VERSION, "features": {n: b.as_json() for n, b in sorted(table.items())}}
    tmp = layout.ports.with_name(layout.ports.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1) + "\n")
        os.replace(tmp, layout.ports)
    except OSError as exc:
        raise OperationalError(f"cannot write {layout.ports}: {exc.strerror}") from exc
