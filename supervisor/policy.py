"""The repository policy and a feature's plan (pydantic models), and their intersection."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from supervisor.globs import Globs, check_glob
from supervisor.tomlconf import load_model

POLICY_PATH = ".git-agent/policy.toml"
Glob = Annotated[str, AfterValidator(check_glob)]
Severity = Literal["error", "warning", "off"]
RANK: dict[str, int] = {"off": 0, "warning": 1, "error": 2}
LIMIT_NUMBERS = (
    "max_file_bytes",
    "max_files_changed",
    "max_lines_added",
    "max_lines_deleted",
    "disk_quota_bytes",
)
LIMIT_SWITCHES = ("allow_binary", "allow_executable", "allow_symlinks", "allow_delete")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Scope(Strict):
    allow: list[Glob] = Field(default_factory=lambda: ["**"])
    deny: list[Glob] = Field(default_factory=list)


class Limits(Strict):
    max_file_bytes: Annotated[int, Field(ge=0)] | None = None
    max_files_changed: Annotated[int, Field(ge=0)] | None = None
    max_lines_added: Annotated[int, Field(ge=0)] | None = None
    max_lines_deleted: Annotated[int, Field(ge=0)] | None = None
    disk_quota_bytes: Annotated[int, Field(ge=0)] | None = None
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


class Check(Strict):
    name: str
    run: list[str] | str
    timeout: Annotated[float, Field(gt=0)] = 600.0


class Policy(Strict):
    """`.git-agent/policy.toml`: the guardrails of every feature in the repository."""

    version: Literal[1] = 1
    scope: Scope = Field(default_factory=Scope)
    limits: Limits = Field(default_factory=Limits)
    rules: dict[str, Severity] = Field(default_factory=dict)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)


class Plan(Strict):
    """One feature's plan: it narrows the policy, never widens it."""

    description: str = ""
    scope: Scope = Field(default_factory=Scope)
    limits: Limits = Field(default_factory=Limits)
    rules: dict[str, Severity] = Field(default_factory=dict)
    checks: list[Check] = Field(default_factory=list)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)


def load_policy(data: bytes, file: str = POLICY_PATH) -> Policy:
    return load_model(Policy, data, file)


def load_plan(data: bytes, file: str) -> Plan:
    return load_model(Plan, data, file)


def preset_text(name: str) -> bytes:
    from supervisor.errors import UsageError

    if name not in presets():  # never a path: `../x` or `/tmp/x` must not reach a file
        raise UsageError(f"unknown preset {name!r}: choose from {', '.join(presets())}")
    return resources.files("git_agent_policies").joinpath(f"{name}.toml").read_bytes()


def presets() -> list[str]:
    files = resources.files("git_agent_policies").iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def plan_hash(data: bytes | None) -> str:
    return "sha256:" + hashlib.sha256(data or b"").hexdigest()


@dataclass(frozen=True)
class Rules:
    """The effective rules of one feature: the policy narrowed by its plan."""

    policy: Policy
    plan: Plan | None = None
    source: str | None = None  # the commit the policy was read from (files it names live there)
    allow: tuple[Globs, ...] = field(init=False)
    deny: tuple[Globs, ...] = field(init=False)
    limits: Limits = field(init=False)
    severities: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        layers: list[Policy | Plan] = (
            [self.policy] if self.plan is None else [self.policy, self.plan]
        )
        object.__setattr__(self, "allow", tuple(Globs(x.scope.allow) for x in layers))
        object.__setattr__(self, "deny", tuple(Globs(x.scope.deny) for x in layers))
        limits = (
            self.policy.limits
            if self.plan is None
            else self.policy.limits.narrowed(self.plan.limits)
        )
        object.__setattr__(self, "limits", limits)
        object.__setattr__(self, "severities", dict(self.policy.rules))

    def allowed(self, path: str) -> bool:
        return all(globs.match(path) for globs in self.allow)

    def denied(self, path: str) -> bool:
        return any(globs.match(path) for globs in self.deny)

    def severity(self, rule: str, default: str) -> str:
        """The policy's level for `rule`; a plan may raise it, never lower it."""
        level = self.severity_of(rule, self.severities, default)
        if self.plan is not None:
            wanted = self.severity_of(rule, dict(self.plan.rules), level)
            level = max(level, wanted, key=RANK.__getitem__)
        return level

    @staticmethod
    def severity_of(rule: str, table: dict[str, str], default: str) -> str:
        """The level set for `rule` or its nearest dotted prefix (`secrets` covers `secrets.x`)."""
        parts = rule.split(".")
        for end in range(len(parts), 0, -1):
            level = table.get(".".join(parts[:end]))
            if level is not None:
                return level
        return default

    def plugin_config(self, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """`[plugins.<name>]` of the policy and of the plan (a plugin may only narrow with the latter)."""
        plan = self.plan.plugins.get(name, {}) if self.plan else {}
        return self.policy.plugins.get(name, {}), plan
