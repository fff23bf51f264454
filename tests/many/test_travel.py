"""Features that travel: two clones and a bare remote. `push` sends a feature's refs, `pull`
rebuilds it on the other clone from refs alone; the state database is a cache of the refs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.kit import (
    checkpoint,
    checkpoints,
    cli,
    commit_policy,
    git,
    make_repo,
    ref,
    start,
    status,
    write_files,
)


class Machines:
    """Machine a (where features start), a bare remote, and machine b (a clone)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.a = make_repo(tmp_path / "a", {"README.md": "demo\n", "src/app.py": "x = 1\n"})
        commit_policy(self.a, '[scope]\ndeny = ["secret/**"]\n')
        self.remote = tmp_path / "remote.git"
        git(tmp_path, "init", "-q", "--bare", str(self.remote))
        git(self.a, "remote", "add", "origin", str(self.remote))
        git(self.a, "push", "-q", "origin", "main")
        self.b = self.clone("b")

    def clone(self, name: str) -> Path:
        path = self.tmp / name
        git(self.tmp, "clone", "-q", str(self.remote), str(path))
        return path


@pytest.fixture
def machines(tmp_path: Path) -> Machines:
    return Machines(tmp_path)


def shadow(repo: Path, name: str = "f") -> Path:
    return Path(status(repo, name)["shadow"])


def work(repo: Path, files: dict[str, str | None], name: str = "f") -> dict[str, Any]:
    write_files(shadow(repo, name), files)
    return checkpoint(repo, name)


def agent(repo: Path, *args: str) -> dict[str, Any]:
    result = cli(repo, *args, "--json")
    assert result.code == 0, result
    data = result.json()
    assert isinstance(data, dict)
    return data


def test_a_feature_moves_to_another_clone_and_back(machines: Machines) -> None:
    a, b = machines.a, machines.b
    start(a, "f", plan='[scope]\nallow = ["src/**"]\n')
    work(a, {"src/one.py": "one = 1\n"})
    promoted = agent(a, "promote", "f")
    work(a, {"src/two.py": "two = 2\n"}, "f")
    pushed = agent(a, "push", "f")
    assert pushed["remote"] == "origin"
    assert {"refs/heads/agent/f", "refs/agent/f/checkpoints", "refs/agent/f/record"} <= set(
        pushed["refs"]
    )
    assert any(r.startswith("refs/agent/attestations/") for r in pushed["refs"])
    assert cli(a, "push", "f").out.startswith("origin already has every ref of f")

    pulled = agent(b, "pull", "f")
    assert pulled["made"] is True and pulled["state"] == "active"
    info = status(b, "f")
    assert info["state"] == "active" and info["base_ref"] if "base_ref" in info else True
    assert info["promoted"] == {"commit": promoted["commit"], "checkpoint": 1}
    assert info["plan_hash"] == status(a, "f")["plan_hash"]
    assert checkpoints(b, "f") == checkpoints(a, "f")
    assert (shadow(b) / "src" / "two.py").read_text() == "two = 2\n"
    assert (Path(info["worktree"]) / "src" / "one.py").read_text() == "one = 1\n"
    assert not (Path(info["worktree"]) / "src" / "two.py").exists()  # not promoted yet
    assert cli(b, "verify", "agent/f").code == 0  # the attestations came along
    scope = cli(b, "validate", "f", "--json").json()
    assert scope["ok"] is True  # the plan came along: src/** only
    write_files(shadow(b), {"docs/x.md": "outside the plan\n"})
    assert cli(b, "validate", "f").code == 1

    write_files(shadow(b), {"docs/x.md": None, "src/three.py": "three = 3\n"})
    checkpoint(b, "f")
    agent(b, "promote", "f")
    agent(b, "push", "f")
    back = agent(a, "pull", "f")
    assert back["made"] is False and "refs/agent/f/checkpoints" in back["refs"]
    assert (shadow(a) / "src" / "three.py").read_text() == "three = 3\n"
    assert (Path(status(a, "f")["worktree"]) / "src" / "three.py").is_file()
    assert checkpoints(a, "f") == checkpoints(b, "f")
    assert status(a, "f")["promoted"]["commit"] == ref(b, "agent/f")
    assert cli(a, "checkpoint", "f").code == 0  # ready to go on


def test_chains_that_went_on_apart_are_refused_and_nothing_changes(machines: Machines) -> None:
    a, b = machines.a, machines.b
    start(a, "f")
    work(a, {"src/one.py": "1\n"})
    agent(a, "push", "f")
    agent(b, "pull", "f")
    work(a, {"src/a.py": "a\n"})
    work(b, {"src/b.py": "b\n"})
    agent(a, "push", "f")
    refused = cli(b, "push", "f")
    assert refused.code == 1 and "git agent pull f origin" in refused.err
    before = ref(b, "refs/agent/f/checkpoints")
    apart = cli(b, "pull", "f")
    assert apart.code == 1 and "went on both here and on origin" in apart.err
    assert ref(b, "refs/agent/f/checkpoints") == before
    # the way out: keep this clone's line under another name, take the remote's
    assert cli(b, "remove", "f", "--force", "--forget").code == 0
    agent(b, "pull", "f")
    assert checkpoints(b, "f") == checkpoints(a, "f")
    assert checkpoints(b, "f@1")[-1]["commit"] == before
    assert (shadow(b) / "src" / "a.py").is_file() and not (shadow(b) / "src" / "b.py").exists()
    agent(b, "push", "f")  # the same feature as origin's: it goes (f@1 with it)
    assert ref(machines.remote, "refs/agent/f@1/checkpoints") == before


