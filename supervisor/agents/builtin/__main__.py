"""`python -m supervisor.agents.builtin --feature NAME [--prompt TEXT | --prompt-file PATH]
[--resume] [--spec-file PATH] [--agent NAME]`: the built-in agent, as the agent runner starts it
(working directory: the feature's shadow; ANTHROPIC_API_KEY in its environment).

Exit codes: 0 the model finished; 2 bad arguments, an unknown feature, no key, nothing to
resume; 3 the API failed beyond retries and fallback models (or another operational failure);
4 a budget (tokens, dollars, turns, wall time) ran out; 130 SIGTERM or SIGINT. Whatever the
exit, the last line on stdout is one JSON object: the run's status and usage. Progress goes to
stderr, one line at a time."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple, TextIO

from supervisor.agents import sandbox
from supervisor.agents.builtin.api import Caller
from supervisor.agents.builtin.conversation import CONVERSATION, Conversation
from supervisor.agents.builtin.errors import (
    EXIT_DONE,
    ApiFailure,
    BudgetExhausted,
    Interrupted,
)
from supervisor.agents.builtin.judge import Judge
from supervisor.agents.builtin.limiter import LIMITS_FILE, Limiter
from supervisor.agents.builtin.loop import Agent
from supervisor.agents.builtin.redact import Redactor
from supervisor.agents.builtin.tools import Tools
from supervisor.agents.builtin.usage import Limits
from supervisor.agents.spec import BUILTIN, AgentSpec, resolve
from supervisor.errors import EXIT_INTERRUPTED, FatalError, UsageError
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.workspace import open_workspace
from supervisor.store.names import check_feature

KEY_ENV = "ANTHROPIC_API_KEY"
WALL_GRACE = 30.0  # seconds kept back from the timeout, to end cleanly before the runner must


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own would exit; ours is a UsageError
        raise UsageError(f"builtin agent: {message}")


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = Parser(prog="python -m supervisor.agents.builtin", add_help=True)
    parser.add_argument("--feature", help="the feature (default: $GIT_AGENT_FEATURE)")
    prompt = parser.add_mutually_exclusive_group()
    prompt.add_argument("--prompt", help="the task")
    prompt.add_argument("--prompt-file", type=Path, help="the task, from a file")
    parser.add_argument("--resume", action="store_true", help="carry on the saved conversation")
    parser.add_argument("--spec-file", type=Path, help="the agent's AgentSpec, as JSON")
    parser.add_argument(
        "--agent", default=BUILTIN, help="the [agents.<name>] to use without a spec file"
    )
    return parser.parse_args(list(argv))


class Run(NamedTuple):
    feature: Feature
    spec: AgentSpec
    agent_dir: Path
    live_dir: Path
    scheduling: Mapping[str, Any]
    key: str


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the agent; its exit code. The final JSON line goes to `out`, progress to `err`."""
    env = dict(os.environ if env is None else env)
    cwd = os.getcwd() if cwd is None else cwd
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    redact = Redactor([env.get(KEY_ENV, "")])
    started = time.monotonic()

    def log(message: str) -> None:
        err.write(redact(f"git-agent builtin: {message}") + "\n")
        err.flush()

    summary: dict[str, Any] = {"feature": None, "status": "error", "reason": None}
    conversation: Conversation | None = None
    try:
        args = parse(sys.argv[1:] if argv is None else argv)
        run = prepare(args, env, cwd)
        summary["feature"] = run.feature.name
        conversation = converse(args, run)
        code = execute(run, conversation, env, cwd, redact, log)
        summary.update(status="done", reason=conversation.reason)
    except BudgetExhausted as exc:
        code = _ended(summary, "budget", exc.reason, str(exc), exc.exit_code, log)
    except ApiFailure as exc:
        code = _ended(summary, "api-error", "api", str(exc), exc.exit_code, log)
    except FatalError as exc:
        code = _ended(summary, "error", None, str(exc), exc.exit_code, log)
    except KeyboardInterrupt:
        code = _ended(summary, "interrupted", "signal", "stopped", EXIT_INTERRUPTED, log)
    if conversation is not None:
        conversation.status, conversation.reason = summary["status"], summary["reason"]
        _save_quietly(conversation, redact, log)
        summary["usage"] = conversation.usage.as_json()
        summary["conversation"] = str(conversation.path)
    summary.update(exit_code=code, wall_s=round(time.monotonic() - started, 3))
    out.write(redact(json.dumps(summary, sort_keys=True)) + "\n")
    out.flush()
    return code


def _ended(
    summary: dict[str, Any], status: str, reason: str | None, message: str, code: int, log: Any
) -> int:
    summary.update(status=status, reason=reason, message=message)
    log(message)
    return code


def _save_quietly(conversation: Conversation, redact: Redactor, log: Any) -> None:
    try:
        conversation.save(redact)
    except FatalError as exc:
        log(str(exc))


