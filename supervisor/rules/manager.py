"""The plugin manager: every plugin of the `git_agent` entry-point group (built-in ones
included), registered with pluggy, minus those the policy disables.

Each implementation is guarded: one that raises is recorded with its plugin's name and the
call goes on, so the other plugins' findings are kept and the failure is reported by name.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Any, NamedTuple

import pluggy

from supervisor.errors import FatalError, OperationalError, UsageError
from supervisor.rules import specs
from supervisor.rules.entrypoints import EntryPoint, cached_entry_points
from supervisor.rules.types import Event


class PluginFailure(NamedTuple):
    plugin: str
    hook: str
    error: str

    @property
    def message(self) -> str:
        return f"plugin {self.plugin} failed in {self.hook}: {self.error}"


class Manager(pluggy.PluginManager):
    """pluggy's manager, keeping the failures of guarded implementations."""

    def __init__(self) -> None:
        super().__init__(specs.PROJECT)
        self.add_hookspecs(specs)
        self.failures: list[PluginFailure] = []
        self.versions: dict[str, str] = {}
        # installed plugins the environment keeps from loading (GIT_AGENT_DISABLE_PLUGINS): a
        # verdict without them is incomplete
        self.blocked_locally: list[str] = []

    def take_failures(self) -> list[PluginFailure]:
        found, self.failures = self.failures, []
        return found

    def register_guarded(self, plugin: object, name: str) -> None:
        self.register(plugin, name=name)
        for caller in vars(self.hook).values():
            if isinstance(caller, pluggy.HookCaller):
                for impl in caller.get_hookimpls():
                    if impl.plugin_name == name:
                        impl.function = self._guard(impl, caller.name)  # type: ignore[misc]

    def _guard(self, impl: pluggy.HookImpl, hook: str) -> Callable[..., Any]:
        function = impl.function
        name = impl.plugin_name
        if impl.wrapper or impl.hookwrapper:
            return _guard_wrapper(function, name, hook)

        def guarded(*args: Any) -> Any:
            try:
                return function(*args)
            except FatalError:
                raise
            except Exception as exc:
                self.failures.append(PluginFailure(name, hook, _described(exc)))
                return None

        return guarded


def _guard_wrapper(function: Callable[..., Any], name: str, hook: str) -> Callable[..., Any]:
    """A wrapper's own exception, named (what reaches it from inside is already guarded)."""

    def guarded(*args: Any) -> Generator[Any, Any, Any]:
        try:
            return (yield from function(*args))
        except (FatalError, GeneratorExit):
            raise
        except Exception as exc:
            raise OperationalError(f"plugin {name} failed in {hook}: {_described(exc)}") from exc

    return guarded


def _described(exc: BaseException) -> str:
    return repr(exc)


def load(
    disabled: Iterable[str] = (),
    blocked: Iterable[str] = (),
    found: Iterable[EntryPoint] | None = None,
    cache: Path | None = None,
) -> Manager:
    """The plugins installed here, but those the policy `disabled` and those `blocked` locally
    (`cache`: a file to keep the scan of installed plugins in)."""
    manager = Manager()
    policy_off, local_off = set(disabled), set(blocked)
    for ep in cached_entry_points(cache) if found is None else found:
        if ep.name in policy_off | local_off:
            manager.set_blocked(ep.name)
            if ep.name not in policy_off and ep.name not in manager.blocked_locally:
                manager.blocked_locally.append(ep.name)
            continue
        if manager.has_plugin(ep.name) or manager.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise UsageError(f"plugin {ep.name} ({ep.value}) failed to load: {exc}") from exc
        manager.register_guarded(plugin, ep.name)
        manager.versions[ep.name] = ep.version
    return manager


def emit(manager: pluggy.PluginManager, event: Event) -> None:
    """Offer `event` to observers; one that fails is logged, the operation stands."""
    problems: list[str] = []
    try:
        manager.hook.git_agent_event(event=event)
    except FatalError as exc:
        problems.append(str(exc))
    if isinstance(manager, Manager):
        problems.extend(failure.message for failure in manager.take_failures())
    if problems:
        import logging

        for problem in problems:
            logging.getLogger("git_agent").warning("%s", problem)
