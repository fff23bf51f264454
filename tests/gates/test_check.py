"""`git agent check`: every commit in base..head under the policy as of base, in five formats."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from supervisor.gates.push import CommitReport
from supervisor.render import formats as reporters
from supervisor.rules.engine import Report
from supervisor.rules.types import Violation
from tests.kit import cli, commit_all, git, run_cli

SCHEMA = Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"
POLICY = """version = 1
[scope]
deny = [".git-agent/**", "secrets/**"]
[limits]
max_file_bytes = 1000
"""
LOOSE = """version = 1
[scope]
deny = []
[rules]
scope = "off"
size = "off"
[plugins.size]
allow = ["**"]
"""


def write(repo: Path, path: str, data: str | bytes) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    target.write_bytes(data)


@pytest.fixture
def based(repo: Path) -> tuple[Path, str]:
    """The `repo` fixture with a committed policy: the base every test checks against."""
    write(repo, ".git-agent/policy.toml", POLICY)
    return repo, commit_all(repo, "policy")


def violating_history(repo: Path) -> dict[str, str]:
    """clean, loosen the policy, add a denied file and a big file, clean; their commit ids."""
    commits = {}
    write(repo, "src/app.py", "print('hello, world')\n")
    commits["clean"] = commit_all(repo, "clean change")
    write(repo, ".git-agent/policy.toml", LOOSE)
    commits["loosen"] = commit_all(repo, "loosen the policy")
    write(repo, "secrets/key.txt", "not for the repo\n")
    write(repo, "big/blob.txt", "x" * 5000)
    commits["bad"] = commit_all(repo, "add a denied file")
    write(repo, "docs/guide.md", "# Guide\n\nmore\n")
    commits["after"] = commit_all(repo, "docs")
    return commits


def test_range_is_judged_by_the_policy_of_base(based: tuple[Path, str]) -> None:
    repo, base = based
    commits = violating_history(repo)
    result = cli(repo, "check", "--base", base, "--format", "json")
    assert result.code == 1, result
    data = result.json()
    assert isinstance(data, dict)
    assert {"ok", "violations", "changes", "commits"} <= data.keys()
    assert data["ok"] is False
    assert [c["commit"] for c in data["commits"]] == list(commits.values())  # oldest first
    assert set(data["commits"][0]) >= {"commit", "summary", "ok", "violations"}
    by_commit = {c["commit"]: c for c in data["commits"]}
    assert by_commit[commits["clean"]]["ok"] is True
    assert by_commit[commits["after"]]["ok"] is True
    assert by_commit[commits["loosen"]]["summary"] == "loosen the policy"

    # the loosening itself is refused: a change of the policy needs an approval in CI
    loosen = by_commit[commits["loosen"]]
    assert loosen["ok"] is False
    rules = {(v["rule"], v["path"]) for v in loosen["violations"]}
    assert ("git.policy", ".git-agent/policy.toml") in rules
    # and the commit after it is still judged by the base's policy and plugin configuration
    bad = {(v["rule"], v["path"]) for v in by_commit[commits["bad"]]["violations"]}
    assert ("scope.denied", "secrets/key.txt") in bad
    assert ("size.file", "big/blob.txt") in bad

    for v in data["violations"]:
        assert set(v) >= {"rule", "severity", "path", "line", "message", "commit"}
    for c in data["changes"]:
        assert set(c) >= {"path", "status", "old_path", "added", "deleted", "binary", "mode"}
    assert {c["path"] for c in data["changes"]} >= {"secrets/key.txt", "src/app.py"}


def test_policy_change_is_reported_by_the_git_plugin(based: tuple[Path, str]) -> None:
    repo, base = based
    write(repo, ".git-agent/policy.toml", LOOSE)
    commit_all(repo, "loosen")
    result = cli(repo, "check", "--base", base, "--format", "json")
    data = result.json()
    assert isinstance(data, dict) and result.code == 1
    (found,) = [v for v in data["violations"] if v["path"] == ".git-agent/policy.toml"]
    assert found["rule"] == "git.policy" and "GIT_AGENT_APPROVED_POLICY=" in found["message"]
    blob = git(repo, "rev-parse", "HEAD:.git-agent/policy.toml")
    approved = cli(
        repo, "check", "--base", base, "--format", "json", env={"GIT_AGENT_APPROVED_POLICY": blob}
    )
    assert approved.code == 0, approved
    assert approved.json()["commits"][0]["approved_policy"] == [blob]  # type: ignore[index]
    other = cli(repo, "check", "--base", base, env={"GIT_AGENT_APPROVED_POLICY": "0" * 40})
    assert other.code == 1  # an approval accepts that one policy, nothing else


def test_clean_range_exits_zero(based: tuple[Path, str]) -> None:
    repo, base = based
    write(repo, "src/app.py", "print('changed')\n")
    commit_all(repo, "one")
    write(repo, "src/other.py", "x = 1\n")
    commit_all(repo, "two")
    result = cli(repo, "check", "--base", base)
    assert result.code == 0, result
    assert "2 commits, 2 changed paths, 0 errors, 0 warnings" in result.out


def test_empty_range_exits_zero(based: tuple[Path, str]) -> None:
    repo, base = based
    result = cli(repo, "check", "--base", base, "--head", base, "--format", "json")
    assert result.code == 0, result
    assert result.json() == {
        "ok": True,
        "incomplete": False,
        "blocked": [],
        "base": base,
        "head": base,
        "violations": [],
        "changes": [],
        "commits": [],
    }


def test_warnings_only_exit_zero(repo: Path) -> None:
    write(repo, ".git-agent/policy.toml", POLICY + '[rules]\n"scope.denied" = "warning"\n')
    base = commit_all(repo, "policy")
    write(repo, "secrets/key.txt", "k\n")
    commit_all(repo, "denied, but only a warning")
    result = cli(repo, "check", "--base", base)
    assert result.code == 0, result
    assert "warning  scope.denied" in result.out
    assert "0 errors, 1 warning" in result.out


def test_text_format(based: tuple[Path, str]) -> None:
    repo, base = based
    commits = violating_history(repo)
    result = cli(repo, "check", "--base", base, "--format", "text")
    assert result.code == 1
    lines = result.out.splitlines()
    denied = [line for line in lines if "secrets/key.txt" in line]
    assert denied == [
        f"{commits['bad'][:12]} error    scope.denied             "
        "secrets/key.txt: path is denied by the scope"
    ]
    assert lines[-1].startswith("4 commits, 5 changed paths, ")
    assert lines[-1].endswith(f"(policy of base {base[:12]})")


def test_policy_from_base_without_policy_is_the_default_preset(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    write(repo, ".git-agent/policy.toml", LOOSE)
    write(repo, ".env", "A=1\n")
    commit_all(repo, "policy and .env")
    data = cli(repo, "check", "--base", base, "--format", "json").json()
    assert isinstance(data, dict)
    denied = {v["path"] for v in data["violations"] if v["rule"] == "scope.denied"}
    assert denied == {".env"}  # adopting a policy where none existed passes; .env does not
    assert any("adopts the policy" in n for n in data["commits"][0]["notices"])


def test_broken_policy_at_base_is_a_config_error(repo: Path) -> None:
    write(repo, ".git-agent/policy.toml", "version = 1\n[scope\n")
    base = commit_all(repo, "broken")
    result = cli(repo, "check", "--base", base)
    assert result.code == 2, result
    assert f"policy of base {base[:12]}: .git-agent/policy.toml:2" in result.err


# refs ---------------------------------------------------------------------------------------------
def test_unknown_refs_exit_2(based: tuple[Path, str]) -> None:
    repo, base = based
    result = cli(repo, "check", "--base", "no-such-ref")
    assert result.code == 2
    assert "unknown revision: no-such-ref" in result.err
    result = cli(repo, "check", "--base", base, "--head", "nope~3")
    assert result.code == 2
    assert "unknown revision: nope~3" in result.err


def test_base_defaults_to_upstream(based: tuple[Path, str], tmp_path: Path) -> None:
    origin, _ = based
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    write(clone, "secrets/key.txt", "k\n")
    commit = commit_all(clone, "denied")
    result = cli(clone, "check", "--format", "json")
    assert result.code == 1, result
    data = result.json()
    assert isinstance(data, dict)
    assert [c["commit"] for c in data["commits"]] == [commit]

    git(clone, "checkout", "-q", "--detach")
    result = cli(clone, "check")
    assert result.code == 2
    assert "no --base given and HEAD has no upstream branch" in result.err
    assert result.err.count("\n") == 1


def test_shallow_clone_without_base_is_a_usage_error(
    based: tuple[Path, str], tmp_path: Path
) -> None:
    origin, base = based
    write(origin, "src/x.py", "x\n")
    commit_all(origin)
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    result = cli(clone, "check", "--base", base)
    assert result.code == 2
    assert f"unknown revision: {base}" in result.err


# merges -------------------------------------------------------------------------------------------
def test_merge_is_judged_on_what_it_adds(based: tuple[Path, str]) -> None:
    repo, _ = based
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "src/feature.py", "f = 1\n")
    commit_all(repo, "feature work")
    git(repo, "checkout", "-q", "main")
    write(repo, ".git-agent/policy.toml", POLICY + "# reviewed on main\n")
    commit_all(repo, "main moves the policy, legitimately")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-edit", "main")
    base = git(repo, "merge-base", "main", "HEAD")

    result = cli(repo, "check", "--base", base, "--format", "json")
    assert result.code == 0, result  # what main brought is not the feature's doing
    data = result.json()
    assert isinstance(data, dict)
    assert len(data["commits"]) == 2

    # an "evil" merge: content in the merge that neither parent has
    git(repo, "checkout", "-q", "main")
    write(repo, "docs/main.md", "main\n")
    commit_all(repo, "main again")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-commit", "main")
    write(repo, "secrets/smuggled.txt", "s\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-edit")
    base = git(repo, "merge-base", "main", "HEAD")
    data = cli(repo, "check", "--base", base, "--format", "json").json()
    assert isinstance(data, dict)
    paths = {v["path"] for v in data["violations"]}
    assert paths == {"secrets/smuggled.txt"}
    merged = data["commits"][-1]
    assert [v["path"] for v in merged["violations"]] == ["secrets/smuggled.txt"]


# github -------------------------------------------------------------------------------------------
def test_github_escaping_rules() -> None:
    assert reporters.escape_data("50% a:b,c\r\nd") == "50%25 a:b,c%0D%0Ad"
    assert reporters.escape_property("50% a:b,c\r\nd") == "50%25 a%3Ab%2Cc%0D%0Ad"
    assert reporters.escape_data("%0A") == "%250A"  # `%` first, so no double meaning


def test_github_annotations_escape_hostile_paths(based: tuple[Path, str]) -> None:
    repo, base = based
    name = "secrets/100%,a:b\nc.txt"
    write(repo, name, "k\n")
    commit = commit_all(repo, "hostile name")
    result = cli(repo, "check", "--base", base, "--format", "github")
    assert result.code == 1, result
    lines = result.out.splitlines()
    expected = (
        "::error file=secrets/100%25%2Ca%3Ab%0Ac.txt,title=scope.denied"
        f"::path is denied by the scope (commit {commit[:12]})"
    )
    assert expected in lines
    # every annotation is one line: the newline in the name never breaks a command
    assert all(line.startswith(("::error ", "::warning ", "git-agent")) for line in lines)


def test_github_annotation_message_is_data_escaped() -> None:
    v = Violation(rule="x.y", path="a,b:c", line=7, message="100% sure:\nyes, really")
    line = reporters.annotation(reporters.Found("f" * 40, v))
    assert line == (
        "::error file=a%2Cb%3Ac,line=7,title=x.y::100%25 sure:%0Ayes, really (commit ffffffffffff)"
    )
    v = Violation(rule="size.files-changed", severity="warning", message="too many")
    line = reporters.annotation(reporters.Found("f" * 40, v))
    assert line == "::warning title=size.files-changed::too many (commit ffffffffffff)"


def test_github_caps_annotations_and_writes_the_step_summary(
    based: tuple[Path, str], tmp_path: Path
) -> None:
    repo, base = based
    write(repo, ".git-agent/policy.toml", POLICY + '[rules]\n"size.file" = "warning"\n')
    base = commit_all(repo, "size only warns")
    for i in range(12):
        write(repo, f"secrets/k{i:02}.txt", "k\n")
        write(repo, f"data/big{i:02}.txt", "x" * 2000)
    commit_all(repo, "twelve of each")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    full = cli(repo, "check", "--base", base, "--format", "json").json()
    assert isinstance(full, dict)
    errors = [v for v in full["violations"] if v["severity"] == "error"]
    warnings = [v for v in full["violations"] if v["severity"] == "warning"]
    assert len(errors) >= 12 and len(warnings) >= 12

    result = cli(repo, "check", "--base", base, "--format", "github", env=env)
    assert result.code == 1, result
    lines = result.out.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 10
    assert (
        f"git-agent: {len(errors) - 10} more errors not annotated "
        "(the full list is in the job summary)"
    ) in lines
    assert f"git-agent: {len(warnings) - 10} more warnings not annotated" in result.out
    assert "::error file=secrets/k00.txt,title=scope.denied::" in result.out
    assert "secrets/k11.txt" not in result.out  # the twelfth is only in the summary

    text = summary.read_text()
    assert text.startswith("earlier step\n## git-agent check\n")  # appended, not replaced
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + len(full["violations"])  # header, rule, every violation
    assert any("secrets/k11.txt" in row for row in rows)
    assert "| severity | rule | path | line | commit | message |" in rows


def test_github_without_step_summary(based: tuple[Path, str]) -> None:
    repo, base = based
    write(repo, "secrets/a.txt", "k\n")
    commit_all(repo)
    result = cli(repo, "check", "--base", base, "--format", "github", env={})
    assert result.code == 1
    assert result.out.splitlines()[-1].startswith(
        "git-agent check: 1 commit, 1 changed path, 1 error"
    )


def test_step_summary_escapes_markdown() -> None:
    v = Violation(rule="r.x", path="a|b<i>.txt", line=3, message="pipe | and\nnewline")
    report = CommitReport("a" * 40, "s", Report([v], []))
    text = reporters.markdown([report], "b" * 40, "c" * 40)
    row = next(line for line in text.splitlines() if line.startswith("| error"))
    assert row == (
        "| error | r.x | a\\|b&lt;i&gt;.txt | 3 | `aaaaaaaaaaaa` | pipe \\| and\\nnewline |"
    )


# sarif --------------------------------------------------------------------------------------------
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def test_sarif_is_valid_against_the_official_schema(based: tuple[Path, str]) -> None:
    repo, base = based
    commits = violating_history(repo)
    write(repo, "secrets/with space/é.txt", "k\n")
    commit_all(repo, "odd names")
    result = cli(repo, "check", "--base", base, "--format", "sarif")
    assert result.code == 1, result
    doc = result.json()
    sarif_validator().validate(doc)
    assert isinstance(doc, dict)
    assert doc["version"] == "2.1.0"
    assert "$schema" in doc
    (run,) = doc["runs"]
    assert run["tool"]["driver"]["name"] == "git-agent"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "scope.denied" in rule_ids
    results = run["results"]
    for r in results:
        assert r["ruleId"] in rule_ids
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] in {"error", "warning"}
        assert r["message"]["text"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    assert "secrets/with%20space/%C3%A9.txt" in uris
    key = uris["secrets/key.txt"]
    assert key["partialFingerprints"]["gitAgentCommit/v1"] == commits["bad"]


def test_sarif_regions_and_pathless_results_are_valid() -> None:
    found = [
        Violation(rule="secrets.token", path="src/a b.py", line=12, message="a token"),
        Violation(rule="size.files-changed", severity="warning", message="too many files"),
        Violation(rule="path.control", path="x\x01:y.txt", message="control"),
    ]
    report = CommitReport("d" * 40, "s", Report(found, []))
    doc = reporters.sarif([report], "b" * 40, "c" * 40)
    sarif_validator().validate(doc)
    results = doc["runs"][0]["results"]
    located = results[0]["locations"][0]["physicalLocation"]
    assert located["artifactLocation"]["uri"] == "src/a%20b.py"
    assert located["region"] == {"startLine": 12}
    assert "locations" not in results[1]
    assert results[1]["level"] == "warning"
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "x%01%3Ay.txt"
    )


def test_sarif_validator_rejects_what_the_schema_forbids() -> None:
    report = CommitReport("d" * 40, "s", Report([Violation(rule="a.b", message="m")], []))
    doc = reporters.sarif([report], "b" * 40, "c" * 40)
    doc["runs"][0]["results"][0]["level"] = "critical"
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator().validate(doc)
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator().validate({"version": "2.0.0", "runs": []})


def test_sarif_of_a_clean_range_is_valid(based: tuple[Path, str]) -> None:
    repo, base = based
    write(repo, "src/app.py", "ok\n")
    commit_all(repo)
    result = cli(repo, "check", "--base", base, "--format", "sarif")
    assert result.code == 0
    doc = result.json()
    sarif_validator().validate(doc)
    assert isinstance(doc, dict)
    assert doc["runs"][0]["results"] == []


# junit --------------------------------------------------------------------------------------------
def test_junit_parses_with_failures_per_commit(based: tuple[Path, str]) -> None:
    repo, base = based
    commits = violating_history(repo)
    write(repo, "secrets/<&>\x01\"'.txt", "k\n")
    hostile = commit_all(repo, 'hostile <name> & "quotes"')
    result = cli(repo, "check", "--base", base, "--format", "junit")
    assert result.code == 1, result
    root = ET.fromstring(result.out.encode())
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 5
    assert suites[0].get("name") == f"{commits['clean'][:12]} clean change"
    assert suites[0].get("failures") == "0"
    assert suites[-1].get("name") == f'{hostile[:12]} hostile <name> & "quotes"'
    failed = {s.get("name", "")[:12] for s in suites if s.get("failures") != "0"}
    assert failed == {commits["loosen"][:12], commits["bad"][:12], hostile[:12]}
    bad = suites[2]
    cases = {c.get("name"): c for c in bad.findall("testcase")}
    failure = cases["scope.denied"].find("failure")
    assert failure is not None
    assert failure.get("type") == "scope.denied"
    assert "secrets/key.txt" in (failure.text or "")
    assert int(root.get("failures", "0")) == sum(int(s.get("failures", "0")) for s in suites)
    assert int(root.get("tests", "0")) == len(root.findall("testsuite/testcase"))


def test_junit_of_a_clean_range(based: tuple[Path, str]) -> None:
    repo, base = based
    write(repo, "src/app.py", "ok\n")
    commit_all(repo)
    result = cli(repo, "check", "--base", base, "--format", "junit")
    assert result.code == 0
    root = ET.fromstring(result.out.encode())
    (case,) = root.findall("testsuite/testcase")
    assert case.get("name") == "policy"
    assert case.find("failure") is None


# a real process -----------------------------------------------------------------------------------
def test_git_agent_check_as_a_real_process(based: tuple[Path, str]) -> None:
    repo, base = based
    violating_history(repo)
    result = run_cli(repo, "check", "--base", base, "--head", "HEAD", "--format", "text")
    assert result.code == 1, result
    assert "scope.denied" in result.out
    assert "secrets/key.txt" in result.out
    assert "Traceback" not in result.err
    clean = run_cli(repo, "check", "--base", "HEAD")
    assert clean.code == 0, clean
    assert "0 commits" in clean.out
