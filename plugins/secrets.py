"""Secrets in added lines: cloud keys, tokens, private keys and high-entropy assignments.

Only the lines a change adds are scanned. A finding names the rule, the path and the line; the
secret itself is never printed, logged or stored: messages carry a redacted form (a few leading
characters and the length) and baselines carry a SHA-256 fingerprint.

Detection builds on detect-secrets (Apache-2.0, https://github.com/Yelp/detect-secrets): the
patterns of its detector classes (AWSKeyDetector, GitHubTokenDetector, OpenAIDetector,
SlackDetector, PrivateKeyDetector) and its heuristic filters. detect-secrets takes over 100 ms to
import, so it is imported only when a line passes a cheap keyword prefilter.

The rules detect-secrets lacks (GitHub fine-grained tokens, Anthropic keys, newer OpenAI keys,
more Slack token shapes, the key-name part of the generic assignment rule, the private key
header) are ported from gitleaks' rule set, config/gitleaks.toml of
https://github.com/gitleaks/gitleaks (MIT License, Copyright (c) 2019 Zachary Rice); each such
pattern is marked "gitleaks" below.

Allowing a legitimate case: `git-agent: allow-secret` (or detect-secrets' `pragma: allowlist
secret`) on the line; `[plugins.secrets] allow_paths = [globs]`; `[plugins.secrets] baseline =
"FILE"`, a JSON file `{"fingerprints": [...]}` of `fingerprint(rule, path, secret)` values.
"""

# The patterns marked "gitleaks" are ported from gitleaks, under this notice:
#
#   MIT License
#
#   Copyright (c) 2019 Zachary Rice
#
#   Permission is hereby granted, free of charge, to any person obtaining a copy
#   of this software and associated documentation files (the "Software"), to deal
#   in the Software without restriction, including without limitation the rights
#   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
#   copies of the Software, and to permit persons to whom the Software is
#   furnished to do so, subject to the following conditions:
#
#   The above copyright notice and this permission notice shall be included in all
#   copies or substantial portions of the Software.
#
#   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
#   IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
#   FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
#   AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
#   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
#   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
#   SOFTWARE.

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain, islice
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, cast

from supervisor.plugin import (
    PLAN_FILE,
    Change,
    ConfigError,
    PluginError,
    RuleContext,
    Violation,
    allow_list,
    hookimpl,
    tables,
)

from .scanner_configs import Evidence

if TYPE_CHECKING:
    from .scanner_configs import Baseline, ExtraRule, Gitleaks, Ignored
    from .secret_formats import Gate


