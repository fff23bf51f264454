"""`git agent audit`: every command of the core writes to the log; it is shown, filtered,
followed and verified; observer plugins see every entry."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from tests.kit import Started, cli, distribution, environ, on_path, run_cli

COUNTER = """
from pathlib import Path

from supervisor.plugin import hookimpl

SEEN = Path(__file__).with_name("seen.txt")


@hookimpl
def git_agent_event(event):
    with SEEN.open("a") as out:
        out.write(f"{event.kind} {event.data['seq']}\\n")
"""


def log_file(started: Started) -> Path:
    return started.repo / ".git" / "agent" / "features" / started.name / "audit.jsonl"


def types(started: Started) -> list[str]:
    result = cli(started.repo, "audit", started.name, "--json")
    assert result.code == 0, result
    return [json.loads(line)["type"] for line in result.out.splitlines()]


def lifecycle(started: Started, env: dict[str, str] | None = None) -> None:
    repo = started.repo
    (started.shadow / "src" / "more.py").write_text("x = 1\n")
    for words in (
        ("checkpoint", "f"),
        ("validate", "f"),
        ("promote", "f"),
        ("revert", "f", "--to", "0"),
        ("remove", "f", "--force"),
    ):
        result = run_cli(repo, *words, env=env)
        assert result.code in (0, 1), (words, result)


def test_every_command_of_the_core_writes_to_the_log(started: Started) -> None:
    lifecycle(started)
    found = types(started)
    for kind in ("start", "checkpoint", "validate", "promote", "revert", "remove"):
        assert kind in found, (kind, found)
    assert cli(started.repo, "audit", "f", "--verify").code == 0


def test_a_plugin_sees_every_event(started: Started, tmp_path: Path) -> None:
    site = distribution(
        tmp_path / "site", "git_agent_counter", "counter", "git_agent_counter", COUNTER
    )
    lifecycle(started, env=on_path(site))
    seen = (site / "seen.txt").read_text().split("\n")
    written = [
        f"{e['type']} {e['seq']}"
        for e in map(json.loads, log_file(started).read_text().splitlines())
        if e["type"] != "start"  # started in-process, before the plugin was on the path
    ]
    assert [line for line in seen if line] == written


def test_type_and_since_filter_and_json_is_one_entry_a_line(started: Started) -> None:
    lifecycle(started)
    only = cli(started.repo, "audit", "f", "--type", "checkpoint,promote", "--json")
    kinds = {json.loads(line)["type"] for line in only.out.splitlines()}
    assert kinds == {"checkpoint", "promote"}
    recent = cli(started.repo, "audit", "f", "--since", "1h", "--json")
    assert len(recent.out.splitlines()) == len(types(started))
    future = cli(started.repo, "audit", "f", "--since", "2999-01-01T00:00:00", "--json")
    assert future.code == 0 and future.out == ""
    wrong = cli(started.repo, "audit", "f", "--since", "soon")
    assert wrong.code == 2 and "neither an age" in wrong.err


def test_text_shows_one_line_an_entry(started: Started) -> None:
    lifecycle(started)
    text = cli(started.repo, "audit", "f")
    assert len(text.out.splitlines()) == len(types(started))
    assert text.out.splitlines()[0].split()[0] == "1"


def test_follow_shows_entries_as_they_come(started: Started) -> None:
    proc = subprocess.Popen(
        ["git", "agent", "audit", "f", "--follow", "--type", "checkpoint"],
        cwd=started.repo,
        env=environ(),
        stdout=subprocess.PIPE,
    )
    try:
        time.sleep(0.5)
        (started.shadow / "later.txt").write_text("later\n")
        assert run_cli(started.repo, "checkpoint", "f").code == 0
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        assert "checkpoint" in line and "number=1" in line
    finally:
        proc.kill()
        proc.wait()


def test_verify_names_the_first_bad_entry_and_exits_1(started: Started) -> None:
    lifecycle(started)
    log = log_file(started)
    kept = log.read_bytes().splitlines(keepends=True)
    kept[2] = kept[2].replace(b'"type":"', b'"type":"x', 1)
    log.write_bytes(b"".join(kept))
    result = cli(started.repo, "audit", "f", "--verify")
    assert result.code == 1
    assert result.err.strip() == (
        "git-agent: audit log of f: entry 3 is bad: its content does not match its hash (edited)"
    )
    as_json = cli(started.repo, "audit", "f", "--verify", "--json")
    assert as_json.code == 1 and json.loads(as_json.out)["first_bad"] == 3


def test_verify_catches_a_log_cut_after_a_checkpoint(started: Started) -> None:
    (started.shadow / "a.txt").write_text("a\n")
    assert cli(started.repo, "checkpoint", "f").code == 0
    (started.shadow / "b.txt").write_text("b\n")
    assert cli(started.repo, "checkpoint", "f").code == 0
    log = log_file(started)
    kept = log.read_bytes().splitlines(keepends=True)
    # checkpoint 2 recorded the hash of entry 2 (checkpoint 1's own entry): cut it away
    log.write_bytes(b"".join(kept[:1]))
    result = cli(started.repo, "audit", "f", "--verify")
    assert result.code == 1 and "cut short" in result.err


def test_audit_of_an_unknown_feature_is_a_usage_error(started: Started) -> None:
    result = cli(started.repo, "audit", "nope")
    assert result.code == 2 and result.err.startswith("git-agent: unknown feature: nope")
