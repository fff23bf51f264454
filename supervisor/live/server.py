"""The supervisor's socket: owner-only, in the state directory; one request per connection,
handed to the supervisor's own loop (which alone touches features).

The conversation is two lines from us: `{"accepted": true}` as soon as the loop takes the
request up (a client that does not get it in time does the work itself), then the answer.
The asking process is known from the kernel (SO_PEERCRED), never from what it says."""

from __future__ import annotations

import json
import os
import queue
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supervisor.live.paths import reachable, socket_path

REQUEST_LIMIT = 1 << 20
ACCEPTED = b'{"accepted": true}\n'
STOPPING = {"ok": False, "error": "the supervisor is stopping"}


class Request:
    """A request waiting for the supervisor's loop, and its answer."""

    def __init__(self, body: dict[str, Any], peer: int) -> None:
        self.body = body
        self.peer = peer  # the asking process (the kernel's word, not the request's)
        self.answer: dict[str, Any] = dict(STOPPING)
        self.started = threading.Event()
        self.done = threading.Event()

    def finish(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.started.set()
        self.done.set()


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
        self._talks: set[threading.Thread] = set()
        self._lock = threading.Lock()

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
        sock.listen(64)
        sock.settimeout(0.1)
        self._sock = sock
        self._thread.start()

    def stop(self) -> None:
        """Stop listening; requests still queued are answered "stopping"; wait for every
        conversation to end."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._sock is not None:
            self._sock.close()
        self.path.unlink(missing_ok=True)
        drain(self.requests)
        with self._lock:
            talks = list(self._talks)
        for talk in talks:
            talk.join()

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            talk = threading.Thread(target=self._talk, args=(conn,), name="git-agent-request")
            with self._lock:
                self._talks.add(talk)
            talk.start()

    def _talk(self, conn: socket.socket) -> None:
        try:
            with conn:
                self._answer(conn)
        finally:
            with self._lock:
                self._talks.discard(threading.current_thread())

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        try:
            body = json.loads(_read_line(conn))
            pid, uid = _peer(conn)
        except (OSError, ValueError):
            return
        if not isinstance(body, dict) or uid != os.getuid():
            return
        request = Request(body, pid)
        if self._stop.is_set():
            return
        self.requests.put(request)
        self.wake()
        try:
            while not request.started.wait(0.1):
                if self._stop.is_set() and not request.started.is_set():
                    drain(self.requests)
            conn.sendall(ACCEPTED)
            request.done.wait()
            conn.sendall(json.dumps(request.answer).encode() + b"\n")
        except OSError:
            return


def drain(requests: queue.Queue[Request]) -> None:
    """Answer every queued request "stopping"."""
    while True:
        try:
            requests.get_nowait().finish(dict(STOPPING))
        except queue.Empty:
            return


def _read_line(conn: socket.socket) -> bytes:
    chunks, size = [], 0
    while size <= REQUEST_LIMIT:
        chunk = conn.recv(1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk:
            break
    return b"".join(chunks).split(b"\n", 1)[0]


def _peer(conn: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end, as the kernel knows them."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _ = struct.unpack("3i", creds)
    return pid, uid
