"""Policy and plan: strict models, `FILE:LINE: message` errors, and the plan narrowing the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervisor.config.globs import Globs, check_glob
from supervisor.config.load import load_plan, load_policy
from supervisor.config.rules import Limits, Rules
from supervisor.errors import ConfigError
from tests.kit import cli, commit_policy, git, run_cli, start, start_cli

# --- helpers ---------------------------------------------------------------


def common_dir(repo: Path) -> Path:
    return Path(git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir"))


def assert_nothing_created(repo: Path, name: str = "f") -> None:
    """No branch, no chain, no worktree, no feature row, no feature folder."""
    assert git(repo, "for-each-ref", "refs/heads/agent", "refs/agent") == ""
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert cli(repo, "list", "--json").json() == []
    assert not (common_dir(repo) / "agent" / "features" / name).exists()


def one_line(text: str) -> str:
    lines = text.strip("\n").split("\n")
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def violations(repo: Path, name: str = "f") -> set[tuple[str, str, str]]:
    result = cli(repo, "validate", name, "--json")
    assert result.code in (0, 1), result
    report = result.json()
    assert isinstance(report, dict)
    return {(v["rule"], v["severity"], v["path"]) for v in report["violations"]}


def scope_violations(repo: Path, name: str = "f") -> set[tuple[str, str, str]]:
    return {v for v in violations(repo, name) if v[0].startswith("scope.")}


# --- the models: unknown keys, wrong types, bad globs, TOML syntax ----------

BAD_PLANS = [
    # (text, line, fragment of the message)
    ('description = "x"\nbogus = 1\n', 2, "unknown key 'bogus'"),
    ('[scope]\nallow = ["src/**"]\nbogus = 1\n', 3, "unknown key 'scope.bogus'"),
    ("[scope]\n\n[nope]\nx = 1\n", 3, "unknown key 'nope'"),
    ('[limits]\nmax_file_bytes = 10\nmax_lines_added = "many"\n', 3, "limits.max_lines_added"),
    ("[limits]\nmax_files_changed = -1\n", 2, "greater than or equal to 0"),
    ("[limits]\nmax_files_changed = 1.5\n", 2, "valid integer"),
    ('[limits]\nallow_binary = "yes"\n', 2, "valid boolean"),
    ("[limits]\nallow_binary = 1\n", 2, "valid boolean"),
    ('[scope]\nallow = "src/**"\n', 2, "valid list"),
    ('\n\n[scope]\nallow = ["ok/**", "a["]\n', 4, "unclosed '['"),
    ('[scope]\ndeny = ["../x"]\n', 2, "'..'"),
    ('[scope]\ndeny = ["src/../../x"]\n', 2, "'..'"),
    ('[scope]\nallow = [""]\n', 2, "empty glob"),
    ('[scope]\nallow = ["   "]\n', 2, "empty glob"),
    ('[scope]\ndeny = [\n  "ok/**",\n  "b/**",\n  "a[",\n]\n', 5, "unclosed '['"),
    ('[rules]\n"scope.outside" = "fatal"\n', 2, "'error', 'warning' or 'off'"),
    ('[[checks]]\nname = "a"\nrun = "true"\n\n[[checks]]\nname = "b"\n', 5, "checks.1.run"),
    ('[[checks]]\nname = "a"\nrun = "true"\ntimeout = 0\n', 4, "checks.0.timeout"),
    ("[plugins]\nsecrets = 1\n", 2, "plugins.secrets"),
    # TOML syntax errors
    ('[scope]\nallow = ["a"]\nallow = ["b"]\n', 3, "Cannot overwrite"),
    ("description = \n", 1, "Invalid value"),
    ('description = "x"\n[scope\n', 2, "Expected ']'"),
    ('[scope]\nallow = ["src/**"\n', 2, "Unclosed array"),
    ('description = "x"\n\n\ndescription "y"\n', 4, "Expected '='"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), BAD_PLANS)
def test_bad_plan_is_a_config_error_with_its_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_plan(text.encode(), "plans/bad.toml")
    error = caught.value
    assert error.file == "plans/bad.toml"
    assert error.line == line, str(error)
    assert str(error).startswith(f"plans/bad.toml:{line}: "), str(error)
    assert fragment in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("version = 2\n", 1, "version"),
        ("Version = 1\n", 1, "unknown key 'Version'"),
        ('version = 1\n\n[scope]\nallow = ["**"]\nnope = 1\n', 5, "unknown key 'scope.nope'"),
        ('version = 1\n[plugins.scope]\nx = 1\n[checks]\nname = "x"\n', 4, "unknown key 'checks'"),
        ("version = 1\n[limits]\ndisk_quota_bytes = true\n", 3, "limits.disk_quota_bytes"),
    ],
)
def test_bad_policy_is_a_config_error_with_its_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_policy(text.encode())
    assert str(caught.value).startswith(f".git-agent/policy.toml:{line}: "), str(caught.value)
    assert fragment in str(caught.value)


def test_a_plan_that_is_not_utf8_names_the_file() -> None:
    with pytest.raises(ConfigError, match=r"^p\.toml: not UTF-8"):
        load_plan(b'description = "\xff"\n', "p.toml")


def test_policy_keys_are_not_plan_keys() -> None:
    # a plan has no version; a policy has no checks or description
    with pytest.raises(ConfigError, match="unknown key 'version'"):
        load_plan(b"version = 1\n", "p.toml")
    with pytest.raises(ConfigError, match="unknown key 'description'"):
        load_policy(b'description = "x"\n')


@pytest.mark.parametrize("pattern", ["a[", "x/[ab", "../x", "a/../../b", "..", "", "  ", "a\nb"])
def test_bad_globs_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError):
        check_glob(pattern)


@pytest.mark.parametrize(
    "pattern", ["**", "src/**", "*.py", "!src/keep.py", "a[bc]", "a\\[", "x..y"]
)
def test_good_globs_pass(pattern: str) -> None:
    assert check_glob(pattern) == pattern


def test_globs_are_gitignore_style() -> None:
    globs = Globs(["src/**", "*.pem", "/top.txt"])
    assert globs.match("src/a/b/c.py")
    assert globs.match("deep/dir/key.pem")
    assert globs.match("top.txt")
    assert not globs.match("sub/top.txt")
    assert not globs.match("docs/guide.md")
    assert not Globs([]).match("anything")


def test_valid_plan_and_policy_load() -> None:
    plan = load_plan(
        b'description = "d"\n[scope]\nallow = ["src/**"]\ndeny = ["src/secret/**"]\n'
        b"[limits]\nmax_files_changed = 3\nallow_binary = false\n"
        b'[rules]\n"scope" = "error"\n[[checks]]\nname = "t"\nrun = ["true"]\n'
        b"[plugins.secrets]\nextra = []\n",
        "p.toml",
    )
    assert plan.allow == ("src/**",)
    assert plan.limits.max_files_changed == 3 and plan.limits.allow_binary is False
    assert plan.checks[0].run == ["true"]
    assert plan.plugins == {"secrets": {"extra": []}}


# --- through the CLI: a bad plan stops `start` cold ------------------------


def test_start_with_a_bad_plan_exits_2_naming_file_and_line(repo: Path) -> None:
    (repo / "bad.toml").write_text('description = "x"\n\n[scope]\nallow = ["src/**", "a["]\n')
    result = run_cli(repo, "start", "f", "--plan", "bad.toml")
    assert result.code == 2, result
    assert result.out == ""
    line = one_line(result.err)
    assert line.startswith("git-agent: ") and "bad.toml:4: " in line, line
    assert "unclosed '['" in line
    assert_nothing_created(repo)


@pytest.mark.parametrize(("text", "line", "fragment"), BAD_PLANS[:3] + BAD_PLANS[-4:])
def test_start_refuses_each_bad_plan(repo: Path, text: str, line: int, fragment: str) -> None:
    (repo / "bad.toml").write_text(text)
    result = cli(repo, "start", "f", "--plan", "bad.toml")
    assert result.code == 2, result
    message = one_line(result.err)
    assert f"bad.toml:{line}: " in message and fragment in message, message
    assert_nothing_created(repo)


def test_start_with_a_missing_plan_exits_2(repo: Path) -> None:
    result = cli(repo, "start", "f", "--plan", "nowhere.toml")
    assert result.code == 2, result
    assert "nowhere.toml" in one_line(result.err)
    assert_nothing_created(repo)


def test_a_good_plan_starts_and_a_bad_one_can_then_be_fixed(repo: Path) -> None:
    (repo / "plan.toml").write_text("[scope]\nallow = [\n]\nbogus = true\n")
    assert cli(repo, "start", "f", "--plan", "plan.toml").code == 2
    (repo / "plan.toml").write_text('[scope]\nallow = ["src/**"]\n')
    assert cli(repo, "start", "f", "--plan", "plan.toml").code == 0


# --- a committed, malformed policy ----------------------------------------


def test_start_with_a_malformed_committed_policy_exits_2(repo: Path) -> None:
    commit_policy(repo, 'version = 1\n\n[scope]\nallow = ["**"]\nnope = 1\n')
    result = run_cli(repo, "start", "f")
    assert result.code == 2, result
    line = one_line(result.err)
    assert line == "git-agent: .git-agent/policy.toml:5: unknown key 'scope.nope'", line
    assert_nothing_created(repo)


def test_start_with_a_policy_toml_syntax_error_exits_2(repo: Path) -> None:
    commit_policy(repo, 'version = 1\n[scope]\ndeny = ["x"\n[limits]\n')
    result = cli(repo, "start", "f")
    assert result.code == 2, result
    assert one_line(result.err).startswith("git-agent: .git-agent/policy.toml:4: "), result
    assert_nothing_created(repo)


# --- the policy is read from the base commit -------------------------------


def test_an_uncommitted_policy_edit_does_not_count(repo: Path) -> None:
    """The policy in force is the one in the base commit, never the user's checkout."""
    commit_policy(repo, 'version = 1\n[scope]\ndeny = ["docs/**"]\n')
    # the user loosens the policy in the checkout, and does not commit it
    (repo / ".git-agent" / "policy.toml").write_text("version = 1\n[scope]\ndeny = []\n")
    shadow = start(repo).shadow
    (shadow / "docs" / "guide.md").write_text("# changed\n")
    assert ("scope.denied", "error", "docs/guide.md") in scope_violations(repo)


