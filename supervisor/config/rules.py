"""The rules in force, as plain objects: a policy and a plan, each read once from a validated
file (see `config.models`), and their intersection, which is what every rule consults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from supervisor.config.globs import Globs

RANK: dict[str, int] = {"off": 0, "warning": 1, "error": 2}
LIMIT_NUMBERS = (
    "max_file_bytes",
    "max_files_changed",
    "max_lines_added",
    "max_lines_deleted",
    "disk_quota_bytes",
)
LIMIT_SWITCHES = ("allow_binary", "allow_executable", "allow_symlinks", "allow_delete")


class Limits(NamedTuple):
    """`[limits]`: every number an upper bound, every switch a permission; None = not set."""

    max_file_bytes: int | None = None
    max_files_changed: int | None = None
    max_lines_added: int | None = None
    max_lines_deleted: int | None = None
    disk_quota_bytes: int | None = None
    allow_binary: bool | None = None
    allow_executable: bool | None = None
    allow_symlinks: bool | None = None
    allow_delete: bool | None = None

    def narrowed(self, other: Limits) -> Limits:
        """The stricter of each limit; an unset limit does not constrain."""
        merged: dict[str, Any] = {}
        for name in LIMIT_NUMBERS:
            values = [v for v in (getattr(self, name), getattr(other, name)) if v is not None]
            merged[name] = min(values) if values else None
        for name in LIMIT_SWITCHES:
            values = [v for v in (getattr(self, name), getattr(other, name)) if v is not None]
            merged[name] = all(values) if values else None
        return Limits(**merged)


class Live(NamedTuple):
    """`[live]` of the policy: how the supervisor watches (see config.models.LiveTable)."""

    quiet_ms: int = 200
    checkpoint_quiet_s: float = 5.0
    checkpoint_every_s: float = 60.0
    reconcile_every_s: float = 300.0
    pause_by_hand: bool = False


ACTIONS = {"report": 0, "revert-file": 1, "pause": 2}
POLICY_TABLES = ("scheduling", "environment", "sandbox", "setup")
# the limits of an agent a plan can only lower
AGENT_LIMITS = ("timeout", "max_tokens", "max_usd", "max_turns")
DEFAULT_CONTAINMENT = {"git": "revert-file", "symlink": "revert-file", "secrets": "pause"}


class Check(NamedTuple):
    """One `[[checks]]` entry of a plan: a command run before promotion."""

    name: str
    run: list[str] | str
    timeout: float = 600.0


class Layer(NamedTuple):
    """One validated file, policy or plan: what it allows, denies, limits and configures."""

    allow: tuple[str, ...] = ("**",)
    deny: tuple[str, ...] = ()
    limits: Limits = Limits()
    rules: Mapping[str, str] = {}
    plugins: Mapping[str, Mapping[str, Any]] = {}
    disable: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    description: str = ""
    file: str = ""  # where it was read from, for error messages
    text: str = ""  # its text, to say at which line a key is
    live: Live = Live()
    containment: Mapping[str, str] = {}
    agents: Mapping[str, Mapping[str, Any]] = {}  # `[agents.<name>]`, as validated
    after: tuple[str, ...] = ()  # a plan's: start once these features are promoted
    priority: int = 0
    tables: Mapping[str, Mapping[str, Any]] = {}  # scheduling, environment, sandbox, setup

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], file: str = "", text: str = "") -> Layer:
        """From a validated model's dump (`model_dump()`), a cache included."""
        scope = data.get("scope", {})
        plugins = dict(data.get("plugins", {}))
        disable = tuple(plugins.pop("disable", ()))
        names = set(Limits._fields)
        return cls(
            allow=tuple(scope.get("allow", ("**",))),
            deny=tuple(scope.get("deny", ())),
            limits=Limits(**{k: v for k, v in data.get("limits", {}).items() if k in names}),
            rules=dict(data.get("rules", {})),
            plugins=plugins,
            disable=disable,
            checks=tuple(Check(**c) for c in data.get("checks", ())),
            description=str(data.get("description", "")),
            file=file,
            text=text,
            live=Live(**{k: v for k, v in data.get("live", {}).items() if k in Live._fields}),
            containment=dict(data.get("containment", {})),
            agents={k: dict(v) for k, v in data.get("agents", {}).items()},
            after=tuple(data.get("after", ())),
            priority=int(data.get("priority", 0)),
            tables={k: dict(data[k]) for k in POLICY_TABLES if isinstance(data.get(k), dict)},
        )


