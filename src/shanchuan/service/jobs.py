"""Jobs: a bounded queue served by a fixed set of worker processes, each job owned by a token.

A job is ``queued`` → ``running`` → one of ``done`` (the solve ended; its ``status`` says
optimal, feasible, infeasible or failed), ``invalid`` (the input was refused, with problems),
``failed`` (the worker died, the job ran over the server's limit, or a bug) or ``cancelled``.
Each worker slot has a thread that feeds its process one job at a time over a pipe and reads
the job's progress back. Cancelling a running job kills the slot's process tree
(:func:`~shanchuan.service.worker.kill_tree`) and starts a fresh worker.

Jobs live in memory only: a server that stops takes its queued and running jobs with it (they
are marked ``failed`` at shutdown, and after a restart their ids answer 404).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from shanchuan.service.config import ServiceConfig
from shanchuan.service.intake import Intake, scrub_text
from shanchuan.service.worker import kill_tree, worker_main

log = logging.getLogger("shanchuan.service")

FINISHED = frozenset({"done", "invalid", "failed", "cancelled"})


class LimitError(Exception):
    """A limit refuses a new job (HTTP 429); ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Job:
    """One request's solve, as the job table holds it."""

    id: str
    owner: str
    kind: str
    spec: dict[str, Any]
    intake: Intake
    state: str = "queued"
    status: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    progress: dict[str, Any] | None = None
    result: Any = None
    problems: list[dict[str, Any]] | None = None
    message: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    killed_pids: list[int] = field(default_factory=list)

    def view(self, time_limit: float | None = None) -> dict[str, Any]:
        """What ``GET /v1/jobs/{id}`` shows."""
        now = time.time()
        elapsed = (self.finished or now) - self.started if self.started else 0.0
        eta = None
        if self.state == "running" and self.progress and time_limit and not self.progress["done"]:
            # The solver's time limit bounds the current solve; nothing better is known.
            eta = max(0.0, time_limit - float(self.progress.get("elapsed_s") or 0.0))
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "status": self.status,
            "created": self.created,
            "elapsed_s": round(elapsed, 3),
            "progress": self.progress,
            "eta_at_most_s": None if eta is None else round(eta, 1),
            "message": self.message,
        }


class Slot:
    """One worker process and the thread that feeds it."""

    def __init__(self, manager: JobManager, index: int) -> None:
        self.manager = manager
        self.index = index
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.thread = threading.Thread(
            target=self._loop, name=f"shanchuan-slot-{index}", daemon=True
        )

    def spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=worker_main, args=(child,), name=f"shanchuan-worker-{self.index}", daemon=True
        )
        proc.start()
        child.close()
        self.process, self.conn = proc, parent

    def kill(self) -> list[int]:
        proc = self.process
        if proc is None or proc.pid is None:
            return []
        kids = kill_tree(proc.pid)
        proc.join(timeout=10)
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None
        return kids

    def _loop(self) -> None:
        while not self.manager.stopping.is_set():
            job = self.manager.next_job()
            if job is None:
                continue
            try:
                self._run(job)
            except Exception as exc:  # never lose the slot to a bug
                log.exception("slot %d: job %s", self.index, job.id)
                self.manager.finish(job, "failed", message=f"internal error: {exc}")
                self.kill()
            if self.process is None and not self.manager.stopping.is_set():
                self.spawn()  # a killed worker is replaced now, so the next job starts warm

    def _run(self, job: Job) -> None:
        if self.process is None or not self.process.is_alive():
            self.spawn()
        assert self.conn is not None and self.process is not None
        cfg = self.manager.config
        self.conn.send(job.spec)
        deadline = time.monotonic() + cfg.max_job_seconds
        while True:
            if self.manager.stopping.is_set():
                job.killed_pids = self.kill()
                self.manager.finish(job, "failed", message="the server stopped while it ran")
                return
            if job.cancel.is_set():
                job.killed_pids = self.kill()
                self.manager.finish(job, "cancelled", message="cancelled; its solver was killed")
                return
            if time.monotonic() > deadline:
                job.killed_pids = self.kill()
                self.manager.finish(
                    job,
                    "failed",
                    message=f"stopped: ran over this server's limit of {cfg.max_job_seconds:g} s "
                    "per job",
                )
                return
            try:
                ready = self.conn.poll(0.1)
                msg = self.conn.recv() if ready else None
            except (EOFError, OSError):
                code = self.process.exitcode if self.process is not None else None
                self.kill()
                self.manager.finish(
                    job,
                    "failed",
                    message=f"the worker process died (exit code {code}); the job did not finish",
                )
                return
            if msg is None:
                continue
            if msg[0] == "progress":
                job.progress = msg[1]
            elif msg[0] == "done":
                self.manager.finish(job, "done", status=msg[1], result=json.loads(msg[2]))
                return
            elif msg[0] == "invalid":
                self.manager.finish(job, "invalid", problems=msg[1])
                return
            else:
                self.manager.finish(job, "failed", message=str(msg[1]))
                return


