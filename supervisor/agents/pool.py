"""The agents of a repository, run by its supervisor: queued by priority, started when a slot
is free (and, for a plan that says `after`, once those features are promoted), watched while
they run (time, stalls, what they cost), ended cleanly, and checkpointed when they end.

Each agent's state is its row in the state database; a supervisor that starts finds the rows
a dead one left `running` and calls them `lost` (their output went with it); `resume` ends
what is left of such a group before starting again."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from shutil import which
from typing import Any

from supervisor.agents import notices, sandbox, setup
from supervisor.agents.claude import exclude_own_files
from supervisor.agents.environment import curated
from supervisor.agents.process import AgentProcess, become_subreaper, reap_orphans
from supervisor.agents.spec import AgentSpec
from supervisor.agents.waiting import start_waiting, waiting_ready
from supervisor.errors import FatalError, UsageError
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.trust import AGENT_ENV, AGENTS_FILE, start_ticks
from supervisor.live.supervisor import Supervisor
from supervisor.store.agents import AgentRow

GRACE_S = 10.0  # between SIGTERM and SIGKILL
TICK_S = 1.0
PLAN_ENV = "GIT_AGENT_PLAN"
NOTICES_ENV = "GIT_AGENT_NOTICES"
MAX_RESTARTS = 3  # on_stall = "restart": then it is stopped
ENV_GRACE_S = 5.0  # how long a queued agent waits for the environment of the one who queued it


class AgentPool:
    def __init__(self, supervisor: Supervisor, limit: int | None = None) -> None:
        self.sup = supervisor
        self.ws = supervisor.ws
        self.running: dict[str, AgentProcess] = {}
        self.specs: dict[str, AgentSpec] = {}
        self.deadlines: dict[str, float] = {}
        # the environment of the command that queued each agent (start, resume): never on disk
        self.environs: dict[str, dict[str, str]] = {}
        self.paused_at: dict[str, float] = {}
        self.fixed_limit = limit  # else the policy's at HEAD, read each time agents wait
        self.subreaper = become_subreaper()
        self._registry = self.ws.layout.live_dir() / AGENTS_FILE
        self._lose_the_dead()

    # the supervisor's loop --------------------------------------------------------------
    def tend(self, now: float) -> float:
        reap_orphans({p.pid for p in self.running.values()})
        for name, process in list(self.running.items()):
            self._tend_one(name, process)
        self._schedule()
        self._write_registry()
        return TICK_S if self.running or self.busy() else 5.0

    def busy(self) -> bool:
        return bool(self.running) or any(r.state == "queued" for r in self.ws.state.agents.all())

    def _tend_one(self, name: str, process: AgentProcess) -> None:
        if process.exited:
            self._finish(name, process)
            return
        process.sample()
        self._follow_pause(name)
        spec = self.specs[name]
        now = time.monotonic()
        if process.terminating is not None:
            process.kill_after_grace(GRACE_S)
        elif name in self.deadlines and now > self.deadlines[name] and name not in self.paused_at:
            process.terminate("timed-out")
            self.sup.emit(name, "agent-timeout", after=spec.timeout)
        elif spec.stall is not None:
            self._watch_stall(name, process, spec)

    def _follow_pause(self, name: str) -> None:
        """While the feature's supervision is paused (a secret), so is its agent; the time it
        spends paused does not count against its timeout."""
        watched = self.sup.watched.get(name)
        paused = watched is not None and watched.paused
        if paused and name not in self.paused_at:
            self.paused_at[name] = time.monotonic()
            self.ws.state.agents.update(name, state="paused")
        elif not paused and name in self.paused_at:
            since = self.paused_at.pop(name)
            if name in self.deadlines:
                self.deadlines[name] += time.monotonic() - since
            self.ws.state.agents.update(name, state="running")

    def _watch_stall(self, name: str, process: AgentProcess, spec: AgentSpec) -> None:
        assert spec.stall is not None
        watched = self.sup.watched.get(name)
        last = max(process.quiet_since(), watched.timing.last_change if watched else 0.0)
        row = self.ws.state.agents.get(name)
        quiet = time.monotonic() - last
        if row is not None and row.stalled is not None and quiet < spec.stall:
            self.ws.state.agents.update(name, stalled=None)  # it came back to life
            return
        if row is None or quiet < spec.stall or row.stalled is not None:
            return
        self.ws.state.agents.update(name, stalled=time.time())
        self.sup.emit(
            name, "agent-stall", quiet=round(time.monotonic() - last, 1), then=spec.on_stall
        )
        if spec.on_stall == "restart" and row.attempts <= MAX_RESTARTS:
            process.terminate("restart")
        elif spec.on_stall == "restart":
            process.terminate(f"stopped: stalled, restarted {MAX_RESTARTS} times already")
        elif spec.on_stall == "stop":
            process.terminate("stopped: stalled")

    # starting ------------------------------------------------------------------------------
    def _schedule(self) -> None:
        queued = [r for r in self.ws.state.agents.all() if r.state == "queued"]
        queued.sort(key=lambda r: (-r.priority, r.queued or 0.0))
        limit = self._limit() if queued else 0
        for row in queued:
            if len(self.running) >= limit:
                return
            if row.feature in self.running or self._awaits_environment(row):
                continue
            try:
                if row.pending is not None:
                    if not waiting_ready(self.ws, row):
                        continue
                    start_waiting(self.ws, row)
                self._launch(row)
            except FatalError as exc:
                self._failed_to_start(row, str(exc))
            except OSError as exc:  # the agent fails to start; the supervisor carries on
                self._failed_to_start(row, f"cannot start the agent: {exc}")

    def _limit(self) -> int:
        """`[scheduling] max_running` of the policy at HEAD now (0 or none: one per CPU)."""
        if self.fixed_limit:
            return self.fixed_limit
        head = self.ws.repo.head_commit()
        table = self.ws.policy_at(head).tables.get("scheduling", {}) if head else {}
        return int(table.get("max_running") or 0) or os.cpu_count() or 1

    def _awaits_environment(self, row: AgentRow) -> bool:
        """A row just queued waits a moment for the request that brings its asker's
        environment; after that (its asker gone, say), the supervisor's own serves."""
        fresh = time.time() - (row.queued or 0.0) < ENV_GRACE_S
        return row.feature not in self.environs and fresh

    def _launch(self, row: AgentRow) -> None:
        name = row.feature
        feature = self.ws.feature(name)
        feature.require_active()
        if name not in self.sup.watched:
            self.sup.add(name)
        spec = AgentSpec.from_json(json.loads(row.spec))
        resuming = row.attempts > 0
        agent_dir = self.ws.layout.agent_dir(name)
        tmp = agent_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        argv = self._argv(feature, spec, row.prompt, resuming)
        env = curated(
            self.environs.get(name, os.environ),
            spec,
            feature.rules.table("environment").get("block"),
            {
                AGENT_ENV: name,
                PLAN_ENV: str(self.ws.layout.plan(name)),
                NOTICES_ENV: str(notices.notices_file(agent_dir)),
                **sandbox.tmp_environ(str(tmp)),
                **setup.environment(self.ws.layout, name),
            },
        )
        _require_program(argv[0], feature.shadow, env.get("PATH"), spec.name)
        exclude_own_files(feature.shadow)  # the notices copy: not in the agent's `git status`
        launched = self._confined(feature, spec, argv, tmp)
        argv, confined = list(launched.argv), launched.sandbox
        try:
            process = AgentProcess(argv, feature.shadow, env, agent_dir / "logs", self.sup.wake)
        except OSError as exc:
            raise UsageError(f"cannot run agent {spec.name} ({argv[0]}): {exc.strerror}") from None
        self.running[name], self.specs[name] = process, spec
        if spec.timeout is not None:
            self.deadlines[name] = time.monotonic() + spec.timeout
        self.ws.state.agents.update(
            name,
            state="running",
            started=process.started,
            ended=None,
            pid=process.pid,
            create_time=process.create_time,
            pgid=process.pgid,
            exit_code=None,
            attempts=row.attempts + 1,
            sandbox=confined,
            stalled=None,
            note=None,
        )
        self.sup.emit(
            name,
            "agent-start",
            agent=spec.name,
            pid=process.pid,
            attempt=row.attempts + 1,
            resumed=resuming,
            sandbox=confined,
        )

    def _confined(
        self, feature: Feature, spec: AgentSpec, argv: list[str], tmp: Path
    ) -> sandbox.Launch:
        """A command agent under Landlock where the kernel has it (the built-in agent is our
        own code and confines the commands it runs itself)."""
        home = self.environs.get(feature.name, os.environ).get("HOME") or str(Path.home())
        c, required = sandbox.of_feature(feature, spec, str(tmp), home)
        launched = sandbox.launch(c, argv, required=required)
        if spec.provider == "anthropic" and launched.confined:
            return sandbox.Launch(tuple(argv), f"{launched.sandbox}, each command it runs", False)
        return launched

    def _argv(self, feature: Feature, spec: AgentSpec, prompt: str, resuming: bool) -> list[str]:
        if spec.provider != "anthropic":
            return spec.argv(prompt, resuming)
        agent_dir = self.ws.layout.agent_dir(feature.name)
        (agent_dir / "spec.json").write_text(spec.dumps())
        (agent_dir / "prompt.txt").write_text(prompt)
        argv = [sys.executable, "-P", "-m", "supervisor.agents.builtin", "--feature", feature.name]
        argv += ["--spec-file", str(agent_dir / "spec.json")]
        argv += ["--prompt-file", str(agent_dir / "prompt.txt")]
        return argv + (["--resume"] if resuming else [])

    def _failed_to_start(self, row: AgentRow, why: str) -> None:
        self.ws.state.agents.update(row.feature, state="failed", ended=time.time(), note=why)
        if self.ws.state.get(row.feature) is not None:
            self.sup.emit(row.feature, "agent-end", state="failed", note=why)

    # ending ---------------------------------------------------------------------------------
    def _finish(self, name: str, process: AgentProcess) -> None:
        leftovers = process.leftovers()
        for member in leftovers:
            member.kill()
        process.join()
        process.sample(force=True)
        state = _ending(process)
        summary = _summary(self.ws.layout.agent_dir(name) / "logs" / "stdout.log")
        usage = json.dumps(summary["usage"]) if "usage" in summary else None
        if summary.get("status") == "budget" and process.why is None:  # it ended itself
            state = "timed-out" if summary.get("reason") == "wall time" else state
            process.why = f"budget: {summary.get('reason')} ({summary.get('message')})"
        self.sup.emit(
            name,
            "agent-end",
            state=state,
            exit_code=process.exit_code,
            wall=round(process.wall(), 3),
            cpu=round(process.cpu, 3),
            peak_rss=process.peak_rss,
            leftovers=len(leftovers),
        )
        try:  # its work checkpointed before its state says it ended
            self.sup.checkpoint_now(name, f"agent {self.specs[name].name} {state}")
        finally:
            self.ws.state.agents.update(
                name,
                state="queued" if state == "restart" else state,
                ended=time.time(),
                exit_code=process.exit_code,
                wall=round(process.wall(), 3),
                cpu=round(process.cpu, 3),
                peak_rss=process.peak_rss,
                usage=usage,
                note=process.why,
            )
            del self.running[name]
            self.deadlines.pop(name, None)
            self.paused_at.pop(name, None)

    def stop(self, name: str, why: str) -> str | None:
        """End `name`'s agent now (SIGTERM, SIGKILL after the grace), waiting for it; its state."""
        process = self.running.get(name)
        if process is None:
            return None
        process.terminate(why)
        deadline = time.monotonic() + GRACE_S + 5.0
        while not process.exited and time.monotonic() < deadline:
            process.kill_after_grace(GRACE_S)
            time.sleep(0.02)
        self._finish(name, process)
        row = self.ws.state.agents.get(name)
        return row.state if row else None

    # requests and the supervisor's questions ----------------------------------------------------
    def answer(self, op: str, body: Any, agent_of: str | None) -> dict[str, Any] | None:
        if op not in ("agent-queue", "agent-stop"):
            return None
        if agent_of is not None:
            return {
                "ok": False,
                "error": f"refused: an agent cannot {op.removeprefix('agent-')} agents",
            }
        name = str(body.get("feature"))
        if op == "agent-stop":
            return {"ok": True, "state": self.stop(name, "stopped")}
        env = body.get("env")
        if isinstance(env, dict) and all(isinstance(v, str) for v in env.values()):
            self.environs[name] = {str(k): v for k, v in env.items()}  # the asker's, in memory
        self.sup.wake()
        return {"ok": True}

    def owner_of(self, pid: int) -> str | None:
        for name, process in self.running.items():
            if pid in process.seen or _descends(pid, process.pid):
                return name
            try:
                if os.getpgid(pid) == process.pgid:
                    return name
            except OSError:
                continue
        return None

    def agent_pids(self, name: str) -> list[int] | None:
        process = self.running.get(name)
        return None if process is None else [p.pid for p in process.members()]

    def judged(self, name: str, found: list[str]) -> None:
        row = self.ws.state.agents.get(name)
        if row is None or row.state not in ("running", "paused", "queued"):
            return
        feature = self.ws.state.get(name)
        shadow = Path(feature.shadow) if feature is not None else None
        for text in found:
            notices.post(self.ws.layout.agent_dir(name), "watcher", text, shadow)

    def unwatching(self, name: str, why: str) -> None:
        self.stop(name, f"stopped: {why}")

    def close(self) -> None:
        for name in list(self.running):
            self.stop(name, "stopped: the supervisor stopped")
        self._registry.unlink(missing_ok=True)

    # bookkeeping ---------------------------------------------------------------------------
    def _lose_the_dead(self) -> None:
        """Rows a dead supervisor left running or paused: their agents are lost to us."""
        for row in self.ws.state.agents.all():
            if row.state in ("running", "paused"):
                self.ws.state.agents.update(row.feature, state="lost", note="its supervisor died")

    def _write_registry(self) -> None:
        """Every process of every running agent, for the CLI to know an agent when one asks."""
        pids: dict[str, list[Any]] = {}
        groups: dict[str, str] = {}
        for name, process in self.running.items():
            groups[str(process.pgid)] = name
            for pid in process.seen:
                ticks = start_ticks(pid)
                if ticks is not None:
                    pids[str(pid)] = [name, ticks]
        data = json.dumps({"pids": pids, "pgids": groups}, sort_keys=True)
        try:
            if self._registry.read_text() == data:
                return
        except OSError:
            pass
        temporary = self._registry.with_name(AGENTS_FILE + ".tmp")
        temporary.write_text(data)
        os.replace(temporary, self._registry)


