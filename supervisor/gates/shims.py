"""Installing and removing the hook shims, keeping an existing hook as `<name>.legacy`."""

from __future__ import annotations

import os
import shlex
from importlib import resources
from pathlib import Path

from supervisor.errors import UsageError
from supervisor.gitio.repo import Repo

HOOKS = ("pre-commit", "pre-push")  # a repository with a work tree
SERVER_HOOKS = ("pre-receive",)  # a bare repository: the gate a --no-verify push cannot skip
MARKER = "# git-agent hook shim"


def hooks_dir(repo: Repo) -> Path:
    """Where git looks for hooks: core.hooksPath, else the common git dir's `hooks`."""
    configured = repo.config_get("core.hooksPath")
    if configured:
        top = repo.common_dir if repo.is_bare else repo.workdir
        return (top / Path(configured).expanduser()).resolve()
    return repo.common_dir / "hooks"


def hooks_for(repo: Repo) -> tuple[str, ...]:
    return SERVER_HOOKS if repo.is_bare else HOOKS


def shim(name: str, python: str) -> str:
    template = resources.files("git_agent_hooks").joinpath(name).read_text()
    return template.replace("@PYTHON@", shlex.quote(python))


def is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(errors="replace")
    except (FileNotFoundError, IsADirectoryError):
        return False


def install(hooks_dir: Path, python: str, names: tuple[str, ...] = HOOKS) -> list[str]:
    """Write the shims; return what was done, one line per hook. Running it twice changes nothing."""
    hooks_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for name in names:
        path, legacy = hooks_dir / name, hooks_dir / f"{name}.legacy"
        if path.exists() and not is_ours(path):
            if legacy.exists():
                raise UsageError(f"{path} and {legacy} both exist; move one away first")
            os.replace(path, legacy)
            done.append(f"kept the existing {name} hook as {legacy.name}")
        _write_executable(path, shim(name, python))
        done.append(f"installed {path}")
    return done


def uninstall(hooks_dir: Path, names: tuple[str, ...] = HOOKS) -> list[str]:
    done = []
    for name in names:
        path, legacy = hooks_dir / name, hooks_dir / f"{name}.legacy"
        if is_ours(path):
            path.unlink()
            done.append(f"removed {path}")
            if legacy.exists():
                os.replace(legacy, path)
                done.append(f"restored {path} from {legacy.name}")
    return done


def _write_executable(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".git-agent-tmp")
    tmp.write_text(text)
    tmp.chmod(0o755)
    os.replace(tmp, path)
