"""One module per command; each has `run(args, out, env, cwd) -> exit code`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from supervisor.gitio import Repo
from supervisor.layout import Layout
from supervisor.settings import Settings
from supervisor.state import open_state
from supervisor.workspace import Feature, Workspace


@contextmanager
def workspace(env: Mapping[str, str], cwd: str) -> Iterator[Workspace]:
    repo = Repo.discover(Path(cwd))
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
            if found.row.state == "active":
                roll_forward(found)
            yield found
