"""Asking the supervisor: one JSON request, one JSON answer, over its socket. Light on
purpose (the CLI imports it before anything heavy), and never in the way: a missing socket, a
dead supervisor or one that does not answer in time gives None, and the caller does the work
itself without a word."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from supervisor.live.paths import reachable, socket_path

ANSWER_LIMIT = 64 << 20


def ask(live_dir: Path, request: dict[str, Any], timeout: float = 2.0) -> dict[str, Any] | None:
    path = socket_path(live_dir)
    if not path.exists():
        return None
    try:
        with reachable(path) as name, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(name)
            conn.sendall(json.dumps(request).encode() + b"\n")
            answer = _read_line(conn)
    except (OSError, ValueError):
        return None
    try:
        found = json.loads(answer)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _read_line(conn: socket.socket) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = conn.recv(1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if chunk.endswith(b"\n") or size > ANSWER_LIMIT:
            break
    return b"".join(chunks)
