"""The argument parser of `git-agent`: one subcommand per command module."""

from __future__ import annotations

import argparse

from supervisor import __version__


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        from supervisor.errors import UsageError

        command = self.prog.removeprefix("git-agent").strip()
        raise UsageError(f"{command}: {message}" if command else message)


def _feature(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("feature", help="the feature's name")


def _json(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--json", action="store_true", help="print JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="git-agent", description="A Git-native supervisor for AI coding agents.")
    parser.add_argument("--version", action="version", version=f"git-agent {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True

    sub = commands.add_parser("init", help="write .git-agent/policy.toml from a preset")
    sub.add_argument("--preset", default="default", help="default or strict")
    sub.add_argument("--force", action="store_true", help="overwrite an existing policy")

    sub = commands.add_parser(
        "start", help="branch, worktree, shadow and checkpoint 0 for a feature"
    )
    _feature(sub)
    sub.add_argument("--base", default="HEAD", help="the commit to start from (default HEAD)")
    sub.add_argument("--plan", help="the feature's plan (TOML)")
    _json(sub)

    sub = commands.add_parser("list", help="every feature with its state")
    _json(sub)

    sub = commands.add_parser("status", help="one feature, or all")
    sub.add_argument("feature", nargs="?")
    _json(sub)

    sub = commands.add_parser("validate", help="the shadow against the base, under every rule")
    _feature(sub)
    _json(sub)

    sub = commands.add_parser("checkpoint", help="commit the shadow's exact state to the chain")
    _feature(sub)
    sub.add_argument("-m", "--message", help="the checkpoint's message")
    _json(sub)

    sub = commands.add_parser("checkpoints", help="the checkpoint chain, oldest first")
    _feature(sub)
    _json(sub)

    sub = commands.add_parser("diff", help="changes between checkpoints or against the shadow")
    _feature(sub)
    sub.add_argument(
        "--from", dest="start", type=int, default=0, help="checkpoint (default 0, the base)"
    )
    sub.add_argument("--to", dest="end", type=int, help="checkpoint (default: the live shadow)")
    form = sub.add_mutually_exclusive_group()
    form.add_argument("--stat", action="store_true", help="a line per file with its counts")
    form.add_argument("--name-status", action="store_true", help="status letter and path")
    form.add_argument("--json", action="store_true", help="print JSON")

    sub = commands.add_parser("promote", help="validate, run checks, commit to agent/<feature>")
    _feature(sub)
    sub.add_argument("-m", "--message", help="the promotion commit's title")
    _json(sub)

    sub = commands.add_parser("revert", help="the shadow back to a checkpoint, all or in part")
    _feature(sub)
    sub.add_argument("--to", type=int, default=0, help="checkpoint (default 0, the base)")
    sub.add_argument("--paths", nargs="+", default=[], metavar="P", help="only these paths")
    sub.add_argument("--violating", action="store_true", help="only the paths with violations")
    sub.add_argument("--worktree", action="store_true", help="also the worktree, to the branch")
    _json(sub)

    sub = commands.add_parser(
        "remove", help="remove worktree and shadow (branch and checkpoints stay)"
    )
    _feature(sub)
    sub.add_argument("--force", action="store_true", help="checkpoint unsaved work, then remove")
    _json(sub)
    sub = commands.add_parser(
        "check", help="CI: every commit in base..head under the base's policy"
    )
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

    sub = commands.add_parser("hook", help="git hook entry points (pre-commit, pre-push)")
    sub.add_argument("name", choices=("pre-commit", "pre-push"), help="which hook")
    sub.add_argument("hook_args", nargs="*", metavar="ARG", help="what git passes the hook")

    sub = commands.add_parser("install-hooks", help="install the pre-commit and pre-push shims")
    sub.add_argument(
        "--uninstall", action="store_true", help="remove them, restoring what was there"
    )
    return parser
