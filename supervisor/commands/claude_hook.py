"""`git agent claude-hook [--post]`: Claude Code's hook (`start --agent claude` installs it).

Before a write (PreToolUse, on Write, Edit, MultiEdit and NotebookEdit) it reads Claude Code's
JSON on stdin (`tool_name`, `tool_input`, `cwd`, `hook_event_name`), works out the content
the tool would produce, and has it judged under every rule: by the supervisor watching the
feature (over its socket) or, when none answers, here. A write with an error-level violation,
or one whose path resolves outside the shadow, into a git directory or onto git-agent's own
files, is denied with the rule and why; warnings let it through, said. After a tool
(PostToolUse, or `--post`) it hands over what the agent is told, each notice once.

It finds its feature from where it runs (the shadow, as Claude Code runs it) or from
GIT_AGENT_FEATURE. Claude Code lets a call through on every failure of its hook but exit 2,
so every failure here (bad input, an unknown feature, a lock held too long, a crash, no
answer in time) exits 2: the hook fails closed."""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import signal
import stat
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple

from supervisor.agents.claude import (
    POST_BUDGET,
    PRE_BUDGET,
    allowed,
    denied,
    post_context,
    refusal,
    take_notices,
)
from supervisor.agents.claude_tools import WRITE_TOOLS, ToolInputError, content, target
from supervisor.errors import EXIT_USAGE, FatalError, UsageError
from supervisor.gitio.locate import locate
from supervisor.live.client import ask
from supervisor.render.output import Output
from supervisor.store.layout import FEATURE_MARKER, SHADOW_MARKER, Layout, is_own

AGENT_ENV = "GIT_AGENT_FEATURE"
MAX_INPUT = 512 << 20


class Late(Exception):
    """The hook's own time is up: better a refused write than one Claude Code lets by."""


class Refused(Exception):
    """A write denied before any rule is asked: its path leads where no write may go."""


