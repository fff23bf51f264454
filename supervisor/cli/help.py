"""`git agent help [COMMAND]`: the commands, or one command's options, printed on stdout.
`git agent --help` never reaches us: git turns it into `git help agent`, which opens the
manual page (`supervisor.cli.manual`)."""

from __future__ import annotations

from supervisor.cli.parser import COMMANDS, build_parser, subparsers
from supervisor.errors import UsageError, did_you_mean
from supervisor.render.output import Output

MORE = (
    "'git agent help COMMAND' prints a command's options; "
    "'git agent --help' opens the manual page (man git-agent)."
)


def show(topic: str | None, out: Output) -> int:
    parser = build_parser()
    if topic is None:
        out.stdout.write(parser.format_help())
        out.line()
        out.line(MORE)
        return 0
    found = subparsers(parser).get(topic)
    if found is None:
        hint = did_you_mean(topic, COMMANDS)
        raise UsageError(f"help: '{topic}' is not a git-agent command{hint}")
    out.stdout.write(found.format_help())
    return 0
