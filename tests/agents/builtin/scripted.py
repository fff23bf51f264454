"""A scripted Messages API on 127.0.0.1: the real `anthropic` SDK talks to it through
`base_url`. Each request takes the next step of the script: a reply given outright, or a
function of the request (the scripted "model" reads the conversation and decides). Every
request is recorded, headers and body, for the tests to read back."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

_ids = itertools.count(1)


class Reply(NamedTuple):
    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] = {}


class Request(NamedTuple):
    path: str
    headers: dict[str, str]  # names in lower case
    raw: bytes
    body: dict[str, Any]

    @property
    def model(self) -> str:
        return str(self.body.get("model"))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    def last_results(self) -> list[dict[str, Any]]:
        """The tool results of the last user message."""
        content = self.messages[-1]["content"] if self.messages else []
        if isinstance(content, str):
            return []
        return [b for b in content if b.get("type") == "tool_result"]

    def texts(self) -> list[str]:
        """Every text block of every user message, in order."""
        found = []
        for message in self.messages:
            if message["role"] != "user":
                continue
            content = message["content"]
            if isinstance(content, str):
                found.append(content)
                continue
            found += [b["text"] for b in content if b.get("type") == "text"]
        return found


Step = Reply | Callable[[Request], Reply]


# what a step answers ---------------------------------------------------------------------------
def text(words: str) -> dict[str, Any]:
    return {"type": "text", "text": words}


def tool(name: str, given: object = None, **fields: object) -> dict[str, Any]:
    """A tool_use block (`given`: an input that is not a keyword mapping, malformed on purpose)."""
    return {
        "type": "tool_use",
        "id": f"toolu_{next(_ids):04d}",
        "name": name,
        "input": fields if given is None else given,
    }


def message(
    *content: dict[str, Any],
    stop: str | None = None,
    usage: Mapping[str, int] | None = None,
) -> Callable[[Request], Reply]:
    """An assistant message (stop_reason tool_use when it calls a tool, else end_turn); its
    usage given, or counted as a quarter token per byte of the request."""

    def reply(request: Request) -> Reply:
        calls = any(block["type"] == "tool_use" for block in content)
        counted = {
            "input_tokens": len(request.raw) // 4,
            "output_tokens": 20,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        }
        return Reply(
            200,
            {
                "id": f"msg_{next(_ids):04d}",
                "type": "message",
                "role": "assistant",
                "model": request.model,
                "content": list(content),
                "stop_reason": stop or ("tool_use" if calls else "end_turn"),
                "stop_sequence": None,
                "usage": {**counted, **(usage or {})},
            },
        )

    return reply


def error(status: int, kind: str, words: str = "", **headers: str) -> Reply:
    """An error answer (`retry_after="1"` gives a retry-after header)."""
    return Reply(
        status,
        {"type": "error", "error": {"type": kind, "message": words or kind}},
        {name.replace("_", "-"): value for name, value in headers.items()},
    )


def overloaded(**headers: str) -> Reply:
    return error(529, "overloaded_error", "Overloaded", **headers)


# the server ----------------------------------------------------------------------------------------
class ScriptedApi:
    def __init__(self) -> None:
        self.script: list[Step] = []
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.api = self
        self.thread = threading.Thread(target=self.server.serve_forever, name="scripted-api")

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, *steps: Step) -> ScriptedApi:
        with self.lock:
            self.script.extend(steps)
        return self

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def answer(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            step = self.script.pop(0) if self.script else None
        if step is None:
            return error(400, "invalid_request_error", "the script ran out")
        return step(request) if callable(step) else step


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler
    block_on_close = True
    api: ScriptedApi


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 10

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.api.answer(Request(self.path, headers, raw, body))
        data = json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("connection", "close")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass
