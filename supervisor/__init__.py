"""git-agent: a Git-native supervisor for AI coding agents."""

from __future__ import annotations

import sys

__version__ = "0.1.0"


def _quiet_interrupt(kind: type[BaseException], value: BaseException, tb: object) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.stderr.write("git-agent: interrupted\n")  # Python then exits with 130
    else:
        sys.__excepthook__(kind, value, tb)  # type: ignore[arg-type]


# Run as the `git-agent` program (the console script, or `python -m supervisor`): a Ctrl-C
# while the modules are still being imported, before `cli.main` can catch it, ends with one
# line and exit 130 too. Imported as a library, nothing is changed.
if sys.argv and (sys.argv[0] == "-m" or sys.argv[0].endswith(("git-agent", "git-agent.exe"))):
    sys.excepthook = _quiet_interrupt