def test_an_uncommitted_malformed_policy_does_not_stop_start(repo: Path) -> None:
    commit_policy(repo, 'version = 1\n[scope]\ndeny = ["docs/**"]\n')
    (repo / ".git-agent" / "policy.toml").write_text("this is not toml [[[\n")
    shadow = start(repo).shadow
    (shadow / "docs" / "guide.md").write_text("# changed\n")
    assert ("scope.denied", "error", "docs/guide.md") in scope_violations(repo)


def test_an_uncommitted_new_policy_does_not_count(repo: Path) -> None:
    (repo / ".git-agent").mkdir()
    (repo / ".git-agent" / "policy.toml").write_text('version = 1\n[scope]\ndeny = ["src/**"]\n')
    shadow = start(repo).shadow
    (shadow / "src" / "app.py").write_text("print('changed')\n")
    assert scope_violations(repo) == set()


def test_a_policy_committed_after_start_does_not_reach_the_feature(repo: Path) -> None:
    shadow = start(repo).shadow
    commit_policy(repo, 'version = 1\n[scope]\ndeny = ["src/**"]\n')
    (shadow / "src" / "app.py").write_text("print('changed')\n")
    assert scope_violations(repo) == set()
    # a feature started on the new commit gets it
    other = start(repo, "g").shadow
    (other / "src" / "app.py").write_text("print('changed')\n")
    assert ("scope.denied", "error", "src/app.py") in scope_violations(repo, "g")


