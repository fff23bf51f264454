"""The manual page `git-agent(1)`, generated from the argument parser into docs/man/.

The wheel ships it as `share/man/man1/git-agent.1`, beside the console script's `bin/`, where
man finds it: `git agent --help`, which git turns into `git help agent`, opens it. Regenerate
after changing a command or its options:

    python3 -m supervisor.cli.manual            # writes docs/man/git-agent.1
    python3 -m supervisor.cli.manual --check    # exit 1 when docs/man/git-agent.1 is stale
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from supervisor import __version__
from supervisor.cli.parser import build_parser, subparsers

OUT = Path(__file__).resolve().parents[2] / "docs" / "man" / "git-agent.1"

DESCRIPTION = (
    "A person or a script starts a feature; git-agent gives the agent an isolated copy to write "
    "in (the shadow), checks every change against the repository's policy "
    "(.git-agent/policy.toml) and the feature's plan, keeps a chain of checkpoints in git, and "
    "lets only validated work reach the feature's branch agent/<feature> and its worktree.",
    "The same policy is enforced again by pre-commit and pre-push hooks, by a pre-receive hook "
    "on a server, and by a check in pull-request CI, so a change that escaped the supervisor "
    "is still caught.",
    "Every command finds the repository as git does: from the current directory, or from the "
    "GIT_DIR and GIT_WORK_TREE the environment sets.",
)
EXIT = (
    ("0", "ok (warnings alone do not change it)"),
    ("1", "policy violations at error level, or a refused operation"),
    ("2", "usage or configuration error: bad arguments, unknown feature, invalid name, "
     "malformed policy or plan"),
    ("3", "operational failure: git, I/O, a lock held too long, a missing shadow or branch"),
    ("130", "interrupted"),
)  # fmt: skip
ENVIRONMENT = (
    ("GIT_DIR, GIT_WORK_TREE", "where the repository and its work tree are, as git reads them"),
    ("GIT_AGENT_LOCK_TIMEOUT", "seconds to wait for a feature's lock (default 60)"),
    ("GIT_AGENT_APPROVED_POLICY", "blob ids of policies a CI check accepts as a change of the "
     "policy (see docs/how-to/ci.md)"),
    ("GIT_AGENT_DISABLE_PLUGINS", "plugins not to load, for debugging; a verdict without them "
     "is incomplete and never passes"),
)  # fmt: skip
FILES = (
    (".git-agent/policy.toml", "the repository's policy, committed"),
    ("$(git rev-parse --git-common-dir)/agent/", "state, locks, audit logs, worktrees, shadows"),
)
SEE_ALSO = "git(1), githooks(5), git-worktree(1); the documentation in docs/ of git-agent"


def escape(text: str) -> str:
    """`text` safe in a roff line: backslashes escaped, a leading control character guarded."""
    text = text.replace("\\", "\\e")
    return "\\&" + text if text.startswith((".", "'")) else text


def code(text: str) -> str:
    """A command line or option: escaped, its hyphens as minus signs (so they copy as typed)."""
    return escape(text).replace("-", "\\-")


def metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None:
        return "{" + ",".join(str(c) for c in action.choices) + "}"
    return action.dest.upper() if action.option_strings else action.dest


def argument(action: argparse.Action) -> str:
    """An action as the synopsis shows it: `--base REF`, `feature`, `[ARG ...]`."""
    name = metavar(action)
    if not action.option_strings:
        many = {"?": f"[{name}]", "*": f"[{name} ...]", "+": f"{name} [{name} ...]"}
        return many.get(str(action.nargs), name)
    return action.option_strings[-1 if action.nargs == 0 else 0] + value(action)


def value(action: argparse.Action) -> str:
    """What an option takes: nothing, ` N`, ` P [P ...]`."""
    name = metavar(action)
    if action.nargs == 0:
        return ""
    return f" {name}" if action.nargs is None else f" {name} [{name} ...]"


def visible(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.help != argparse.SUPPRESS and a.dest not in ("help",)]


def synopsis(name: str, parser: argparse.ArgumentParser) -> str:
    """`git agent NAME [options] args`, exclusive options grouped as argparse groups them."""
    groups = {id(a): g for g in parser._mutually_exclusive_groups for a in g._group_actions}
    words, done = [f"git agent {name}"], set()
    for action in visible(parser):
        group = groups.get(id(action))
        if group is not None and id(group) not in done:
            done.add(id(group))
            words.append("[" + " | ".join(argument(a) for a in group._group_actions) + "]")
        elif group is None:
            shown = argument(action)
            words.append(f"[{shown}]" if action.option_strings and not action.required else shown)
    return " ".join(words)


def options(parser: argparse.ArgumentParser) -> Iterator[str]:
    """One tagged paragraph per argument: its name, then its help."""
    for action in visible(parser):
        flags = ", ".join(action.option_strings)
        label = flags + value(action) if flags else argument(action)
        yield from (".TP", f"\\fB{code(label)}\\fR", escape(action.help or ""))


def command(name: str, parser: argparse.ArgumentParser) -> Iterator[str]:
    yield f'.SS "{code(synopsis(name, parser))}"'
    yield escape(parser.description or "")
    yield from options(parser)


def tagged(rows: Sequence[tuple[str, str]]) -> Iterator[str]:
    for tag, text in rows:
        yield from (".TP", f"\\fB{code(tag)}\\fR", escape(text))


def render() -> str:
    """The whole page, in roff."""
    parsers = subparsers(build_parser())
    lines = [
        f'.TH GIT\\-AGENT 1 "" "git\\-agent {__version__}" "git-agent manual"',
        ".SH NAME",
        "git\\-agent \\- a Git\\-native supervisor for AI coding agents",
        ".SH SYNOPSIS",
        ".nf",
        "\\fBgit agent\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]",
        "\\fBgit agent help\\fR [\\fICOMMAND\\fR]",
        "\\fBgit agent\\fR \\-\\-version",
        ".fi",
        ".SH DESCRIPTION",
    ]
    for paragraph in DESCRIPTION:
        lines += [escape(paragraph), ".PP"]
    lines[-1] = ".SH COMMANDS"
    lines.append("Every command takes \\fB\\-h\\fR, which prints its options.")
    for name, parser in parsers.items():
        lines += command(name, parser)
    lines += [".SH EXIT STATUS", *tagged(EXIT), ".SH ENVIRONMENT", *tagged(ENVIRONMENT)]
    lines += [".SH FILES", *tagged(FILES), ".SH SEE ALSO", escape(SEE_ALSO)]
    return "\n".join(lines) + "\n"


def stale(out: Path) -> bool:
    return not out.is_file() or out.read_text(encoding="utf-8") != render()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m supervisor.cli.manual", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help="the file (default docs/man/)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    args = parser.parse_args(argv)
    if args.check:
        if stale(args.out):
            print(f"stale: {args.out} (run python3 -m supervisor.cli.manual)", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
