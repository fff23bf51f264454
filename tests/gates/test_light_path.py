"""The light gate path: `git agent hook pre-commit` and `git agent check` run as real processes,
as the shims run them (`python -P -m supervisor`), under `-X importtime`. Once the first run
has cached the validated policy and the scan of installed plugins, a run imports none of the
heavy libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.kit import commit_all, commit_policy, environ, git, start, write_files

HEAVY = ("pygit2", "pydantic", "detect_secrets", "pathspec", "filelock", "sqlite3")
POLICY = '[scope]\ndeny = ["secret/**"]\n[limits]\nmax_files_changed = 100\n'


def run(cwd: Path, *args: str) -> tuple[int, set[str], str]:
    """`python -P -X importtime -m supervisor ARGS` in `cwd`: exit code, modules, output."""
    proc = subprocess.run(
        [sys.executable, "-P", "-X", "importtime", "-m", "supervisor", *args],
        cwd=cwd,
        env=environ(),
        capture_output=True,
        text=True,
        check=False,
    )
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            modules.add(line.rsplit("|", 1)[1].strip())
    output = proc.stdout + "\n".join(
        line for line in proc.stderr.splitlines() if not line.startswith("import time:")
    )
    assert modules, proc.stderr  # -X importtime did report
    return proc.returncode, modules, output


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def stage(repo: Path, files: dict[str, str | None]) -> None:
    write_files(repo, files)
    git(repo, "add", "-A")


def test_the_pre_commit_hook_imports_nothing_heavy_once_warm(repo: Path) -> None:
    commit_policy(repo, POLICY)
    stage(repo, {f"src/m{i}.py": f"value = {i}\n" for i in range(10)} | {"README.md": None})
    code, first, output = run(repo, "hook", "pre-commit")
    assert code == 0, output
    assert "pydantic" in first  # the first run validated the policy, and cached it
    code, second, output = run(repo, "hook", "pre-commit")
    assert code == 0, output
    assert heavy(second) == []


def test_a_violation_is_reported_on_the_light_path_too(repo: Path) -> None:
    commit_policy(repo, POLICY)
    stage(repo, {"src/ok.py": "ok = 1\n", "secret/key.txt": "a key\n"})
    run(repo, "hook", "pre-commit")
    code, modules, output = run(repo, "hook", "pre-commit")
    assert code == 1 and "scope.denied" in output and "secret/key.txt" in output, output
    assert heavy(modules) == []


def test_the_pre_commit_hook_in_a_feature_worktree(repo: Path) -> None:
    """The feature's plan comes from the plan.json written at start: no pydantic either."""
    commit_policy(repo, POLICY)
    worktree = start(repo, plan='[scope]\nallow = ["src/**"]\n').worktree
    stage(worktree, {"src/new.py": "new = 1\n", "docs/guide.md": "outside the plan\n"})
    run(worktree, "hook", "pre-commit")
    code, modules, output = run(worktree, "hook", "pre-commit")
    assert code == 1 and "scope.outside" in output and "docs/guide.md" in output, output
    assert heavy(modules) == []


def test_check_imports_nothing_heavy_once_warm(repo: Path) -> None:
    base = commit_policy(repo, POLICY)
    for n in range(5):
        write_files(repo, {f"src/step{n}.py": f"step = {n}\n", "docs/guide.md": f"# {n}\n"})
        commit_all(repo, f"step {n}")
    head = git(repo, "rev-parse", "HEAD")
    code, first, output = run(repo, "check", "--base", base, "--head", head)
    assert code == 0, output
    assert "pydantic" in first  # the policy of base, validated once
    code, second, output = run(repo, "check", "--base", base, "--head", head, "--format", "json")
    assert code == 0, output
    assert heavy(second) == []
