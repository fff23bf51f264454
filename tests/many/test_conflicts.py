"""`git agent conflicts`: pairs of features, and each against its base branch, merged in
memory; what it predicts is what `git merge-tree` finds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kit import (
    checkpoint,
    cli,
    commit_all,
    git,
    git_bytes,
    make_repo,
    start,
    status,
    write_files,
)

LINES = "".join(f"line {n}\n" for n in range(1, 21))
UTIL = "".join(f"util {n}\n" for n in range(1, 21))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "repo",
        {"src/app.py": LINES, "src/util.py": UTIL, "README.md": "demo\n", "docs/a.md": "a\n"},
    )


def edit(text: str, number: int, new: str) -> str:
    """`text` with its line `number` replaced by `new`."""
    lines = text.splitlines(keepends=True)
    lines[number - 1] = f"{new}\n"
    return "".join(lines)


def work(repo: Path, name: str, files: dict[str, str | None]) -> None:
    """Feature `name` (started when new) with `files` written into its shadow, checkpointed."""
    if not (repo / ".git" / "agent" / "features" / name).is_dir():
        start(repo, name)
    shadow = repo / ".git" / "agent" / "features" / name / "shadow"
    write_files(shadow, files)
    checkpoint(repo, name)


def conflicts(repo: Path, *args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    result = cli(cwd or repo, "conflicts", *args, "--json")
    assert result.code in (0, 1), result
    data = result.json()
    assert isinstance(data, dict)
    return result.code, data


def pair(data: dict[str, Any], a: str, b: str) -> dict[str, Any] | None:
    return next((p for p in data["pairs"] if (p["a"], p["b"]) == (a, b)), None)


def test_the_same_lines_changed_twice_conflict_with_their_ranges(project: Path) -> None:
    work(project, "login", {"src/app.py": edit(edit(LINES, 5, "login 5"), 6, "login 6")})
    work(project, "signup", {"src/app.py": edit(LINES, 6, "signup 6")})
    code, data = conflicts(project)
    assert code == 1 and data["ok"] is False
    found = pair(data, "login", "signup")
    assert found is not None and found["kind"] == "features", data
    assert found["overlap"] == []
    [conflict] = found["conflicts"]
    assert conflict["path"] == "src/app.py" and conflict["reason"] == "content"
    assert conflict["lines"] == [{"base": [5, 6], "a": [5, 6], "b": [6, 6]}]
    assert data["pairs_checked"] == 3  # the pair, and each against main
    text = cli(project, "conflicts")
    assert text.code == 1
    assert "login and signup: 1 conflict" in text.out
    assert "src/app.py: content, login lines 5-6, signup line 6 (base lines 5-6)" in text.out
    assert text.out.rstrip().endswith("2 features, 3 pairs checked: 1 conflicting pair predicted")


def test_changes_apart_in_one_file_merge_cleanly(project: Path) -> None:
    work(project, "login", {"src/app.py": edit(LINES, 2, "login"), "docs/a.md": "x\n"})
    work(project, "signup", {"src/app.py": edit(LINES, 18, "signup"), "README.md": "y\n"})
    code, data = conflicts(project)
    assert code == 0 and data["ok"] is True
    found = pair(data, "login", "signup")
    assert found is not None and found["conflicts"] == [] and found["overlap"] == ["src/app.py"]
    assert "1 path both changed that merge cleanly" in cli(project, "conflicts").out


def test_pairs_that_share_no_path_are_not_listed(project: Path) -> None:
    work(project, "login", {"docs/a.md": "x\n"})
    work(project, "signup", {"README.md": "y\n"})
    code, data = conflicts(project)
    assert code == 0 and data["pairs"] == [] and data["pairs_checked"] == 3
    assert "no conflict predicted" in cli(project, "conflicts").out


def test_a_feature_against_its_base_branch_tip(project: Path) -> None:
    work(project, "login", {"src/util.py": edit(UTIL, 10, "login")})
    write_files(project, {"src/util.py": edit(UTIL, 10, "main"), "README.md": "main\n"})
    commit_all(project, "main moves on")
    code, data = conflicts(project)
    assert code == 1
    found = pair(data, "login", "main")
    assert found is not None and found["kind"] == "base"
    assert [c["path"] for c in found["conflicts"]] == ["src/util.py"]
    assert "login and main (its base branch): 1 conflict" in cli(project, "conflicts").out


def test_a_feature_started_from_a_commit_has_no_base_branch(project: Path) -> None:
    head = git(project, "rev-parse", "HEAD")
    start(project, "loose", base=head)
    code, data = conflicts(project)
    assert code == 0 and data["pairs_checked"] == 0
    assert data["notes"] == [
        "loose: started from a commit, not a branch: no base branch to merge into"
    ]


def test_deleted_against_changed_added_twice_and_a_rename(project: Path) -> None:
    work(
        project,
        "a",
        {"src/util.py": None, "new.txt": "one\ntwo\n", "src/app.py": None, "src/moved.py": LINES},
    )
    work(
        project,
        "b",
        {
            "src/util.py": edit(UTIL, 3, "b"),
            "new.txt": "one\nTWO\n",
            "src/app.py": edit(LINES, 20, "b"),
        },
    )
    _, data = conflicts(project, "a", "b")
    found = pair(data, "a", "b")
    assert found is not None
    reasons = {c["path"]: c["reason"] for c in found["conflicts"]}
    assert reasons == {"src/util.py": "modify/delete", "new.txt": "add/add"}
    added = next(c for c in found["conflicts"] if c["path"] == "new.txt")
    assert added["lines"] == [{"base": None, "a": [2, 2], "b": [2, 2]}]
    assert found["overlap"] == ["src/app.py"]  # a moved it, b's change follows it


def test_a_file_on_one_side_and_a_folder_on_the_other(project: Path) -> None:
    work(project, "a", {"docs/a.md": None, "docs/a.md/inside.md": "x\n"})
    work(project, "b", {"docs/a.md": "changed\n"})
    _, data = conflicts(project)
    found = pair(data, "a", "b")
    assert found is not None
    assert {c["reason"] for c in found["conflicts"]} >= {"modify/delete"}


def test_identical_changes_merge_cleanly(project: Path) -> None:
    same = {"src/app.py": edit(LINES, 4, "same"), "added.txt": "same\n"}
    work(project, "a", same)
    work(project, "b", same)
    code, data = conflicts(project)
    assert code == 0
    found = pair(data, "a", "b")
    assert found is not None and found["overlap"] == ["added.txt", "src/app.py"]


def test_the_prediction_is_what_git_merge_tree_finds(project: Path) -> None:
    """Every pair's conflicting paths against `git merge-tree --write-tree` of their chains."""
    features = {
        "a": {"src/app.py": edit(LINES, 1, "a"), "src/util.py": edit(UTIL, 9, "a")},
        "b": {"src/app.py": edit(LINES, 2, "b"), "docs/a.md": "b\n"},
        "c": {"src/util.py": edit(UTIL, 10, "c"), "docs/a.md": "c\n", "README.md": None},
        "d": {"README.md": "d\n", "src/app.py": edit(LINES, 12, "d")},
    }
    for name, files in features.items():
        work(project, name, files)
    _, data = conflicts(project)
    names = sorted(features)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            found = pair(data, a, b)
            ours = sorted(c["path"] for c in found["conflicts"]) if found else []
            assert ours == merge_tree_conflicts(project, a, b), (a, b, found)