class Where(NamedTuple):
    common_dir: Path  # the repository the shadow serves
    feature: str
    shadow: Path  # its top, resolved


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    try:
        with _deadline(POST_BUDGET if args.post else PRE_BUDGET):
            answer = _answer(args.post, _stdin(out), env, cwd)
    except BaseException as exc:  # any failure at all refuses the call
        out.stderr.write(f"git-agent claude-hook: {_why(exc)}; refused (the hook fails closed)\n")
        return EXIT_USAGE
    out.line(json.dumps(answer))
    return 0


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Raise Late after `seconds` (in the main thread, where signals arrive)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def late(_signum: int, _frame: FrameType | None) -> None:
        raise Late(f"no verdict within {seconds}s")

    previous = signal.signal(signal.SIGALRM, late)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _why(exc: BaseException) -> str:
    if isinstance(exc, FatalError | Late | ToolInputError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"{type(exc).__name__}: {exc}"


def _stdin(out: Output) -> bytes:
    stream = getattr(out.stdin, "buffer", None)
    data = stream.read(MAX_INPUT + 1) if stream is not None else out.stdin.read().encode()
    if len(data) > MAX_INPUT:
        raise UsageError(f"more than {MAX_INPUT >> 20} MiB of input")
    return bytes(data)


def _answer(post: bool, raw: bytes, env: Mapping[str, str], cwd: str) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        raise UsageError(f"the input is not JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise UsageError("the input is not a JSON object")
    event = payload.get("hook_event_name")
    post = post or event == "PostToolUse"
    if not post and event not in (None, "PreToolUse"):
        raise UsageError(f"claude-hook answers PreToolUse and PostToolUse, not {event!r}")
    said = payload.get("cwd")
    said = said if isinstance(said, str) and said else None
    where = find(env, cwd, said)
    if post:
        agent_dir = Layout.of(where.common_dir).agent_dir(where.feature)
        return post_context(where.feature, take_notices(agent_dir, where.shadow / ".git"))
    return _before_write(where, payload, said or cwd, env)


# --- where: the feature and its shadow ---------------------------------------------------------


def find(env: Mapping[str, str], cwd: str, said_cwd: str | None) -> Where:
    """The feature whose shadow the hook runs in (its directory, or the one Claude Code says),
    or the one GIT_AGENT_FEATURE names."""
    named = env.get(AGENT_ENV) or None
    for place in dict.fromkeys(p for p in (cwd, said_cwd) if p):
        try:
            where = locate(Path(place), env)
        except FatalError:  # no repository there (or no such folder)
            continue
        marker = where.git_dir / SHADOW_MARKER
        if marker.is_file() and where.work_tree is not None:
            feature = (where.git_dir / FEATURE_MARKER).read_text().strip()
            if named and named != feature:
                raise UsageError(f"{AGENT_ENV}={named}, but this is the shadow of {feature}")
            served = Path(marker.read_text().strip())
            return Where(served, feature, Path(os.path.realpath(where.work_tree)))
        if named:
            return Where(where.common_dir, named, _shadow_of(where.common_dir, named))
    raise UsageError(
        f"not in a feature's shadow (Claude Code runs the hook there), and {AGENT_ENV} is not set"
    )


def _shadow_of(common_dir: Path, feature: str) -> Path:
    """The shadow of `feature`, from the state database read only (no lock, no write)."""
    import sqlite3

    db = Layout.of(common_dir).db
    try:
        with contextlib.closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute(
                "SELECT shadow, state FROM features WHERE name = ?", (feature,)
            ).fetchone()
    except sqlite3.Error as exc:
        raise UsageError(f"cannot read the state of {common_dir}: {exc}") from None
    if row is None:
        raise UsageError(f"unknown feature: {feature}")
    if row[1] != "active":
        raise UsageError(f"feature {feature} is {row[1]}")
    return Path(os.path.realpath(row[0]))


# --- before a write ----------------------------------------------------------------------------


def _before_write(
    where: Where, payload: Mapping[str, Any], cwd: str, env: Mapping[str, str]
) -> dict[str, Any]:
    tool, tool_input = payload.get("tool_name"), payload.get("tool_input")
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        raise ToolInputError("tool_name (a string) and tool_input (an object) are needed")
    if tool not in WRITE_TOOLS:
        return {}  # not a write: not ours to judge
    path = target(tool, tool_input, cwd)
    try:
        rel = inside(where, path)
    except Refused as refused:
        return denied(str(refused))
    full = os.path.join(where.shadow, rel)
    data = content(tool, tool_input, full)
    found = judge(where, rel, data, _kind(full), env)
    errors = [v for v in found if v.get("severity") == "error"]
    if errors:
        return denied(refusal(where.feature, rel, errors))
    return allowed([v for v in found if v.get("severity") == "warning"], rel)


def inside(where: Where, path: str) -> str:
    """`path` as a path of the shadow; Refused when it resolves anywhere else (through `..`
    or a link), into a git directory, or onto git-agent's own files."""
    full = os.path.realpath(path)
    shadow = str(where.shadow)
    if not full.startswith(shadow + os.sep):
        raise Refused(
            f"git-agent refused this write: path.outside-shadow: {path} resolves to {full}, "
            f"outside the shadow of feature {where.feature} ({shadow}); write only there"
        )
    rel = os.path.relpath(full, shadow)
    if any(part.casefold().rstrip(". ") == ".git" for part in rel.split(os.sep)):
        raise Refused(
            f"git-agent refused this write: git.internal: {rel} is inside a git directory; "
            "use git itself for that"
        )
    if is_own(os.fsencode(rel)):
        raise Refused(
            f"git-agent refused this write: agent.own-file: {rel} is git-agent's own file "
            "(it supervises this session through it); leave it as it is"
        )
    return rel


def _kind(full: str) -> str:
    """How the file is written: an executable stays one."""
    try:
        mode = os.stat(full).st_mode
    except OSError:
        return "file"
    return "exec" if stat.S_ISREG(mode) and mode & stat.S_IXUSR else "file"


def judge(
    where: Where, rel: str, data: bytes, kind: str, env: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The violations writing `data` at `rel` would bring: the watching supervisor's answer,
    else the judgement made here (which needs the object store: inside a sandbox, it fails)."""
    request = {
        "op": "check-write",
        "feature": where.feature,
        "path": rel,
        "content": base64.b64encode(data).decode(),
        "kind": kind,
    }
    answer = ask(Layout.of(where.common_dir).live_dir(), request, work_timeout=PRE_BUDGET)
    if answer is not None and answer.get("handled"):
        if not answer.get("ok"):
            raise FatalError(str(answer.get("error") or "the supervisor could not judge it"))
        return _violations(answer.get("violations"))
    return _judge_here(where, rel, data, kind, env)


def _violations(found: object) -> list[dict[str, Any]]:
    if not isinstance(found, list) or not all(isinstance(v, dict) for v in found):
        raise FatalError("the supervisor's answer holds no list of violations")
    return found


def _judge_here(
    where: Where, rel: str, data: bytes, kind: str, env: Mapping[str, str]
) -> list[dict[str, Any]]:
    from supervisor.lifecycle.prospective import check_write
    from supervisor.lifecycle.workspace import open_feature

    with open_feature(env, str(where.shadow), where.feature) as found:
        return [v.as_json() for v in check_write(found, os.fsencode(rel), data, kind)]
