"""Loading plugins from the `git_agent` entry-point group and calling them with attribution."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

import pluggy

from supervisor import hookspecs
from supervisor.errors import FatalError, OperationalError, UsageError
from supervisor.events import Event

DISABLE_ENV = "GIT_AGENT_DISABLE_PLUGINS"
LOG = logging.getLogger("git_agent")


def disabled_from(env: Mapping[str, str]) -> frozenset[str]:
    return frozenset(n.strip() for n in env.get(DISABLE_ENV, "").split(",") if n.strip())


def load(disabled: frozenset[str] = frozenset()) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for ep in sorted(entry_points(group=hookspecs.PROJECT), key=lambda e: e.name):
        if ep.name in disabled:
            manager.set_blocked(ep.name)
            continue
        if manager.has_plugin(ep.name) or manager.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise UsageError(f"plugin {ep.name} ({ep.value}) failed to load: {exc}") from exc
        manager.register(plugin, name=ep.name)
    return manager


def call_each(manager: pluggy.PluginManager, hook: str, **kwargs: Any) -> list[Any]:
    """Call every implementation of `hook`, naming the plugin when one fails."""
    caller: pluggy.HookCaller = getattr(manager.hook, hook)
    results = []
    for impl in reversed(caller.get_hookimpls()):
        function: Callable[..., Any] = impl.function
        try:
            result = function(*(kwargs[name] for name in impl.argnames))
        except FatalError:
            raise
        except Exception as exc:
            raise OperationalError(f"plugin {impl.plugin_name} failed in {hook}: {exc!r}") from exc
        if result is not None:
            results.append(result)
    return results


def emit(manager: pluggy.PluginManager, event: Event) -> None:
    """Offer `event` to observers; one that fails is logged, the operation stands."""
    try:
        call_each(manager, "git_agent_event", event=event)
    except FatalError as exc:
        LOG.warning("%s", exc)
