"""One module per command; each has `run(args, out, env, cwd) -> exit code`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from supervisor.errors import UsageError
from supervisor.gitio import Repo
from supervisor.layout import Layout
from supervisor.settings import Settings
from supervisor.state import open_state

if TYPE_CHECKING:  # imported where used: the git hooks import this package and need neither
    from supervisor.workspace import Feature, Workspace


def served_repo(repo: Repo) -> Repo:
    """Inside a shadow, the repository it serves, so an agent can run `git agent` where it works."""
    from supervisor.workspace import SHADOW_MARKER

    marker = Path(repo.raw.path) / SHADOW_MARKER
    if not marker.is_file():
        return repo
    served = Path(marker.read_text().strip())
    if not Layout.of(served).db.is_file():
        raise UsageError(f"{marker} names {served}, which holds no git-agent state")
    return Repo.open(served)


@contextmanager
def workspace(env: Mapping[str, str], cwd: str) -> Iterator[Workspace]:
    from supervisor.workspace import Workspace

    repo = served_repo(Repo.discover(Path(cwd)))
    settings = Settings.from_env(env)
    with open_state(Layout.of(repo.common_dir).db) as state:
        yield Workspace(repo, state, settings)


@contextmanager
def feature(env: Mapping[str, str], cwd: str, name: str) -> Iterator[Feature]:
    """The named feature, locked, with any interrupted promotion rolled forward."""
    from supervisor.promote import roll_forward

    with workspace(env, cwd) as ws:
        ws.feature(name)
        with ws.locked(name):
            found = ws.feature(name)
            if found.row.state == "active" and roll_forward(found):
                found = ws.feature(name)  # the row as the finished promotion left it
            yield found
            if found.row.state == "active":
                found.flush()
