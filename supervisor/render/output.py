"""Writing reports: text for people, JSON for programs; paths quoted the way git quotes them."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, Any

_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}


def quote_path(path: str) -> str:
    """`path` as git prints it by default (core.quotePath): plain when it is printable ASCII,
    else in double quotes with C escapes and every byte above 0x7f in octal."""
    raw = path.encode("utf-8", "surrogateescape")
    out, quoted = [], False
    for byte in raw:
        char = chr(byte)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif byte < 0x20 or byte >= 0x7F:
            out.append(f"\\{byte:03o}")
        else:
            out.append(char)
            continue
        quoted = True
    text = "".join(out)
    return f'"{text}"' if quoted else text


class Output:
    """Where a command writes (the terminal, or buffers in tests)."""

    def __init__(
        self,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        stdin: IO[str] | None = None,
    ) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.stdin = stdin or sys.stdin

    def line(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def json(self, data: Any) -> None:
        import json

        self.stdout.write(json.dumps(data, indent=2) + "\n")

    def raw(self, data: bytes) -> None:
        self.stdout.flush()
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is None:
            self.stdout.write(data.decode(errors="replace"))
        else:
            buffer.write(data)
            buffer.flush()

    def columns(self, env: Mapping[str, str]) -> int:
        """The width git gives its output: COLUMNS when set, else the terminal's, else 80."""
        value = env.get("COLUMNS", "")
        if value.isdigit() and int(value) > 0:
            return int(value)
        try:
            return os.get_terminal_size(self.stdout.fileno()).columns
        except (AttributeError, OSError, ValueError):  # not a terminal, or not a file at all
            return 80

    def note(self, text: str) -> None:
        self.stderr.write(text + "\n")

    def progress(self, label: str) -> Any:
        """A callback drawing `label: done/total` on stderr when a person is watching, else None."""
        if not self.stderr.isatty():
            return None

        def draw(done: int, total: int) -> None:
            end = "\n" if done >= total else ""
            self.stderr.write(f"\r{label}: {done}/{total} files{end}")
            self.stderr.flush()

        return draw
