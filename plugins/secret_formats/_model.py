"""What a token format is, and the builders the catalogue is written with.

A `Format` is one kind of secret: a stable rule id, a label, the lowercase keywords a line must
contain before its regex is run, and the regex itself (source only: it is compiled on first
use). The regex marks the secret with a group named `secret` (else the whole match is the
secret) and may mark the random part of it with a group named `body`: entropy and placeholder
checks look at the body, so a fixed prefix or a run of `A`s that a format requires does not
count against it.

Three builders cover almost every kind:

- `token`: a literal prefix and a body of a known alphabet and length (`glpat-` + 20);
- `shaped`: any other self-describing shape (a URL, a suffix such as `NRAL`, separators);
- `keyed`: a value with no prefix, found only next to a variable name that names the provider
  and says what the value is (`TWILIO_AUTH_TOKEN=` + 32 hex).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, cast

Check = Callable[[str], bool]
Accept = Callable[["re.Match[str]"], bool]

NAMED = "named"
GENERIC = "generic"
HIGH = "high"
MEDIUM = "medium"

# Ranks: the order formats are tried in a line, the most specific first.
RANK_PREFIX_AND_CONTEXT = 0
RANK_PREFIX = 1
RANK_CONTEXT = 2
RANK_GENERIC = 3

# Character classes (the inside of [...]) for bodies and edges.
B62 = "A-Za-z0-9"
URL = "A-Za-z0-9_-"
B64 = "A-Za-z0-9+/"
HEX = "0-9a-f"
HEXU = "0-9A-F"
HEXI = "0-9a-fA-F"
LO = "a-z0-9"
UP = "A-Z0-9"
WORD = "A-Za-z0-9_"
TOKEN_EDGE = "A-Za-z0-9_-"
B64_EDGE = "A-Za-z0-9+/="
UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


@dataclass(frozen=True)
class Format:
    """One kind of secret."""

    id: str  # "secrets.<kind>"
    label: str
    family: str  # NAMED or GENERIC
    keywords: tuple[str, ...]  # lowercase; a line with none of them is not looked at
    pattern: str  # regex source, compiled on first use
    rank: int = RANK_PREFIX
    min_entropy: float | None = None  # bits per character of the body; None: by its length
    confidence: str = HIGH
    checksum: Check | None = None  # on the secret: true raises confidence, false lowers it
    accept: Accept | None = None  # on the match: false means "not this format"
    flags: int = 0
    placeholders: bool = True  # whether `${`, `%(`, `<...>`... in the body mean a placeholder
    gate: tuple[str, ...] = ()  # lowercase words a matching line always holds; () = keywords
    gate_pattern: str = ""  # or a regex every matching line (lowercased) matches

    @property
    def gate_words(self) -> tuple[str, ...]:
        """What the cheap prefilter looks for: a line without any of these cannot match
        (unless the format has a `gate_pattern`, which is looked for instead)."""
        return () if self.gate_pattern else self.gate or self.keywords

    @property
    def kind(self) -> str:
        return self.id.removeprefix("secrets.")


@dataclass(frozen=True)
class Match:
    """One secret in a line: where it is and what it is. Never print `secret`."""

    rule: str
    label: str
    start: int
    end: int
    secret: str
    confidence: str


class _Lazy:
    """A regex compiled the first time it is used: importing the catalogue compiles nothing
    (start-up time counts in a git hook)."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self._args = (source, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


def lazy(source: str, flags: int = 0) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _Lazy(source, flags))


# --- checks every format shares ------------------------------------------------------------------


def shannon(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values())


_PLACEHOLDER = lazy(
    r"x{5,}|\*{3,}|\.{3}|…|<[^>]*>|\$\{|\{\{|%\(|example|placeholder|change[_-]?me|replace[_-]?me"
    r"|your[_-]|dummy|redacted|(.)\1{7,}",
    re.I,
)
_UNIT = lazy(r"(.{1,32}?)\1+.{0,4}", re.S)


def placeholder(body: str) -> bool:
    """A value written to stand for a secret: `xxxxx`, `<token>`, `${TOKEN}`, `changeme`..."""
    return _PLACEHOLDER.search(body) is not None


