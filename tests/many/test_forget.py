"""Names are not forever: `forget` (or `remove --forget`) frees a removed feature's name and
keeps its chain, branch and record under `<name>@<n>`, where `checkpoints` still shows it."""

from __future__ import annotations

import json
from pathlib import Path

from supervisor.store.agents import AgentRow
from tests.kit import checkpoint, checkpoints, cli, git, ref, start, status, workspace


def test_a_forgotten_name_can_be_started_again(repo: Path) -> None:
    old = start(repo, "x", files={"a.txt": "first\n"})
    checkpoint(repo, "x", "-m", "the first x")
    old_chain = ref(repo, "refs/agent/x/checkpoints")
    assert cli(repo, "remove", "x").code == 0
    taken = cli(repo, "start", "x")
    assert taken.code == 2 and "`git agent forget x` frees the name" in taken.err
    done = cli(repo, "forget", "x")
    assert done.code == 0, done
    assert "kept as x@1" in done.out and "the name x is free" in done.out
    assert ref(repo, "refs/agent/x@1/checkpoints") == old_chain
    assert ref(repo, "refs/agent/x@1/branch") == old.base
    assert ref(repo, "refs/agent/x/checkpoints") is None
    assert git(repo, "branch", "--list", "agent/x") == ""
    assert [c["message"] for c in checkpoints(repo, "x@1")][1] == "the first x"
    assert status(repo, "x@1")["state"] == "forgotten"
    assert status(repo, "x@1")["branch"] == "refs/agent/x@1/branch"
    again = start(repo, "x", files={"b.txt": "second\n"})
    checkpoint(repo, "x")
    assert again.shadow.is_dir() and not (again.shadow / "a.txt").exists()
    assert len(checkpoints(repo, "x")) == 2 and len(checkpoints(repo, "x@1")) == 2
    listed = {row["feature"]: row["state"] for row in cli(repo, "list", "--json").json()}
    assert listed == {"x": "active", "x@1": "forgotten"}


def test_remove_forget_does_both_and_numbers_grow(repo: Path) -> None:
    for number in (1, 2):
        start(repo, "x")
        done = cli(repo, "remove", "x", "--forget", "--json")
        assert done.code == 0, done
        assert done.json() == {
            "feature": "x",
            "removed": True,
            "checkpointed": False,
            "kept_as": f"x@{number}",
        }
    assert sorted(r["feature"] for r in cli(repo, "list", "--json").json()) == ["x@1", "x@2"]


def test_an_active_feature_is_not_forgotten(started: object, repo: Path) -> None:
    refused = cli(repo, "forget", "f")
    assert refused.code == 1 and "remove f --forget" in refused.err


def test_a_forgotten_feature_is_read_only(repo: Path) -> None:
    start(repo, "x")
    cli(repo, "remove", "x", "--forget")
    for args in (("checkpoint", "x@1"), ("promote", "x@1"), ("forget", "x@1")):
        result = cli(repo, *args)
        assert result.code == 2, (args, result)
    assert cli(repo, "start", "x@1").code == 2  # not a name a feature can take


def test_a_branch_checked_out_is_not_forgotten(repo: Path) -> None:
    start(repo, "x")
    cli(repo, "remove", "x")
    git(repo, "checkout", "-q", "agent/x")
    refused = cli(repo, "forget", "x")
    assert refused.code == 1 and "checked out in" in refused.err
    assert ref(repo, "refs/heads/agent/x") is not None


def test_the_agent_cannot_forget(repo: Path) -> None:
    start(repo, "x")
    refused = cli(repo, "forget", "x", env={"GIT_AGENT_FEATURE": "x"})
    assert refused.code == 1 and "only a person can forget a feature" in refused.err


def test_the_name_attestations_is_reserved(repo: Path) -> None:
    result = cli(repo, "start", "attestations")
    assert result.code == 2 and "git-agent keeps refs/agent/attestations/" in result.err


def test_the_audit_log_is_kept_with_the_forgotten_feature(repo: Path) -> None:
    """`x@1` keeps x's audit log, intact and ending with `forget`; the new x starts its own."""
    start(repo, "x")
    assert cli(repo, "remove", "x", "--forget").code == 0
    kept = [e["type"] for e in _audit(repo, "x@1")]
    assert kept[0] == "start" and kept[-2:] == ["remove", "forget"]
    assert cli(repo, "audit", "x@1", "--verify").code == 0
    start(repo, "x")
    assert [e["type"] for e in _audit(repo, "x")] == ["start"]


def _audit(repo: Path, name: str) -> list[dict[str, object]]:
    shown = cli(repo, "audit", name, "--json")
    assert shown.code == 0, shown
    return [json.loads(line) for line in shown.out.splitlines()]


def test_the_agents_row_goes_with_the_forgotten_feature(repo: Path) -> None:
    """A feature that had an agent: forgetting it frees the name for a new feature's agent."""
    start(repo, "x")
    with workspace(repo) as ws:
        ws.state.agents.put(AgentRow("x", "done", "{}", "write the readme", exit_code=0))
    assert cli(repo, "remove", "x", "--forget").code == 0
    with workspace(repo) as ws:
        assert ws.state.agents.get("x") is None
        kept = ws.state.agents.get("x@1")
        assert kept is not None and kept.prompt == "write the readme"
