"""The agents' tests share the live supervisor's fixtures (a supervisor always stopped after).

Agents run under Landlock where the kernel has it: what a test agent writes outside its shadow
goes to `outbox`, which the test's policy declares writable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live.conftest import fast, supervised, watched  # noqa: F401


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    path = tmp_path / "outbox"
    path.mkdir()
    return path


def writable(path: Path) -> str:
    """The policy's `[sandbox]` table letting agents write `path`."""
    return f'\n[sandbox]\nwritable = ["{path}"]\n'
