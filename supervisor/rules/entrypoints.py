"""The plugins installed in this interpreter: the `git_agent` entry points of every
distribution on `sys.path`, read from their `entry_points.txt` as importlib.metadata does, but
without its import cost (the gates run on every commit).

What a scan found can be kept in a cache file, valid while the interpreter, `sys.path` and the
modification times of its folders stay the same (installing or removing a distribution
changes the time of the folder it lands in)."""

from __future__ import annotations

import marshal
import os
import re
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

GROUP = "git_agent"
_SECTION = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")
_DIST = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)\.(?:dist|egg)-info$")


class EntryPoint(NamedTuple):
    name: str
    value: str  # "module" or "module:attribute"
    dist: str
    version: str

    def load(self) -> object:
        import importlib

        module_name, _, attribute = self.value.partition(":")
        target: object = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            target = getattr(target, part)
        return target


def entry_points(paths: Iterable[str] | None = None) -> list[EntryPoint]:
    """Every `git_agent` entry point, the first distribution of a name on the path winning."""
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for directory in sys.path if paths is None else paths:
        for dist, version, text in _distributions(directory or "."):
            key = re.sub(r"[-_.]+", "_", dist).lower()
            if key in seen:
                continue
            seen.add(key)
            found.extend(EntryPoint(n, v, dist, version) for n, v in _group(text))
    return sorted(found, key=lambda e: e.name)


def _distributions(directory: str) -> Iterable[tuple[str, str, str]]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return
    for name in names:
        match = _DIST.match(name)
        if match is None:
            continue
        try:
            with open(os.path.join(directory, name, "entry_points.txt"), encoding="utf-8") as fh:
                text = fh.read()
        except OSError:
            text = ""
        yield match["name"], match["version"], text


def _group(text: str) -> Iterable[tuple[str, str]]:
    inside = False
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section:
            inside = section.group(1) == GROUP
            continue
        name, sep, value = line.partition("=")
        if inside and sep and not line.lstrip().startswith(("#", ";")):
            yield name.strip(), value.strip()


def cached_entry_points(cache: Path | None) -> list[EntryPoint]:
    """`entry_points()`, through the cache file `cache` when one is given."""
    if cache is None:
        return entry_points()
    key = _cache_key()
    tag = zlib.crc32(repr(key[:2]).encode())
    cache = cache.with_name(f"{cache.stem}-{tag:08x}.marshal")
    try:
        data = marshal.loads(cache.read_bytes())
        if data.get("key") == key:
            return [EntryPoint(*item) for item in data["found"]]
    except (OSError, ValueError, EOFError, TypeError, KeyError, AttributeError):
        pass
    found = entry_points()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps({"key": key, "found": [tuple(e) for e in found]}))
        os.replace(tmp, cache)
    except OSError:
        pass
    return found


def _cache_key() -> list[object]:
    times: list[object] = []
    for directory in sys.path:
        try:
            times.append(os.stat(directory or ".").st_mtime_ns)
        except OSError:
            times.append(None)
    return [sys.executable, list(sys.path), times]
