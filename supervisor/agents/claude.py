"""Claude Code under git-agent: its hooks, written into the shadow it works in, and what the
hooks answer it.

`install_claude_hook(feature)` writes `.claude/settings.local.json` in the feature's shadow
(Claude Code's own local settings file): a PreToolUse hook on Write, Edit, MultiEdit and
NotebookEdit runs `git agent claude-hook`, which judges the write before it happens and
denies it when it breaks the feature's rules; a PostToolUse hook on every tool runs
`claude-hook --post`, which hands Claude Code what the agent is told (the watcher's
findings, a person's `git agent tell`). The file is git-agent's own: no checkpoint and no
promotion ever holds it, whatever the repository's ignore files say.

Claude Code blocks a call only when its hook exits 2, and lets it through on any other
failure (a crash, a missing program, a timeout): the hook's command line turns every other
exit into 2, and the hook denies on its own before Claude Code's timeout would pass."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supervisor.agents import notices
from supervisor.agents.claude_tools import WRITE_TOOLS
from supervisor.store.layout import CLAUDE_SETTINGS, OWN_PATHS

if TYPE_CHECKING:
    from supervisor.lifecycle.feature import Feature

MATCHER = "|".join(WRITE_TOOLS)
PRE_TIMEOUT = 120  # seconds Claude Code waits for the PreToolUse hook before it lets the call by
PRE_BUDGET = 90  # the hook's own limit: it denies (exit 2) well before that
POST_TIMEOUT = 30
POST_BUDGET = 20
CONTEXT_READ = 4 << 20  # bytes of notices read at once
OFFSET = "claude-hook.offset"  # how far the PostToolUse hook has read them
SPARE_OFFSET = "git-agent-claude-hook.offset"  # in the shadow's git dir, where ours is shut
MAX_CONTEXT = 8000  # characters of notices handed over at once
EXCLUDED = "# git-agent's own files (never checkpointed)\n"


def install_if_claude(feature: Feature, name: str, command: Sequence[str]) -> None:
    """Claude Code's hooks in `feature`'s shadow when its agent (by name or program) is it."""
    if name == "claude" or (bool(command) and os.path.basename(command[0]) == "claude"):
        install_claude_hook(feature)


def install_claude_hook(feature: Feature) -> Path:
    """Write Claude Code's hooks for `feature` into its shadow's `.claude/settings.local.json`,
    keeping what the file holds already (Claude Code keeps permissions there) and replacing
    hooks of ours written before; the file's path. Refused (UsageError) when the feature's
    base tracks that file: git-agent never changes a file of yours."""
    from supervisor.errors import OperationalError

    _refuse_tracked(feature)
    shadow = feature.shadow
    settings = merged(_read_settings(shadow), hook_settings(shadow))
    try:
        _write_settings(shadow, settings)
        exclude_own_files(shadow)
    except OSError as exc:  # a link where a folder should be (ELOOP): never written through
        raise OperationalError(
            f"cannot write Claude Code's hooks into {shadow / CLAUDE_SETTINGS}: {exc.strerror}"
        ) from None
    return shadow / CLAUDE_SETTINGS


def hook_command(shadow: Path, post: bool = False) -> str:
    """The shell line Claude Code runs: our interpreter (never a `supervisor` folder of the
    shadow: `-P`), from the shadow; before a write, any failure at all becomes exit 2."""
    words = [sys.executable, "-P", "-m", "supervisor", "claude-hook", *(["--post"] * post)]
    line = f"cd {shlex.quote(str(shadow))} && {shlex.join(words)}"
    return line if post else f"{line} || exit 2"


def hook_settings(shadow: Path) -> dict[str, list[dict[str, Any]]]:
    """Our two hook groups, by event."""
    return {
        "PreToolUse": [_group(MATCHER, hook_command(shadow), PRE_TIMEOUT)],
        "PostToolUse": [_group("*", hook_command(shadow, post=True), POST_TIMEOUT)],
    }


def _group(matcher: str, command: str, timeout: int) -> dict[str, Any]:
    return {
        "matcher": matcher,
        "hooks": [{"type": "command", "command": command, "timeout": timeout}],
    }


def merged(settings: dict[str, Any], ours: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """`settings` with our hook groups in place of any earlier ones of ours."""
    hooks = settings.get("hooks")
    if not isinstance(hooks, dict):
        hooks = settings["hooks"] = {}
    for event, groups in ours.items():
        kept = hooks.get(event)
        kept = [g for g in kept if not _ours(g)] if isinstance(kept, list) else []
        hooks[event] = [*kept, *groups]
    return settings


def _ours(group: object) -> bool:
    if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
        return False
    return any(
        isinstance(h, dict) and " claude-hook" in str(h.get("command", "")) for h in group["hooks"]
    )


def _refuse_tracked(feature: Feature) -> None:
    from supervisor.errors import UsageError
    from supervisor.gitio import trees

    repo = feature.repo
    if trees.lookup(repo, repo.commit_tree(feature.row.base), CLAUDE_SETTINGS.encode()):
        raise UsageError(
            f"{CLAUDE_SETTINGS} is tracked at the base of {feature.name}: git-agent writes "
            "Claude Code's hooks there and never changes a file of yours; untrack it (it is "
            "Claude Code's local file), or run Claude Code as a command agent (-- claude ...)"
        )


def _read_settings(shadow: Path) -> dict[str, Any]:
    """The settings file as it is: a regular file holding a JSON object, else nothing."""
    from supervisor.agents.setup import folder_beneath

    folder, name = _split()
    try:
        with folder_beneath(shadow, folder, create=False) as where:
            descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=where)
            with os.fdopen(descriptor, "rb") as stream:
                data = json.loads(stream.read(1 << 20))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_settings(shadow: Path, settings: Mapping[str, Any]) -> None:
    """Replace the file whole (never writing through a link the agent left there)."""
    from supervisor.agents.setup import folder_beneath

    folder, name = _split()
    temporary = f".{name}.git-agent"
    text = json.dumps(settings, indent=2) + "\n"
    with folder_beneath(shadow, folder, create=True) as where:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=where)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        descriptor = os.open(temporary, flags, 0o644, dir_fd=where)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(text)
        os.replace(temporary, name, src_dir_fd=where, dst_dir_fd=where)


def _split() -> tuple[list[bytes], str]:
    parts = CLAUDE_SETTINGS.split("/")
    return [p.encode() for p in parts[:-1]], parts[-1]


def exclude_own_files(shadow: Path) -> None:
    """Name our files in the shadow's own `info/exclude`, so the agent's `git status` and
    `git add -A` leave them alone too."""
    from supervisor.agents.setup import folder_beneath

    lines = "".join(f"/{path}\n" for path in OWN_PATHS)
    with folder_beneath(shadow, [b".git", b"info"], create=True) as where:
        descriptor = os.open("exclude", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644, dir_fd=where)
        with os.fdopen(descriptor, "r+") as stream:
            if lines not in stream.read():
                stream.write(("" if stream.tell() == 0 else "\n") + EXCLUDED + lines)


# --- what the hooks answer ---------------------------------------------------------------------


def allowed(warnings: Sequence[Mapping[str, Any]], shown: str) -> dict[str, Any]:
    """PreToolUse: the write may go ahead (with what it should know, when there are warnings).
    No permission decision: Claude Code's own permission settings still apply; ours only
    ever denies."""
    if not warnings:
        return {}
    said = f"git-agent allows the write to {shown}, with warnings:\n" + _listed(warnings)
    return {
        "hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": said},
        "systemMessage": said,
    }


def denied(reason: str) -> dict[str, Any]:
    """PreToolUse: the write is refused; Claude Code shows Claude `reason`."""
    return {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    }


def refusal(feature: str, shown: str, errors: Sequence[Mapping[str, Any]]) -> str:
    return (
        f"git-agent refused this write to {shown}: it breaks the rules of feature {feature}\n"
        + _listed(errors)
        + "\nWrite only what the feature's rules allow (`git agent status` and `git agent "
        "validate` show where you stand)."
    )


def _listed(violations: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for v in violations:
        where = f"{v.get('path') or '-'}" + (f":{v['line']}" if v.get("line") else "")
        lines.append(f"- {v.get('severity')} {v.get('rule')} {where}: {v.get('message')}")
    return "\n".join(lines)


def post_context(feature: str, notices: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """PostToolUse: the notices as context for Claude (nothing when there are none)."""
    if not notices:
        return {}
    lines = [f"- [{n.get('from') or 'git-agent'}] {n.get('text', '')}" for n in notices]
    while len(lines) > 1 and sum(len(line) + 1 for line in lines) > MAX_CONTEXT:
        lines.pop(0)
    dropped = len(notices) - len(lines)
    head = f"git-agent, supervising feature {feature}, tells you:"
    if dropped:
        head += f" ({dropped} earlier notices left out)"
    text = "\n".join([head, *lines])[:MAX_CONTEXT]
    return {"hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": text}}


def take_notices(agent_dir: Path, spare_dir: Path) -> list[dict[str, Any]]:
    """The notices of `agent_dir` not handed over yet, each once: the read offset is kept next
    to them, or in `spare_dir` (the shadow's git dir) where that folder cannot be written
    (inside a sandbox)."""
    descriptor = _offset_file(agent_dir, spare_dir)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        raw = os.pread(descriptor, 32, 0).strip()
        offset = int(raw) if raw.isdigit() else 0
        found, end = notices.since(agent_dir, offset, CONTEXT_READ)
        if end != offset:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{end}\n".encode(), 0)
        return found
    finally:
        os.close(descriptor)


def _offset_file(agent_dir: Path, spare_dir: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
    try:
        agent_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.open(agent_dir / OFFSET, flags, 0o600)
    except OSError:  # not ours to write here: a sandbox
        return os.open(spare_dir / SPARE_OFFSET, flags, 0o600)
