"""The worker process: runs one job at a time through the one-call API and reports back.

Workers are separate processes (started with ``spawn``, so they share no lock or thread with
the server) because a cancel must be able to *kill* a solve: HiGHS runs inside the worker and
CBC runs as the worker's child in its own process group (:mod:`solverkit.cbc_runner`), so
:func:`kill_tree` stops the worker, kills its children's groups, then the worker.

Messages on the pipe, worker → server: ``("progress", dict)`` (throttled), then one of
``("done", status, json_text)``, ``("invalid", [problem dicts])``, ``("failed", message)``.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

#: Least time between two progress messages of one job.
PROGRESS_EVERY_S = 0.5


def worker_main(conn: Connection) -> None:
    """Serve jobs from ``conn`` until it sends ``None`` or closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on `serve` is the server's to handle
    import shanchuan.pipeline  # noqa: F401  - pay the import once, not per job

    lock = threading.Lock()

    def send(*msg: Any) -> None:
        with lock:  # CBC's reader threads emit progress concurrently with the main thread
            conn.send(msg)

    while True:
        try:
            spec = conn.recv()
        except EOFError:
            return
        if spec is None:
            return
        send(*run_job(spec, lambda event: send("progress", event)))


def run_job(spec: dict[str, Any], progress: Callable[[dict[str, Any]], None]) -> tuple[Any, ...]:
    """Run one job spec; returns the final message (never raises for a user's error)."""
    from shanchuan import pipeline, stages
    from shanchuan.contract import stamp
    from shanchuan.errors import InfeasibleError, InputError, ShanchuanError, SolveFailedError
    from shanchuan.outcomes import Analyses

    # The job's private folder: anything resolved relative to the working folder stays in it.
    os.chdir(spec["workdir"])
    last = [0.0]
    count = [0]

    def on_solve(event: Any) -> None:
        count[0] += 1
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S and not event.done:
            return
        last[0] = now
        progress(
            {
                "label": event.label,
                "solver": event.solver,
                "elapsed_s": round(event.elapsed, 3),
                "incumbent": event.incumbent,
                "bound": event.bound,
                "gap": event.gap,
                "done": event.done,
                "events": count[0],
            }
        )

    quiet: Callable[[str], None] = lambda line: None  # noqa: E731
    try:
        loaded = pipeline.load(
            spec["scenario_path"], overrides=spec["overrides"], sets=spec["sets"]
        )
        kind = spec["kind"]
        outcome: Any
        if kind == "match":
            outcome = pipeline.match(
                loaded, analyses=Analyses(**spec["analyses"]), progress=quiet, on_solve=on_solve
            )
        elif kind == "allocate":
            outcome = pipeline.allocate(loaded, progress=quiet, on_solve=on_solve)
        else:
            outcome = pipeline.run(loaded, progress=quiet, on_solve=on_solve)
        return ("done", outcome.status.value, stages.report(outcome, "json"))
    except InputError as exc:
        return ("invalid", [p.to_dict() for p in exc.problems] or [{"message": str(exc)}])
    except InfeasibleError as exc:
        diagnosis = exc.diagnosis
        body = stamp(
            {
                "status": "infeasible",
                "message": str(exc),
                "diagnosis": diagnosis.to_dict() if hasattr(diagnosis, "to_dict") else diagnosis,
            }
        )
        return ("done", "infeasible", json.dumps(body, ensure_ascii=False, default=str))
    except SolveFailedError as exc:
        body = stamp({"status": "failed", "message": str(exc)})
        return ("done", "failed", json.dumps(body, ensure_ascii=False))
    except ShanchuanError as exc:
        return ("invalid", [p.to_dict() for p in exc.problems] or [{"message": str(exc)}])
    except Exception as exc:  # a bug: the job fails, the worker keeps serving
        return ("failed", f"internal error: {type(exc).__name__}: {exc}")


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (Linux ``/proc``; empty elsewhere)."""
    out: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return out
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ')'.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            out.append(int(entry))
    return out


def kill_tree(pid: int) -> list[int]:
    """Kill the worker ``pid`` and its solver children (each in its own process group).

    The worker is stopped first, so it cannot start another child between the listing and the
    kill. Returns the children that were killed.
    """
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        return []
    kids = children(pid)
    for kid in kids:
        try:
            os.killpg(kid, signal.SIGKILL)  # CBC leads its own group
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(kid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return kids
