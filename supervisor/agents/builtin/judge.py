"""Judging a write before it happens. The supervisor that watches the shadow answers first
(over its socket: it holds the feature's rules and lock already, and it is the one process
that may write into the repository's object store when the agent is sandboxed out of it).
When no supervisor answers, the write is judged here, in-process, as `git agent` would judge
it. When neither can judge it, the write is refused: an agent never writes unjudged."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from supervisor.errors import FatalError
from supervisor.lifecycle.prospective import check_write, shadow_path
from supervisor.lifecycle.workspace import open_feature
from supervisor.live.client import ask


class Verdict(NamedTuple):
    """The error-level violations (the write is refused when there is any) and the warnings;
    `refusal` when the write could not even be judged (a path outside the shadow, ...)."""

    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    refusal: str | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None and not self.errors


class Judge:
    def __init__(
        self, feature: str, live_dir: Path | None, env: Mapping[str, str], cwd: str
    ) -> None:
        self.feature = feature
        self.live_dir = live_dir
        self.env = env
        self.cwd = cwd

    def check(self, path: str, data: bytes | None, kind: str = "file") -> Verdict:
        """What writing `data` at `path` (relative to the shadow; None: removing it) would
        bring under the feature's rules."""
        answer = self._ask(path, data, kind)
        if answer is not None:
            return answer
        return self._here(path, data, kind)

    def _ask(self, path: str, data: bytes | None, kind: str) -> Verdict | None:
        if self.live_dir is None:
            return None
        request = {
            "op": "check-write",
            "feature": self.feature,
            "path": path,
            "content": None if data is None else base64.b64encode(data).decode(),
            "kind": kind,
        }
        found = ask(self.live_dir, request)
        if found is None or not found.get("handled"):
            return None  # no supervisor, or one that does not watch this feature
        if not found.get("ok"):
            return Verdict([], [], str(found.get("error") or "the supervisor refused the write"))
        return _verdict(list(found.get("violations") or []))

    def _here(self, path: str, data: bytes | None, kind: str) -> Verdict:
        try:
            with open_feature(self.env, self.cwd, self.feature) as feature:
                rel = shadow_path(feature, path)
                found = check_write(feature, rel, data, kind)
        except FatalError as exc:
            return Verdict([], [], str(exc))
        except Exception as exc:  # a sandbox that keeps us out of the object store, ...
            return Verdict([], [], f"the write could not be judged, so it was not made: {exc}")
        return _verdict([v.as_json() for v in found])


def _verdict(violations: list[dict[str, Any]]) -> Verdict:
    errors = [v for v in violations if v.get("severity") == "error"]
    warnings = [v for v in violations if v.get("severity") != "error"]
    return Verdict(errors, warnings)
