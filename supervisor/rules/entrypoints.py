"""The plugins installed in this interpreter: the `git_agent` entry points of every
distribution on `sys.path`, read from their `entry_points.txt` as importlib.metadata does, but
without its import cost (the gates run on every commit)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

GROUP = "git_agent"
_SECTION = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")
_DIST = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)\.(?:dist|egg)-info$")


@dataclass(frozen=True)
class EntryPoint:
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