class _Lazy:
    """A regular expression compiled the first time it is used (start-up counts in a hook)."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self._args = (source, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


def lazy_regex(source: str, flags: int = 0) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _Lazy(source, flags))


PLUGIN = "secrets"
KEYS = ("allow_paths", "baseline", "pragma", "generic", "honor", "gitleaks_rules")
PRAGMA = lazy_regex(r"git-agent:\s*allow-secret|pragma:\s*(?:allow|white)list[ -]secret", re.I)
GENERIC_MIN_ENTROPY = 3.5
GENERIC_MIN_LENGTH = 10

Candidate = tuple[int, int, str]  # start and end in the line, and the secret
Finder = Callable[[str, int, "FileView"], Iterator[Candidate]]
Patterns = Callable[[], Sequence[tuple[re.Pattern[str], int]]]  # (pattern, group of the secret)


# --- what a finding may show -------------------------------------------------------------------


def fingerprint(rule: str, path: str, secret: str) -> str:
    """The baseline entry for one finding: hex SHA-256 of `rule NUL path NUL secret` (UTF-8).

    `rule` is the full rule id (`secrets.github-token`; the `secrets.` prefix is added when
    missing), `path` the repository-relative path with `/` separators.
    """
    import hashlib

    rule = rule if rule.startswith(f"{PLUGIN}.") else f"{PLUGIN}.{rule}"
    data = "\0".join((rule, path, secret)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def redact(secret: str) -> str:
    """At most four leading characters (a quarter of a short secret) and the length."""
    shown = secret[: min(4, len(secret) // 4)]
    return f"{shown}… ({len(secret)} chars)"


def shannon(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values())


@dataclass(frozen=True)
class Finding:
    """One secret found: everything a report needs, and nothing that reveals the secret.

    `evidence` (the secret and its line, for the allowlists of the team's scanners) never
    leaves the process: it is not in the repr, the message or the violation.
    """

    rule: str
    line: int  # 0: the finding is about the whole file
    label: str
    redacted: str
    fingerprint: str
    confidence: str | None = None  # "medium" for a format that is only likely a secret
    evidence: Evidence | None = field(default=None, repr=False, compare=False)

    @property
    def message(self) -> str:
        if not self.redacted:
            return f"{self.label}: remove the file"
        sure = ", medium confidence" if self.confidence == MEDIUM else ""
        return f"{self.label} {self.redacted}{sure}: remove it and rotate it"


# --- the content of one file -------------------------------------------------------------------


class FileView:
    """The added lines of one file, and its whole new text on demand (for context only)."""

    def __init__(
        self, path: str, lines: Iterable[tuple[int, str]], text: Callable[[], str] | None = None
    ) -> None:
        self.path = path
        self.added = dict(lines)
        self._text = text
        self._full: str | None = None

    def following(self, number: int) -> Iterator[str]:
        """The added lines right after line `number`, as long as they are consecutive."""
        number += 1
        while number in self.added:
            yield self.added[number]
            number += 1

    def mentions(self, pattern: re.Pattern[str]) -> bool:
        """Whether the added lines, or failing them the whole new text, match `pattern`."""
        if any(pattern.search(text) for text in self.added.values()):
            return True
        if self._text is None:
            return False
        if self._full is None:
            self._full = self._text()
        return bool(pattern.search(self._full))


# --- detect-secrets, imported lazily -------------------------------------------------------------


@cache
def _library(name: str) -> tuple[re.Pattern[str], ...]:
    """The patterns of one detect-secrets detector class."""
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.private_key import PrivateKeyDetector
    from detect_secrets.plugins.slack import SlackDetector

    classes: dict[str, Any] = {
        "aws": AWSKeyDetector,
        "github": GitHubTokenDetector,
        "openai": OpenAIDetector,
        "private_key": PrivateKeyDetector,
        "slack": SlackDetector,
    }
    return tuple(classes[name].denylist)


def _library_says_not_secret(secret: str) -> bool:
    """detect-secrets' heuristic filters: UUIDs, sequential strings, templates."""
    from detect_secrets.filters import heuristic

    return bool(
        heuristic.is_potential_uuid(secret)
        or heuristic.is_sequential_string(secret)
        or heuristic.is_templated_secret(secret)
    )


# --- token-shaped secrets --------------------------------------------------------------------


_PLACEHOLDER = lazy_regex(
    r"x{5,}|\*{3,}|\.{3}|…|<[^>]*>|\$\{|\{\{|%\(|example|placeholder|change[_-]?me|replace[_-]?me"
    r"|your[_-]|dummy|redacted|(.)\1{7,}",
    re.I,
)
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_DASHED = _WORD | {"-"}
_HEX = lazy_regex(r"[0-9a-fA-F]+")


def _all_hex(text: str) -> bool:
    return _HEX.fullmatch(text) is not None


def _continues(text: str, index: int, chars: frozenset[str] | None) -> bool:
    return chars is not None and 0 <= index < len(text) and text[index] in chars


def tokens(
    patterns: Patterns,
    min_entropy: float = 3.0,
    edge: frozenset[str] | None = _WORD,
    end_edge: bool = True,
    reject: Callable[[str], bool] | None = None,
    gate: re.Pattern[str] | None = None,
) -> Finder:
    """A finder of secrets of a known shape: no longer token around them, no placeholder.

    `gate`, a cheap pattern the line must match first, keeps detect-secrets unimported for
    lines that merely mention a keyword (`Asia/Tokyo`, `aws_region`).
    """

    def find(text: str, number: int, view: FileView) -> Iterator[Candidate]:
        if gate is not None and not gate.search(text):
            return
        for regex, group in patterns():
            for match in regex.finditer(text):
                start, end = match.span(group)
                secret = match.group(group)
                if _continues(text, start - 1, edge) or (end_edge and _continues(text, end, edge)):
                    continue
                if _PLACEHOLDER.search(secret) or shannon(secret) < min_entropy:
                    continue
                if reject is not None and reject(secret):
                    continue
                yield start, end, secret

    return find


def _own(*sources: str) -> Patterns:
    """Patterns of ours, compiled on first use (start-up time counts in a git hook)."""

    @cache
    def patterns() -> Sequence[tuple[re.Pattern[str], int]]:
        return tuple((re.compile(source), 0) for source in sources)

    return patterns


def _with_library(name: str, own: Patterns, only: Sequence[int] | None = None) -> Patterns:
    """Our patterns first (they match whole tokens), then detect-secrets' (`only` those indexes)."""

    def patterns() -> Sequence[tuple[re.Pattern[str], int]]:
        library = _library(name)
        picked = library if only is None else tuple(library[i] for i in only)
        return (*own(), *((regex, 0) for regex in picked))

    return patterns


# AWS: detect-secrets' key id pattern; its secret-key pattern (quoted, 40 characters near
# "aws...key") and ours for unquoted values (env and ini files).
_AWS_SECRET_BARE = lazy_regex(
    r"aws[\w.-]{0,20}?(?:secret|key|token|pass)[\w.-]{0,20}?[ \t'\"]{0,3}(?:=|:|=>)[ \t]{0,3}"
    r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
    re.I,
)


_AWS_ID_GATE = lazy_regex(r"A3T|ABIA|ACCA|AKIA|ASIA")
_AWS_SECRET_GATE = lazy_regex(r"[A-Za-z0-9/+]{40}")


def _aws_secret_patterns() -> Sequence[tuple[re.Pattern[str], int]]:
    return ((_library("aws")[1], 1), (_AWS_SECRET_BARE, 1))


def _aws_id_patterns() -> Sequence[tuple[re.Pattern[str], int]]:
    return ((_library("aws")[0], 0),)


# --- private keys --------------------------------------------------------------------------

# gitleaks "private-key": the header of any PEM private key (with detect-secrets' headers after).
_PEM_HEADER = lazy_regex(r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----")
_ESCAPED_NEWLINE = lazy_regex(r"\\r\\n|\\n|\\r")
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]+")
_PEM_FIELD = lazy_regex(r"[A-Za-z][A-Za-z0-9-]*:\s.*")
_STRIP = "\"'`,;+()\\ \t"
_KEY_GATE = lazy_regex(r"BEGIN|PuTTY-User")
MAX_KEY_LINES = 400
MIN_KEY_MATERIAL = 64


def key_body(rest: str, following: Iterable[str] = ()) -> str:
    """The base64 key material after a private key header, up to its END line.

    `rest` is what follows the header on its line (a JSON or code string may hold the whole
    key, with escaped newlines); `following` the next added lines. Stops at anything that is
    neither base64 nor a `Field: value` header line, so a header in code finds nothing.
    """
    body: list[str] = []
    for chunk in islice(chain([rest.removeprefix("-----")], following), MAX_KEY_LINES):
        for segment in _ESCAPED_NEWLINE.split(chunk):
            piece = segment.strip(_STRIP)
            if piece.startswith("-----"):
                return "".join(body)
            if not piece or _PEM_FIELD.fullmatch(piece):
                continue
            if not _BASE64_LINE.fullmatch(piece):
                return "".join(body)
            body.append(piece)
    return "".join(body)


def _is_key_material(body: str) -> bool:
    return len(body) >= MIN_KEY_MATERIAL and shannon(body) >= 3.5 and "EXAMPLE" not in body


def key_size(secret: str) -> str:
    """How a private key is shown: only how much key material there is."""
    return f"({len(secret)} chars of key material)"


def _private_keys(text: str, number: int, view: FileView) -> Iterator[Candidate]:
    if not _KEY_GATE.search(text):
        return
    for regex in (_PEM_HEADER, *_library("private_key")):
        for match in regex.finditer(text):
            rest = text[match.end() :]
            if rest.lstrip().startswith(":"):  # a PuTTY header: `...-Key-File-2: ssh-rsa`
                rest = ""
            body = key_body(rest, view.following(number))
            if _is_key_material(body):
                yield match.start(), match.end(), body


# Google service-account JSON: "private_key" holding a key, in a file of "type": "service_account".
_GCP_KEY = lazy_regex(r'"private_key"\s*:\s*"([^"]+)"')
_GCP_TYPE = lazy_regex(r'"type"\s*:\s*"service_account"')


def _service_accounts(text: str, number: int, view: FileView) -> Iterator[Candidate]:
    for match in _GCP_KEY.finditer(text):
        value = match.group(1)
        header = _PEM_HEADER.search(value)
        if header is None or not _is_key_material(key_body(value[header.end() :])):
            continue
        if view.mentions(_GCP_TYPE):
            yield match.start(1), match.end(1), value


# --- generic assignments ---------------------------------------------------------------------

# The shape of gitleaks "generic-api-key" (a key name, an assignment operator, a value), narrowed
# to password, secret, token and API/access/auth/private key names.
_ASSIGNMENT = r"""
    (?P<name>[\w.-]{0,40}?
        (?:passw(?:or)?d|pwd|secret|token|credential|passphrase|(?:api|access|auth|private)[_.-]?key)
        [\w.-]{0,30})
    ['"\]]{0,2}[ \t]{0,3}
    (?::[ \t]*[A-Za-z_][\w.\[\], |]{0,40}?[ \t]*(?==))?
    (?P<op>==|=>|:=|\?=|::|:|=)
    [ \t]{0,5}
    (?:(?P<quote>["'`])(?P<quoted>[^"'`\r\n]{1,300}?)(?P=quote)|(?P<bare>[^\s"'`,;]{1,300}))
    """


@cache
def _assignment() -> re.Pattern[str]:
    return re.compile(_ASSIGNMENT, re.I | re.X)


_NAME_PARTS = lazy_regex(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SECRET_WORDS = ("password", "passwd", "secret", "token", "apikey", "accesskey", "privatekey")
_SECRET_PARTS = frozenset({"pwd", "credential", "credentials", "passphrase"})
_KEY_QUALIFIERS = frozenset({"api", "access", "auth", "private", "secret", "client"})
_NOT_SECRET_PARTS = frozenset(
    {
        "csrf", "xsrf", "public", "pub", "id", "ids", "name", "names", "len", "length", "size",
        "count", "type", "kind", "url", "uri", "endpoint", "file", "filename", "path", "dir",
        "header", "field", "param", "prefix", "suffix", "pattern", "regex", "format", "policy",
        "ttl", "timeout", "expiry", "expires", "hint", "label", "placeholder", "prompt",
        "example", "sample", "hash", "hashed", "digest", "checksum", "commit", "rev", "revision",
        "fingerprint", "integrity", "version", "limit", "max", "min", "env", "var", "ref",
        "enabled", "required", "reset", "confirm", "confirmation", "validator", "arn", "next",
        "continuation", "page", "paging", "pagination", "cursor", "marker", "output", "change",
        "last", "date", "time", "created", "updated", "generation",
    }
)  # fmt: skip
_VERSION = lazy_regex(r"v?\d+(?:\.\d+){1,3}(?:[-+.][\w.]+)?")
_IDENTIFIER_CHAIN = lazy_regex(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
_CODE_CHARS = frozenset("()[]{}<>$")
_WORDS = lazy_regex(r"[A-Z][a-z]{2,}")  # with a vowel and no four consonants in a row
_VOWEL = lazy_regex(r"[aeiouy]")
_CONSONANTS = lazy_regex(r"[^aeiouyAEIOUY]{4}")
_SEPARATORS = lazy_regex(r"[/:._*@-]+")
_PLAIN = lazy_regex(r"(?:[A-Z]?[a-z]+)+\d*|[A-Z]+\d*|\d+")
_WRITTEN = lazy_regex(
    r"passw|secret|token|sample|mock|fake|dummy|test|^\$|^a?arn:|^\d{4}-\d\d-\d\d", re.I
)
MIN_HEX_LENGTH = 20
_DIGEST_LENGTHS = frozenset({40, 64, 128})  # git object ids, SHA-256 and SHA-512 digests
_INDIRECT = lazy_regex(r"os\.environ|getenv|process\.env|ENV\[|secrets\.|vault:", re.I)


_QUALIFIED_KEYS = ("api", "access", "auth", "private")
GENERIC_KEYWORDS = (
    "passw",
    "pwd",
    "secret",
    "token",
    "credential",
    "passphrase",
    *(f"{word}{sep}key" for word in _QUALIFIED_KEYS for sep in ("", "_", "-", ".")),
)


def _secret_name(name: str) -> bool:
    parts = [p.lower() for p in _NAME_PARTS.findall(name)]
    if any(p in _NOT_SECRET_PARTS or p.startswith(("sha", "md5")) for p in parts):
        return False
    if any(p.endswith(_SECRET_WORDS) or p in _SECRET_PARTS for p in parts):
        return True
    return "key" in parts and any(p in _KEY_QUALIFIERS for p in parts)


def _random_looking(value: str, bare: bool) -> bool:
    """Whether `value` reads like a generated secret rather than a word, a path or code."""
    if len(value) < GENERIC_MIN_LENGTH or any(c.isspace() for c in value):
        return False
    if _PLACEHOLDER.search(value) or _INDIRECT.search(value) or _WRITTEN.search(value):
        return False
    if _VERSION.fullmatch(value):
        return False
    if "://" in value or value.startswith(("/", "./", "../", "~/")):
        return False
    if re.fullmatch(r"[A-Za-z_.-]+", value):  # words, not a secret (gitleaks' allowlist)
        return False
    if _HEX.fullmatch(value) and (len(value) < MIN_HEX_LENGTH or len(value) in _DIGEST_LENGTHS):
        return False
    if _wordy(value):
        return False
    if bare and (_CODE_CHARS & set(value) or _code_like(value)):
        return False
    return shannon(value) >= GENERIC_MIN_ENTROPY


def _code_like(value: str) -> bool:
    """An unquoted name (`self.token`, `user_password1`, `if x == y:`), not a generated value.

    A generated one mixes upper case, lower case and digits, or letters and several digits.
    """
    if value.endswith(":") or not _IDENTIFIER_CHAIN.fullmatch(value):
        return value.endswith(":")
    if "." in value:
        return True
    upper, lower = any(c.isupper() for c in value), any(c.islower() for c in value)
    digits = sum(c.isdigit() for c in value)
    return not ((upper and lower and digits) or (digits >= 2 and "_" not in value))


def _wordy(value: str) -> bool:
    """Words and numbers between separators (`us-east-1/iam/role`), or mostly CamelCase words
    (`PrivateKeyTypes`): written, not generated."""
    segments = [segment for segment in _SEPARATORS.split(value) if segment]
    if len(segments) >= 3 and all(_PLAIN.fullmatch(segment) for segment in segments):
        return True
    words = [w for w in _WORDS.findall(value) if _VOWEL.search(w) and not _CONSONANTS.search(w)]
    return sum(len(word) for word in words) >= len(value) * 0.6


def _assignments(text: str, number: int, view: FileView) -> Iterator[Candidate]:
    for match in _assignment().finditer(text):
        bare = match.group("bare") is not None
        if bare and match.group("op") == "==":
            continue  # a comparison with a name, not a value
        group = "bare" if bare else "quoted"
        value = match.group(group)
        if not _secret_name(match.group("name")) or not _random_looking(value, bare):
            continue
        if _library_says_not_secret(value):
            continue
        yield match.start(group), match.end(group), value


# --- the rules, most specific first ------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    keywords: tuple[str, ...]  # lowercase; a line mentioning none of them is not looked at
    find: Finder
    describe: Callable[[str], str] = redact


RULES: tuple[Rule, ...] = (
    Rule(
        "secrets.gcp-service-account",
        "Google service-account private key",
        ('"private_key"',),
        _service_accounts,
        key_size,
    ),
    Rule(
        "secrets.private-key",
        "private key block",
        ("private key", "putty-user-key-file"),
        _private_keys,
        key_size,
    ),
    Rule(
        "secrets.anthropic-key",
        "Anthropic API key",
        ("sk-ant-",),
        tokens(
            _own(  # gitleaks "anthropic-api-key" and "anthropic-admin-api-key", then any sk-ant-
                r"sk-ant-(?:api03|admin01)-[a-zA-Z0-9_-]{93}AA",
                r"sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{32,}",
            ),
            edge=_DASHED,
        ),
    ),
    Rule(
        "secrets.openai-key",
        "OpenAI API key",
        ("t3blbkfj", "sk-proj-", "sk-svcacct-", "sk-admin-"),
        tokens(
            _with_library(
                "openai",
                _own(  # gitleaks "openai-api-key", then project/service/admin keys of any length
                    r"sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ"
                    r"(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})",
                    r"sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}",
                    r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}",
                ),
            ),
            edge=_DASHED,
            end_edge=False,
        ),
    ),
    Rule(
        "secrets.github-fine-grained-token",
        "GitHub fine-grained token",
        ("github_pat_",),
        tokens(_own(r"github_pat_\w{82}")),  # gitleaks "github-fine-grained-pat"
    ),
    Rule(
        "secrets.github-token",
        "GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        tokens(_with_library("github", _own())),
    ),
    Rule(
        "secrets.slack-webhook",
        "Slack webhook URL",
        ("hooks.slack.com",),
        tokens(
            _with_library(
                "slack",
                _own(  # gitleaks "slack-webhook-url"
                    r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/"
                    r"[A-Za-z0-9+/]{43,56}"
                ),
                only=(1,),
            ),
            edge=None,
        ),
    ),
    Rule(
        "secrets.slack-token",
        "Slack token",
        ("xox",),
        tokens(
            _with_library(
                "slack",
                _own(  # gitleaks "slack-bot-token", "slack-user-token", "slack-legacy-*"
                    r"xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*",
                    r"xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}",
                    r"xox[ar]-(?:\d-)?[0-9a-zA-Z]{8,48}",
                    r"xox[os]-\d+-\d+-\d+-[a-fA-F\d]+",
                ),
                only=(0,),
            ),
            edge=_DASHED,
        ),
    ),
    Rule(
        "secrets.aws-access-key",
        "AWS access key id",
        ("akia", "asia", "abia", "acca", "a3t"),
        tokens(_aws_id_patterns, gate=_AWS_ID_GATE),
    ),
    Rule(
        "secrets.aws-secret-key",
        "AWS secret access key",
        ("aws",),
        tokens(
            _aws_secret_patterns,
            min_entropy=4.0,
            edge=None,
            reject=_all_hex,
            gate=_AWS_SECRET_GATE,
        ),
    ),
    Rule(
        "secrets.generic-assignment",
        "high-entropy secret assignment",
        GENERIC_KEYWORDS,
        _assignments,
    ),
)
RULE_IDS = tuple(rule.id for rule in RULES)
GENERIC_RULE = "secrets.generic-assignment"
OWN_KEYWORDS = frozenset(k for rule in RULES for k in rule.keywords)
MEDIUM = "medium"
NAMED, GENERIC = "named", "generic"  # the catalogue's families
GITLEAKS_PRAGMA = lazy_regex(r"gitleaks:allow")
NAMED_RULES = tuple(rule for rule in RULES if rule.id != GENERIC_RULE)
GENERIC_RULES = tuple(rule for rule in RULES if rule.id == GENERIC_RULE)


# --- scanning ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ruleset:
    """What one policy runs over a file's added lines, most specific first: this module's own
    named rules, the catalogue's named formats, the team's gitleaks rules, then the generic
    family unless it is off (the catalogue's generic kinds, then `secrets.generic-assignment`).
    A secret is reported once, by the first rule that finds it (it claims the span)."""

    generic: bool = True
    extra: tuple[ExtraRule, ...] = ()
    gitleaks_pragma: bool = False  # `gitleaks:allow` on a line allows it, as a pragma

    @property
    def named(self) -> tuple[Rule, ...]:
        return NAMED_RULES

    @property
    def own_generic(self) -> tuple[Rule, ...]:
        return GENERIC_RULES if self.generic else ()

    def gate(self) -> Gate:
        """One prefilter for all of it: the catalogue's keywords, this module's and those of
        the team's rules, searched for once over a file's added lines."""
        from . import secret_formats

        words = OWN_KEYWORDS.union(*(rule.keywords for rule in self.extra))
        return secret_formats.gate_with(words)

    def pragmas(self, text: str) -> bool:
        return bool(PRAGMA.search(text) or (self.gitleaks_pragma and GITLEAKS_PRAGMA.search(text)))


DEFAULT = Ruleset()


def scan(view: FileView, pragma: bool = True, rules: Ruleset = DEFAULT) -> list[Finding]:
    """Every secret in the added lines of one file, in line order; one finding per secret.

    One search of the prefilter over all the added lines finds the lines worth a look; only
    those run the rules whose keywords they hold (a team's gitleaks rule with no keywords runs
    on every line; one whose keywords the file's added lines hold, on each of its lines).
    """
    if not view.added:
        return []
    from . import secret_formats

    numbers = list(view.added)
    texts = list(view.added.values())
    stopped = list(secret_formats.stops(texts, rules.gate()))
    lows = {index: texts[index].lower() for index in stopped}
    skipped: dict[int, bool] = {}

    def skip(index: int) -> bool:
        if not pragma:
            return False
        if index not in skipped:
            skipped[index] = rules.pragmas(texts[index])
        return skipped[index]

    claimed: dict[int, list[tuple[int, int]]] = {}
    found: list[tuple[int, int, Finding]] = []

    def keep(index: int, start: int, end: int, finding: Finding) -> None:
        claimed.setdefault(index, []).append((start, end))
        found.append((index, start, finding))

    for index in stopped:  # the named rules: this module's, then the catalogue's
        if skip(index):
            continue
        text, low, number = texts[index], lows[index], numbers[index]
        for rule in rules.named:
            _run(rule, view, index, number, text, low, claimed, keep)
        for match in secret_formats.matches(text, low, NAMED, claimed.get(index, ())):
            keep(index, match.start, match.end, _catalogued(view, number, text, match))
    if rules.extra:
        _run_extra(view, rules.extra, texts, numbers, lows, skip, claimed, keep)
    if rules.generic:
        for index in stopped:
            if skip(index):
                continue
            text, low, number = texts[index], lows[index], numbers[index]
            for match in secret_formats.matches(text, low, GENERIC, claimed.get(index, ())):
                keep(index, match.start, match.end, _catalogued(view, number, text, match))
            for rule in rules.own_generic:
                _run(rule, view, index, number, text, low, claimed, keep)
    found.sort(key=lambda item: (item[0], item[1]))
    return [finding for _, _, finding in found]


Keep = Callable[[int, int, int, Finding], None]


def _run(
    rule: Rule,
    view: FileView,
    index: int,
    number: int,
    text: str,
    low: str,
    claimed: Mapping[int, list[tuple[int, int]]],
    keep: Keep,
) -> None:
    if not any(keyword in low for keyword in rule.keywords):
        return
    for start, end, secret in rule.find(text, number, view):
        if any(start < e and s < end for s, e in claimed.get(index, ())):
            continue
        evidence = Evidence(rule.id, view.path, number, secret, text[start:end], text)
        finding = Finding(
            rule.id,
            number,
            rule.label,
            rule.describe(secret),
            fingerprint(rule.id, view.path, secret),
            evidence=evidence,
        )
        keep(index, start, end, finding)


def _catalogued(view: FileView, number: int, text: str, match: Any) -> Finding:
    """A finding of the catalogue (a `secret_formats.Match`)."""
    return Finding(
        match.rule,
        number,
        match.label,
        redact(match.secret),
        fingerprint(match.rule, view.path, match.secret),
        confidence=match.confidence,
        evidence=Evidence(
            match.rule, view.path, number, match.secret, text[match.start : match.end], text
        ),
    )


def _run_extra(
    view: FileView,
    extra: Sequence[ExtraRule],
    texts: Sequence[str],
    numbers: Sequence[int],
    lows: Mapping[int, str],
    skip: Callable[[int], bool],
    claimed: Mapping[int, list[tuple[int, int]]],
    keep: Keep,
) -> None:
    """The team's gitleaks rules. As gitleaks does with a fragment, a rule with keywords runs
    when the file's added lines hold one of them (they can only be on lines the prefilter
    stopped at), and then on each added line; a rule without keywords runs on every line."""
    held = {k for rule in extra for k in rule.keywords if any(k in low for low in lows.values())}
    active = [
        rule
        for rule in extra
        if rule.regex is not None
        and rule.applies_to(view.path)
        and (not rule.keywords or not held.isdisjoint(rule.keywords))
    ]
    if not active:
        return
    for index, text in enumerate(texts):
        if skip(index):
            continue
        number = numbers[index]
        for rule in active:
            for start, end, secret, matched in rule.find(text):
                if any(start < e and s < end for s, e in claimed.get(index, ())):
                    continue
                finding = Finding(
                    rule.id,
                    number,
                    rule.label,
                    redact(secret),
                    fingerprint(rule.id, view.path, secret),
                    evidence=Evidence(rule.id, view.path, number, secret, matched, text),
                )
                keep(index, start, end, finding)


def path_findings(path: str, extra: Sequence[ExtraRule]) -> list[Finding]:
    """The team's path-only gitleaks rules (a `path` and no `regex`): the file itself is the
    finding (gitleaks reports `file detected: <path>`)."""
    return [
        Finding(
            rule.id,
            0,
            rule.label,
            "",
            fingerprint(rule.id, path, ""),
            evidence=Evidence(rule.id, path, 0, "", "", ""),
        )
        for rule in extra
        if rule.regex is None and rule.applies_to(path)
    ]


# --- configuration -------------------------------------------------------------------------------

SCANNERS = ("gitleaks", "detect-secrets")
MAX_SCANNER_FILE = 32 << 20


@dataclass
class SecretsConfig:
    """`[plugins.secrets]` of the policy, narrowed by the plan's, and the team's scanner
    configs it reads (from the commit the policy came from)."""

    allowed: Callable[[str], bool]
    pragma: bool
    baseline: str | None
    generic: bool = True
    honor: frozenset[str] = frozenset()
    gitleaks_rules: bool = True
    gitleaks: Gitleaks | None = None
    ignored: Ignored | None = None
    detect_secrets: Baseline | None = None

    @classmethod
    def of(cls, ctx: RuleContext) -> SecretsConfig:
        (policy_file, policy), (_, plan) = tables(ctx, PLUGIN, KEYS)
        pragma = _switch(policy_file, policy, "pragma") and _switch(PLAN_FILE, plan, "pragma")
        baseline = policy.get("baseline")
        if baseline is not None and not isinstance(baseline, str):
            raise ConfigError(policy_file, f"[plugins.{PLUGIN}] baseline must be a path")
        relative = PurePosixPath(baseline or ".")
        if relative.is_absolute() or ".." in relative.parts or "\\" in (baseline or ""):
            raise ConfigError(policy_file, f"[plugins.{PLUGIN}] baseline must be a relative path")
        keep = plan.get("baseline", True)
        if not isinstance(keep, bool):
            raise ConfigError(
                PLAN_FILE, f"[plugins.{PLUGIN}] baseline: a plan can only turn it off (false)"
            )
        if not keep:
            baseline = None
        generic = _only_on(plan, "generic") | _switch(policy_file, policy, "generic")
        rules = _only_on(plan, "gitleaks_rules") | _switch(policy_file, policy, "gitleaks_rules")
        honor = _scanners(policy_file, policy)
        if "honor" in plan:
            honor &= _scanners(PLAN_FILE, plan)  # a plan can only trust less
        settings = cls(
            allow_list(ctx, PLUGIN, KEYS, "allow_paths"),
            pragma,
            baseline or None,
            generic,
            honor,
            rules,
        )
        settings.read_scanners(ctx)
        return settings

    def read_scanners(self, ctx: RuleContext) -> None:
        """The scanner configs this policy uses, as committed where it comes from."""
        from . import scanner_configs

        def read(path: str) -> bytes | None:
            data = ctx.policy_file(path)
            if data is not None and len(data) > MAX_SCANNER_FILE:
                raise ConfigError(path, f"is larger than {MAX_SCANNER_FILE >> 20} MiB")
            return data

        if self.gitleaks_rules or "gitleaks" in self.honor:
            data = read(scanner_configs.CONFIG)
            if data is not None:
                self.gitleaks = scanner_configs.gitleaks(data, read)
        if "gitleaks" in self.honor:
            data = read(scanner_configs.IGNORE)
            if data is not None:
                self.ignored = scanner_configs.gitleaks_ignore(data)
        if "detect-secrets" in self.honor:
            data = read(scanner_configs.BASELINE)
            if data is not None:
                self.detect_secrets = scanner_configs.detect_secrets_baseline(data)

    @property
    def rules(self) -> Ruleset:
        extra = self.gitleaks.rules if self.gitleaks is not None and self.gitleaks_rules else ()
        if self.generic and not extra and "gitleaks" not in self.honor:
            return DEFAULT
        return _ruleset(self.generic, extra, "gitleaks" in self.honor)

    def forgives(self, evidence: Evidence) -> bool:
        """Whether the team's scanner configs, where the policy trusts them, allow a finding."""
        if "gitleaks" in self.honor:
            if self.gitleaks is not None and self.gitleaks.allows(evidence):
                return True
            if self.ignored is not None and self.ignored.allows(evidence):
                return True
        return (
            "detect-secrets" in self.honor
            and self.detect_secrets is not None
            and self.detect_secrets.allows(evidence)
        )


@cache
def _ruleset(generic: bool, extra: tuple[ExtraRule, ...], gitleaks_pragma: bool) -> Ruleset:
    return Ruleset(generic, extra, gitleaks_pragma)


def _switch(file: str, table: Mapping[str, Any], key: str) -> bool:
    value = table.get(key, True)
    if not isinstance(value, bool):
        raise ConfigError(file, f"[plugins.{PLUGIN}] {key} must be true or false")
    return value


def _only_on(plan: Mapping[str, Any], key: str) -> bool:
    """A plan's switch that can only turn a family of rules on (true), never off."""
    value = plan.get(key, False)
    if value is not True and key in plan:
        raise ConfigError(PLAN_FILE, f"[plugins.{PLUGIN}] {key}: a plan can only turn it on (true)")
    return value is True


def _scanners(file: str, table: Mapping[str, Any]) -> frozenset[str]:
    value = table.get("honor", [])
    if not isinstance(value, list) or not all(v in SCANNERS for v in value):
        raise ConfigError(
            file,
            f'[plugins.{PLUGIN}] honor must be a list of "gitleaks", "detect-secrets"',
        )
    return frozenset(value)


def load_baseline(ctx: RuleContext, name: str) -> frozenset[str]:
    """The fingerprints of the baseline file `name` (relative to the repository's top), as
    committed where the policy comes from (none when the policy is not a committed one)."""
    if ".." in name.strip("/").split("/"):
        raise ConfigError(name, "baseline leaves the repository")
    data = ctx.policy_file(name)
    return frozenset() if data is None else parse_baseline(data, name)


def parse_baseline(data: bytes, name: str) -> frozenset[str]:
    """`{"fingerprints": ["<64 hex>", ...]}`; anything else is a configuration error."""
    try:
        import json

        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ConfigError(name, "baseline is not valid JSON", line) from None
    prints = document.get("fingerprints") if isinstance(document, dict) else None
    if isinstance(document, dict) and prints is None and "results" in document:
        raise ConfigError(
            name,
            "is a detect-secrets baseline, not git-agent's: name it .secrets.baseline and set"
            f' [plugins.{PLUGIN}] honor = ["detect-secrets"]',
        )
    if not isinstance(prints, list) or not all(
        isinstance(p, str) and re.fullmatch(r"[0-9a-f]{64}", p) for p in prints
    ):
        raise ConfigError(name, 'baseline must be {"fingerprints": ["<sha256 hex>", ...]}')
    return frozenset(prints)


def baseline_json(fingerprints: Iterable[str]) -> str:
    """A baseline file holding `fingerprints` (sorted, one per line)."""
    import json

    return json.dumps({"fingerprints": sorted(set(fingerprints))}, indent=2) + "\n"


# --- the hook -------------------------------------------------------------------------------------


@hookimpl
def git_agent_check_changes(changes: Sequence[Change], ctx: RuleContext) -> Sequence[Violation]:
    settings = SecretsConfig.of(ctx)
    rules = settings.rules
    found: list[Violation] = []
    known: frozenset[str] | None = None
    for change in changes:
        if change.status == "D" or change.oid is None or settings.allowed(change.path):
            continue
        findings = path_findings(change.path, rules.extra) + _scan_change(
            change, ctx, rules, settings.pragma
        )
        for finding in findings:
            if settings.baseline is not None:
                if known is None:
                    known = load_baseline(ctx, settings.baseline)
                if finding.fingerprint in known:
                    continue
            if finding.evidence is not None and settings.forgives(finding.evidence):
                continue
            found.append(
                Violation(
                    rule=finding.rule,
                    path=change.path,
                    line=None if change.binary or not finding.line else finding.line,
                    message=finding.message,
                )
            )
    return found


@hookimpl
def git_agent_check_message(message: str, ctx: RuleContext) -> Sequence[Violation]:
    """A commit's message is content too: a token pasted there travels with every clone."""
    settings = SecretsConfig.of(ctx)
    view = FileView("(commit message)", enumerate(message.splitlines(), 1))
    try:
        findings = scan(view, settings.pragma, settings.rules)
    except Exception as exc:  # never let an exception's text carry a line out
        raise PluginError(
            f"plugin {PLUGIN} failed on a commit message: {type(exc).__name__}"
        ) from None
    return [
        Violation(rule=f.rule, line=f.line, message=f"in the commit message: {f.message}")
        for f in findings
        if f.evidence is None or not settings.forgives(f.evidence)
    ]


BINARY_SCAN_BYTES = 16 << 20  # how much of a binary file is searched for printable runs
PRINTABLE_RUN = lazy_regex(r"[\x20-\x7e\t]{8,}")


def printable_runs(data: bytes) -> list[str]:
    """The runs of printable text in binary content (as `strings` finds them): a NUL byte must
    not hide a token from the rules."""
    text = data.decode("latin-1")
    return [match.group() for match in PRINTABLE_RUN.finditer(text)]


def _scan_change(change: Change, ctx: RuleContext, rules: Ruleset, pragma: bool) -> list[Finding]:
    oid = change.oid

    def text() -> str:
        return ctx.blob(oid).decode("utf-8", "replace") if oid else ""

    try:
        if change.binary:
            runs = printable_runs(ctx.head(oid, BINARY_SCAN_BYTES)) if oid else []
            return scan(FileView(change.path, enumerate(runs, 1)), pragma, rules)
        return scan(FileView(change.path, change.added_lines(), text), pragma, rules)
    except Exception as exc:  # never let an exception's text carry a line out
        raise PluginError(
            f"plugin {PLUGIN} failed on {change.path}: {type(exc).__name__}"
        ) from None


@hookimpl
def git_agent_check_config(ctx: RuleContext) -> None:
    settings = SecretsConfig.of(ctx)
    if settings.baseline is not None:
        load_baseline(ctx, settings.baseline)


# --- `python -m git_agent_plugins.secrets FILE...`: a baseline of every finding in FILEs ---------


def main(argv: Sequence[str]) -> int:
    """Print a baseline of every finding in the given files (paths relative to the repo's top)."""
    if not argv:
        print("usage: python -m git_agent_plugins.secrets FILE... > BASELINE.json", file=sys.stderr)
        return 2
    prints: list[str] = []
    for name in argv:
        try:
            lines = Path(name).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            print(f"{name}: {exc.strerror}", file=sys.stderr)
            return 3
        path = PurePosixPath(Path(name)).as_posix()
        prints.extend(f.fingerprint for f in scan(FileView(path, enumerate(lines, 1))))
    sys.stdout.write(baseline_json(prints))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
