"""Where a policy comes from: `.git-agent/policy.toml` as of a commit (the default preset when
the commit has none), read through pygit2 (the core) or `git cat-file` (the gates)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from supervisor.config.load import POLICY_PATH, check_size, read_policy
from supervisor.config.rules import Layer
from supervisor.errors import ConfigError
from supervisor.gitio import trees
from supervisor.gitio.objects import MODE_EXEC, MODE_FILE

if TYPE_CHECKING:
    from supervisor.gitio.catfile import CatFile
    from supervisor.gitio.repo import Repo


def policy_at(repo: Repo, commit: str | None, cache: Path | None = None) -> Layer:
    """The policy committed in `commit`; the default preset when there is none (or no commit)."""
    entry = trees.lookup(repo, repo.commit_tree(commit), POLICY_PATH.encode()) if commit else None
    if entry is not None and entry[0] not in (MODE_FILE, MODE_EXEC):
        raise ConfigError(POLICY_PATH, f"is not a file in {commit[:12] if commit else 'HEAD'}")
    blob = entry[1].hex() if entry else None
    if blob is not None:
        check_size(repo.header(blob)[1], POLICY_PATH)
    return read_policy(blob, lambda: repo.read_blob(blob or ""), cache)


def policy_via(objects: CatFile, commit: str | None, cache: Path | None = None) -> Layer:
    """The same, read through `git cat-file` (no pygit2)."""
    found = objects.info(f"{commit}:{POLICY_PATH}") if commit else None
    if found is not None and found[0] != "blob":
        raise ConfigError(POLICY_PATH, f"is not a file in {commit[:12] if commit else 'HEAD'}")
    blob = found[2] if found else None
    if found is not None:
        check_size(found[1], POLICY_PATH)
    return read_policy(blob, lambda: objects.read(blob or "")[1], cache)
