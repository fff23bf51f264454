"""Commands a watcher can answer: the CLI side (ask the supervisor, print its answer) and the
supervisor side (run the command on its warm feature, the output captured)."""

from __future__ import annotations

import argparse
import base64
import io
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from supervisor.errors import FatalError
from supervisor.live.client import ask, live_dir_of
from supervisor.live.paths import socket_path
from supervisor.render.output import Output

if TYPE_CHECKING:
    from supervisor.lifecycle.feature import Feature

Act = Callable[["Feature", argparse.Namespace, Output], int]


def delegate(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int | None:
    """Have the supervisor run this command when it watches the feature (its exit code), or
    None: no supervisor, not watched, no answer in time. Then the caller does the work."""
    live = live_dir_of(cwd, env)
    if live is None or not socket_path(live).exists():
        return None
    plain = {k: v for k, v in vars(args).items() if v is None or isinstance(v, str | int | list)}
    answer = ask(live, {"op": "run", "args": plain, "columns": out.columns(env)})
    if answer is None or not answer.get("handled"):
        return None
    _write(out, answer)
    return int(answer.get("code", 3))


def runner(act: Act) -> Callable[[Feature, dict[str, Any], int], dict[str, Any]]:
    """`act` as the supervisor runs it: arguments from the request, output captured."""

    def run(feature: Feature, plain: dict[str, Any], columns: int) -> dict[str, Any]:
        raw = io.BytesIO()
        stdout = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape")
        stderr = io.StringIO()
        out = _Captured(stdout, stderr, columns)
        try:
            code = act(feature, argparse.Namespace(**plain), out)
        except FatalError as exc:
            stderr.write(f"git-agent: {exc}\n")
            code = exc.exit_code
        stdout.flush()
        data = base64.b64encode(raw.getvalue()).decode()
        return {"handled": True, "code": code, "stdout": data, "stderr": stderr.getvalue()}

    return run


class _Captured(Output):
    def __init__(self, stdout: io.TextIOWrapper, stderr: io.StringIO, width: int) -> None:
        super().__init__(stdout, stderr, io.StringIO())
        self.width = width

    def columns(self, env: Mapping[str, str]) -> int:
        return self.width


def _write(out: Output, answer: Mapping[str, Any]) -> None:
    data = base64.b64decode(str(answer.get("stdout", "")))
    buffer = getattr(out.stdout, "buffer", None)
    out.stdout.flush()
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        out.stdout.write(data.decode(errors="replace"))
    out.stderr.write(str(answer.get("stderr", "")))
    if out.stderr is sys.stderr:
        sys.stderr.flush()
