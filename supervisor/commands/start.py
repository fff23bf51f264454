"""`git agent start <feature> [--base REF] [--plan FILE] [--agent NAME | -- CMD...]`: branch,
worktree, shadow and checkpoint 0 and the workspace set up (`[setup]`, `.worktreeinclude`); with an agent, the agent is queued for the repository's
supervisor (started in the background when none runs). A plan whose `after` features are not
promoted yet makes the start itself wait: the supervisor starts the feature once they are."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from supervisor.agents.claude import install_if_claude
from supervisor.agents.setup import SetupFailed, prepare
from supervisor.agents.spec import AgentSpec, resolve
from supervisor.agents.waiting import base_of, check_after, pending_record, promoted
from supervisor.config.load import load_plan
from supervisor.config.rules import Layer, Rules
from supervisor.errors import UsageError
from supervisor.gitio.uncommitted import Uncommitted
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.start import read_plan, start
from supervisor.lifecycle.status import describe
from supervisor.lifecycle.workspace import Workspace, open_workspace
from supervisor.live.client import ask
from supervisor.live.spawn import ensure_watched
from supervisor.render import text
from supervisor.render.output import Output
from supervisor.render.text import plural
from supervisor.store.agents import AgentRow


def run(args: argparse.Namespace, out: Output, env: Mapping[str, str], cwd: str) -> int:
    plan = Path(cwd, args.plan) if args.plan else None
    wanted = bool(args.agent or args.agent_command)
    if not wanted and (args.prompt is not None or args.timeout is not None):
        raise UsageError("start: --prompt and --timeout are for an agent (--agent NAME or -- CMD)")
    with open_workspace(env, cwd) as ws:
        layer = _plan(plan)
        after = list(layer.after) if layer is not None else []
        base = args.base
        if after:
            check_after(ws, args.feature, after)
            if args.base != "HEAD":
                raise UsageError("start: a plan with `after` starts from their promoted branch")
            if not promoted(ws, after):
                return _wait(ws, args, plan, layer, after, out, env, cwd)
            base = base_of(ws, after)
        repo = ws.repo
        spec = _spec(_rules_at(ws, base, layer), args) if wanted else None  # before anything
        pending = Uncommitted(repo.git_dir, repo.workdir)  # git walks while the shadow is made
        feature = _start(ws, args.feature, base, plan, out)
        _note_uncommitted(ws, feature, pending, out)
        if spec is not None:
            install_if_claude(feature, spec.name, spec.command)
            _queue(ws, feature.name, spec, args, layer)
        info = describe(feature)
        live = ws.layout.live_dir()
    if wanted:
        answer = ensure_watched(live, [args.feature], env, cwd)
        ask(live, {"op": "agent-queue", "feature": args.feature, "env": dict(env)})
        name = spec.name if spec is not None else None
        info["agent"] = {"state": "queued", "name": name, "supervisor": answer.get("pid")}
    if args.json:
        out.json(info)
    else:
        text.status(out, [info])
    return 0


def _rules_at(ws: Workspace, base: str, layer: Layer | None) -> Rules:
    """The rules the feature will have: the policy of its base commit, the plan over it."""
    commit = ws.repo.resolve_commit(base) if ws.repo.has_head() or base != "HEAD" else None
    return Rules(ws.policy_at(commit) if commit else Layer(), layer)


def _plan(plan: Path | None) -> Layer | None:
    data = read_plan(plan)  # a regular file of a sane size, or a clear error
    return None if plan is None or data is None else load_plan(data, str(plan))


def _spec(rules: Rules, args: argparse.Namespace) -> AgentSpec:
    return resolve(rules, args.agent, args.agent_command, args.timeout)


def _queue(
    ws: Workspace,
    name: str,
    spec: AgentSpec,
    args: argparse.Namespace,
    layer: Layer | None,
    pending: str | None = None,
) -> None:
    prompt = args.prompt or ""
    priority = layer.priority if layer is not None else 0
    ws.state.agents.put(
        AgentRow(
            name, "queued", spec.dumps(), prompt, priority, queued=time.time(), pending=pending
        )
    )


def _wait(
    ws: Workspace,
    args: argparse.Namespace,
    plan: Path | None,
    layer: Layer | None,
    after: list[str],
    out: Output,
    env: Mapping[str, str],
    cwd: str,
) -> int:
    """Record a start that waits for `after`; the supervisor makes it once they are promoted."""
    if not (args.agent or args.agent_command):
        raise UsageError(
            f"feature {args.feature} waits for {', '.join(after)} (its plan's `after`): give it "
            "an agent to start it once they are promoted, or start it after their promotion"
        )
    if ws.state.get(args.feature) is not None or ws.state.agents.get(args.feature) is not None:
        raise UsageError(
            f"feature {args.feature} already exists (see `git agent status {args.feature}`)"
        )
    rules = _rules_at(ws, "HEAD", layer)
    stored = None
    if plan is not None:
        stored = ws.layout.agent_dir(args.feature) / "plan.toml"
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(read_plan(plan) or b"")
    pending = pending_record(after, stored, stored.read_text() if stored else None)
    _queue(ws, args.feature, _spec(rules, args), args, layer, pending)
    live = ws.layout.live_dir()
    ensure_watched(live, [], env, cwd)
    ask(live, {"op": "agent-queue", "feature": args.feature, "env": dict(env)})
    waits = f"{args.feature} waits for {', '.join(after)} to be promoted"
    if args.json:
        out.json({"feature": args.feature, "state": "waiting", "after": after})
    else:
        out.line(f"{waits}; then it starts from the promoted branch and its agent runs")
    return 0


def _note_uncommitted(ws: Workspace, feature: Feature, pending: Uncommitted, out: Output) -> None:
    repo = ws.repo
    count = pending.count()
    if count and feature.row.base == repo.head_commit():
        out.note(
            f"git-agent: {plural(count, 'uncommitted change')} in {repo.workdir} "
            f"{'is' if count == 1 else 'are'} not in the shadow, which starts from HEAD "
            f"({feature.row.base[:12]}): commit them first for the agent to have them"
        )


def _start(ws: Workspace, name: str, base: str, plan: Path | None, out: Output) -> Feature:
    """The feature started, its workspace set up (`[setup]`, `.worktreeinclude`) before it
    counts as started; a failed setup command's output is kept for the person to read."""
    try:
        return start(ws, name, base, plan, out.progress("shadow"), partial(prepare, say=out.note))
    except SetupFailed as failed:
        failed.keep_log()
        raise
