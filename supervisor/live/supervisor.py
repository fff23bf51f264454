"""The supervisor: one process per repository. Its loop (the only thread that touches
features) turns the watchers' hints into judged batches, contains what must not stay,
checkpoints on its own, reconciles with full scans, and answers the CLI. After each checkpoint
it makes, it predicts merge conflicts across the repository's features and records, on both
features of a pair, when the pair starts or stops conflicting.

Everything it does to a feature it does under the feature's lock, taken without waiting: a
command holding it (a promotion, say) only delays the next batch."""

from __future__ import annotations

import base64
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any, Protocol

import filelock

from supervisor.errors import FatalError, LockTimeout, OperationalError, UsageError
from supervisor.gitio import trees
from supervisor.lifecycle import conflicts
from supervisor.lifecycle.feature import Feature
from supervisor.lifecycle.promote import roll_forward
from supervisor.lifecycle.prospective import MODES, check_write, shadow_path
from supervisor.lifecycle.trust import AGENT_ENV, AGENT_MAY
from supervisor.lifecycle.workspace import Workspace
from supervisor.live import containment, procs
from supervisor.live.inbox import Inbox
from supervisor.live.server import Request, Server
from supervisor.live.watched import Batch, Watched, verdict_words
from supervisor.live.watches import Watches
from supervisor.rules.types import Violation
from supervisor.store.audit import Entry
from supervisor.store.locks import feature_lock

# runs one command on a watched feature: (feature, its parsed arguments, terminal width) ->
# {"handled": True, "code", "stdout" (base64), "stderr"}
Runner = Callable[[Feature, dict[str, Any], int], dict[str, Any]]
Listener = Callable[[str, Entry], None]
POLL_S = 5.0  # seconds between full scans of a feature whose events cannot be trusted
MAX_BATCH_AGE = 0.5  # a writer that never pauses still gets verdicts this often
MAX_BATCH_PATHS = 5000
IDLE_S = 1.0  # the loop looks around at least this often
RETRY_S = 0.1  # a feature busy with a command is tried again after this long
LOCK_FILE = "supervisor.lock"


class Participant(Protocol):
    """Work that runs in the supervisor's loop beside the watching: the agents."""

    def tend(self, now: float) -> float:
        """Do what is due; the seconds until it may need the loop again."""
        ...

    def answer(
        self, op: str, body: Mapping[str, Any], agent_of: str | None
    ) -> dict[str, Any] | None:
        """The answer to a request it handles, else None."""
        ...

    def owner_of(self, pid: int) -> str | None:
        """The feature whose agent's process tree holds `pid`."""
        ...

    def judged(self, name: str, notices: list[str]) -> None:
        """What a batch brought in `name`'s shadow (violations, containments), in words for
        its agent."""
        ...

    def agent_pids(self, name: str) -> list[int] | None:
        """The processes of `name`'s running agent (None: it has none)."""
        ...

    def unwatching(self, name: str, why: str) -> None:
        """`name`'s supervision ends: its agent must end first."""
        ...

    def busy(self) -> bool:
        """Whether it has work though no feature is watched (agents waiting to start)."""
        ...

    def close(self) -> None: ...


class AlreadySupervised(OperationalError):
    def __init__(self, pid: int | None) -> None:
        super().__init__(f"a supervisor already runs for this repository (process {pid})")
        self.pid = pid


