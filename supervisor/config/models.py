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


Action = Literal["report", "revert-file", "pause"]
AgentName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
FeatureName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")]
EnvPattern = Annotated[str, Field(pattern=r"^[A-Za-z0-9_*?]+$")]
Words = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
Port = Annotated[int, Field(ge=1, le=65535)]
Price = Annotated[float, Field(ge=0, allow_inf_nan=False)]
# what a command agent's environment loses unless its agent table keeps it: cloud and token
# names (fnmatch patterns, case-sensitive as POSIX names are)
DEFAULT_ENV_BLOCK = [
    "AWS_*",
    "AZURE_*",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GCP_*",
    "GCLOUD_*",
    "CLOUDSDK_*",
    "DIGITALOCEAN_*",
    "HEROKU_API_KEY",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITLAB_TOKEN",
    "NPM_TOKEN",
    "PYPI_*",
    "TWINE_*",
    "DOCKER_*",
    "KUBECONFIG",
    "VAULT_*",
    "SSH_AUTH_SOCK",
    "*_TOKEN",
    "*_SECRET",
    "*_SECRET_KEY",
    "*_PASSWORD",
    "*_API_KEY",
    "*_ACCESS_KEY",
    "*_ACCESS_KEY_ID",
    "*_PRIVATE_KEY",
    "*_CREDENTIALS",
]


def _duration(text: str) -> str:
    from supervisor.config.durations import parse_duration

    if parse_duration(text) <= 0:
        raise ValueError(f"{text!r} is no time at all")
    return text


Duration = Annotated[str, AfterValidator(_duration)]


class PricingTable(Strict):
    """US dollars per million tokens of one model."""

    model_config = ConfigDict(title="Pricing")

    input: Price
    output: Price
    cache_write: Price = 0.0
    cache_read: Price = 0.0


class AgentTable(Strict):
    """`[agents.<name>]`: how to run one agent (a command, or the built-in Anthropic one)."""

    model_config = ConfigDict(title="Agent")

    provider: Literal["command", "anthropic"] = "command"
    command: Words | None = None  # `{prompt}` is replaced; a command agent needs one
    resume: Words | None = None  # the same, to resume a stopped or interrupted run
    env: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], str] = Field(
        default_factory=dict
    )
    keep_env: list[EnvPattern] = Field(default_factory=list)  # kept though blocked: its own key
    timeout: Duration | None = None
    stall: Duration | None = None  # no output and no write for this long: stalled
    on_stall: Literal["wait", "restart", "stop"] = "wait"
    writable: list[str] = Field(default_factory=list)  # more places it may write (`~` expands)
    readable: list[str] = Field(default_factory=list)  # credentials it may read after all
    network: list[Port] | None = None  # TCP ports it may connect to (None: as the policy says)
    model: str = "claude-sonnet-4-5"
    fallback_models: list[str] = Field(default_factory=list)
    max_tokens: Annotated[int, Field(ge=1)] | None = None  # tokens in all, for the whole run
    max_usd: Price | None = None
    max_turns: Annotated[int, Field(ge=1)] | None = None
    response_tokens: Annotated[int, Field(ge=1, le=200_000)] = 8192
    context_tokens: Annotated[int, Field(ge=1000)] = 200_000
    pricing: dict[str, PricingTable] = Field(default_factory=dict)


class SchedulingTable(Strict):
    """`[scheduling]`: how many agents run at once in the repository (0: one per CPU)."""

    model_config = ConfigDict(title="Scheduling")

    max_running: Annotated[int, Field(ge=0, le=1024)] = 0
    requests_per_minute: Annotated[int, Field(ge=1)] | None = None  # the built-in agent's API
    tokens_per_minute: Annotated[int, Field(ge=1)] | None = None


class EnvironmentTable(Strict):
    """`[environment]`: variables an agent never sees (fnmatch patterns)."""

    model_config = ConfigDict(title="Environment")

    block: list[EnvPattern] = Field(default_factory=lambda: list(DEFAULT_ENV_BLOCK))


class SandboxTable(Strict):
    """`[sandbox]`: what every agent may reach, beyond its shadow and its own temporary folder."""

    model_config = ConfigDict(title="Sandbox")

    network: list[Port] | None = None  # TCP ports any agent may connect to (None: any)
    writable: list[str] = Field(default_factory=list)
    required: bool = False  # refuse to run an agent where the kernel offers no sandbox


class SetupTable(Strict):
    """`[setup]`: what a new feature's shadow and worktree get before its agent runs."""

    model_config = ConfigDict(title="Setup")

    include: list[Glob] = Field(default_factory=list)  # ignored files copied in (.env, ...)
    commands: list[Annotated[list[str] | str, AfterValidator(_command)]] = Field(
        default_factory=list
    )
    ports: Annotated[int, Field(ge=0, le=1000)] = 10  # free TCP ports reserved per feature


class LiveTable(Strict):
    """`[live]`: how the supervisor watches, judges and checkpoints a shadow."""

    model_config = ConfigDict(title="Live")

    quiet_ms: Annotated[int, Field(ge=10, le=60_000)] = 200
    checkpoint_quiet_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)] = 5.0
    checkpoint_every_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)] = 60.0
    reconcile_every_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)] = 300.0
    pause_by_hand: bool = False


class Policy(Strict):
    """`.git-agent/policy.toml`: the guardrails of every feature in the repository."""

    version: Literal[1] = 1
    scope: Scope = Field(default_factory=Scope)
    limits: LimitsTable = Field(default_factory=LimitsTable)
    rules: dict[str, Severity] = Field(default_factory=dict)
    plugins: PluginTables = Field(default_factory=PluginTables)
    live: LiveTable = Field(default_factory=LiveTable)
    containment: dict[str, Action] = Field(default_factory=dict)
    agents: dict[AgentName, AgentTable] = Field(default_factory=dict)
    scheduling: SchedulingTable = Field(default_factory=SchedulingTable)
    environment: EnvironmentTable = Field(default_factory=EnvironmentTable)
    sandbox: SandboxTable = Field(default_factory=SandboxTable)
    setup: SetupTable = Field(default_factory=SetupTable)


class Plan(Strict):
    """One feature's plan: it narrows the policy, never widens it."""

    description: str = ""
    scope: Scope = Field(default_factory=Scope)
    limits: LimitsTable = Field(default_factory=LimitsTable)
    rules: dict[str, Severity] = Field(default_factory=dict)
    checks: list[CheckTable] = Field(default_factory=list)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)
    containment: dict[str, Action] = Field(default_factory=dict)
    agents: dict[AgentName, AgentTable] = Field(default_factory=dict)
    after: list[FeatureName] = Field(default_factory=list)  # start once these are promoted
    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0  # higher runs first

    @model_validator(mode="before")
    @classmethod
    def _no_disable(cls, data: Any) -> Any:
        plugins = data.get("plugins") if isinstance(data, dict) else None
        if isinstance(plugins, dict) and "disable" in plugins:
            raise ValueError("plugins.disable: only the policy can turn a plugin off, not a plan")
        return data
