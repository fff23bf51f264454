"""What the commands print for people: one function per kind of result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from supervisor.render.output import Output, quote_path

if TYPE_CHECKING:
    from supervisor.gitio.change import Change
    from supervisor.rules.engine import Report
    from supervisor.rules.types import Violation


NO_FEATURES = "no features yet: `git agent start <feature>` begins one"


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


def audit_line(entry: dict[str, Any]) -> str:
    """One audit entry: its number, time, type and data on one line."""
    import time

    when = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(float(entry["time"])))
    data = entry["data"] if isinstance(entry["data"], dict) else {}
    if "paths" in data and "ok" in data:
        said = _judged(data)
    else:
        said = " ".join(f"{k}={_short(v)}" for k, v in sorted(data.items()) if v is not None)
    return f"{entry['seq']:>6}  {when}  {entry['type']:<12} {said}".rstrip()


def _judged(data: dict[str, Any]) -> str:
    """A judged batch: `3 paths (a.py, b.py, ...): 1 error: symlink.absolute pw`."""
    paths = [quote_path(str(p)) for p in data.get("paths") or []]
    count = f"{len(paths)} path{'s' * (len(paths) != 1)}"
    shown = f" ({_short(', '.join(paths))})" if paths else ""
    errors = int(data.get("errors") or 0)
    verdict = "verdict ok" if data.get("ok") else f"verdict {plural(errors, 'error')}"
    found = [
        f"{v.get('rule')} {quote_path(str(v.get('path') or ''))}".rstrip()
        for v in data.get("violations") or []
        if isinstance(v, dict)
    ]
    why = f" [{data['reason']}]" if data.get("reason") else ""
    if data.get("after"):
        why += f" [after {data['after']}]"
    new = f"; new: {_short('; '.join(found))}" if found else ""
    return f"{count}{shown}: {verdict}{new}{why}"


def _short(value: object) -> str:
    shown = str(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


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


def status(
    out: Output,
    found: Sequence[dict[str, Any]],
    missing: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Each feature's status; `missing`: by feature, its folders that are gone."""
    for number, info in enumerate(found):
        if number:
            out.line()
        _status_one(out, info, (missing or {}).get(info["feature"], ()))


def _status_one(out: Output, info: dict[str, Any], missing: Sequence[str]) -> None:
    head = (info["head"] or "missing")[:12]
    promoted = info["promoted"]
    gone = {name: " (missing)" if name in missing else "" for name in ("worktree", "shadow")}
    out.line(f"feature      {info['feature']} ({info['state']})")
    out.line(f"base         {info['base'][:12]}")
    out.line(f"branch       {info['branch']} at {head}")
    out.line(f"worktree     {info['worktree']}{gone['worktree']}")
    out.line(f"shadow       {info['shadow']}{gone['shadow']}")
    out.line(f"checkpoints  {info['checkpoints']} (last {info['last_checkpoint']})")
    out.line(
        f"promoted     {'checkpoint {}'.format(promoted['checkpoint']) if promoted else 'never'}"
    )
    out.line(f"verdict      {verdict_summary(info['verdict'])}")
    if info.get("supervision"):
        out.line(f"supervision  {supervision_summary(info)}")
    if info.get("agent"):
        out.line(f"agent        {agent_summary(info['agent'])}")
    if missing:
        out.line(f"recover      {recovery(info, missing)}")


def agent_summary(agent: dict[str, Any]) -> str:
    """`running (claude, process 12, 3.2s; unsandboxed: ...)` or `done (exit 0, 12.1s, ...)`."""
    facts = [str(agent.get("name") or "agent")]
    if agent.get("pid") and agent["state"] in ("running", "paused", "lost"):
        facts.append(f"process {agent['pid']}")
    if agent.get("exit_code") is not None:
        facts.append(f"exit {agent['exit_code']}")
    if agent.get("wall") is not None:
        facts.append(f"{agent['wall']:.1f}s wall, {agent.get('cpu') or 0:.1f}s CPU")
    if agent.get("peak_rss"):
        facts.append(f"peak {int(agent['peak_rss']) >> 20} MiB")
    sandbox = str(agent.get("sandbox") or "")
    if sandbox.startswith("none"):
        facts.append(f"unsandboxed ({sandbox.removeprefix('none: ')})")
    elif sandbox:
        facts.append(f"sandbox: {sandbox}")
    if agent.get("stalled"):
        facts.append("stalled")
    if agent.get("note"):
        facts.append(str(agent["note"]))
    return f"{agent['state']} ({'; '.join(facts)})"


def supervision_summary(info: dict[str, Any]) -> str:
    """`watching (process 12; 3 paths changed since the last checkpoint)`, or the bare word."""
    word, live = str(info["supervision"]), info.get("live")
    if word == "interrupted":
        return f"interrupted: `git agent resume {info['feature']}` picks it up"
    if not live:
        return word
    changed = int(live.get("changed") or 0)
    facts = [f"process {live['pid']}"]
    if changed:
        facts.append(f"{changed} path{'s' * (changed != 1)} changed since the last checkpoint")
    if live.get("polling"):
        facts.append("polling: events cannot be trusted here")
    return f"{word} ({'; '.join(facts)})"


def recovery(info: dict[str, Any], missing: Sequence[str]) -> str:
    """The command that makes the missing folders again, and what it does."""
    last = info["last_checkpoint"]
    made = {
        "shadow": f"the shadow from checkpoint {last}",
        "worktree": f"the worktree at {info['branch']}",
    }
    flag = " --worktree" if "worktree" in missing else ""
    what = " and ".join(made[m] for m in missing)
    return f"`git agent revert {info['feature']} --to {last}{flag}` makes {what} again"


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
