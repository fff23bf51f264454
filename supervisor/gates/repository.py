"""What every gate needs of the repository: where it is, its history and objects through the
git CLI, the policy as of a commit (cached), and the plugins a policy leaves on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from supervisor.config.load import POLICY_PATH
from supervisor.config.rules import Layer, Rules
from supervisor.config.settings import blocked_from
from supervisor.config.source import policy_via
from supervisor.errors import UsageError
from supervisor.gates.adoption import PERSON, judge_policy_changes, split
from supervisor.gitio.catfile import CatFile
from supervisor.gitio.change import Change
from supervisor.gitio.locate import Location, locate
from supervisor.gitio.plumbing import Plumbing
from supervisor.rules import manager as plugin_manager
from supervisor.rules.context import RuleContext
from supervisor.rules.engine import Report, judge, leveled
from supervisor.store.layout import Layout


class GateRepo:
    def __init__(self, where: Location, env: Mapping[str, str]) -> None:
        self.where = where
        self.git = Plumbing(where)
        self.objects = CatFile(where.git_dir)
        self.layout = Layout.of(where.common_dir)
        self.blocked = blocked_from(env)
        self._policies: dict[str, Layer] = {}
        self._managers: dict[frozenset[str], plugin_manager.Manager] = {}

    def policy_at(self, commit: str | None) -> Layer:
        """The policy committed in `commit` (the default preset when none is)."""
        key = commit or ""
        if key not in self._policies:
            self._policies[key] = policy_via(self.objects, commit, self.layout.cache_dir)
        return self._policies[key]

    def has_policy(self, commit: str | None) -> bool:
        """Whether `commit` holds a committed policy (else the default preset applies)."""
        return commit is not None and self.objects.info(f"{commit}:{POLICY_PATH}") is not None

    def plugins(self, rules: Rules) -> plugin_manager.Manager:
        disabled = rules.disabled_plugins
        if disabled not in self._managers:
            self._managers[disabled] = plugin_manager.load(
                disabled, self.blocked, cache=self.layout.plugins_cache
            )
        return self._managers[disabled]

    def judge(
        self,
        rules: Rules,
        changes: list[Change],
        tree: Callable[[], str],
        mode: str = PERSON,
        approvals: Iterable[str] = (),
        message: str | None = None,
    ) -> Report:
        """Every rule over `changes`, the policy's own files by the adoption rules (`mode`:
        who changes them, see `gates.adoption`); `tree` names the content under review (a
        tree-ish), asked for only when a rule looks into the tree."""
        ctx = RuleContext(rules, self.objects, tree=lambda: self._tree_id(tree()))
        policy_changes, others = split(changes)
        report = judge(self.plugins(rules), ctx, others, message)
        had_policy = rules.policy.file == POLICY_PATH
        said = judge_policy_changes(policy_changes, had_policy, mode, approvals)
        violations = report.violations + leveled(said.violations, ctx)
        out = Report(violations, list(changes), report.failures, said.notices, said.approved)
        out.in_message = report.in_message
        out.blocked = report.blocked
        return out

    def _tree_id(self, tree: str) -> bytes | None:
        found = self.objects.info(f"{tree}^{{tree}}")
        return bytes.fromhex(found[2]) if found else None

    def close(self) -> None:
        self.objects.close()


@contextmanager
def gate_repo(
    cwd: Path, env: Mapping[str, str], bare_ok: bool = False, head: bool = False
) -> Iterator[GateRepo]:
    where = locate(cwd, env, head)
    if where.bare and not bare_ok:
        raise UsageError(f"a bare repository has no work tree for git-agent: {where.git_dir}")
    repo = GateRepo(where, env)
    try:
        yield repo
    finally:
        repo.close()
