"""The layers of the package, and the one way imports flow between them.

Every `import` in `supervisor/` (at any depth: a function-level import counts) may name only
its own layer or a lower one; peers on the same level never import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "supervisor"
# higher number: higher layer. A module may import its own layer and lower numbers only;
# two layers on one level (lifecycle and gates, config and store) never import each other.
LAYERS: dict[str, float] = {
    "__main__": 11,
    "cli": 10,
    "commands": 9,
    "schemas": 9,
    "render": 8,
    "live": 7,  # the live supervisor
    "agents": 7.5,  # the agents, run by the live supervisor
    "lifecycle": 6,
    "gates": 6,
    "plugin": 5.5,  # the public plugin API, over the rules engine
    "hookspecs": 5.5,  # kept for plugins written against 0.1
    "events": 5.5,
    "violations": 5.5,
    "rules": 5,
    "config": 4,
    "store": 4,
    "gitio": 2,
    "errors": 1,
    "__init__": 1,
}
PYGIT2_ALLOWED = {
    "supervisor/gitio/repo.py",
    "supervisor/gitio/packs.py",
    "supervisor/gitio/changes.py",
}


def layer_of(module: str) -> str:
    """`supervisor.gates.ci` -> `gates`; `supervisor` -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        out.append((name, path))
    return out


def imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_every_module_belongs_to_a_layer() -> None:
    for name, _ in modules():
        assert layer_of(name) in LAYERS, f"{name} is in no layer: add it to LAYERS"


@pytest.mark.parametrize(("name", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_point_down(name: str, path: Path) -> None:
    mine = layer_of(name)
    for target in imports(path):
        if not target.startswith("supervisor.") or target.count(".") < 1:
            continue
        theirs = layer_of(target)
        if theirs == mine or theirs not in LAYERS:
            continue
        assert LAYERS[theirs] < LAYERS[mine], (
            f"{name} imports {target}: {mine} may not use {theirs}"
        )


@pytest.mark.parametrize(("name", "path"), modules(), ids=[m for m, _ in modules()])
def test_only_gitio_imports_pygit2(name: str, path: Path) -> None:
    rel = str(path.relative_to(ROOT))
    uses = any(t == "pygit2" or t.startswith("pygit2.") for t in imports(path))
    assert not uses or rel in PYGIT2_ALLOWED, f"{rel} imports pygit2: go through supervisor.gitio"


# processes that are not git: the supervisor started in the background
OTHER_PROCESSES = {"supervisor.live.spawn", "supervisor.agents.process"}


def test_only_gitio_runs_git() -> None:
    for name, path in modules():
        if layer_of(name) == "gitio":
            continue
        text = path.read_text()
        assert '["git"' not in text, f"{name} runs git: git goes through supervisor.gitio.run"
        assert "subprocess" not in text or name in OTHER_PROCESSES, (
            f"{name} runs a process: git goes through supervisor.gitio.run"
        )
