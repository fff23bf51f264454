"""Writing reports: text for people, JSON for programs; paths quoted the way git quotes them."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
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
    """`path` as git prints it: plain when safe, else C-quoted with octal for odd bytes."""
    out, quoted = [], False
    for ch in path:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
            quoted = True
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xDC80 <= ord(ch) <= 0xDCFF:
            code = ord(ch) - 0xDC00 if ord(ch) >= 0xDC80 else ord(ch)
            out.append(f"\\{code:03o}")
            quoted = True
        else:
            out.append(ch)
    text = "".join(out)
    return f'"{text}"' if quoted else text


@dataclass
class Output:
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    stdin: IO[str] = field(default_factory=lambda: sys.stdin)

    def line(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, indent=2) + "\n")

    def raw(self, data: bytes) -> None:
        self.stdout.flush()
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is None:
            self.stdout.write(data.decode(errors="replace"))
        else:
            buffer.write(data)
            buffer.flush()

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
