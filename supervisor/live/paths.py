"""Where the supervisor listens, and how to reach a socket whose path is too long for
`sun_path` (108 bytes): through `/proc/self/fd/<dir>/`, which Linux resolves for bind and
connect alike."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SOCKET = "supervisor.sock"
LONGEST = 100


def socket_path(live_dir: Path) -> Path:
    return live_dir / SOCKET


@contextmanager
def reachable(path: Path) -> Iterator[str]:
    """A name that reaches `path` for bind or connect, short enough whatever its length."""
    if len(os.fsencode(path)) < LONGEST:
        yield str(path)
        return
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{folder}/{path.name}"
    finally:
        os.close(folder)
