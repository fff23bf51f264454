"""The one family of expected errors; `cli.main` maps each to its exit code."""

from __future__ import annotations

from collections.abc import Iterable

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2
EXIT_OPERATIONAL = 3
EXIT_INTERRUPTED = 130


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """` (did you mean 'status'?)`: as git suggests commands, the names `word` begins, else
    the names spelled most alike (ties all shown, at most three); empty when none is close."""
    from difflib import SequenceMatcher

    names = sorted(set(known))
    found = [n for n in names if len(word) > 1 and n.startswith(word)]
    if not found:
        score = {n: SequenceMatcher(None, word, n).ratio() for n in names}
        best = max(score.values(), default=0.0)
        found = [n for n in names if score[n] == best] if best >= 0.6 else []
    quoted = [f"'{n}'" for n in found[:3]]
    if not quoted:
        return ""
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f" (did you mean {listed}?)"


class FatalError(Exception):
    """An expected failure: one line for the user, no traceback."""

    exit_code = EXIT_OPERATIONAL


class UsageError(FatalError):
    """Bad arguments, unknown feature, invalid name (exit 2)."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A malformed policy or plan: `FILE:LINE: message` (exit 2)."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line


class OperationalError(FatalError):
    """git, I/O or lock failures (exit 3)."""

    exit_code = EXIT_OPERATIONAL


class GitError(OperationalError):
    """A git operation failed."""


class LockTimeout(OperationalError):
    """Another process held a feature's lock for too long."""


class Refused(FatalError):
    """A refused operation: violations stand or work would be lost (exit 1)."""

    exit_code = EXIT_VIOLATIONS


class Forbidden(Refused):
    """Refused to who runs it, where it runs: an agent promoting its own work (exit 1)."""


class PluginError(OperationalError):
    """A plugin's own failure, with a message the plugin chose (exit 3). A plugin raises it
    instead of letting an exception whose text could carry the content it was reading out."""