def merge_tree_conflicts(repo: Path, a: str, b: str) -> list[str]:
    import subprocess

    proc = subprocess.run(
        [
            "git",
            "merge-tree",
            "--write-tree",
            "--name-only",
            "--no-messages",
            f"refs/agent/{a}/checkpoints",
            f"refs/agent/{b}/checkpoints",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return sorted(set(proc.stdout.splitlines()[1:]))


def test_named_features_limit_the_pairs(project: Path) -> None:
    for name in ("a", "b", "c"):
        work(project, name, {"src/app.py": edit(LINES, 7, name)})
    _, data = conflicts(project, "a")
    assert sorted((p["a"], p["b"]) for p in data["pairs"]) == [("a", "b"), ("a", "c")]
    assert data["features"] == ["a"]
    assert cli(project, "conflicts", "nope").code == 2


def test_status_shows_a_features_conflicts(project: Path) -> None:
    work(project, "a", {"src/app.py": edit(LINES, 7, "a")})
    work(project, "b", {"src/app.py": edit(LINES, 7, "b")})
    work(project, "c", {"README.md": "c\n"})
    assert status(project, "a")["conflicts"] == [
        {"with": "b", "base_branch": False, "paths": ["src/app.py"]}
    ]
    assert status(project, "c")["conflicts"] == []
    text = cli(project, "status", "a").out
    assert "conflicts    b (src/app.py)" in text
    assert "conflicts" not in cli(project, "status", "c").out  # the line only says some


def test_an_agent_sees_only_the_pairs_of_its_own_feature(project: Path) -> None:
    for name in ("a", "b", "c"):
        work(project, name, {"src/app.py": edit(LINES, 7, name)})
    shadow = project / ".git" / "agent" / "features" / "a" / "shadow"
    _, data = conflicts(project, cwd=shadow)
    assert sorted((p["a"], p["b"]) for p in data["pairs"]) == [("a", "b"), ("a", "c")]
    refused = cli(shadow, "conflicts", "b")
    assert refused.code == 1 and "an agent sees only its own feature" in refused.err


def test_nothing_is_written_while_predicting(project: Path) -> None:
    work(project, "a", {"src/app.py": edit(LINES, 7, "a")})
    work(project, "b", {"src/app.py": edit(LINES, 7, "b")})
    objects = git_bytes(project, "count-objects", "-v")
    refs = git(project, "for-each-ref")
    conflicts(project)
    assert git_bytes(project, "count-objects", "-v") == objects
    assert git(project, "for-each-ref") == refs


def test_transitions_for_the_live_supervisor(project: Path) -> None:
    """The seam the live supervisor calls after each auto-checkpoint: which pairs started or
    stopped conflicting, recorded as `conflict` events; live trees stand for the shadows."""
    from supervisor.lifecycle.conflicts import announce, predict, transitions
    from tests.kit import workspace

    work(project, "a", {"src/app.py": edit(LINES, 7, "a")})
    work(project, "b", {"README.md": "b\n"})
    with workspace(project) as ws:
        before = predict(ws)
        live_b = ws.repo.commit_tree(git(project, "rev-parse", "refs/agent/a/checkpoints"))
        during = predict(ws, live={"b": live_b})  # b's shadow now holds what a has
        assert transitions(before, during) == []  # the same change: no conflict
        work(project, "b", {"src/app.py": edit(LINES, 7, "b")})
        after = predict(ws)
        started = transitions(before, after)
        assert [(t.a, t.b, t.started, t.paths) for t in started] == [
            ("a", "b", True, ("src/app.py",))
        ]
        stopped = transitions(after, before)
        assert [(t.a, t.b, t.started) for t in stopped] == [("a", "b", False)]
        announce(ws, started)  # offered to observers as `conflict` events


def test_the_json_fits_its_schema(project: Path) -> None:
    import json

    import jsonschema

    work(project, "a", {"src/app.py": edit(LINES, 7, "a"), "new.txt": "a\n"})
    work(project, "b", {"src/app.py": edit(LINES, 7, "b"), "new.txt": "b\n", "README.md": None})
    schemas = Path(__file__).resolve().parents[2] / "schemas"
    schema = json.loads((schemas / "conflicts.schema.json").read_text())
    _, data = conflicts(project)
    jsonschema.validate(data, schema)
    status_schema = json.loads((schemas / "status.schema.json").read_text())
    jsonschema.validate(status(project, "a"), status_schema)