class Rules:
    """The effective rules of one judgement: the policy narrowed by a plan (when there is one).

    `source` is the commit the policy was read from: files it names (a baseline) live there."""

    __slots__ = ("allow", "deny", "limits", "plan", "policy", "source")

    def __init__(self, policy: Layer, plan: Layer | None = None, source: str | None = None) -> None:
        self.policy = policy
        self.plan = plan
        self.source = source
        layers = [policy] if plan is None else [policy, plan]
        self.allow = tuple(Globs(x.allow) for x in layers)
        self.deny = tuple(Globs(x.deny) for x in layers)
        self.limits = policy.limits if plan is None else policy.limits.narrowed(plan.limits)

    @property
    def checks(self) -> tuple[Check, ...]:
        return self.plan.checks if self.plan is not None else ()

    @property
    def disabled_plugins(self) -> frozenset[str]:
        """The plugins the policy turns off (a plan cannot)."""
        return frozenset(self.policy.disable)

    def allowed(self, path: str) -> bool:
        return all(globs.match(path) for globs in self.allow)

    def denied(self, path: str) -> bool:
        return any(globs.match(path) for globs in self.deny)

    def severity(self, rule: str, default: str) -> str:
        """The policy's level for `rule`; a plan may raise it, never lower it."""
        level = severity_of(rule, self.policy.rules, default)
        if self.plan is not None:
            wanted = severity_of(rule, self.plan.rules, level)
            level = max(level, wanted, key=RANK.__getitem__)
        return level

    @property
    def live(self) -> Live:
        return self.policy.live

    def action(self, rule: str) -> str:
        """What the supervisor does when `rule` fires: the policy's action for the rule or its
        nearest dotted prefix (the defaults: git.* and symlink.* revert the file, secrets.*
        pause, the rest report), and a plan's when it is stricter."""
        table = {**DEFAULT_CONTAINMENT, **self.policy.containment}
        action = severity_of(rule, table, "report")
        if self.plan is not None:
            wanted = severity_of(rule, self.plan.containment, action)
            action = max(action, wanted, key=ACTIONS.__getitem__)
        return action

    def agent(self, name: str) -> dict[str, Any] | None:
        """`[agents.<name>]`: the policy's, with the plan's keys over it (its limits only
        lower the policy's); None when neither names it."""
        mine = self.policy.agents.get(name)
        theirs = self.plan.agents.get(name) if self.plan is not None else None
        if mine is None and theirs is None:
            return None
        merged = {**(mine or {}), **{k: v for k, v in (theirs or {}).items() if v is not None}}
        for key in AGENT_LIMITS:
            values = [t[key] for t in (mine, theirs) if t is not None and t.get(key) is not None]
            merged[key] = min(values, key=_limit_order) if values else None
        return merged

    def table(self, name: str) -> Mapping[str, Any]:
        """One of the policy's own tables: scheduling, environment, sandbox, setup."""
        return self.policy.tables.get(name, {})

    def plugin_config(self, name: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        """`[plugins.<name>]` of the policy and of the plan (a plugin may only narrow with
        the latter)."""
        plan = self.plan.plugins.get(name, {}) if self.plan else {}
        return self.policy.plugins.get(name, {}), plan


def _limit_order(value: object) -> float:
    """Limits compare as numbers; a duration (`30m`) as its seconds."""
    if isinstance(value, str):
        from supervisor.config.durations import parse_duration

        return parse_duration(value)
    return float(value)  # type: ignore[arg-type]


def severity_of(rule: str, table: Mapping[str, str], default: str) -> str:
    """The level set for `rule` or its nearest dotted prefix (`secrets` covers `secrets.x`)."""
    parts = rule.split(".")
    for end in range(len(parts), 0, -1):
        level = table.get(".".join(parts[:end]))
        if level is not None:
            return level
    return default
