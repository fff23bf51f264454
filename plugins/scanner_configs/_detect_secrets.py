"""detect-secrets' `.secrets.baseline`, read and never run.

A baseline lists the secrets a team has already seen (`results`: by file, the SHA-1 of each
secret) and the filters it scanned with (`filters_used`, among them its regex filters on files,
lines and secrets). detect-secrets would import the Python files a baseline names as custom
plugins (`plugins_used` entries with a `path`) or custom filters (a `filters_used` path outside
`detect_secrets.`); git-agent refuses such a baseline instead.
"""

from __future__ import annotations

import json
import re
from typing import Any

from supervisor.plugin import ConfigError

from ._evidence import BASELINE
from ._model import Baseline, python_regexes

SHA1 = re.compile(r"[0-9a-f]{40}")
REGEX_FILTERS = {
    "detect_secrets.filters.regex.should_exclude_file": "files",
    "detect_secrets.filters.regex.should_exclude_line": "lines",
    "detect_secrets.filters.regex.should_exclude_secret": "secrets",
}


def load_baseline(data: bytes, name: str = BASELINE) -> Baseline:
    """The baseline `name` holds; a `ConfigError` for anything that is not one, or that names
    code to run."""
    try:
        document = json.loads(data)
    except UnicodeDecodeError:
        raise ConfigError(name, "is not UTF-8") from None
    except ValueError as exc:
        raise ConfigError(name, "is not valid JSON", getattr(exc, "lineno", None)) from None
    if not isinstance(document, dict) or not isinstance(document.get("results", {}), dict):
        raise ConfigError(name, 'is not a detect-secrets baseline (no "results" object)')
    _refuse_code(document, name)
    excluded: dict[str, list[re.Pattern[str]]] = {"files": [], "lines": [], "secrets": []}
    for entry in document.get("filters_used", []):
        kind = REGEX_FILTERS.get(entry["path"])
        if kind is not None:
            excluded[kind].extend(python_regexes(name, entry["path"], entry.get("pattern", [])))
    old = document.get("exclude")  # detect-secrets 0.x: {"files": regex, "lines": regex}
    if isinstance(old, dict):
        for kind in ("files", "lines"):
            if old.get(kind):
                excluded[kind].extend(python_regexes(name, f"exclude {kind}", old[kind]))
    known: dict[str, set[str]] = {}
    for path, entries in document.get("results", {}).items():
        if not isinstance(path, str) or not isinstance(entries, list):
            raise ConfigError(name, "results must map file names to lists of secrets")
        hashes = known.setdefault(path.replace("\\", "/").removeprefix("./"), set())
        for entry in entries:
            digest = entry.get("hashed_secret") if isinstance(entry, dict) else None
            if not isinstance(digest, str) or not SHA1.fullmatch(digest):
                raise ConfigError(name, f"results of {path!r}: hashed_secret must be a SHA-1")
            hashes.add(digest)
    return Baseline(
        {path: frozenset(hashes) for path, hashes in known.items()},
        tuple(excluded["files"]),
        tuple(excluded["lines"]),
        tuple(excluded["secrets"]),
    )


def _refuse_code(document: dict[str, Any], name: str) -> None:
    """Custom plugins and filters are Python files detect-secrets would import: refused."""
    plugins = document.get("plugins_used", [])
    if not isinstance(plugins, list) or not all(isinstance(p, dict) for p in plugins):
        raise ConfigError(name, "plugins_used must be a list of objects")
    for plugin in plugins:
        if "path" in plugin:
            raise ConfigError(
                name,
                f"custom plugin {plugin.get('name', '?')!r} ({plugin['path']}) refused: git-agent"
                " runs nothing a baseline names; remove it from plugins_used",
            )
    custom = document.get("custom_plugin_paths")  # detect-secrets 0.x
    if custom:
        raise ConfigError(
            name, "custom_plugin_paths refused: git-agent runs nothing a baseline names"
        )
    filters = document.get("filters_used", [])
    if not isinstance(filters, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) for f in filters
    ):
        raise ConfigError(name, "filters_used must be a list of objects with a path")
    for entry in filters:
        path = entry["path"]
        if not path.startswith("detect_secrets."):
            raise ConfigError(
                name,
                f"custom filter {path!r} refused: git-agent runs nothing a baseline names;"
                " remove it from filters_used",
            )