class Supervisor:
    def __init__(
        self,
        ws: Workspace,
        runners: Mapping[str, Runner],
        listener: Listener | None = None,
    ) -> None:
        self.ws = ws
        self.runners = runners
        self.listener = listener
        self.participants: list[Participant] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.inbox = Inbox(self._wake.set)
        self.requests: queue.Queue[Request] = queue.Queue()
        live = ws.layout.live_dir()
        self.server = Server(live, self.requests, self._wake.set)
        self.watches = Watches(self.inbox, ws.settings.max_watches)
        self.watched: dict[str, Watched] = {}
        self.predicted: conflicts.Prediction | None = None  # the last conflict prediction
        self.pid = os.getpid()
        self._claim = filelock.FileLock(str(live / LOCK_FILE), timeout=0)

    # lifetime ---------------------------------------------------------------------------
    def __enter__(self) -> Supervisor:
        live = self.ws.layout.live_dir()
        live.mkdir(parents=True, exist_ok=True)
        os.chmod(live, 0o700)
        try:
            self._claim.acquire()
        except filelock.Timeout:
            recorded = self.ws.state.supervisor()
            raise AlreadySupervised(recorded[0] if recorded else None) from None
        self.ws.state.set_supervisor(self.pid, procs.create_time(self.pid))
        self.watches.start()
        self.server.start()
        return self

    def __exit__(self, *_: object) -> None:
        try:
            for participant in self.participants:
                with suppress(FatalError):
                    participant.close()
            for name in list(self.watched):
                with suppress(FatalError):
                    self.unwatch(name, "the supervisor stopped")
        finally:
            self.watches.stop()
            self.server.stop()
            self.ws.state.clear_supervisor(self.pid)
            self._claim.release()

    def wake(self) -> None:
        """Have the loop look around now (from any thread)."""
        self._wake.set()

    def checkpoint_now(self, name: str, why: str) -> None:
        """Judge `name`'s whole shadow and checkpoint it (an agent ended: its last writes may
        not have reached us as events yet, so a full scan, once)."""
        watched = self.watched.get(name)
        if watched is None:
            return
        with self.ws.locked(name):
            if not self._refresh(watched):
                return
            self.inbox.take(name)  # the full scan covers whatever was pending
            self._record(watched, watched.judge(None), "reconcile", reason="agent ended")
            if watched.dirty:
                self._checkpoint(watched, why)

    def emit(self, name: str, kind: str, **data: object) -> None:
        """Record `kind` in `name`'s audit log (watched or not), shown to the listener."""
        watched = self.watched.get(name)
        if watched is not None:
            self._emit(watched, kind, **data)
            return
        entry = self.ws.feature(name).emit(kind, **data)
        if self.listener is not None:
            self.listener(name, entry)

    def stop(self) -> None:
        """End the loop (from a signal handler or another thread)."""
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        """Until stopped, or until no feature is left to watch."""
        while not self._stop.is_set() and (
            self.watched or any(p.busy() for p in self.participants)
        ):
            timeout = self.step()
            self._wake.wait(timeout)
            self._wake.clear()

    # watching ---------------------------------------------------------------------------
    def add(self, name: str) -> None:
        """Watch `name`: finish a journaled promotion, scan everything, judge it, checkpoint
        what changed while nobody watched, then follow the events."""
        if name in self.watched:
            return
        feature = self.ws.feature(name)
        with self.ws.locked(name):
            feature = self.ws.feature(name)
            feature.require_active()
            if roll_forward(feature):
                feature = self.ws.feature(name)
            watched = Watched(feature)
            feature.scanner.hint = lambda: self._hint(name)
            watched.paused = containment.paused_file(feature).is_file()
            why = self.watches.add(name, feature.shadow)  # before the scan: nothing slips by
            watched.polling = why is not None
            self.ws.state.update(name, supervision="paused" if watched.paused else "watching")
            self._emit(watched, "watch-start", pid=self.pid, polling=why)
            self._record(watched, watched.prime(), "reconcile", reason="watch started")
            if watched.dirty and not watched.paused:
                self._checkpoint(watched, "changes made while nobody watched")
        self.watched[name] = watched
        if self.predicted is None:  # what later predictions are compared with: said by none
            self.predicted = self._predict()

    def _hint(self, name: str) -> list[bytes] | None:
        """What changed in `name`'s shadow since its last scan, as far as events say; None when
        they cannot be trusted (lost, or the feature is polled)."""
        watched = self.watched.get(name)
        if watched is None or watched.polling or watched.lost:
            return None
        pending = self.inbox.peek(name)
        return sorted(pending.paths) if pending is not None else []

    def unwatch(self, name: str, why: str) -> None:
        """Stop watching `name`: judge what is pending, checkpoint it, record the stop."""
        watched = self.watched.pop(name, None)
        if watched is None:
            return
        self.watches.remove(name)
        for participant in self.participants:
            participant.unwatching(name, why)
        with self.ws.locked(name):
            watched.feature.row = self.ws.state.require(name)
            if watched.feature.row.state == "active":
                pending = self.inbox.take(name)
                if pending is not None:
                    self._record(watched, watched.judge(pending.paths), "batch")
                if watched.dirty and not watched.paused:
                    self._checkpoint(watched, "supervision stopped")
                self.ws.state.update(name, supervision="stopped")
            self._emit(watched, "watch-stop", why=why)
        self.inbox.take(name)

    # the loop -------------------------------------------------------------------------------
    def step(self) -> float:
        """Do what is due; the seconds until something may be due again."""
        self._answer_requests()
        if self.inbox.take_lost():
            for watched in self.watched.values():
                watched.timing.last_full = float("-inf")
                watched.lost = True
        waits = [IDLE_S]
        for participant in self.participants:
            waits.append(participant.tend(time.monotonic()))
        for watched in list(self.watched.values()):
            waits.append(self._tend(watched, time.monotonic()))
            self._answer_requests()  # a command never waits for every feature's batch
        return max(0.0, min(waits))

    def _tend(self, watched: Watched, now: float) -> float:
        try:
            with feature_lock(self.ws.layout.lock(watched.name), watched.name, timeout=0):
                if not self._refresh(watched):
                    return IDLE_S
                return self._due(watched, now)
        except LockTimeout:
            return RETRY_S

    def _due(self, watched: Watched, now: float) -> float:
        waits = []
        pending = self.inbox.peek(watched.name)
        if pending is not None:
            quiet = watched.live.quiet_ms / 1000
            ready = min(pending.last + quiet, pending.first + max(quiet, MAX_BATCH_AGE)) - now
            if ready <= 0 or len(pending.paths) >= MAX_BATCH_PATHS:
                self._batch(watched)
            else:
                waits.append(ready)
        full = watched.full_scan_due(time.monotonic(), POLL_S)
        if full <= 0:
            self._reconcile(watched)
        else:
            waits.append(full)
        checkpoint = watched.checkpoint_due(time.monotonic())
        if checkpoint is not None and checkpoint <= 0:
            self._checkpoint(watched, None)
        elif checkpoint is not None:
            waits.append(checkpoint)
        return min(waits, default=IDLE_S)

    def _refresh(self, watched: Watched) -> bool:
        """The feature's row as the commands left it; False (and no longer watched) once it
        is no longer active (removed)."""
        row = self.ws.state.get(watched.name)
        if row is None or row.state != "active":
            self.watched.pop(watched.name, None)
            self.watches.remove(watched.name)
            self.inbox.take(watched.name)
            self._emit(watched, "watch-stop", why=f"the feature is {row.state if row else 'gone'}")
            return False
        watched.feature.row = row
        return True

    def _batch(self, watched: Watched) -> None:
        pending = self.inbox.take(watched.name)
        if pending is None:
            return
        if pending.dirs and not watched.polling:
            why = self.watches.recount(watched.name, watched.feature.shadow)
            if why is not None:
                watched.polling = True
                self._emit(watched, "degraded", why=why)
        paths = watched.not_ours(pending.paths)
        if paths:
            self._record(watched, watched.judge(paths), "batch")

    def _reconcile(self, watched: Watched) -> None:
        reason = "events were lost" if watched.lost else "polling" if watched.polling else "timer"
        watched.lost = False
        self.inbox.take(watched.name)  # the full scan covers whatever was pending
        self._record(watched, watched.judge(None), "reconcile", reason=reason)

    def _checkpoint(self, watched: Watched, why: str | None) -> None:
        report = watched.report
        verdict = verdict_words(report) if report is not None else "not judged"
        tree = watched.feature.scanner.snapshot().tree
        base = watched.feature.repo.commit_tree(watched.feature.chain.tip()[1])
        count = sum(1 for _ in trees.compare(watched.feature.repo, base, tree))
        title = why or f"auto-checkpoint: {count} path{'s' * (count != 1)} changed"
        done = watched.checkpoint(f"{title}\n\nVerdict: {verdict}")
        head = watched.feature.audit.head()
        if done.created and head is not None and self.listener is not None:
            self.listener(watched.name, head)
        if done.created:
            self._conflicts()

    # predicted conflicts ----------------------------------------------------------------------
    def _predict(self) -> conflicts.Prediction | None:
        """Every pair of active features and each against its base branch; a watched feature
        by its shadow as last judged, the others by their last checkpoints. None when git
        cannot say (the supervisor keeps watching)."""
        live = {
            name: watched.judged_tree
            for name, watched in self.watched.items()
            if watched.judged_tree is not None
        }
        try:
            return conflicts.predict(self.ws, live=live)
        except FatalError:
            return None

    def _conflicts(self) -> None:
        """Predict again; a `conflict` entry on both features of each pair that started or
        stopped conflicting since the last prediction."""
        found = self._predict()
        if found is None:
            return
        before, self.predicted = self.predicted, found
        if before is not None:
            conflicts.announce(self.ws, conflicts.transitions(before, found), self.emit)

    # recording and containment -------------------------------------------------------------
    def _record(
        self, watched: Watched, batch: Batch, kind: str, contain: bool = True, **extra: object
    ) -> None:
        """The verdict into the state and the audit log; then, unless this batch is the
        rescan after a containment, contain what it brought."""
        report = batch.report
        self.ws.state.record_verdict(watched.name, report.ok, report.errors, report.warnings)
        quiet = kind == "batch" or extra.get("reason") in ("timer", "polling")
        if batch.paths or not quiet:
            self._emit(
                watched,
                kind,
                **extra,
                paths=[_shown(p) for p in batch.paths],
                **_scope(batch),
                ok=report.ok,
                errors=report.errors,
                warnings=report.warnings,
                violations=[v.as_json() for v in batch.fresh],
            )
        if contain:
            self._contain(watched, batch)
        self._tell(watched, [_said(v) for v in batch.fresh])

    def _contain(self, watched: Watched, batch: Batch) -> None:
        feature = watched.feature
        rules = feature.rules
        tip_tree = feature.repo.commit_tree(feature.chain.tip()[1])
        tree = feature.scanner.snapshot().tree
        reverted: set[bytes] = set()
        pausing = []
        for violation in batch.fresh:
            if violation.severity != "error" or violation.path is None:
                continue
            action = rules.action(violation.rule)
            rel = containment.safe_relative(violation.path)
            if action == "pause":
                pausing.append(violation)
            elif action == "revert-file" and rel is not None and rel not in reverted:
                here = trees.lookup(feature.repo, tree, rel)
                if here is not None and here == trees.lookup(feature.repo, tip_tree, rel):
                    continue  # the checkpoint holds this very content: nothing to go back to
                done = containment.revert_file(feature, rel, tip_tree)
                watched.wrote(rel)
                reverted.add(rel)
                self._tell(
                    watched,
                    [
                        f"git-agent put {violation.path} back as checkpointed "
                        f"({violation.rule}): {violation.message}"
                    ],
                )
                self._emit(
                    watched,
                    "containment",
                    action="revert-file",
                    rule=violation.rule,
                    path=violation.path,
                    quarantined=done.quarantined,
                    restored=done.restored,
                )
        if reverted:
            rescan = watched.judge(reverted)
            self._record(watched, rescan, "batch", contain=False, after="containment")
        if pausing and not watched.paused:
            self._pause(watched, pausing)

    def _tell(self, watched: Watched, notices: list[str]) -> None:
        if notices:
            for participant in self.participants:
                participant.judged(watched.name, notices)

    def _pause(self, watched: Watched, found: list[Any]) -> None:
        agents = [p.agent_pids(watched.name) for p in self.participants]
        pids = [pid for found_pids in agents if found_pids for pid in found_pids]
        enforce = bool(pids) or watched.live.pause_by_hand
        if not pids and enforce:
            pids = procs.working_in(watched.feature.shadow)
        stopped = containment.pause(watched.feature, pids)
        watched.paused = True
        self.ws.state.update(watched.name, supervision="paused")
        self._emit(
            watched,
            "pause",
            rules=sorted({v.rule for v in found}),
            paths=sorted({v.path for v in found if v.path}),
            stopped=stopped,
            enforced=enforce,
        )

    def resume(self, name: str) -> list[int]:
        watched = self.watched[name]
        with self.ws.locked(name):
            continued = containment.resume(watched.feature)
            watched.paused = False
            self.ws.state.update(name, supervision="watching")
            self._emit(watched, "resume", continued=continued)
            self._record(watched, watched.judge(None), "reconcile", reason="resumed")
        return continued

    def _emit(self, watched: Watched, kind: str, **data: object) -> None:
        entry = watched.feature.emit(kind, **data)
        if self.listener is not None:
            self.listener(watched.name, entry)

    # requests ---------------------------------------------------------------------------------
    def _answer_requests(self) -> None:
        while True:
            try:
                request = self.requests.get_nowait()
            except queue.Empty:
                return
            request.started.set()
            request.finish(self._answer(request))

    def _answer(self, request: Request) -> dict[str, Any]:
        body = request.body
        if float(body.get("deadline", 0) or 0) < time.time():
            return {"ok": False, "error": "too late: the client has gone on without us"}
        try:
            return self._dispatch(str(body.get("op")), body, request.peer)
        except FatalError as exc:
            return {
                "ok": False,
                "handled": True,
                "code": exc.exit_code,
                "error": str(exc),
                "stderr": f"git-agent: {exc}\n",
            }
        except Exception:  # a bug answering one request must not end the watching
            return {"ok": False, "error": traceback.format_exc(limit=3)}

    def _dispatch(self, op: str, body: Mapping[str, Any], peer: int) -> dict[str, Any]:
        agent_of = self.agent_of(peer)
        if op == "ping":
            return {"ok": True, "pid": self.pid, "features": self.describe()}
        if op == "info":
            return {"ok": True, "pid": self.pid, "features": self.describe()}
        if op == "run":
            return self._run(dict(body.get("args") or {}), int(body.get("columns") or 80), agent_of)
        if op == "check-write":
            return self._check_write(body, agent_of)
        for participant in self.participants:
            answer = participant.answer(op, body, agent_of)
            if answer is not None:
                return answer
        if agent_of is not None:
            return {"ok": False, "error": f"refused: an agent cannot {op} supervision"}
        names = [str(n) for n in body.get("features") or []]
        if op == "watch":
            return self._watch(names)
        if op == "unwatch":
            for name in names:
                self.unwatch(name, str(body.get("why") or "git agent stop"))
            return {"ok": True}
        if op == "resume":
            return {
                "ok": True,
                "continued": {n: self.resume(n) for n in names if n in self.watched},
            }
        return {"ok": False, "error": f"unknown request {op!r}"}

    def agent_of(self, pid: int) -> str | None:
        """The feature whose agent `pid` is: by its process tree, where it works, or its
        environment (None: a person's process, as far as can be told)."""
        for participant in self.participants:
            owner = participant.owner_of(pid)
            if owner is not None:
                return owner
        shadows = {name: w.feature.shadow for name, w in self.watched.items()}
        return procs.feature_of(pid, shadows, AGENT_ENV)

    def _watch(self, names: list[str]) -> dict[str, Any]:
        added, already, failed = [], [], {}
        for name in names:
            if name in self.watched:
                already.append(name)
                continue
            try:
                self.add(name)
                added.append(name)
            except FatalError as exc:
                failed[name] = str(exc)
        return {
            "ok": not failed,
            "pid": self.pid,
            "added": added,
            "already": already,
            "failed": failed,
        }

    def _run(self, plain: dict[str, Any], columns: int, agent_of: str | None) -> dict[str, Any]:
        command, name = str(plain.get("command", "")), plain.get("feature")
        runner = self.runners.get(command)
        if runner is None or not isinstance(name, str) or name not in self.watched:
            return {"ok": False, "handled": False}
        if agent_of is not None and (agent_of != name or command not in AGENT_MAY):
            raise UsageError(f"refused: the agent of {agent_of} cannot {command} {name}")
        watched = self.watched[name]
        with feature_lock(self.ws.layout.lock(name), name, timeout=self.ws.settings.lock_timeout):
            if not self._refresh(watched):
                return {"ok": False, "handled": False}
            self._batch(watched)  # what is pending is judged (and contained) first
            return runner(watched.feature, plain, columns)

    def _check_write(self, body: Mapping[str, Any], agent_of: str | None) -> dict[str, Any]:
        """What a write would bring, judged before it happens (the built-in agent's tools,
        Claude Code's hook): {"ok", "violations": [...]}; a path outside the shadow is an
        error answer."""
        name = str(body.get("feature"))
        if name not in self.watched:
            return {"ok": False, "handled": False, "error": f"{name} is not watched"}
        if agent_of is not None and agent_of != name:
            raise UsageError(f"refused: the agent of {agent_of} cannot write in {name}")
        feature = self.watched[name].feature
        rel = shadow_path(feature, str(body.get("path")))
        content = body.get("content")
        data = None if content is None else base64.b64decode(str(content))
        kind = str(body.get("kind") or "file")
        if kind not in MODES:
            raise UsageError(f"unknown kind of file {kind!r}")
        with feature_lock(self.ws.layout.lock(name), name, timeout=self.ws.settings.lock_timeout):
            found = check_write(feature, rel, data, kind)
        return {"ok": True, "handled": True, "violations": [v.as_json() for v in found]}

    def describe(self) -> dict[str, dict[str, Any]]:
        out = {}
        for name, watched in self.watched.items():
            pending = self.inbox.peek(name)
            out[name] = {
                "supervision": "paused" if watched.paused else "watching",
                "polling": watched.polling,
                "pending": len(pending.paths) if pending else 0,
                "changed": watched.changed_since_checkpoint(),
            }
        return out


def _said(violation: Violation) -> str:
    """A violation in words for the agent that brought it."""
    where = violation.path or "the change"
    if violation.line:
        where += f":{violation.line}"
    return f"{violation.severity} {violation.rule} in {where}: {violation.message}"


def _scope(batch: Batch) -> dict[str, object]:
    """How the batch was found: from the events (how many paths they named) or a full scan."""
    return {"scan": "full"} if batch.hinted is None else {"events": batch.hinted}


def _shown(path: bytes) -> str:
    return path.decode("utf-8", "backslashreplace")
