"""What a person reads when a command line is wrong or a state is surprising: one line, the
closest names that exist, exit 2; notes that are not errors go to stderr with exit 0."""

from __future__ import annotations

from pathlib import Path

from tests.kit import cli, commit_all, git, git_bytes, run_cli, start, write_files


def one_error(result: object, code: int = 2) -> str:
    assert getattr(result, "code", None) == code, result
    assert getattr(result, "out", None) == "", result
    err = str(getattr(result, "err", ""))
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.removesuffix("\n")


def test_an_unknown_command_suggests_the_closest(repo: Path) -> None:
    assert one_error(run_cli(repo, "stauts")) == (
        "git-agent: 'stauts' is not a git-agent command (did you mean 'status'?): "
        "see 'git agent help'"
    )
    assert "did you mean 'checkpoint'?" in one_error(run_cli(repo, "checkpiont"))
    assert one_error(run_cli(repo, "zzz")) == (
        "git-agent: 'zzz' is not a git-agent command: see 'git agent help'"
    )
    assert one_error(run_cli(repo)) == "git-agent: a command is needed: see 'git agent help'"


def test_an_unknown_option_is_named_with_its_command(repo: Path) -> None:
    assert one_error(run_cli(repo, "start", "x", "-x")) == "git-agent: start: unknown option -x"
    assert git(repo, "branch", "--list", "agent/*") == ""  # nothing was started
    assert one_error(cli(repo, "start", "x", "--jsn")) == (
        "git-agent: start: unknown option --jsn (did you mean '--json'?)"
    )
    assert one_error(cli(repo, "diff", "x", "--stst=1")) == (
        "git-agent: diff: unknown option --stst=1 (did you mean '--stat'?)"
    )
    assert one_error(cli(repo, "status", "a", "b")) == "git-agent: status: unexpected argument 'b'"


def test_an_unknown_feature_suggests_the_closest(repo: Path) -> None:
    start(repo, "login-form")
    start(repo, "logout")
    assert one_error(cli(repo, "status", "login-from")) == (
        "git-agent: unknown feature: login-from (did you mean 'login-form'?)"
    )
    assert one_error(cli(repo, "validate", "log")) == (
        "git-agent: unknown feature: log (did you mean 'login-form' or 'logout'?)"
    )
    assert one_error(cli(repo, "checkpoint", "zzz")) == "git-agent: unknown feature: zzz"


def test_status_of_an_empty_name_is_a_usage_error(repo: Path) -> None:
    start(repo)
    line = one_error(cli(repo, "status", ""))
    assert line.startswith("git-agent: invalid feature name ''")


def test_list_and_status_say_when_there_is_no_feature(repo: Path) -> None:
    for command in ("list", "status"):
        result = run_cli(repo, command)
        assert result.code == 0 and result.err == "", result
        assert result.out == "no features yet: `git agent start <feature>` begins one\n"
        assert cli(repo, command, "--json").json() == []


def test_start_notes_the_changes_the_shadow_will_not_have(repo: Path) -> None:
    write_files(repo, {"src/app.py": "changed\n", "notes.txt": "new\n"})
    git(repo, "add", "notes.txt")
    write_files(repo, {"scratch.txt": "untracked\n"})
    result = run_cli(repo, "start", "f")
    assert result.code == 0, result
    base = git(repo, "rev-parse", "HEAD")
    assert result.err == (
        f"git-agent: 3 uncommitted changes in {repo} are not in the shadow, which starts from "
        f"HEAD ({base[:12]}): commit them first for the agent to have them\n"
    )
    shadow = Path(cli(repo, "status", "f", "--json").json()["shadow"])  # type: ignore[index]
    assert (shadow / "src" / "app.py").read_text() == "print('hello')\n"
    assert not (shadow / "notes.txt").exists() and not (shadow / "scratch.txt").exists()
    untouched = git_bytes(repo, "status", "--porcelain").decode().splitlines()
    assert untouched == ["A  notes.txt", " M src/app.py", "?? scratch.txt"]


def test_start_says_nothing_of_a_clean_tree_or_another_base(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    write_files(repo, {"more.txt": "more\n"})
    commit_all(repo, "more")
    clean = run_cli(repo, "start", "a")
    assert clean.code == 0 and clean.err == "", clean
    write_files(repo, {"src/app.py": "changed\n"})
    other = run_cli(repo, "start", "b", "--base", first)
    assert other.code == 0 and other.err == "", other
    one = run_cli(repo, "start", "c", "--json")
    assert one.code == 0 and "1 uncommitted change in" in one.err and " is not in " in one.err