def sequential(body: str) -> bool:
    """Runs of the alphabet or of digits (`abcdef...`, `0123...`) or a repeated unit."""
    if len(body) < 8:
        return False
    if len(body) >= 16 and _UNIT.fullmatch(body):
        return True
    low = body.lower()
    steps = sum(1 for a, b in pairwise(low) if ord(b) - ord(a) == 1)
    return steps >= (len(low) - 1) * 0.5


_ALPHABETS = ((lazy(r"[0-9a-f]+|[0-9A-F]+"), 16), (lazy(r"[a-z0-9]+|[A-Z0-9]+"), 36))


def default_entropy(body: str) -> float:
    """What a random body reaches with near certainty (three to four standard deviations
    below its mean): 0.6 of the most its length and alphabet (hex, one case and digits, or
    wider) allow."""
    size = next((size for regex, size in _ALPHABETS if regex.fullmatch(body)), 62)
    return 0.6 * math.log2(max(2, min(len(body), size)))


_SEPARATED = lazy(r"[-_./ ]+")
_WORD = lazy(r"[A-Z]?[a-z]+|[A-Z]+")
_CAPITALIZED = lazy(r"[A-Z][a-z]{2,}")


def written(value: str) -> bool:
    """Words typed by a person (`my-secret-token-here`, `AlgoliaSearchApiKeyDefault`), not a
    generated value: words (lower case, capitalized or upper case) between separators, or
    capitalized words covering nearly all of a value without digits."""
    segments = [segment for segment in _SEPARATED.split(value) if segment]
    if len(segments) >= 2 and all(_WORD.fullmatch(segment) for segment in segments):
        return True
    if any(c.isdigit() for c in value):
        return False
    words = _CAPITALIZED.findall(value)
    return len(words) >= 2 and sum(len(w) for w in words) >= len(value) * 0.85


def password_like(value: str) -> bool:
    """A password as a person would paste it: not only letters (`password`, `changeme`), not
    words between separators."""
    return not value.isalpha() and not written(value)


def mixed(value: str) -> bool:
    """At least two of upper case, lower case and digits."""
    kinds = (
        any(c.isupper() for c in value),
        any(c.islower() for c in value),
        any(c.isdigit() for c in value),
    )
    return sum(kinds) >= 2


# --- builders -------------------------------------------------------------------------------------


def shaped(
    kind: str,
    label: str,
    keywords: tuple[str, ...],
    secret: str,
    *,
    start: str = TOKEN_EDGE,
    stop: str = TOKEN_EDGE,
    entropy: float | None = None,
    checksum: Check | None = None,
    accept: Accept | None = None,
    confidence: str = HIGH,
    family: str = NAMED,
    rank: int = RANK_PREFIX,
    flags: int = 0,
    gate_pattern: str = "",
) -> Format:
    """A self-describing shape: `secret` is a regex (it may hold a `body` group); no character
    of `start` right before it, none of `stop` right after (empty: no edge)."""
    before = f"(?<![{start}])" if start else ""
    after = f"(?![{stop}])" if stop else ""
    return Format(
        id=f"secrets.{kind}",
        label=label,
        family=family,
        keywords=tuple(k.lower() for k in keywords),
        pattern=f"{before}(?P<secret>{secret}){after}",
        rank=rank,
        min_entropy=entropy,
        confidence=confidence,
        checksum=checksum,
        accept=accept,
        flags=flags,
        gate_pattern=gate_pattern,
    )


def token(
    kind: str,
    label: str,
    prefix: str,
    body: str,
    *,
    keywords: tuple[str, ...] | None = None,
    start: str = TOKEN_EDGE,
    stop: str = TOKEN_EDGE,
    entropy: float | None = None,
    checksum: Check | None = None,
    accept: Accept | None = None,
    confidence: str = HIGH,
    flags: int = 0,
    gate_pattern: str = "",
) -> Format:
    """A literal `prefix` then a `body` regex (the random part); `gate_pattern`, for a prefix
    common in ordinary text (`sk`, `yc`), what the prefilter looks for instead of it."""
    return shaped(
        kind,
        label,
        keywords or (prefix,),
        f"{re.escape(prefix)}(?P<body>{body})",
        start=start,
        stop=stop,
        entropy=entropy,
        checksum=checksum,
        accept=accept,
        confidence=confidence,
        flags=flags,
        gate_pattern=gate_pattern,
    )


