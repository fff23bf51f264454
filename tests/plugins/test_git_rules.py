"""git.*: .git in any disguise, submodules, the policy itself, protected paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_agent_plugins.git_rules import internal_component, is_dotgit, is_gitmodules

from supervisor.gitio.objects import MODE_GITLINK
from tests.kit import (
    blob_entry,
    cli,
    commit_all,
    commit_policy,
    evaluate_entries,
    git,
    paths_of,
    start,
    verdict,
)

# The other plugin families are someone else's tests; keep them out of these verdicts.
ENV: dict[str, str] = {}  # every plugin on: a verdict with one blocked is incomplete


def validate(repo: Path, name: str = "f") -> tuple[int, list[dict[str, object]]]:
    """`validate --json` of this family's plugins: the exit code and the violations."""
    code, report = verdict(repo, name, ENV)
    return code, report["violations"]


SUBMODULE_COMMIT = "1234567890abcdef1234567890abcdef12345678"


def write(root: Path, rel: str, text: str = "x\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize(
    "name",
    [
        *[".git", ".GIT", ".Git", ".git.", ".git ", ".git. .", ".git::$INDEX_ALLOCATION"],
        *[".git:x", "git~1", "GIT~1", "git~1.", "\u200c.git", ".g\u200dit\ufeff"],
    ],
)
def test_dotgit_aliases(name: str) -> None:
    assert is_dotgit(name)


@pytest.mark.parametrize(
    "name", [".gitignore", ".github", ".git.txt", "git", "git~2", ".gitx", "x.git", ".git-agent"]
)
def test_names_that_only_look_like_dotgit(name: str) -> None:
    assert not is_dotgit(name)


def test_helpers_split_on_both_separators() -> None:
    assert internal_component("sub\\.git\\config") == ".git"
    assert internal_component("src/app.py") is None
    assert (
        is_gitmodules(".GitModules") and is_gitmodules(".gitmodules.") and is_gitmodules("gitmod~1")
    )
    assert not is_gitmodules("vendor/.gitmodules") and not is_gitmodules(".gitmodules.bak")


def test_dotgit_in_any_case_or_alias_is_internal(repo: Path) -> None:
    shadow = start(repo, env=ENV).shadow
    hostile = [
        ".GIT/config",
        "sub/.Git/hooks/x",
        "a/.git./HEAD",
        "b/.git /HEAD",
        "c/.git::$INDEX_ALLOCATION/x",
        "GIT~1/config",
    ]
    for rel in [*hostile, ".github/ci.yml", "src/.gitignore", "docs/git/notes.md"]:
        write(shadow, rel)
    code, violations = validate(repo)
    assert code == 1
    assert paths_of(violations, "git.") == {("git.internal", p) for p in hostile}


def test_a_tree_with_a_nested_dot_git_is_internal(repo: Path) -> None:
    """The shadow never scans a `.git`, but a tree from elsewhere (a hook, CI) can hold one."""
    start(repo, env=ENV)
    entry = blob_entry(repo, b"[core]\n")
    report = evaluate_entries(repo, {b"sub/.git/config": entry, b"src/ok.py": entry}, env=ENV)
    assert {(v.rule, v.path) for v in report.violations if v.rule.startswith("git.")} == {
        ("git.internal", "sub/.git/config")
    }


def test_submodules_and_gitmodules(repo: Path) -> None:
    (repo / ".gitmodules").write_text('[submodule "lib"]\n\tpath = lib\n\turl = ../lib\n')
    git(repo, "add", ".gitmodules")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{SUBMODULE_COMMIT},lib")
    git(repo, "commit", "-q", "-m", "submodule")  # not `add -A`: it would drop the gitlink
    shadow = start(repo, env=ENV).shadow
    assert (shadow / "lib").is_dir()
    (shadow / ".gitmodules").write_text("")
    (shadow / "lib").rmdir()
    write(shadow, "vendor/.gitmodules")  # not the top-level file: data like any other
    code, violations = validate(repo)
    assert code == 1
    assert paths_of(violations, "git.") == {
        ("git.submodule", ".gitmodules"),
        ("git.submodule", "lib"),
    }


