"""The agents' tests share the live supervisor's fixtures (a supervisor always stopped after)."""

from __future__ import annotations

from tests.live.conftest import fast, supervised, watched  # noqa: F401
