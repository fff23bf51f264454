"""Plugins see one module of ours, `supervisor.plugin`, and it needs neither pygit2 nor pydantic."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_FILES = sorted(
    [*(ROOT / "plugins").glob("*.py"), *(ROOT / "docs" / "examples").glob("*/*.py")]
)
HEAVY = ("pygit2", "pydantic", "detect_secrets", "pathspec", "filelock", "sqlite3")


def imported(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.extend([node.module, *(f"{node.module}.{a.name}" for a in node.names)])
    return found


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=[p.name for p in PLUGIN_FILES])
def test_a_plugin_imports_only_the_public_api(path: Path) -> None:
    ours = [name for name in imported(path) if name.split(".")[0] == "supervisor"]
    allowed = {"supervisor", "supervisor.plugin"}
    assert all(name in allowed or name.startswith("supervisor.plugin.") for name in ours), (
        f"{path.name} imports {sorted(set(ours) - allowed)}: plugins use supervisor.plugin only"
    )
    assert not [n for n in imported(path) if n.split(".")[0] in ("pygit2", "pydantic")]


def test_the_public_api_loads_without_the_heavy_libraries() -> None:
    code = (
        "import sys, supervisor.plugin as p; "
        f"print([m for m in {HEAVY!r} if m in sys.modules]); "
        "print(p.API_VERSION)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, version = proc.stdout.splitlines()
    assert loaded == "[]"
    assert version.count(".") == 1


def test_every_public_name_is_exported() -> None:
    import supervisor.plugin as api

    for name in api.__all__:
        assert hasattr(api, name), name


def test_the_old_import_paths_keep_working() -> None:
    from supervisor.events import Event
    from supervisor.hookspecs import git_agent_check_path, hookimpl
    from supervisor.plugin import Event as PublicEvent
    from supervisor.plugin import Violation as PublicViolation
    from supervisor.plugin import hookimpl as public_hookimpl
    from supervisor.violations import Violation

    assert hookimpl is public_hookimpl and Event is PublicEvent and Violation is PublicViolation
    assert callable(git_agent_check_path)


def test_the_how_to_shows_the_example_plugin_as_it_is() -> None:
    how_to = (ROOT / "docs" / "how-to" / "write-a-plugin.md").read_text()
    block = how_to.split("```python\n# git_agent_todo.py\n", 1)[1].split("```", 1)[0]
    example = (ROOT / "docs" / "examples" / "git-agent-todo" / "git_agent_todo.py").read_text()
    assert block == example[example.index("from __future__") :]