class JobManager:
    """The job table, its queue and its worker slots."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.jobs: dict[str, Job] = {}
        self.queue: deque[Job] = deque()
        self.lock = threading.Condition()
        self.stopping = threading.Event()
        self.slots = [Slot(self, i) for i in range(config.workers)]
        self.started = False

    def start(self) -> None:
        """Start the worker processes (each pays the engines' import once, here)."""
        if self.started:
            return
        self.started = True
        for slot in self.slots:
            slot.spawn()
            slot.thread.start()

    def stop(self) -> None:
        """Kill every worker; queued and running jobs end ``failed`` (documented)."""
        self.stopping.set()
        with self.lock:
            for job in list(self.queue):
                self._finish_locked(job, "failed", message="the server stopped before it ran")
            self.queue.clear()
            self.lock.notify_all()
        for slot in self.slots:
            if slot.thread.is_alive():
                slot.thread.join(timeout=15)
            slot.kill()

    # -- submitting ----------------------------------------------------------------------

    def submit(self, owner: str, kind: str, spec: dict[str, Any], intake: Intake) -> Job:
        """Queue a job; raises :class:`LimitError` past the per-token or queue limit."""
        cfg = self.config
        with self.lock:
            self._expire_locked()
            mine = sum(
                1 for j in self.jobs.values() if j.owner == owner and j.state not in FINISHED
            )
            if mine >= cfg.max_jobs_per_token:
                raise LimitError(
                    f"this token already has {mine} jobs queued or running "
                    f"(at most {cfg.max_jobs_per_token}); wait for one to finish",
                    retry_after=5,
                )
            if len(self.queue) >= cfg.max_queue:
                raise LimitError(
                    f"the queue is full ({cfg.max_queue} jobs waiting); try again later",
                    retry_after=10,
                )
            job_id = secrets.token_urlsafe(18)  # 144 bits: not guessable, not enumerable
            job = Job(job_id, owner, kind, dict(spec, workdir=str(intake.workdir)), intake)
            self.jobs[job_id] = job
            self.queue.append(job)
            self.lock.notify()
        if not self.started:
            self.start()
        return job

    def next_job(self) -> Job | None:
        with self.lock:
            while not self.queue and not self.stopping.is_set():
                self.lock.wait(timeout=1.0)
            if self.stopping.is_set() or not self.queue:
                return None
            job = self.queue.popleft()
            job.state, job.started = "running", time.time()
            return job

    # -- finishing -----------------------------------------------------------------------

    def finish(self, job: Job, state: str, **fields: Any) -> None:
        with self.lock:
            self._finish_locked(job, state, **fields)

    def _finish_locked(self, job: Job, state: str, **fields: Any) -> None:
        if job.state in FINISHED:
            return
        problems = fields.pop("problems", None)
        if problems is not None:
            job.problems = [
                {k: scrub_text(v, job.intake) if isinstance(v, str) else v for k, v in p.items()}
                for p in problems
            ]
            for p in job.problems:
                if p.get("file") == "--set":
                    p["file"] = "set"
        for key, value in fields.items():
            setattr(job, key, value)
        if isinstance(job.message, str):
            job.message = scrub_text(job.message, job.intake)
        job.state, job.finished = state, time.time()
        if job.started is None:
            job.started = job.finished
        job.intake.cleanup()
        job.ended.set()

    def cancel(self, job: Job) -> None:
        """Cancel a queued job at once, or a running one by killing its worker."""
        with self.lock:
            if job in self.queue:
                self.queue.remove(job)
                self._finish_locked(job, "cancelled", message="cancelled before it ran")
                return
        job.cancel.set()

    # -- looking up ----------------------------------------------------------------------

    def get(self, owner: str, job_id: str) -> Job | None:
        """The job, if it exists *and* belongs to ``owner`` (else ``None``: 404 either way)."""
        with self.lock:
            self._expire_locked()
            job = self.jobs.get(job_id)
        if job is None or not secrets.compare_digest(job.owner, owner):
            return None
        return job

    def _expire_locked(self) -> None:
        keep = self.config.keep_results_seconds
        now = time.time()
        for job_id in [
            i
            for i, j in self.jobs.items()
            if j.state in FINISHED and j.finished is not None and now - j.finished > keep
        ]:
            del self.jobs[job_id]

    def counts(self) -> dict[str, int]:
        with self.lock:
            running = sum(1 for j in self.jobs.values() if j.state == "running")
            return {"queued": len(self.queue), "running": running, "workers": len(self.slots)}
