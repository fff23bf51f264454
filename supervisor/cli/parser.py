"""The argument parser of `git-agent`: one subcommand per command module.

Each command's arguments are declared by one function in `COMMANDS`. When the command is known
from the first argument, only its parser is built: the git hooks run on every commit, and a
parser of every command costs them milliseconds for nothing."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from supervisor import __version__


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        from supervisor.errors import UsageError

        command = self.prog.removeprefix("git-agent").strip()
        raise UsageError(f"{command}: {message}" if command else message)


Sub = argparse.ArgumentParser


def _feature(sub: Sub) -> None:
    sub.add_argument("feature", help="the feature's name")


def _json(sub: Sub) -> None:
    sub.add_argument("--json", action="store_true", help="print JSON")


def _init(sub: Sub) -> None:
    sub.add_argument("--preset", default="default", metavar="NAME", help="default or strict")
    sub.add_argument("--force", action="store_true", help="overwrite an existing policy")


def _start(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument(
        "--base", default="HEAD", metavar="REF", help="the commit to start from (default HEAD)"
    )
    sub.add_argument("--plan", metavar="FILE", help="the feature's plan (TOML)")
    sub.add_argument(
        "--agent", metavar="NAME", help="run this agent in the shadow ([agents.NAME] or a preset)"
    )
    sub.add_argument("--prompt", metavar="TEXT", help="what the agent is asked to do")
    sub.add_argument(
        "--timeout", metavar="DURATION", help="end the agent after this long (90s, 30m, 2h)"
    )
    _json(sub)
    sub.epilog = "A command after `--` runs as the agent: start F --prompt P -- CMD ARGS..."


def _status(sub: Sub) -> None:
    sub.add_argument("feature", nargs="?", help="the feature (default: every feature)")
    _json(sub)


def _feature_json(sub: Sub) -> None:
    _feature(sub)
    _json(sub)


def _checkpoint(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument("-m", "--message", help="the checkpoint's message")
    _json(sub)


def _diff(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument(
        "--from",
        dest="start",
        type=int,
        default=0,
        metavar="N",
        help="checkpoint (default 0, the base)",
    )
    sub.add_argument(
        "--to", dest="end", type=int, metavar="N", help="checkpoint (default: the live shadow)"
    )
    form = sub.add_mutually_exclusive_group()
    form.add_argument("--stat", action="store_true", help="a line per file with its counts")
    form.add_argument("--name-status", action="store_true", help="status letter and path")
    form.add_argument("--json", action="store_true", help="print JSON")


def _promote(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument("-m", "--message", help="the promotion commit's title")
    _json(sub)


def _revert(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument(
        "--to", type=int, default=0, metavar="N", help="checkpoint (default 0, the base)"
    )
    sub.add_argument("--paths", nargs="+", default=[], metavar="P", help="only these paths")
    sub.add_argument("--violating", action="store_true", help="only the paths with violations")
    sub.add_argument("--worktree", action="store_true", help="also the worktree, to the branch")
    _json(sub)


def _remove(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument("--force", action="store_true", help="checkpoint unsaved work, then remove")
    _json(sub)


def _check(sub: Sub) -> None:
    sub.add_argument(
        "--base",
        metavar="REF",
        help="the commit the change is judged against (default: @{upstream})",
    )
    sub.add_argument(
        "--head", default="HEAD", metavar="REF", help="the last commit to check (default HEAD)"
    )
    sub.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif", "junit"),
        default="text",
        help="report format (default text)",
    )


def _hook(sub: Sub) -> None:
    sub.add_argument(
        "name",
        choices=("pre-commit", "pre-push", "pre-receive", "update", "files"),
        metavar="HOOK",
        help="pre-commit, pre-push, pre-receive, update, or files (the named files as they "
        "are, for pre-commit --all-files)",
    )
    sub.add_argument("hook_args", nargs="*", metavar="ARG", help="what git passes the hook")


def _install_hooks(sub: Sub) -> None:
    sub.add_argument(
        "--uninstall", action="store_true", help="remove them, restoring what was there"
    )


def _help(sub: Sub) -> None:
    sub.add_argument("topic", nargs="?", metavar="COMMAND", help="the command to explain")


def _gc(sub: Sub) -> None:
    sub.add_argument(
        "--older-than", default="14d", metavar="AGE", help="what to remove (default 14d; 0: all)"
    )
    sub.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")
    _json(sub)


def _audit(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument("--since", metavar="WHEN", help="entries from then on: an age (10m) or a time")
    sub.add_argument("--type", metavar="T,...", help="only entries of these types")
    sub.add_argument("--follow", "-f", action="store_true", help="wait for new entries")
    sub.add_argument(
        "--verify", action="store_true", help="check the hash chain (exit 1 if broken)"
    )
    _json(sub)


def _logs(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument("--follow", "-f", action="store_true", help="wait for more output")
    sub.add_argument(
        "--stream",
        choices=("both", "stdout", "stderr", "setup"),
        default="both",
        help="which output (default: stdout then stderr)",
    )


def _tell(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument("text", nargs="+", metavar="TEXT", help="the message")


def _watch(sub: Sub) -> None:
    sub.add_argument("features", nargs="*", metavar="FEATURE", help="default: every active one")
    sub.add_argument(
        "--detach", action="store_true", help="run in the background (its pid is recorded)"
    )


COMMANDS: dict[str, tuple[str, Callable[[Sub], None]]] = {
    "init": ("write .git-agent/policy.toml from a preset", _init),
    "start": ("branch, worktree, shadow and checkpoint 0 for a feature", _start),
    "list": ("every feature with its state", _json),
    "status": ("one feature, or all", _status),
    "validate": ("the shadow against the base, under every rule", _feature_json),
    "checkpoint": ("commit the shadow's exact state to the chain", _checkpoint),
    "checkpoints": ("the checkpoint chain, oldest first", _feature_json),
    "diff": ("changes between checkpoints or against the shadow", _diff),
    "promote": ("validate, run checks, commit to agent/<feature>", _promote),
    "revert": ("the shadow back to a checkpoint, all or in part", _revert),
    "remove": ("remove worktree and shadow (branch and checkpoints stay)", _remove),
    "check": ("CI: every commit in base..head under the base's policy", _check),
    "hook": ("the entry points of the git hooks and of the pre-commit framework", _hook),
    "install-hooks": ("install the hook shims (pre-receive in a bare repository)", _install_hooks),
    "gc": ("remove what reverts set aside, once it is old enough", _gc),
    "audit": ("a feature's audit log; --verify checks its hash chain", _audit),
    "watch": ("supervise the features' shadows live (one process per repository)", _watch),
    "stop": ("end a feature's supervision cleanly", _feature),
    "resume": ("pick up a paused, stopped or interrupted supervision", _feature),
    "logs": ("a feature's agent output (capped: head and tail)", _logs),
    "tell": ("send the feature's agent a message", _tell),
    "help": ("the commands, or one command's options", _help),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the named command's when `argv` starts with a known command."""
    parser = Parser(prog="git-agent", description="A Git-native supervisor for AI coding agents.")
    parser.add_argument("--version", action="version", version=f"git-agent {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    first = argv[0] if argv else None
    for name, (summary, declare) in COMMANDS.items():
        if first in COMMANDS and name != first:
            continue
        declare(commands.add_parser(name, help=summary, description=_sentence(summary)))
    return parser


def parse(words: Sequence[str]) -> argparse.Namespace:
    """The command line parsed; a UsageError naming an unknown command or option, with the
    closest names that exist (as git suggests them)."""
    from supervisor.errors import UsageError, did_you_mean

    if not words:
        raise UsageError("a command is needed: see 'git agent help'")
    first = words[0]
    if not first.startswith("-") and first not in COMMANDS:
        hint = did_you_mean(first, COMMANDS)
        raise UsageError(f"'{first}' is not a git-agent command{hint}: see 'git agent help'")
    if first == "start" and "--" in words:
        return _parse_start(list(words))
    args = _parse_words(list(words))
    if args.command == "start":
        args.agent_command = []
    return args


def _parse_words(words: list[str]) -> argparse.Namespace:
    from supervisor.errors import UsageError

    parser = build_parser(words)
    args, extra = parser.parse_known_args(words)
    if extra:
        raise UsageError(_unexpected(args.command, subparsers(parser)[args.command], extra[0]))
    return args


def _parse_start(words: list[str]) -> argparse.Namespace:
    """`start F [options] -- CMD ARGS...`: what follows `--` is the agent's command, untouched.
    With no feature before it, `--` ends the options as git's does (`start -- -odd-name`), and
    the word after it is the feature; a second `--` then starts the command."""
    from supervisor.errors import UsageError

    cut = words.index("--")
    head, tail = words[:cut], words[cut + 1 :]
    try:
        args = _parse_words(head)
    except UsageError:
        if not tail:
            raise
        args = _parse_words([*head, "--", tail[0]])
        tail = tail[2:] if tail[1:2] == ["--"] else tail[1:]
    args.agent_command = tail
    return args


def _unexpected(command: str, parser: argparse.ArgumentParser, word: str) -> str:
    from supervisor.errors import did_you_mean

    if word.startswith("-") and word != "-":
        known = [flag for action in parser._actions for flag in action.option_strings]
        return f"{command}: unknown option {word}{did_you_mean(word.split('=')[0], known)}"
    return f"{command}: unexpected argument {word!r}"


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each command's parser, by name, in the order of `COMMANDS`."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _sentence(summary: str) -> str:
    return summary[:1].upper() + summary[1:] + "."
