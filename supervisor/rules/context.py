"""What a rule sees besides the change: the effective rules, its configuration and read-only
access to the content under review."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from supervisor.config.rules import Rules
from supervisor.gitio import trees
from supervisor.gitio.objects import MODE_EXEC, MODE_FILE, MODE_TREE


class ObjectReader(Protocol):
    """Read-only access to git objects (ids as raw bytes or hex)."""

    def read(self, oid: bytes | str) -> tuple[int, bytes]: ...
    def header(self, oid: bytes | str) -> tuple[int, int]: ...
    def head(self, oid: bytes | str, size: int) -> bytes: ...


class ReadOnly:
    """An object reader that can only read, whatever the object behind it can do."""

    __slots__ = ("_source",)

    def __init__(self, source: ObjectReader) -> None:
        self._source = source

    def read(self, oid: bytes | str) -> tuple[int, bytes]:
        return self._source.read(oid)

    def header(self, oid: bytes | str) -> tuple[int, int]:
        return self._source.header(oid)

    def head(self, oid: bytes | str, size: int) -> bytes:
        return self._source.head(oid, size)


class RuleContext:
    """`rules`: the policy narrowed by the plan. `root`: the directory holding the content under
    review, when there is one (a shadow; the gates have none). `tree`: the raw id of the tree
    under review, when the caller knows it (given, or found on first use). Content is read
    through the methods below."""

    def __init__(
        self,
        rules: Rules,
        objects: ObjectReader,
        root: Path | None = None,
        feature: str | None = None,
        tree: bytes | Callable[[], bytes | None] | None = None,
        checkout: Callable[[], Path] | None = None,
        skipped: Mapping[str, tuple[str, int]] | None = None,
    ) -> None:
        self.rules = rules
        self.objects = objects
        self.root = root
        self.feature = feature
        self._tree = tree
        self._checkout = checkout
        # what the scan of `root` found and could not take into the tree: path -> (why, size);
        # why is "git-dir" (a nested repository's .git) or "too-large" (not stored)
        self.skipped: Mapping[str, tuple[str, int]] = skipped or {}

    @property
    def tree(self) -> bytes | None:
        if callable(self._tree):
            self._tree = self._tree()
        return self._tree

    def config(self, plugin: str) -> Mapping[str, Any]:
        """`[plugins.<plugin>]` of the policy."""
        return self.rules.plugin_config(plugin)[0]

    def plan_config(self, plugin: str) -> Mapping[str, Any]:
        """`[plugins.<plugin>]` of the plan: use it only to narrow what the policy allows."""
        return self.rules.plugin_config(plugin)[1]

    def blob(self, oid: str) -> bytes:
        """A blob's bytes."""
        return self.objects.read(oid)[1]

    def head(self, oid: str, size: int) -> bytes:
        """A blob's first `size` bytes (without reading all of a large one where it can)."""
        return self.objects.head(oid, size)

    def size(self, oid: str) -> int:
        """A blob's size in bytes, from its header."""
        return self.objects.header(oid)[1]

    def entry(self, path: str) -> tuple[int, str] | None:
        """(mode, hex id) at `path` in the tree under review; None when absent or unknown."""
        tree = self.tree
        if tree is None:
            return None
        found = trees.lookup(self.objects, tree, os.fsencode(path))
        return None if found is None else (found[0], found[1].hex())

    def names_in(self, directory: str) -> list[str]:
        """The names directly in `directory` ("" for the top) of the tree under review."""
        tree = self.tree
        if tree is None:
            return []
        if directory:
            found = trees.lookup(self.objects, tree, os.fsencode(directory))
            tree = found[1] if found is not None and found[0] == MODE_TREE else None
        return [os.fsdecode(name) for name in trees.read_tree(self.objects, tree)]

    def policy_file(self, path: str) -> bytes | None:
        """The file at `path` in the commit the policy was read from (a baseline, a scanner's
        config): never from the change under review. None when absent or not a file."""
        if self.rules.source is None or ".." in path.split("/"):
            return None
        _, data = self.objects.read(self.rules.source)
        tree = bytes.fromhex(data[5:45].decode())  # a commit starts with "tree <hex id>"
        found = trees.lookup(self.objects, tree, os.fsencode(path.strip("/")))
        if found is None or found[0] not in (MODE_FILE, MODE_EXEC):
            return None
        return self.objects.read(found[1])[1]

    def checkout(self) -> Path:
        """A directory holding exactly the content to promote, made on first call (only before
        a promotion; the gates have none)."""
        if self._checkout is None:
            raise RuntimeError("no checkout here: only git_agent_before_promote gets one")
        return self._checkout()
