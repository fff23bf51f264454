"""How a run of the built-in agent ends when it does not simply finish: its exit codes, and the
errors (of the one FatalError family) that carry them up to `__main__`."""

from __future__ import annotations

from supervisor.errors import EXIT_INTERRUPTED, FatalError, OperationalError

EXIT_DONE = 0
EXIT_USAGE = 2  # bad arguments, no such feature, no key, an unreadable spec
EXIT_API = 3  # the API failed in a way retries and fallback models could not mend
EXIT_BUDGET = 4  # a limit (tokens, dollars, turns, wall time) ended the run


class ApiFailure(OperationalError):
    """The Messages API refused or kept failing (exit 3)."""


class BudgetExhausted(FatalError):
    """A limit ended the run (exit 4); `reason` names it: tokens, usd, turns or wall time."""

    exit_code = EXIT_BUDGET

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class Interrupted(KeyboardInterrupt):
    """SIGTERM: the runner stops the agent (exit 130, as for SIGINT). Not a FatalError, so
    that no handler on the way up takes it for a failure it could mend."""

    exit_code = EXIT_INTERRUPTED
