"""The repository policy and a feature's plan as pydantic models: the source of truth for what
a valid file is, for its error messages and for the JSON Schemas in `schemas/`.

Nothing at run time holds these models: a validated file becomes the plain objects of
`config.rules`, and the gates read those from a cache without importing pydantic.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from supervisor.config.globs import check_glob

POLICY_PATH = ".git-agent/policy.toml"
Glob = Annotated[str, AfterValidator(check_glob)]
Severity = Literal["error", "warning", "off"]
PluginName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Scope(Strict):
    allow: list[Glob] = Field(default_factory=lambda: ["**"])
    deny: list[Glob] = Field(default_factory=list)


class LimitsTable(Strict):
    model_config = ConfigDict(title="Limits")

    max_file_bytes: Annotated[int, Field(ge=0)] | None = None
    max_files_changed: Annotated[int, Field(ge=0)] | None = None
    max_lines_added: Annotated[int, Field(ge=0)] | None = None
    max_lines_deleted: Annotated[int, Field(ge=0)] | None = None
    disk_quota_bytes: Annotated[int, Field(ge=0)] | None = None
    allow_binary: bool | None = None
    allow_executable: bool | None = None
    allow_symlinks: bool | None = None
    allow_delete: bool | None = None


MAX_CHECK_SECONDS = 86_400.0


def _command(run: list[str] | str) -> list[str] | str:
    """A check's command: a non-empty list of words, or a string that splits into some."""
    if isinstance(run, list):
        if not run or not all(run):
            raise ValueError("run must name a command: a list of non-empty words")
        return run
    import shlex

    try:
        words = shlex.split(run)
    except ValueError as exc:
        raise ValueError(f"run cannot be split into words ({exc})") from None
    if not words:
        raise ValueError("run must name a command")
    return run


class CheckTable(Strict):
    model_config = ConfigDict(title="Check")

    name: Annotated[str, Field(min_length=1)]
    run: Annotated[list[str] | str, AfterValidator(_command)]
    timeout: Annotated[float, Field(gt=0, le=MAX_CHECK_SECONDS, allow_inf_nan=False)] = 600.0


class PluginTables(BaseModel):
    """`[plugins]`: `disable`, the plugins the policy turns off, and one table per plugin."""

    model_config = ConfigDict(extra="allow", strict=True)

    disable: list[PluginName] = Field(default_factory=list)
    __pydantic_extra__: dict[str, dict[str, Any]] = Field(init=False)


def _policy_file(path: str | None) -> str | None:
    """A file the policy names must be a policy file itself (under `.git-agent/`): what the
    branch under review cannot change without the change being judged as a policy change."""
    if path is not None and (not path.startswith(".git-agent/") or ".." in path.split("/")):
        raise ValueError("must be a file under .git-agent/ (committed with the policy)")
    return path


class GatesTable(Strict):
    """`[gates]`: what the pre-push, pre-receive and CI gates demand beyond the rules."""

    model_config = ConfigDict(title="Gates")

    require_attestation: list[Glob] = Field(
        default_factory=list,
        description="branches (globs, e.g. agent/*) whose every new commit must have a tree "
        "that the attestation of a promotion names",
    )
    require_signature: bool = Field(
        default=False,
        description="the attestation must be signed by a key git trusts (gpg.ssh."
        "allowedSignersFile, or allowed_signers; gpg's keyring)",
    )
    allowed_signers: Annotated[str | None, AfterValidator(_policy_file)] = Field(
        default=None,
        description="an ssh allowed-signers file committed under .git-agent/, used to verify "
        "attestations instead of gpg.ssh.allowedSignersFile",
    )


class Policy(Strict):
    """`.git-agent/policy.toml`: the guardrails of every feature in the repository."""

    version: Literal[1] = 1
    scope: Scope = Field(default_factory=Scope)
    limits: LimitsTable = Field(default_factory=LimitsTable)
    rules: dict[str, Severity] = Field(default_factory=dict)
    plugins: PluginTables = Field(default_factory=PluginTables)
    gates: GatesTable = Field(default_factory=GatesTable)


class Plan(Strict):
    """One feature's plan: it narrows the policy, never widens it."""

    description: str = ""
    scope: Scope = Field(default_factory=Scope)
    limits: LimitsTable = Field(default_factory=LimitsTable)
    rules: dict[str, Severity] = Field(default_factory=dict)
    checks: list[CheckTable] = Field(default_factory=list)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _no_disable(cls, data: Any) -> Any:
        plugins = data.get("plugins") if isinstance(data, dict) else None
        if isinstance(plugins, dict) and "disable" in plugins:
            raise ValueError("plugins.disable: only the policy can turn a plugin off, not a plan")
        return data