def test_the_policy_of_the_base_given_by_flag_is_used(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    commit_policy(repo, 'version = 1\n[scope]\ndeny = ["src/**"]\n')
    shadow = start(repo, base=first).shadow
    (shadow / "src" / "app.py").write_text("print('changed')\n")
    assert scope_violations(repo) == set()


# --- narrowing: the effective rules ----------------------------------------


def rules(policy: str, plan: str | None) -> Rules:
    return Rules(
        load_policy(policy.encode()), None if plan is None else load_plan(plan.encode(), "p")
    )


def test_a_path_is_allowed_only_if_both_allow_it() -> None:
    effective = rules(
        'version = 1\n[scope]\nallow = ["src/**", "docs/**"]\n',
        '[scope]\nallow = ["src/**", "README.md"]\n',
    )
    assert effective.allowed("src/app.py")
    assert not effective.allowed("docs/guide.md")  # the plan does not allow it
    assert not effective.allowed("README.md")  # the policy does not allow it
    # a plan without a scope narrows nothing, and widens nothing
    loose = rules('version = 1\n[scope]\nallow = ["src/**"]\n', 'description = "x"\n')
    assert loose.allowed("src/app.py") and not loose.allowed("README.md")
    # a plan cannot widen with a broader allow
    wide = rules('version = 1\n[scope]\nallow = ["src/**"]\n', '[scope]\nallow = ["**"]\n')
    assert not wide.allowed("README.md")


def test_a_path_is_denied_if_either_denies_it() -> None:
    effective = rules(
        'version = 1\n[scope]\ndeny = ["**/*.pem"]\n', '[scope]\ndeny = ["src/secret/**"]\n'
    )
    assert effective.denied("keys/server.pem")  # the policy's
    assert effective.denied("src/secret/token.txt")  # the plan's
    assert not effective.denied("src/app.py")
    # an empty or negating deny in the plan cannot lift the policy's
    lifted = rules(
        'version = 1\n[scope]\ndeny = ["**/*.pem"]\n', '[scope]\ndeny = ["!keys/ok.pem"]\n'
    )
    assert lifted.denied("keys/ok.pem")
    assert rules('version = 1\n[scope]\ndeny = ["a/**"]\n', "[scope]\ndeny = []\n").denied("a/b")


@pytest.mark.parametrize(
    ("policy", "plan", "want"),
    [(10, 5, 5), (5, 10, 5), (None, 7, 7), (3, None, 3), (None, None, None), (0, 9, 0)],
)
def test_each_limit_is_the_stricter(policy: int | None, plan: int | None, want: int | None) -> None:
    names = ("max_file_bytes", "max_files_changed", "max_lines_added", "max_lines_deleted")
    names += ("disk_quota_bytes",)
    for name in names:
        merged = Rules(
            load_policy(b"version = 1\n")._replace(limits=Limits(**{name: policy})),
            load_plan(b"", "p")._replace(limits=Limits(**{name: plan})),
        ).limits
        assert getattr(merged, name) == want, name


def test_limits_narrow_from_toml() -> None:
    effective = rules(
        "version = 1\n[limits]\nmax_files_changed = 100\nmax_lines_added = 50\n",
        "[limits]\nmax_files_changed = 10\nmax_lines_added = 500\nmax_file_bytes = 7\n",
    )
    assert effective.limits.max_files_changed == 10
    assert effective.limits.max_lines_added == 50
    assert effective.limits.max_file_bytes == 7
    assert effective.limits.disk_quota_bytes is None
    # without a plan, the policy's limits stand
    assert (
        rules("version = 1\n[limits]\nmax_files_changed = 4\n", None).limits.max_files_changed == 4
    )


@pytest.mark.parametrize(
    ("policy", "plan", "want"),
    [
        (True, True, True),
        (True, False, False),
        (False, True, False),
        (False, False, False),
        (None, True, True),
        (None, False, False),
        (False, None, False),
        (True, None, True),
        (None, None, None),
    ],
)
def test_switches_are_anded(policy: bool | None, plan: bool | None, want: bool | None) -> None:
    for name in ("allow_binary", "allow_executable", "allow_symlinks", "allow_delete"):
        merged = Limits(**{name: policy}).narrowed(Limits(**{name: plan}))
        assert getattr(merged, name) is want, name


def test_a_plan_cannot_lower_a_severity_the_policy_sets() -> None:
    effective = rules(
        'version = 1\n[rules]\n"scope.outside" = "error"\n"size" = "warning"\nsecrets = "error"\n',
        '[rules]\n"scope.outside" = "off"\n"size" = "error"\n"secrets.aws-access-key" = "warning"\n'
        '"scope.denied" = "off"\n',
    )
    assert effective.severity("scope.outside", "error") == "error"  # plan's off ignored
    assert effective.severity("size.file", "error") == "error"  # plan raises the warning
    assert effective.severity("secrets.aws-access-key", "error") == "error"  # prefix holds
    # a rule the policy leaves at the plugin's level: the plan cannot lower it either
    assert effective.severity("scope.denied", "error") == "error"
    assert effective.severity("scope.denied", "warning") == "warning"
    # the policy itself may lower or switch off
    assert (
        rules('version = 1\n[rules]\nscope = "off"\n', None).severity("scope.x", "error") == "off"
    )


def test_a_plan_cannot_widen_through_the_cli(repo: Path) -> None:
    commit_policy(
        repo,
        'version = 1\n[scope]\nallow = ["src/**", "docs/**"]\ndeny = ["docs/**"]\n',
    )
    (repo / "plan.toml").write_text(
        '[scope]\nallow = ["**"]\ndeny = []\n[rules]\nscope = "off"\n"scope.denied" = "warning"\n'
    )
    shadow = start_cli(repo, "f", "--plan", "plan.toml").shadow
    (shadow / "docs" / "guide.md").write_text("# changed\n")
    (shadow / "README.md").write_text("changed\n")
    (shadow / "src" / "app.py").write_text("print('changed')\n")
    assert scope_violations(repo) == {
        ("scope.denied", "error", "docs/guide.md"),
        ("scope.outside", "error", "README.md"),
    }
    assert cli(repo, "validate", "f").code == 1


def test_a_plan_narrows_through_the_cli(repo: Path) -> None:
    (repo / "plan.toml").write_text('[scope]\nallow = ["src/**", "docs/**"]\ndeny = ["docs/**"]\n')
    shadow = start_cli(repo, "f", "--plan", "plan.toml").shadow
    (shadow / "src" / "app.py").write_text("print('changed')\n")
    assert scope_violations(repo) == set()
    (shadow / "docs" / "guide.md").write_text("# changed\n")
    (shadow / "README.md").write_text("changed\n")
    assert scope_violations(repo) == {
        ("scope.denied", "error", "docs/guide.md"),
        ("scope.outside", "error", "README.md"),
    }
