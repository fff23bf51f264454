"""An agent's output, kept within a size: the first half of the cap as it came, then only
the latest bytes (the tail), with a marker saying how much was cut between them.

The head file grows until it holds half the cap; from then on the tail is kept in memory and
written to its own file now and then (and at the end), so `git agent logs -f` shows the tail
moving while the agent runs."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import IO

CAP = 4 << 20  # bytes kept of each stream
FLUSH_S = 0.5


class CappedLog:
    def __init__(self, path: Path, cap: int = CAP) -> None:
        self.path = path
        self.tail_path = path.with_name(path.name + ".tail")
        self.half = max(1, cap // 2)
        self.written = 0
        self.cut = 0
        self.tail = bytearray()
        self.last_flush = 0.0
        self.changed = time.monotonic()  # when output last came (a stall is its absence)
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._head = open(path, "ab")  # noqa: SIM115 - closed in close()
        if self._head.tell():  # an earlier run's output is there: where this one begins
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
            self._head.write(f"\n[git-agent: the agent runs again, {stamp}]\n".encode())
        self.tail_path.unlink(missing_ok=True)

    def write(self, data: bytes) -> None:
        with self._lock:
            self.changed = time.monotonic()
            room = self.half - self.written
            if room > 0:
                self._head.write(data[:room])
                self._head.flush()
                self.written += min(room, len(data))
                data = data[room:]
            if data:
                self.tail += data
                extra = len(self.tail) - self.half
                if extra > 0:
                    del self.tail[:extra]
                    self.cut += extra
                if time.monotonic() - self.last_flush > FLUSH_S:
                    self._flush_tail()

    def _flush_tail(self) -> None:
        temporary = self.tail_path.with_name(self.tail_path.name + ".tmp")
        temporary.write_bytes(
            _marker(self.cut) + bytes(self.tail) if self.cut else bytes(self.tail)
        )
        os.replace(temporary, self.tail_path)
        self.last_flush = time.monotonic()

    def close(self) -> None:
        with self._lock:
            if self.tail:
                self._flush_tail()
            self._head.close()


def _marker(cut: int) -> bytes:
    return f"\n[git-agent: {cut} bytes of output cut here]\n".encode()


def pump(stream: IO[bytes], log: CappedLog) -> None:
    """Copy `stream` into `log` until it ends (a reader thread's body)."""
    try:
        while chunk := stream.read1(1 << 16):  # type: ignore[attr-defined]
            log.write(chunk)
    finally:
        stream.close()
        log.close()


def read(path: Path) -> bytes:
    """A stream's log as it stands: its head, then (when it outgrew the cap) the tail."""
    try:
        head = path.read_bytes()
    except FileNotFoundError:
        return b""
    try:
        return head + path.with_name(path.name + ".tail").read_bytes()
    except FileNotFoundError:
        return head
