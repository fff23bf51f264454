"""Asking the supervisor: one JSON request, two JSON lines back (accepted, then the answer),
over its socket. Light on purpose: the CLI imports it before anything heavy, so a command a
watcher can answer never pays for pygit2. And never in the way: a missing socket, a dead
supervisor or one that does not take the request up in time gives None, and the caller does
the work itself without a word."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from supervisor.live.paths import reachable, socket_path
from supervisor.store.layout import SHADOW_MARKER, Layout

ANSWER_LIMIT = 64 << 20
ACCEPT_TIMEOUT = 2.0  # seconds for the supervisor to take a request up
WORK_TIMEOUT = 600.0  # and to finish it, once taken up


def ask(
    live_dir: Path,
    request: Mapping[str, Any],
    timeout: float = ACCEPT_TIMEOUT,
    work_timeout: float = WORK_TIMEOUT,
) -> dict[str, Any] | None:
    path = socket_path(live_dir)
    if not path.exists():
        return None
    body = {**request, "deadline": time.time() + timeout}
    try:
        with reachable(path) as name, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(name)
            conn.sendall(json.dumps(body).encode() + b"\n")
            reader = _Lines(conn)
            if _json(reader.line()) != {"accepted": True}:
                return None
            conn.settimeout(work_timeout)
            found = _json(reader.line())
    except OSError:
        return None
    return found if isinstance(found, dict) else None


def live_dir_of(cwd: str, env: Mapping[str, str]) -> Path | None:
    """The supervisor's folder for the repository at `cwd` (the one a shadow serves, from
    inside one), or None when there is no repository."""
    from supervisor.errors import FatalError
    from supervisor.gitio.locate import locate

    try:
        where = locate(Path(cwd), env)
    except FatalError:
        return None
    common = where.common_dir
    marker = where.git_dir / SHADOW_MARKER
    if marker.is_file():
        common = Path(marker.read_text().strip())
    return Layout.of(common).live_dir()


def _json(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


class _Lines:
    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.buffer = b""

    def line(self) -> bytes:
        while b"\n" not in self.buffer:
            chunk = self.conn.recv(1 << 16)
            if not chunk or len(self.buffer) > ANSWER_LIMIT:
                raise ConnectionError("the supervisor hung up")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line
