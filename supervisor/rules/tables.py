"""Reading a plugin's `[plugins.<name>]` table: the policy's value, narrowed (never widened) by
the plan's. Part of the public plugin API (`supervisor.plugin`):

- an allow list (`allow = ["glob", ...]`): a path is allowed only when the policy's list matches
  it and, when the plan sets a list too, the plan's list matches it as well;
- a number (`max_files = 10`): the smaller of the policy's and the plan's; unset means no limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from supervisor.config.globs import Globs, check_glob
from supervisor.config.lines import locate
from supervisor.config.load import POLICY_PATH
from supervisor.config.rules import Layer
from supervisor.errors import ConfigError
from supervisor.rules.context import RuleContext

PLAN_FILE = "plan"
POLICY_FILE = POLICY_PATH


class TableFile(str):
    """The name of the file a plugin's table comes from (a `str`), which can also say at
    which line of it a key is, for `FILE:LINE` errors."""

    text: str

    def __new__(cls, name: str, text: str = "") -> TableFile:
        made = super().__new__(cls, name)
        made.text = text
        return made

    def error(
        self, plugin: str, key: str | None, message: str, value: object = None
    ) -> ConfigError:
        where = ("plugins", plugin, key) if key else ("plugins", plugin)
        line = locate(self.text, where, value) if self.text else None
        return ConfigError(str(self), message, line)


def _file(layer: Layer | None, default: str) -> TableFile:
    if layer is None:
        return TableFile(default)
    return TableFile(layer.file or default, layer.text)


def config_error(
    file: str, plugin: str, key: str | None, message: str, value: object = None
) -> ConfigError:
    """A `ConfigError` for `[plugins.<plugin>] <key>`, at its line when `file` knows it."""
    if isinstance(file, TableFile):
        return file.error(plugin, key, message, value)
    return ConfigError(file, message)


def tables(
    ctx: RuleContext, plugin: str, keys: Iterable[str]
) -> list[tuple[str, Mapping[str, Any]]]:
    """The policy's and the plan's tables for `plugin`, each labelled with its file, unknown
    keys refused."""
    known = set(keys)
    rules = ctx.rules
    out: list[tuple[str, Mapping[str, Any]]] = [
        (_file(rules.policy, POLICY_PATH), ctx.config(plugin)),
        (_file(rules.plan, PLAN_FILE), ctx.plan_config(plugin)),
    ]
    for file, table in out:
        unknown = sorted(set(table) - known)
        if unknown:
            message = (
                f"[plugins.{plugin}] has unknown key {unknown[0]!r} "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
            raise config_error(file, plugin, unknown[0], message)
    return out


class Allow:
    """A path allow list made of one glob list per layer (policy, plan); all layers must match."""

    def __init__(self, layers: tuple[Globs, ...]) -> None:
        self.layers = layers

    def __call__(self, path: str) -> bool:
        return bool(self.layers) and all(globs.match(path) for globs in self.layers)


def allow_list(ctx: RuleContext, plugin: str, keys: Iterable[str], key: str = "allow") -> Allow:
    """`[plugins.<plugin>] <key>` of the policy narrowed by the plan's; unset in the policy = none."""
    layers: list[tuple[str, ...]] = []
    found = tables(ctx, plugin, keys)
    for file, table in found:
        if key in table:
            layers.append(patterns(file, plugin, key, table[key]))  # every layer checked
    if key not in found[0][1]:
        return Allow(())  # the policy allows nothing; a plan cannot add to that
    return _compiled(tuple(layers))


def limit(ctx: RuleContext, plugin: str, keys: Iterable[str], key: str) -> int | None:
    """`[plugins.<plugin>] <key>` as a non-negative int: the smaller of policy and plan."""
    values = []
    for file, table in tables(ctx, plugin, keys):
        value = table.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            message = f"[plugins.{plugin}] {key} must be a non-negative integer"
            raise config_error(file, plugin, key, message)
        values.append(value)
    return min(values) if values else None


def patterns(file: str, plugin: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise config_error(file, plugin, key, f"[plugins.{plugin}] {key} must be a list of globs")
    for pattern in value:
        try:
            check_glob(pattern)
        except ValueError as exc:
            raise config_error(
                file, plugin, key, f"[plugins.{plugin}] {key}: {exc}", pattern
            ) from None
    return tuple(value)


@lru_cache(maxsize=64)
def _compiled(layers: tuple[tuple[str, ...], ...]) -> Allow:
    return Allow(tuple(Globs(patterns) for patterns in layers))