# getting ready -------------------------------------------------------------------------------
def prepare(args: argparse.Namespace, env: Mapping[str, str], cwd: str) -> Run:
    """The feature, its agent's spec and folders, and the key: all a run needs."""
    name = args.feature or env.get("GIT_AGENT_FEATURE")
    if not name:
        raise UsageError("builtin agent: no feature (--feature NAME, or GIT_AGENT_FEATURE)")
    key = env.get(KEY_ENV, "")
    if not key:
        raise UsageError(f"builtin agent: {KEY_ENV} is not set")
    with open_workspace(env, cwd) as ws:
        feature = ws.feature(check_feature(name))
        feature.require_active()
        spec = _spec(args, feature)
        scheduling = dict(feature.rules.table("scheduling"))
        layout = ws.layout
    if spec.provider != "anthropic":
        raise UsageError(f"agent {spec.name} is not the built-in agent (provider {spec.provider})")
    agent_dir = layout.agent_dir(feature.name)
    agent_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(agent_dir, 0o700)
    return Run(feature, spec, agent_dir, layout.live_dir(), scheduling, key)


def _spec(args: argparse.Namespace, feature: Feature) -> AgentSpec:
    if args.spec_file is None:
        return resolve(feature.rules, args.agent)
    try:
        data = json.loads(args.spec_file.read_text(encoding="utf-8"))
        return AgentSpec.from_json(data)
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"{args.spec_file}: not an agent spec: {exc}") from None


def converse(args: argparse.Namespace, run: Run) -> Conversation:
    """The conversation to carry on (`--resume`) or to begin, the prompt added to it."""
    path = run.agent_dir / CONVERSATION
    prompt = _prompt(args)
    found = Conversation.load(path) if args.resume else None
    if found is None:
        if args.resume and prompt is None:
            raise UsageError(f"builtin agent: nothing to resume for {run.feature.name}: no {path}")
        if prompt is None:
            raise UsageError("builtin agent: no task (--prompt TEXT or --prompt-file PATH)")
        _set_aside(path)
        found = Conversation(path)
    if prompt is not None:
        found.say(prompt)
    found.status, found.reason = "running", None
    return found


def _prompt(args: argparse.Namespace) -> str | None:
    if args.prompt_file is not None:
        try:
            return str(args.prompt_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"{args.prompt_file}: {exc.strerror}") from None
    return None if args.prompt is None else str(args.prompt)


def _set_aside(path: Path) -> None:
    """A new run keeps the last conversation beside it rather than losing it."""
    if path.exists():
        os.replace(path, path.with_name(path.name + ".previous"))


# running -------------------------------------------------------------------------------------
def execute(
    run: Run,
    conversation: Conversation,
    env: Mapping[str, str],
    cwd: str,
    redact: Redactor,
    log: Any,
) -> int:
    import anthropic

    limits = _limits(run.spec)
    limiter = Limiter(
        run.live_dir / LIMITS_FILE,
        run.scheduling.get("requests_per_minute"),
        run.scheduling.get("tokens_per_minute"),
        log,
    )
    judge = Judge(run.feature.name, run.live_dir, env, cwd)
    tools = Tools(run.feature, judge, limits, env, redact, _confiner(run, env))
    base_url = env.get("ANTHROPIC_BASE_URL") or None
    with anthropic.Anthropic(api_key=run.key, base_url=base_url, max_retries=0) as client:
        caller = Caller(client, [run.spec.model, *run.spec.fallback_models], limiter, log)
        agent = Agent(
            run.spec,
            run.feature.name,
            conversation,
            caller,
            tools,
            limits,
            run.agent_dir,
            redact,
            log,
        )
        conversation.save(redact)
        agent.run()
    return EXIT_DONE


def _confiner(run: Run, env: Mapping[str, str]) -> Callable[[list[str]], list[str]]:
    """What puts each command the model runs under the sandbox a command agent gets (the
    agent itself, our own code, needs its state and the API)."""
    tmp = run.agent_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    home = env.get("HOME") or str(Path.home())
    c, required = sandbox.of_feature(run.feature, run.spec, str(tmp), home)
    return lambda argv: list(sandbox.launch(c, argv, required=required).argv)


def _limits(spec: AgentSpec) -> Limits:
    deadline = None
    if spec.timeout is not None:
        grace = min(WALL_GRACE, spec.timeout * 0.1)
        deadline = time.monotonic() + spec.timeout - grace
    return Limits(spec.max_tokens, spec.max_usd, spec.max_turns, deadline)


# as a process ---------------------------------------------------------------------------------
def _stopped(signum: int, frame: FrameType | None) -> None:
    raise Interrupted()


@contextmanager
def signals() -> Iterator[None]:
    """SIGTERM ends the run as SIGINT does: the conversation saved, the usage line written."""
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    with signals():
        sys.exit(main())
