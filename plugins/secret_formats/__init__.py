"""A catalogue of token formats and a matcher over it (issue 12, part 1 and part 3).

Each `Format` is one kind of secret with a stable rule id (`secrets.<kind>`), written from the
provider's documented format: a prefix, a length and an alphabet where the provider gives one;
where it does not, the names the provider's docs and SDKs give the variable (keyword context)
and entropy. A checksum, where a format has one, raises a match's confidence and never hides
it. Formats of the `generic` family (credentials in a URL, base64 values under a YAML key) are
not tied to a provider and can be turned off without losing the named ones.

The integrator's API:

    FORMATS: tuple[Format, ...]          # most specific first; BY_ID: id -> Format
    find(line) -> Iterator[Match]        # non-overlapping, in the order they appear
    may_contain(text_lower) -> bool      # the cheap keyword prefilter over a block of lines
    find_lines(lines) -> Iterator[tuple[int, Match]]   # both at once, over a block

and, for a caller that has rules of its own and wants one prefilter pass for all of them:

    gate_with(words) -> Gate             # the catalogue's gate and `words` (lowercase), cached
    stops(lines, gate) -> Iterator[int]  # the lines a gate stops at, one search over the block
    matches(line, low, family, taken)    # the formats in a gated line: of one family, outside
                                         # the spans the caller's own rules took

Nothing here imports the supervisor or the secrets plugin; stdlib only. Regexes are compiled
on first use, and run only on lines holding one of their format's keywords.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from . import _ai, _cloud, _devtools, _generic, _hosting, _identity, _messaging, _payments, _saas
from ._matcher import Catalogue, Gate
from ._model import GENERIC, HIGH, MEDIUM, NAMED, Format, Match

CATALOGUE = Catalogue(
    (
        *_hosting.FORMATS,
        *_cloud.FORMATS,
        *_payments.FORMATS,
        *_devtools.FORMATS,
        *_saas.FORMATS,
        *_messaging.FORMATS,
        *_ai.FORMATS,
        *_identity.FORMATS,
        *_generic.FORMATS,
    )
)
FORMATS: tuple[Format, ...] = CATALOGUE.formats
FORMAT_IDS: frozenset[str] = frozenset(f.id for f in FORMATS)
BY_ID: dict[str, Format] = {f.id: f for f in FORMATS}  # a match's format: `BY_ID[m.rule].family`


def find(line: str) -> Iterator[Match]:
    """Every secret of a known format in one line, non-overlapping, in order of position; where
    two formats claim the same characters the more specific one wins."""
    return CATALOGUE.find(line)


def find_lines(lines: Sequence[str]) -> Iterator[tuple[int, Match]]:
    """`find` over a block of lines at once, with each match's line index (0-based): the
    prefilter reads the block in one pass and only the lines it stops at are looked at."""
    return CATALOGUE.find_lines(lines)


def gate_with(words: Iterable[str]) -> Gate:
    """The prefilter of every format and of `words` (lowercase) in one regex, for `stops`:
    built on first use for each set of words."""
    return CATALOGUE.gate_with(words)


def stops(lines: Sequence[str], gate: Gate | None = None) -> Iterator[int]:
    """The indexes of the lines of a block that `gate` (the catalogue's by default) stops at:
    one search over the whole block, lowercased."""
    return CATALOGUE.stops(lines, gate)


def matches(
    line: str, low: str, family: str | None = None, taken: Sequence[tuple[int, int]] = ()
) -> list[Match]:
    """The secrets of the formats of `family` (None: all) in a line a gate stopped at (`low`,
    the line lowercased), skipping those that overlap a span of `taken`; in order."""
    return CATALOGUE.matches(line, low, family, taken)


def may_contain(text_lower: str) -> bool:
    """Whether a block of (lowercased) lines holds a keyword of some format: when it does not,
    no line of it needs `find`."""
    return CATALOGUE.may_contain(text_lower)


__all__ = [
    "BY_ID",
    "FORMATS",
    "FORMAT_IDS",
    "GENERIC",
    "HIGH",
    "MEDIUM",
    "NAMED",
    "Format",
    "Gate",
    "Match",
    "find",
    "find_lines",
    "gate_with",
    "matches",
    "may_contain",
    "stops",
]
