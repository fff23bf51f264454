"""delete.*: deletions, allowed or not, and how many."""

from __future__ import annotations

from pathlib import Path

from tests.kit import Found, cli, found, start, verdict

NO_DELETE = "[limits]\nallow_delete = false\n"


def validate(repo: Path, name: str = "f") -> tuple[int, Found]:
    code, data = verdict(repo, name)
    return code, found(data, ("delete.",))


def many_files(repo: Path, count: int) -> None:
    (repo / "gen").mkdir()
    for i in range(count):
        (repo / "gen" / f"f{i}.txt").write_text(f"file {i}\n")


def test_deleting_a_file(repo: Path) -> None:
    shadow = start(repo, policy=NO_DELETE).shadow
    (shadow / "docs" / "guide.md").unlink()
    assert validate(repo) == (1, [("delete.file", "error", "docs/guide.md")])


def test_a_rename_is_not_a_deletion(repo: Path) -> None:
    (repo / "src" / "long.py").write_text("".join(f"value_{i} = {i}\n" for i in range(40)))
    shadow = start(repo, policy=NO_DELETE).shadow
    (shadow / "src" / "app.py").rename(shadow / "src" / "main.py")
    text = (shadow / "src" / "long.py").read_text() + "extra = 1\n"
    (shadow / "src" / "long.py").unlink()
    (shadow / "lib.py").write_text(text)  # renamed and edited
    result = cli(repo, "validate", "f", "--json").json()
    assert isinstance(result, dict)
    statuses = {c["path"]: c["status"] for c in result["changes"]}
    assert statuses["src/main.py"] == "R" and statuses["lib.py"] == "R"
    assert validate(repo) == (0, [])


def test_deletion_legitimate_cases(repo: Path) -> None:
    shadow = start(repo, policy=NO_DELETE + '[plugins.delete]\nallow = ["docs/**"]\n').shadow
    (shadow / "docs" / "guide.md").unlink()
    assert validate(repo) == (0, [])
    allowed = start(repo, "g", policy="[limits]\nallow_delete = true\n").shadow
    (allowed / "README.md").unlink()
    assert validate(repo, "g") == (0, [])


def test_plan_cannot_widen_the_delete_switch_or_allow_list(repo: Path) -> None:
    policy = NO_DELETE + '[plugins.delete]\nallow = ["docs/**"]\n'
    plan = '[limits]\nallow_delete = true\n[plugins.delete]\nallow = ["README.md"]\n'
    shadow = start(repo, policy=policy, plan=plan).shadow
    (shadow / "docs" / "guide.md").unlink()  # the plan's list does not hold it
    (shadow / "README.md").unlink()  # the policy's list does not hold it
    assert validate(repo) == (
        1,
        [("delete.file", "error", "README.md"), ("delete.file", "error", "docs/guide.md")],
    )


def test_too_many_deletions(repo: Path) -> None:
    many_files(repo, 4)
    shadow = start(
        repo, policy="[limits]\nallow_delete = true\n[plugins.delete]\nmax_files = 3\n"
    ).shadow
    for i in range(3):
        (shadow / "gen" / f"f{i}.txt").unlink()
    assert validate(repo) == (0, [])
    (shadow / "gen" / "f3.txt").unlink()
    assert validate(repo) == (1, [("delete.too-many", "error", None)])


def test_allowed_deletions_do_not_count(repo: Path) -> None:
    many_files(repo, 4)
    policy = '[plugins.delete]\nmax_files = 1\nallow = ["gen/**"]\n'
    shadow = start(repo, policy=policy).shadow
    for i in range(4):
        (shadow / "gen" / f"f{i}.txt").unlink()
    (shadow / "README.md").unlink()
    assert validate(repo) == (0, [])


def test_plan_max_files_only_lowers(repo: Path) -> None:
    many_files(repo, 3)
    shadow = start(
        repo, policy="[plugins.delete]\nmax_files = 5\n", plan="[plugins.delete]\nmax_files = 1\n"
    ).shadow
    (shadow / "gen" / "f0.txt").unlink()
    (shadow / "gen" / "f1.txt").unlink()
    assert validate(repo) == (1, [("delete.too-many", "error", None)])
    wider = start(
        repo,
        "g",
        policy="[plugins.delete]\nmax_files = 1\n",
        plan="[plugins.delete]\nmax_files = 9\n",
    ).shadow
    (wider / "gen" / "f0.txt").unlink()
    (wider / "gen" / "f1.txt").unlink()
    assert validate(repo, "g") == (1, [("delete.too-many", "error", None)])


def test_both_rules_and_a_lowered_severity(repo: Path) -> None:
    policy = NO_DELETE + '[plugins.delete]\nmax_files = 0\n[rules]\n"delete.file" = "warning"\n'
    shadow = start(repo, policy=policy).shadow
    (shadow / "README.md").unlink()
    assert validate(repo) == (
        1,
        [("delete.too-many", "error", None), ("delete.file", "warning", "README.md")],
    )


def test_bad_max_files_is_a_config_error(repo: Path) -> None:
    """A plan's bad table stops `start` at once, naming the plan and the line."""
    plan = repo.parent / "f-plan.toml"
    plan.write_text('[plugins.delete]\nmax_files = "ten"\n')
    result = cli(repo, "start", "f", "--plan", str(plan))
    assert result.code == 2, result
    assert f"{plan}:2:" in result.err and "max_files" in result.err
    assert "Traceback" not in result.err