def _ending(process: AgentProcess) -> str:
    why = process.why or ""
    if why == "timed-out":
        return "timed-out"
    if why == "restart":
        return "restart"
    if why.startswith("stopped"):
        return "stopped"
    return "done" if process.exit_code == 0 else "failed"


def _descends(pid: int, ancestor: int) -> bool:
    import psutil

    try:
        return any(p.pid == ancestor for p in psutil.Process(pid).parents())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _summary(stdout_log: Path) -> dict[str, Any]:
    """The built-in agent's last line: its status and usage as JSON ({} for any other agent)."""
    try:
        with stdout_log.open("rb") as stream:
            stream.seek(max(0, stdout_log.stat().st_size - 4096))
            last = stream.read().strip().splitlines()[-1]
        found = json.loads(last)
    except (OSError, IndexError, ValueError):
        return {}
    return found if isinstance(found, dict) and "usage" in found else {}


def _require_program(program: str, cwd: Path, path: str | None, agent: str) -> None:
    """The agent's program must exist before it is confined: the sandbox's launcher would
    otherwise be what fails, later and less clearly."""
    found = os.access(cwd / program, os.X_OK) if "/" in program else which(program, path=path)
    if not found:
        raise UsageError(f"cannot run agent {agent} ({program}): No such file or directory")