def test_a_new_gitlink_is_a_submodule_change(repo: Path) -> None:
    start(repo, env=ENV)
    gitlink = (MODE_GITLINK, bytes.fromhex(SUBMODULE_COMMIT))
    report = evaluate_entries(repo, {b"third_party/lib": gitlink}, env=ENV)
    assert [(v.rule, v.path, v.message) for v in report.violations] == [
        ("git.submodule", "third_party/lib", "submodule added")
    ]


def test_policy_changes_and_how_to_allow_them(repo: Path) -> None:
    shadow = start(repo, "plain", env=ENV).shadow
    write(shadow, ".git-agent/policy.toml", "version = 1\n")
    write(shadow, "docs/.git-agent.md")  # legitimate: not the policy directory
    code, violations = validate(repo, "plain")
    assert code == 1
    assert paths_of(violations, "git.") == {("git.policy", ".git-agent/policy.toml")}

    commit_policy(repo, '[scope]\nallow = ["**"]\n[rules]\n"git.policy" = "warning"\n')
    shadow = start(repo, "allowed", env=ENV).shadow
    write(shadow, ".git-agent/notes.md")
    code, violations = validate(repo, "allowed")
    assert code == 0
    assert [(v["rule"], v["severity"]) for v in violations] == [("git.policy", "warning")]


def test_protected_paths_policy_and_plan(repo: Path) -> None:
    commit_policy(
        repo,
        "[plugins.git]\n"
        'protected = [".github/workflows/**", "!.github/workflows/docs.yml", "Makefile"]\n',
    )
    plan = '[plugins.git]\nprotected = ["docs/**", "!.github/workflows/ci.yml", "!Makefile"]\n'
    shadow = start(repo, plan=plan, env=ENV).shadow
    for rel in [".github/workflows/ci.yml", ".github/workflows/docs.yml", "Makefile"]:
        write(shadow, rel)
    write(shadow, ".github/ISSUE_TEMPLATE.md")
    write(shadow, "docs/guide.md", "# changed\n")
    write(shadow, "src/app.py", "print('ok')\n")
    code, violations = validate(repo)
    assert code == 1
    assert paths_of(violations, "git.") == {
        ("git.protected", ".github/workflows/ci.yml"),  # a plan's `!` cannot unprotect
        ("git.protected", "Makefile"),
        ("git.protected", "docs/guide.md"),  # the plan added it
    }


def test_moving_a_protected_file_away_is_a_change_to_it(repo: Path) -> None:
    commit_policy(repo, '[plugins.git]\nprotected = ["README.md"]\n')
    shadow = start(repo, env=ENV).shadow
    (shadow / "README.md").rename(shadow / "README.txt")
    _, violations = validate(repo)
    assert ("git.protected", "README.md") in paths_of(violations, "git.")


def test_strict_preset_protects_ci_and_hooks(repo: Path) -> None:
    assert cli(repo, "init", "--preset", "strict").code == 0
    commit_all(repo, "strict policy")
    shadow = start(repo, env=ENV).shadow
    for rel in [".github/workflows/ci.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml"]:
        write(shadow, rel)
    write(shadow, "src/app.py", "print('fine')\n")
    _, violations = validate(repo)
    assert paths_of(violations, "git.protected") == {
        ("git.protected", ".github/workflows/ci.yml"),
        ("git.protected", ".gitlab-ci.yml"),
        ("git.protected", ".pre-commit-config.yaml"),
    }


def test_a_bad_protected_list_is_a_config_error(repo: Path) -> None:
    commit_policy(repo, '[plugins.git]\nprotected = "oops"\n')
    result = cli(repo, "start", "f", env=ENV)
    assert result.code == 2
    assert ".git-agent/policy.toml" in result.err and "protected" in result.err
    assert "Traceback" not in result.err