# Words a variable name holding a secret carries, and endings that make it something else.
QUALIFIERS = ("key", "secret", "token", "passw", "_pass", "-pass", "pwd", "private", "cred")
NOT_SECRET_ENDINGS = (
    "id",
    "url",
    "uri",
    "name",
    "user",
    "username",
    "region",
    "host",
    "endpoint",
    "version",
    "file",
    "path",
    "type",
    "length",
    "len",
    "size",
    "prefix",
    "env",
    "var",
    "header",
)
_NAME_SPLIT = lazy(r"[^a-z0-9]+")
_ASSIGN = r"""["'\]]{0,2}[ \t]{0,3}(?:=>|:=|\?=|=|:)[ \t]{0,5}["'`]?"""


def name_check(quals: tuple[str, ...], avoid: tuple[str, ...]) -> Accept:
    """The variable name says it holds a secret (one of `quals` in it) and does not end in a
    word of `avoid` (`..._KEY_ID`, `..._TOKEN_URL`)."""

    def accept(match: re.Match[str]) -> bool:
        name = match.group("name").lower()
        if not any(q in name for q in quals):
            return False
        parts = [p for p in _NAME_SPLIT.split(name) if p]
        return not parts or parts[-1] not in avoid

    return accept


def keyed(
    kind: str,
    label: str,
    names: tuple[str, ...],
    value: str,
    *,
    prefix: str = "",
    lead: str = "",
    stop: str = TOKEN_EDGE,
    quals: tuple[str, ...] = QUALIFIERS,
    avoid: tuple[str, ...] = NOT_SECRET_ENDINGS,
    deny: tuple[str, ...] = (),
    entropy: float | None = None,
    checksum: Check | None = None,
    extra: Check | None = None,
    keywords: tuple[str, ...] | None = None,
    confidence: str = MEDIUM,
    family: str = NAMED,
) -> Format:
    """A value with no prefix of its own (or a weak one, `prefix`), found only where a variable
    or key name containing one of `names` is assigned it: `TWILIO_AUTH_TOKEN=<32 hex>`.

    `lead` is a regex allowed between the assignment and the value and not part of it
    (`oauth:`); `deny` words that make the name something else (`search` for a key that is
    public by design); `extra` a further check on the secret (a decoded form, say).
    """
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    # The provider's name starts a word of the variable name (`MY_TWILIO_...`, `myTwilio...`),
    # so `PROBABLY_KEY` is not Ably's.
    word_start = "(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))"
    name = (
        rf"(?P<name>(?<![\w.-])[\w.-]{{0,40}}?{word_start}"
        rf"(?i:(?:{alternatives})[\w.-]{{0,40}}))"
    )
    lead_part = f"(?:{lead})?" if lead else ""
    secret = f"{re.escape(prefix)}(?P<body>{value})"
    pattern = rf"{name}{_ASSIGN}{lead_part}(?P<secret>{secret})(?![{stop}])"
    by_name = name_check(quals, avoid)

    def accept(match: re.Match[str]) -> bool:
        if deny and any(word in match.group("name").lower() for word in deny):
            return False
        return by_name(match) and (extra is None or extra(match.group("secret")))

    return Format(
        id=f"secrets.{kind}",
        label=label,
        family=family,
        keywords=tuple(k.lower() for k in (keywords or names)),
        pattern=pattern,
        rank=RANK_PREFIX_AND_CONTEXT if prefix else RANK_CONTEXT,
        min_entropy=entropy,
        confidence=confidence,
        checksum=checksum,
        accept=accept,
        gate=tuple(q.lower() for q in quals),
    )


def raw(
    kind: str,
    label: str,
    keywords: tuple[str, ...],
    pattern: str,
    *,
    entropy: float | None = None,
    checksum: Check | None = None,
    accept: Accept | None = None,
    confidence: str = HIGH,
    family: str = NAMED,
    rank: int = RANK_PREFIX,
    flags: int = 0,
    placeholders: bool = True,
) -> Format:
    """A format whose regex marks its own `secret` (and `body`) group: for secrets that sit in
    a fixed context (`AccountKey=...` in a connection string, a password in a URL)."""
    return Format(
        id=f"secrets.{kind}",
        label=label,
        family=family,
        keywords=tuple(k.lower() for k in keywords),
        pattern=pattern,
        rank=rank,
        min_entropy=entropy,
        confidence=confidence,
        checksum=checksum,
        accept=accept,
        flags=flags,
        placeholders=placeholders,
    )
