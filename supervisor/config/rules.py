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


class Check(NamedTuple):
    """One `[[checks]]` entry of a plan: a command run before promotion."""

    name: str
    run: list[str] | str
    timeout: float = 600.0


class Gates(NamedTuple):
    """`[gates]` of a policy: what the push and CI gates demand beyond the rules."""

    require_attestation: tuple[str, ...] = ()  # branch globs
    require_signature: bool = False
    allowed_signers: str | None = None  # a file of the policy's commit, for ssh signatures


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
    gates: Gates = Gates()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], file: str = "", text: str = "") -> Layer:
        """From a validated model's dump (`model_dump()`), a cache included."""
        scope = data.get("scope", {})
        plugins = dict(data.get("plugins", {}))
        disable = tuple(plugins.pop("disable", ()))
        names = set(Limits._fields)
        gates = data.get("gates") or {}
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
            gates=Gates(
                tuple(gates.get("require_attestation") or ()),
                bool(gates.get("require_signature", False)),
                gates.get("allowed_signers"),
            ),
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

    def plugin_config(self, name: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        """`[plugins.<name>]` of the policy and of the plan (a plugin may only narrow with
        the latter)."""
        plan = self.plan.plugins.get(name, {}) if self.plan else {}
        return self.policy.plugins.get(name, {}), plan


def severity_of(rule: str, table: Mapping[str, str], default: str) -> str:
    """The level set for `rule` or its nearest dotted prefix (`secrets` covers `secrets.x`)."""
    parts = rule.split(".")
    for end in range(len(parts), 0, -1):
        level = table.get(".".join(parts[:end]))
        if level is not None:
            return level
    return default
