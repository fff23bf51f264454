"""`git-agent`: the entry point and the one error handler that maps errors to exit codes.

Command modules are imported only when their command runs, so `--help` stays fast. A Ctrl-C
that lands while our modules are still importing, before `main` can catch it, is handled by
the hook `supervisor/__init__.py` installs: one line and exit 130, no traceback."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supervisor.render.output import Output


def main(
    argv: Sequence[str] | None = None,
    out: Output | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> int:
    from supervisor.errors import EXIT_INTERRUPTED, EXIT_USAGE, FatalError

    try:
        return _run(argv, out, env, cwd)
    except FatalError as exc:
        _note(out, f"git-agent: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        _note(out, "git-agent: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE


def _run(
    argv: Sequence[str] | None,
    out: Output | None,
    env: Mapping[str, str] | None,
    cwd: str | None,
) -> int:
    import gc
    import importlib
    import os
    from pathlib import Path

    from supervisor.cli.parser import parse
    from supervisor.lifecycle.trust import authorize
    from supervisor.render.output import Output

    args = parse(sys.argv[1:] if argv is None else list(argv))
    if args.command == "help":  # reads no repository
        from supervisor.cli.help import show

        return show(args.topic, out or Output())
    environ = os.environ if env is None else env
    here = cwd or os.getcwd()
    authorize(args, Path(here), environ)  # what an agent may not do is refused here, once
    module = importlib.import_module(f"supervisor.commands.{args.command.replace('-', '_')}")
    if argv is None:  # a process of its own (not an in-process caller such as the tests):
        gc.freeze()  # the imports live until exit; teardown then skips walking them (~50 ms)
    code: int = module.run(args, out or Output(), environ, here)
    return code


def _note(out: Output | None, text: str) -> None:
    (out.stderr if out is not None else sys.stderr).write(text + "\n")
