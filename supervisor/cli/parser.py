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
    sub.add_argument("--preset", default="default", help="default or strict")
    sub.add_argument("--force", action="store_true", help="overwrite an existing policy")


def _start(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument("--base", default="HEAD", help="the commit to start from (default HEAD)")
    sub.add_argument("--plan", help="the feature's plan (TOML)")
    _json(sub)


def _status(sub: Sub) -> None:
    sub.add_argument("feature", nargs="?")
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
        "--from", dest="start", type=int, default=0, help="checkpoint (default 0, the base)"
    )
    sub.add_argument("--to", dest="end", type=int, help="checkpoint (default: the live shadow)")
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
    sub.add_argument("--to", type=int, default=0, help="checkpoint (default 0, the base)")
    sub.add_argument("--paths", nargs="+", default=[], metavar="P", help="only these paths")
    sub.add_argument("--violating", action="store_true", help="only the paths with violations")
    sub.add_argument("--worktree", action="store_true", help="also the worktree, to the branch")
    _json(sub)


def _remove(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument("--force", action="store_true", help="checkpoint unsaved work, then remove")
    sub.add_argument("--forget", action="store_true", help="then free the name (see `forget`)")
    _json(sub)


def _conflicts(sub: Sub) -> None:
    sub.add_argument(
        "features",
        nargs="*",
        metavar="feature",
        help="only the pairs with one of these in them (default: every pair)",
    )
    _json(sub)


def _verify(sub: Sub) -> None:
    sub.add_argument("commit", help="a promoted commit (any revision)")
    _json(sub)


def _travel(sub: Sub) -> None:
    _feature(sub)
    sub.add_argument("remote", nargs="?", help="the remote (default: origin, or the only one)")
    _json(sub)


def _check(sub: Sub) -> None:
    sub.add_argument(
        "--base", help="the commit the change is judged against (default: @{upstream})"
    )
    sub.add_argument("--head", default="HEAD", help="the last commit to check (default HEAD)")
    sub.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif", "junit"),
        default="text",
        help="report format (default text)",
    )
    sub.add_argument(
        "--branch",
        help="the branch under review, for [gates] require_attestation (default: from --head, "
        "HEAD or the CI's variables)",
    )
    sub.add_argument(
        "--remote",
        default="origin",
        help="where to fetch missing attestations from (default origin)",
    )


def _hook(sub: Sub) -> None:
    sub.add_argument(
        "name",
        choices=("pre-commit", "pre-push", "pre-receive", "update", "files"),
        help="which hook (files: the named files as they are, for pre-commit --all-files)",
    )
    sub.add_argument("hook_args", nargs="*", metavar="ARG", help="what git passes the hook")


def _install_hooks(sub: Sub) -> None:
    sub.add_argument(
        "--uninstall", action="store_true", help="remove them, restoring what was there"
    )


def _gc(sub: Sub) -> None:
    sub.add_argument(
        "--older-than", default="14d", metavar="AGE", help="what to remove (default 14d; 0: all)"
    )
    sub.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")
    _json(sub)


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
    "forget": ("free a removed feature's name, keeping its chain as <name>@<n>", _feature_json),
    "verify": ("the attestation of a promoted commit: what judged it", _verify),
    "push": ("a feature's branch, checkpoints, record and attestations to a remote", _travel),
    "pull": ("a feature from a remote, rebuilt from its refs (worktree, shadow)", _travel),
    "conflicts": ("predicted merge conflicts between features and their base branches", _conflicts),
    "check": ("CI: every commit in base..head under the base's policy", _check),
    "hook": ("git hook entry points (pre-commit, pre-push)", _hook),
    "install-hooks": ("install the pre-commit and pre-push shims", _install_hooks),
    "gc": ("remove what reverts set aside, once it is old enough", _gc),
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
        declare(commands.add_parser(name, help=summary))
    return parser
