"""What the scanners' configs become: extra rules, and allowlists that look at a finding."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from supervisor.plugin import ConfigError

from ._evidence import Evidence


def shannon(text: str) -> float:
    """Shannon entropy in bits per character (as gitleaks computes it, over characters)."""
    if not text:
        return 0.0
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values())


@dataclass(frozen=True)
class Allowlist:
    """A gitleaks allowlist: `[allowlist]`, `[[allowlists]]`, `[[rules.allowlists]]`.

    With the condition OR (the default) a finding is allowed when any check holds; with AND,
    when every check the allowlist sets holds. Commits never match: the config is read from
    the commit the policy came from, which cannot name a commit under review.
    """

    where: str  # for messages: "[[allowlists]] 2", "rule 'x' [[rules.allowlists]] 1"
    every: bool  # condition AND
    commits: tuple[str, ...]
    paths: tuple[re.Pattern[str], ...]
    regexes: tuple[re.Pattern[str], ...]
    target: str  # "secret", "match" or "line"
    stopwords: tuple[str, ...]  # lowercase
    rules: frozenset[str] | None  # the rule ids it applies to; None: every rule

    def allows(self, evidence: Evidence) -> bool:
        if self.rules is not None and evidence.rule not in self.rules:
            return False
        checks: list[bool] = []
        if self.commits:
            checks.append(False)
        if self.paths:
            checks.append(any(p.search(evidence.path) for p in self.paths))
        if self.regexes:
            target = {"match": evidence.match, "line": evidence.text}.get(
                self.target, evidence.secret
            )
            checks.append(bool(target) and any(r.search(target) for r in self.regexes))
        if self.stopwords:
            low = evidence.secret.lower()
            checks.append(bool(low) and any(word in low for word in self.stopwords))
        return all(checks) if self.every else any(checks)


@dataclass(frozen=True)
class ExtraRule:
    """A `[[rules]]` entry of `.gitleaks.toml`, enforced as `secrets.<its id>`."""

    id: str  # secrets.<their id>
    label: str
    regex: re.Pattern[str] | None
    secret_group: int
    entropy: float
    path: re.Pattern[str] | None
    keywords: tuple[str, ...]  # lowercase; empty: every line is looked at

    def applies_to(self, path: str) -> bool:
        return self.path is None or self.path.search(path) is not None

    def find(self, text: str) -> Iterator[tuple[int, int, str, str]]:
        """(start, end, secret, match) of each finding in one line, as gitleaks finds them: the
        secret is the `secretGroup` group, or the first non-empty group, or the whole match; its
        entropy must exceed the rule's `entropy` when that is set."""
        if self.regex is None:
            return
        for hit in self.regex.finditer(text):
            group = self.secret_group
            if not group and hit.re.groups:
                group = next((g for g in range(1, hit.re.groups + 1) if hit.group(g)), 0)
            secret = hit.group(group) or ""
            if not secret or (self.entropy and shannon(secret) <= self.entropy):
                continue
            start, end = hit.span(group)
            yield start, end, secret, hit.group()


@dataclass(frozen=True)
class Gitleaks:
    """What `.gitleaks.toml` says: its rules, its allowlists (every kind, each knowing the
    rules it applies to), and the rules `[extend] disabledRules` switches off."""

    rules: tuple[ExtraRule, ...]
    allowlists: tuple[Allowlist, ...]
    disabled: frozenset[str]

    def allows(self, evidence: Evidence) -> bool:
        return evidence.rule in self.disabled or any(a.allows(evidence) for a in self.allowlists)


@dataclass(frozen=True)
class Ignored:
    """`.gitleaksignore`: fingerprints `file:rule:line` (and `commit:file:rule:line`, which
    never match new work: its commit cannot be named before it exists); `*` matches any value
    of a field."""

    entries: tuple[tuple[str | None, str, frozenset[str], str], ...]  # commit, file, ids, line

    def allows(self, evidence: Evidence) -> bool:
        line = str(evidence.line)
        for commit, path, rules, number in self.entries:
            if commit not in (None, "*"):
                continue
            if path not in ("*", evidence.path) or number not in ("*", line):
                continue
            if "*" in rules or evidence.rule in rules:
                return True
        return False


@dataclass(frozen=True)
class Baseline:
    """detect-secrets' `.secrets.baseline`: the secrets it knows (SHA-1, by file) and its
    regex filters (files, lines and secrets to leave out)."""

    known: dict[str, frozenset[str]]
    exclude_files: tuple[re.Pattern[str], ...]
    exclude_lines: tuple[re.Pattern[str], ...]
    exclude_secrets: tuple[re.Pattern[str], ...]

    def allows(self, evidence: Evidence) -> bool:
        if any(p.search(evidence.path) for p in self.exclude_files):
            return True
        if any(p.search(evidence.text) for p in self.exclude_lines):
            return True
        if evidence.secret and any(p.search(evidence.secret) for p in self.exclude_secrets):
            return True
        known = self.known.get(evidence.path)
        if known is None:
            return False
        if not known.isdisjoint(evidence.sha1()):
            return True
        # What detect-secrets itself hashed for this line: not always the secret (its GitHub
        # detector stores the hash of the token's prefix), so ask its detectors, and count the
        # finding as known when one of their secrets on the line is listed and is part of it.
        return any(
            digest in known and (value in evidence.match or evidence.secret in value)
            for value, digest in library_secrets(evidence.path, evidence.text)
        )


@lru_cache(maxsize=256)
def library_secrets(path: str, text: str) -> tuple[tuple[str, str], ...]:
    """(secret, SHA-1) of what detect-secrets' built-in detectors report on one line, with
    their default settings (imported only here: a finding in a file its baseline lists)."""
    found: list[tuple[str, str]] = []
    try:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.settings import default_settings

        with default_settings():
            # abstract in its stubs, concrete at run time
            detectors: list[Any] = list(get_mapping_from_secret_type_to_class().values())
            for plugin in detectors:
                for secret in plugin().analyze_line(filename=path, line=text, line_number=0):
                    if secret.secret_value:
                        found.append((secret.secret_value, secret.secret_hash))
    except Exception:  # its detectors failing on a line: nothing is known, the finding stands
        return ()
    return tuple(found)


def python_regexes(file: str, where: str, patterns: object) -> tuple[re.Pattern[str], ...]:
    """detect-secrets' patterns (Python syntax): a string or a list of strings."""
    items: Sequence[object] = [patterns] if isinstance(patterns, str) else patterns  # type: ignore[assignment]
    if not isinstance(items, list | tuple) or not all(isinstance(p, str) for p in items):
        raise ConfigError(file, f"{where}: pattern must be a string or a list of strings")
    compiled = []
    for pattern in items:
        assert isinstance(pattern, str)
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigError(file, f"{where}: invalid pattern {pattern!r}: {exc.msg}") from None
    return tuple(compiled)
