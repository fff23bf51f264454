"""The supervisor's socket: owner-only, in the state directory; one request per connection,
handed to the supervisor's own loop (which alone touches features) and answered when done."""

from __future__ import annotations

import json
import os
import queue
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supervisor.live.paths import reachable, socket_path

Handler = Callable[[dict[str, Any]], dict[str, Any]]
REQUEST_LIMIT = 1 << 20


class Request:
    """A request waiting for the supervisor's loop, and its answer."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.answer: dict[str, Any] = {"ok": False, "error": "not answered"}
        self.done = threading.Event()


class Server:
    def __init__(
        self, live_dir: Path, requests: queue.Queue[Request], wake: Callable[[], None]
    ) -> None:
        self.path = socket_path(live_dir)
        self.requests = requests
        self.wake = wake
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread = threading.Thread(target=self._serve, name="git-agent-socket", daemon=True)

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        self.path.unlink(missing_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with reachable(self.path) as name:
            old = os.umask(0o177)
            try:
                sock.bind(name)
            finally:
                os.umask(old)
        os.chmod(self.path, 0o600)
        sock.listen(16)
        sock.settimeout(0.2)
        self._sock = sock
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._sock is not None:
            self._sock.close()
        self.path.unlink(missing_ok=True)

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        try:
            line = conn.recv(REQUEST_LIMIT).split(b"\n", 1)[0]
            body = json.loads(line)
        except (OSError, ValueError):
            return
        if not isinstance(body, dict):
            return
        request = Request(body)
        self.requests.put(request)
        self.wake()
        if not request.done.wait(60.0):
            return
        try:
            conn.sendall(json.dumps(request.answer).encode() + b"\n")
        except OSError:
            return
