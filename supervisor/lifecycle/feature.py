"""One feature: its record, where its branch, worktree and shadow are, and the rules that judge
it. Its checkpoint chain is `feature.chain`; the scanner of its shadow is `feature.scanner`."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from supervisor.config.load import load_plan
from supervisor.config.rules import Layer, Rules
from supervisor.errors import UsageError
from supervisor.rules.context import ReadOnly, RuleContext
from supervisor.rules.manager import Manager, emit
from supervisor.rules.types import Event
from supervisor.store.audit import AuditLog, Entry
from supervisor.store.names import branch_of, chain_of
from supervisor.store.state import FeatureRow

if TYPE_CHECKING:
    from supervisor.lifecycle.chain import Chain
    from supervisor.lifecycle.shadow import ShadowScanner
    from supervisor.lifecycle.workspace import Workspace


class Feature:
    def __init__(self, ws: Workspace, row: FeatureRow) -> None:
        self.ws = ws
        self.row = row
        self.name = row.name
        self.repo = ws.repo
        self.branch = branch_of(row.name)
        self.chain_ref = chain_of(row.name)
        self.worktree = Path(row.worktree)
        self.shadow = Path(row.shadow)

    @cached_property
    def chain(self) -> Chain:
        from supervisor.lifecycle.chain import Chain

        return Chain(self)

    @cached_property
    def scanner(self) -> ShadowScanner:
        from supervisor.lifecycle.shadow import ShadowScanner

        return ShadowScanner(self)

    def require_active(self) -> None:
        if self.row.state == "starting":
            raise UsageError(
                f"feature {self.name} did not finish starting: `git agent start {self.name}` "
                f"again, or `git agent remove {self.name}`"
            )
        if self.row.state != "active":
            raise UsageError(f"feature {self.name} is {self.row.state}")

    # configuration --------------------------------------------------------
    def plan_bytes(self) -> bytes | None:
        try:
            return self.ws.layout.plan(self.name).read_bytes()
        except FileNotFoundError:
            return None

    def plan(self) -> Layer | None:
        data = self.plan_bytes()
        return None if data is None else load_plan(data, self.row.plan_source or "plan.toml")

    @property
    def policy_commit(self) -> str:
        """The commit whose policy judges this feature (a trusted ancestor of its base)."""
        return self.row.policy_commit or self.row.base

    @cached_property
    def rules(self) -> Rules:
        return Rules(self.ws.policy_at(self.policy_commit), self.plan(), self.policy_commit)

    @property
    def plugins(self) -> Manager:
        return self.ws.plugins(self.rules.disabled_plugins)

    def context(self, tree: bytes | None = None, checkout: Path | None = None) -> RuleContext:
        from supervisor.lifecycle.writer import checkout_once

        make = checkout_once(self.repo, tree, checkout) if checkout is not None else None
        skipped = self.scanner.skipped()
        return RuleContext(
            self.rules, ReadOnly(self.repo), self.shadow, self.name, tree, make, skipped
        )

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.ws.layout.audit(self.name))

    def emit(self, kind: str, **data: object) -> Entry:
        """Record what happened in the audit log, then tell the observer plugins."""
        entry = self.audit.append(kind, data)
        emit(self.plugins, Event(kind, self.name, {**entry.data, "seq": entry.seq}, entry.time))
        return entry
