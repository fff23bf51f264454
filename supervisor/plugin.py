"""The public API of git-agent plugins: all a plugin imports from git-agent is this module.

    from supervisor import plugin

    @plugin.hookimpl
    def git_agent_check_path(change: plugin.Change, ctx: plugin.RuleContext):
        if change.path.endswith(".orig"):
            return [plugin.Violation(rule="tidy.orig", path=change.path, message="merge leftover")]
        return []

Everything here is plain Python: no pygit2, no pydantic. A plugin reads content through its
`RuleContext` (`ctx.blob`, `ctx.head`, `ctx.size`, `ctx.entry`, `ctx.names_in`, and each
change's `added_lines()`), never through a repository object it could write with.

`API_VERSION` follows semantic versioning: names are only added within a major version.
"""

from __future__ import annotations

from supervisor.config.globs import Globs, check_glob
from supervisor.config.rules import Check, Limits, Rules
from supervisor.errors import ConfigError, PluginError
from supervisor.gitio.change import Change
from supervisor.gitio.objects import MODE_EXEC, MODE_FILE, MODE_GITLINK, MODE_LINK, MODE_TREE
from supervisor.rules.context import RuleContext
from supervisor.rules.specs import PROJECT, hookimpl, hookspec
from supervisor.rules.tables import (
    PLAN_FILE,
    POLICY_FILE,
    Allow,
    allow_list,
    limit,
    patterns,
    tables,
)
from supervisor.rules.types import Event, Violation

API_VERSION = "1.0"

__all__ = [
    "API_VERSION",
    "MODE_EXEC",
    "MODE_FILE",
    "MODE_GITLINK",
    "MODE_LINK",
    "MODE_TREE",
    "PLAN_FILE",
    "POLICY_FILE",
    "PROJECT",
    "Allow",
    "Change",
    "Check",
    "ConfigError",
    "Event",
    "Globs",
    "Limits",
    "PluginError",
    "RuleContext",
    "Rules",
    "Violation",
    "allow_list",
    "check_glob",
    "hookimpl",
    "hookspec",
    "limit",
    "patterns",
    "tables",
]
