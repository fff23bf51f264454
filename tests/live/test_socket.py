"""The CLI asks the watcher: checkpoint, validate and diff answered by the supervisor, the same
bytes as without it; and a socket that is dead, frozen or spoken to badly never gets in the
way of a command, nor lets an agent do what it may not."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from supervisor.cli.parser import parse
from supervisor.commands.delegate import delegate
from supervisor.live.client import ask
from supervisor.render.output import Output
from tests.kit import Started, cli, environ, ls_tree, run_cli, start, status
from tests.live.conftest import judged, kill_supervisor, of_type, supervisor_pid, wait_for


def live_dir(started: Started) -> Path:
    return started.repo / ".git" / "agent" / "live"


def test_checkpoint_is_taken_by_the_supervisor_while_watched(watched: Started) -> None:
    (watched.shadow / "n.txt").write_text("n\n")
    args = parse(["checkpoint", "f", "--json"])
    out, err = io.BytesIO(), io.StringIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    code = delegate(args, Output(stdout, err), environ(), str(watched.repo))
    assert code == 0, err.getvalue()
    answer = json.loads(out.getvalue())  # created, or already taken on its own: n.txt is in
    listing = cli(watched.repo, "checkpoints", "f", "--json").json()
    assert listing[-1]["commit"] == answer["commit"]
    assert b"n.txt" in ls_tree(watched.repo, answer["commit"])
    assert "n.txt" in judged(watched.repo)  # what was pending was judged first


def test_nothing_is_delegated_without_a_supervisor(fast: Started) -> None:
    args = parse(["checkpoint", "f"])
    assert delegate(args, Output(io.StringIO(), io.StringIO()), environ(), str(fast.repo)) is None


def test_validate_and_diff_say_the_same_with_and_without_the_supervisor(
    watched: Started,
) -> None:
    shadow = watched.shadow
    (shadow / "src" / "app.py").write_text("print('changed')\n")
    (shadow / "bin.dat").write_bytes(bytes(range(256)))
    (shadow / "caf\xe9.txt").write_text("accent\n")
    (shadow / "docs" / "guide.md").unlink()
    wait_for(lambda: "bin.dat" in judged(watched.repo))
    asked = {
        words: run_cli(watched.repo, *words)
        for words in (
            ("validate", "f", "--json"),
            ("diff", "f"),
            ("diff", "f", "--stat"),
            ("diff", "f", "--json"),
        )
    }
    run_cli(watched.repo, "stop", "f")
    for words, answered in asked.items():
        alone = run_cli(watched.repo, *words)
        assert (answered.code, answered.out, answered.err) == (alone.code, alone.out, alone.err), (
            words
        )


def test_a_frozen_supervisor_delays_a_command_by_seconds_at_most(watched: Started) -> None:
    pid = supervisor_pid(watched.repo)
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        (watched.shadow / "x.txt").write_text("x\n")
        began = time.monotonic()
        result = run_cli(watched.repo, "checkpoint", "f", "--json")
        took = time.monotonic() - began
    finally:
        os.kill(pid, signal.SIGCONT)
    assert result.code == 0 and result.err == "", result
    assert result.json()["created"] is True
    assert took < 10, took


def test_a_dead_supervisors_socket_is_passed_over_without_a_word(watched: Started) -> None:
    kill_supervisor(watched.repo)
    assert (live_dir(watched) / "supervisor.sock").exists()  # left behind by the kill
    (watched.shadow / "y.txt").write_text("y\n")
    for words in (("checkpoint", "f"), ("validate", "f"), ("diff", "f", "--stat")):
        result = run_cli(watched.repo, *words)
        assert result.code in (0, 1) and result.err == "", (words, result)
    assert status(watched.repo)["supervision"] == "interrupted"


def _ask_as_agent(started: Started, request: dict[str, object]) -> dict[str, object]:
    """`request` sent by a process working in the shadow (as an agent would)."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from supervisor.live.client import ask\n"
        "print(json.dumps(ask(Path(sys.argv[1]), json.loads(sys.argv[2]))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(live_dir(started)), json.dumps(request)],
        cwd=started.shadow,
        env=environ(),
        capture_output=True,
        check=True,
    )
    found = json.loads(proc.stdout)
    assert isinstance(found, dict)
    return found


def test_an_agent_speaking_to_the_socket_cannot_stop_its_supervision(watched: Started) -> None:
    answer = _ask_as_agent(watched, {"op": "unwatch", "features": ["f"]})
    assert answer["ok"] is False and "refused" in str(answer["error"])
    assert status(watched.repo)["supervision"] == "watching"


def test_an_agent_speaking_to_the_socket_reaches_only_its_own_feature(watched: Started) -> None:
    start(watched.repo, "g")
    run_cli(watched.repo, "watch", "g")
    other = {"command": "checkpoint", "feature": "g", "message": None, "json": True}
    answer = _ask_as_agent(watched, {"op": "run", "args": other, "columns": 80})
    assert answer["handled"] is True and answer["code"] == 2
    assert "refused" in str(answer["stderr"])
    own = {**other, "feature": "f"}
    mine = _ask_as_agent(watched, {"op": "run", "args": own, "columns": 80})
    assert mine["handled"] is True and mine["code"] == 0


def test_requests_spoken_badly_are_dropped_and_watching_goes_on(watched: Started) -> None:
    path = str(live_dir(watched) / "supervisor.sock")
    for raw in (b"\xff\xfe not json\n", b"[1, 2, 3]\n", b'{"op": 5}\n', b"x" * 70000 + b"\n", b""):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(5)
            conn.connect(path)
            conn.sendall(raw)
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(65536):
                pass
    unknown = ask(live_dir(watched), {"op": "format-disk"})
    assert unknown is not None and unknown["ok"] is False
    (watched.shadow / "still.txt").write_text("still\n")
    wait_for(lambda: "still.txt" in judged(watched.repo))
    assert of_type(watched.repo, "watch-start")
