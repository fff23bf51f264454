"""The secret scanners' configs a team already has, read (never run) for the `secrets` plugin.

- `.gitleaks.toml` (gitleaks v8): `[[rules]]` (id, regex, keywords, entropy, secretGroup,
  path) become extra rules `secrets.<id>`; `[allowlist]`, `[[allowlists]]` (with
  `targetRules`), `[[rules.allowlists]]`, `[extend] useDefault / path / disabledRules`.
  Go regular expressions are translated for Python's `re` (`_goregex`), or refused.
- `.gitleaksignore`: fingerprints of findings to leave out.
- `.secrets.baseline` (detect-secrets): the known secrets (SHA-1) and the regex filters; a
  baseline naming custom plugins or filters (code detect-secrets would import) is refused.

Everything here is parsed from bytes the caller read from the commit the policy came from;
nothing is fetched, imported or executed. Parsing is cached by content.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ._evidence import BASELINE, CONFIG, IGNORE, Evidence

if TYPE_CHECKING:
    from ._gitleaks import ALIASES, rule_ids
    from ._goregex import GoRegexError, compile_go, translate
    from ._model import Allowlist, Baseline, ExtraRule, Gitleaks, Ignored

# The files, at the top of the repository, that hold a scanner's decisions: a change to any
# of them is a change of the policy (`git.policy` guards them too).
FILES = (CONFIG, IGNORE, BASELINE)
Read = Callable[[str], bytes | None]
_CACHE: dict[tuple[bytes, str], tuple[Gitleaks, dict[str, bytes | None]]] = {}


def gitleaks(data: bytes, read: Read, name: str = CONFIG) -> Gitleaks:
    """The gitleaks config in `data`; `read(path)` gives a file it extends (or None). Parsed
    once per content (of it and of the files it extends)."""
    from ._gitleaks import load_gitleaks

    cached = _CACHE.get((data, name))
    if cached is not None and all(read(path) == held for path, held in cached[1].items()):
        return cached[0]
    seen: dict[str, bytes | None] = {}

    def reading(path: str) -> bytes | None:
        seen[path] = read(path)
        return seen[path]

    config = load_gitleaks(data, name, reading)
    if len(_CACHE) >= 8:
        _CACHE.clear()
    _CACHE[data, name] = (config, seen)
    return config


@lru_cache(maxsize=8)
def gitleaks_ignore(data: bytes, name: str = IGNORE) -> Ignored:
    from ._gitleaks import load_ignore

    return load_ignore(data, name)


@lru_cache(maxsize=8)
def detect_secrets_baseline(data: bytes, name: str = BASELINE) -> Baseline:
    from ._detect_secrets import load_baseline

    return load_baseline(data, name)


_LAZY = {
    "ALIASES": "_gitleaks",
    "rule_ids": "_gitleaks",
    "GoRegexError": "_goregex",
    "compile_go": "_goregex",
    "translate": "_goregex",
    "Allowlist": "_model",
    "Baseline": "_model",
    "ExtraRule": "_model",
    "Gitleaks": "_model",
    "Ignored": "_model",
}


def __getattr__(name: str) -> Any:
    """The parsers' own names, imported when first asked for (the hook path needs none)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)


__all__ = [
    "ALIASES",
    "BASELINE",
    "CONFIG",
    "FILES",
    "IGNORE",
    "Allowlist",
    "Baseline",
    "Evidence",
    "ExtraRule",
    "Gitleaks",
    "GoRegexError",
    "Ignored",
    "Read",
    "compile_go",
    "detect_secrets_baseline",
    "gitleaks",
    "gitleaks_ignore",
    "rule_ids",
    "translate",
]