def test_a_shadow_with_work_no_checkpoint_holds_is_not_overwritten(machines: Machines) -> None:
    a, b = machines.a, machines.b
    start(a, "f")
    agent(a, "push", "f")
    agent(b, "pull", "f")
    work(a, {"src/app.py": "from a\n"})
    agent(a, "push", "f")
    write_files(shadow(b), {"src/app.py": "unsaved on b\n"})
    refused = cli(b, "pull", "f")
    assert refused.code == 1 and "holds work no checkpoint has" in refused.err
    assert (shadow(b) / "src" / "app.py").read_text() == "unsaved on b\n"


def test_a_removed_feature_stays_removed(machines: Machines) -> None:
    a, b = machines.a, machines.b
    start(a, "f")
    work(a, {"src/one.py": "1\n"})
    agent(a, "push", "f")
    agent(b, "pull", "f")
    assert cli(a, "remove", "f").code == 0
    agent(a, "push", "f")
    pulled = agent(b, "pull", "f")
    assert pulled["state"] == "removed" and status(b, "f")["state"] == "removed"
    assert not shadow(b).exists()
    c = machines.clone("c")
    assert agent(c, "pull", "f")["state"] == "removed"
    assert not shadow(c).exists() and len(checkpoints(c, "f")) == 2


def test_a_forgotten_name_travels(machines: Machines) -> None:
    a, b = machines.a, machines.b
    start(a, "f")
    work(a, {"src/old.py": "old\n"})
    agent(a, "push", "f")
    agent(b, "pull", "f")
    assert cli(a, "remove", "f", "--forget").code == 0
    start(a, "f")
    work(a, {"src/new.py": "new\n"})
    pushed = agent(a, "push", "f")  # replaces the old f there, which travels as f@1
    assert "refs/agent/f@1/record" in pushed["refs"]
    refused = cli(b, "pull", "f")
    assert refused.code == 1 and "was forgotten on origin" in refused.err
    assert cli(b, "remove", "f").code == 0
    pulled = agent(b, "pull", "f")
    assert pulled["forgotten"] == "f@1" and pulled["made"] is True
    assert (shadow(b) / "src" / "new.py").is_file() and not (shadow(b) / "src" / "old.py").exists()
    assert checkpoints(b, "f@1")[-1]["commit"] == checkpoints(a, "f@1")[-1]["commit"]
    c = machines.clone("c")
    agent(c, "pull", "f")
    states = {r["feature"]: r["state"] for r in cli(c, "list", "--json").json()}
    assert states == {"f": "active", "f@1": "forgotten"}
    assert checkpoints(c, "f@1") == checkpoints(a, "f@1")


def test_the_state_database_is_a_cache_of_the_refs(machines: Machines) -> None:
    a = machines.a
    start(a, "live")
    work(a, {"src/live.py": "live\n"}, "live")
    start(a, "gone")
    cli(a, "remove", "gone")
    start(a, "old")
    cli(a, "remove", "old", "--forget")
    start(a, "moved")
    work(a, {"src/moved.py": "moved\n"}, "moved")
    before = {r["feature"]: r for r in cli(a, "list", "--json").json()}
    lost_shadow = shadow(a, "moved")
    subprocess.run(["rm", "-rf", str(lost_shadow)], check=True)
    for file in (a / ".git" / "agent").glob("state.db*"):
        os.unlink(file)
    after = {r["feature"]: r for r in cli(a, "list", "--json").json()}
    assert {n: r["state"] for n, r in after.items()} == {
        "live": "active",
        "gone": "removed",
        "old@1": "forgotten",
        "moved": "active",
    }
    for name in ("live", "moved"):
        for key in ("base", "branch", "worktree", "shadow", "checkpoints", "plan_hash"):
            assert after[name][key] == before[name][key], (name, key)
    assert (lost_shadow / "src" / "moved.py").read_text() == "moved\n"  # rebuilt at checkpoint 1
    assert (shadow(a, "live") / "src" / "live.py").read_text() == "live\n"  # adopted as it was
    assert cli(a, "checkpoint", "live").code == 0 and cli(a, "promote", "moved").code == 0
    assert cli(a, "start", "gone").code == 2  # still taken: removed, not forgotten


def test_checkpoints_with_violations_travel_past_the_push_gate(machines: Machines) -> None:
    """The chain is the history of an agent's attempts, judged at promotion: the gates judge
    the branch, not refs/agent/."""
    a = machines.a
    assert cli(a, "install-hooks").code == 0
    assert cli(machines.remote, "install-hooks").code == 0
    start(a, "f")
    work(a, {"secret/key.txt": "oops\n"})
    work(a, {"secret/key.txt": None, "src/ok.py": "ok\n"})
    agent(a, "promote", "f")
    assert cli(a, "push", "f").code == 0
    assert ref(machines.remote, "refs/agent/f/checkpoints") == ref(a, "refs/agent/f/checkpoints")


def test_the_agent_may_not_travel(machines: Machines) -> None:
    start(machines.a, "f")
    for command in ("push", "pull"):
        refused = cli(machines.a, command, "f", env={"GIT_AGENT_FEATURE": "f"})
        assert refused.code == 1 and "only a person can" in refused.err


def test_pull_names_what_is_missing(machines: Machines) -> None:
    missing = cli(machines.b, "pull", "nothing")
    assert missing.code == 2 and "origin has no feature nothing" in missing.err
    assert cli(machines.b, "pull", "f", "nowhere").code == 2
