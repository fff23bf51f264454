"""`git-agent`: the entry point and the one error handler that maps errors to exit codes.

Command modules are imported only when their command runs, so `--help` stays fast."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Mapping, Sequence

from supervisor.errors import EXIT_INTERRUPTED, EXIT_USAGE, FatalError
from supervisor.render.output import Output


def main(
    argv: Sequence[str] | None = None,
    out: Output | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> int:
    out = out or Output()
    try:
        from supervisor.cli.parser import build_parser

        words = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(words).parse_args(words)
        module = importlib.import_module(f"supervisor.commands.{args.command.replace('-', '_')}")
        if argv is None:  # a process of its own (not an in-process caller such as the tests):
            gc.freeze()  # the imports live until exit; teardown then skips walking them (~50 ms)
        code: int = module.run(args, out, os.environ if env is None else env, cwd or os.getcwd())
        return code
    except FatalError as exc:
        out.note(f"git-agent: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        out.note("git-agent: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
