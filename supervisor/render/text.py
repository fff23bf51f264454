"""What the commands print for people: one function per kind of result."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from supervisor.render.output import Output, quote_path

if TYPE_CHECKING:
    from supervisor.gitio.change import Change
    from supervisor.rules.engine import Report
    from supervisor.rules.types import Violation


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def where(v: Violation) -> str:
    text = quote_path(v.path) if v.path is not None else "-"
    return text if v.line is None else f"{text}:{v.line}"


def violation_line(v: Violation) -> str:
    return f"{v.severity:<8} {v.rule:<24} {where(v)}: {v.message}"


def report(out: Output, found: Report) -> None:
    """A report's violations, then its counts."""
    for v in found.violations:
        out.line(violation_line(v))
    if found.blocked:
        out.line(incomplete_line(found.blocked))
    out.line(
        f"{plural(len(found.changes), 'changed path')}, "
        f"{plural(found.errors, 'error')}, {plural(found.warnings, 'warning')}"
    )


def incomplete_line(blocked: Sequence[str]) -> str:
    return (
        f"verdict incomplete: {', '.join(blocked)} blocked by GIT_AGENT_DISABLE_PLUGINS "
        "(such a verdict never promotes and never passes a gate)"
    )


def verdict_summary(verdict: dict[str, Any] | None, short: bool = False) -> str:
    if verdict is None:
        return "-" if short else "not validated"
    if short:
        return "ok" if verdict["ok"] else plural(verdict["errors"], "error")
    counts = f"{plural(verdict['errors'], 'error')}, {plural(verdict['warnings'], 'warning')}"
    return f"{'ok' if verdict['ok'] else 'failing'} ({counts})"


def status(out: Output, found: Sequence[dict[str, Any]]) -> None:
    for number, info in enumerate(found):
        if number:
            out.line()
        _status_one(out, info)


def _status_one(out: Output, info: dict[str, Any]) -> None:
    head = (info["head"] or "missing")[:12]
    promoted = info["promoted"]
    out.line(f"feature      {info['feature']} ({info['state']})")
    out.line(f"base         {info['base'][:12]}")
    out.line(f"branch       {info['branch']} at {head}")
    out.line(f"worktree     {info['worktree']}")
    out.line(f"shadow       {info['shadow']}")
    out.line(f"checkpoints  {info['checkpoints']} (last {info['last_checkpoint']})")
    out.line(
        f"promoted     {'checkpoint {}'.format(promoted['checkpoint']) if promoted else 'never'}"
    )
    out.line(f"verdict      {verdict_summary(info['verdict'])}")
    if info.get("conflicts") is not None:
        out.line(f"conflicts    {conflicts_summary(info['conflicts'])}")


def conflicts_summary(found: Sequence[dict[str, Any]]) -> str:
    """`signup (src/app.py), main (README.md)`; `none predicted`."""
    if not found:
        return "none predicted"
    return ", ".join(f"{c['with']} ({', '.join(quote_path(p) for p in c['paths'])})" for c in found)


def listing(out: Output, found: Sequence[dict[str, Any]]) -> None:
    for info in found:
        said = verdict_summary(info["verdict"], short=True)
        out.line(
            f"{info['feature']:<24} {info['state']:<8} "
            f"checkpoints {info['checkpoints']!s:<5} verdict {said}"
        )


def name_status(out: Output, changes: Sequence[Change]) -> None:
    for c in changes:
        shown = (
            f"{quote_path(c.old_path)}\t{quote_path(c.path)}" if c.old_path else quote_path(c.path)
        )
        out.line(f"{c.status}\t{shown}")


def diffstat(out: Output, changes: Sequence[Change]) -> None:
    names = [
        quote_path(c.path)
        if not c.old_path
        else f"{quote_path(c.old_path)} => {quote_path(c.path)}"
        for c in changes
    ]
    width = max((len(n) for n in names), default=0)
    for name, c in zip(names, changes, strict=True):
        counts = (
            "Bin"
            if c.binary
            else f"{c.added + c.deleted:>5} {'+' * min(c.added, 40)}{'-' * min(c.deleted, 40)}"
        )
        out.line(f" {name:<{width}} | {counts}")
    added, deleted = sum(c.added for c in changes), sum(c.deleted for c in changes)
    out.line(f" {len(changes)} files changed, {added} insertions(+), {deleted} deletions(-)")
