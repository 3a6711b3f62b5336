"""Clean ends on SIGINT, SIGTERM and SIGHUP: nothing left running, nothing left behind.

While :func:`handling` is active (the CLI wraps each command in it), each of the three signals

1. kills every child process of this process at once (CBC runs in its own process group, so
   a signal to the tool alone would leave it solving for up to its time limit) and keeps
   killing any started later, until the process ends;
2. raises :class:`Interrupted` (a :class:`KeyboardInterrupt`) in the main thread, so every
   ``finally`` on the way out runs: the solver runner deletes its model and solution files,
   the archive writer removes its ``.X.tmp-*`` staging folder;
3. lets the CLI print one line and exit with the conventional code, 128 + the signal number:
   130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.

A second signal while the first is being handled ends the process at once (the user means
it), and a clean-up that is stuck (an in-process solver thread that does not return) is cut
short after :data:`GRACE_SECONDS`: the process ends then with the same code and message.

>>> Interrupted(signal.SIGTERM).exit_code, Interrupted(signal.SIGHUP).exit_code
(143, 129)
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import TextIO

#: The signals handled, by number.
SIGNALS: tuple[signal.Signals, ...] = tuple(
    s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None
)
#: Seconds the clean-up may take before the process is ended regardless.
GRACE_SECONDS = 10.0
#: How often the reaper looks for new child processes after a signal.
_REAP_INTERVAL = 0.05

_state: dict[str, object] = {"signum": None, "stage": "starting"}
_lock = threading.Lock()


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; ``exit_code`` is 128 + its number."""

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def set_stage(name: str) -> None:
    """Record what the run is doing, for the message a signal prints."""
    _state["stage"] = name


def stage() -> str:
    """What the run was doing when last set (see :func:`set_stage`)."""
    return str(_state["stage"])


def received() -> int | None:
    """The number of the signal received while :func:`handling` was active, if any."""
    signum = _state["signum"]
    return signum if isinstance(signum, int) else None


def message(signum: int) -> str:
    """The one line printed when a signal ends the run."""
    name = signal.Signals(signum).name
    return (
        f"shanchuan: interrupted by {name} while {stage()}; solvers stopped, temporary files "
        f"removed, nothing half-written left (exit {128 + signum})\n"
    )


def exit_code(exc: BaseException) -> int:
    """The exit code of an interruption: 128 + the signal number (130 for Ctrl-C)."""
    return exc.exit_code if isinstance(exc, Interrupted) else 128 + signal.SIGINT


def child_pids(pid: int | None = None) -> list[int]:
    """The live child processes of ``pid`` (default: this process).

    Read from ``/proc`` (Linux), or through ``psutil`` when it is installed (other systems);
    empty when neither is available.
    """
    pid = os.getpid() if pid is None else pid
    proc = "/proc"
    if os.path.isdir(proc):
        out = []
        for entry in os.listdir(proc):
            if not entry.isdigit():
                continue
            try:
                with open(f"{proc}/{entry}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue  # ended meanwhile
            # Fields after the command name, which sits in parentheses and may hold spaces.
            fields = stat.rsplit(b")", 1)[-1].split()
            if len(fields) > 1 and fields[0] != b"Z" and int(fields[1]) == pid:
                out.append(int(entry))
        return out
    try:
        import psutil
    except ImportError:  # pragma: no cover - neither /proc nor psutil
        return []
    try:  # pragma: no cover - only where /proc is missing
        return [c.pid for c in psutil.Process(pid).children()]
    except psutil.Error:  # pragma: no cover
        return []


def _resource_tracker_pid() -> int | None:
    """Multiprocessing's resource tracker, when this process started one.

    It is not a solver: it frees shared resources (semaphores, shared memory) once this process
    has ended, and killing it leaks them (and makes multiprocessing warn in a host that goes on).
    """
    tracker = sys.modules.get("multiprocessing.resource_tracker")
    pid = getattr(getattr(tracker, "_resource_tracker", None), "_pid", None)
    return pid if isinstance(pid, int) else None


def kill_children() -> int:
    """SIGKILL every child process; returns how many were found.

    A child leading its own process group (CBC does) is killed with its group.
    """
    own_group = os.getpgrp()
    spared = _resource_tracker_pid()
    children = [pid for pid in child_pids() if pid != spared]
    for pid in children:
        with contextlib.suppress(OSError):
            group = os.getpgid(pid)
            if group == pid and group != own_group:
                os.killpg(group, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
    return len(children)


def _reaper(signum: int) -> None:
    """After a signal: keep killing children, and end the process if the clean-up is stuck.

    An analysis thread may start another solve before it sees the interruption.
    """
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline:
        kill_children()
        if not _state.get("active") and not _state.get("hard_exit"):
            return  # the block ended, and the host (a test, a service) keeps its process
        time.sleep(_REAP_INTERVAL)
    kill_children()
    if _state.get("hard_exit"):
        _hard_exit(signum)


def _hard_exit(signum: int) -> None:
    if not _state.get("reported"):
        with contextlib.suppress(Exception):
            sys.stderr.write(message(signum))
            sys.stderr.flush()
    os._exit(128 + signum)


def _handler(signum: int, frame: FrameType | None) -> None:
    with _lock:
        first = _state["signum"] is None
        if first:
            _state["signum"] = signum
    kill_children()
    if not first:
        _hard_exit(signum)  # a second signal: the user means it
    threading.Thread(target=_reaper, args=(signum,), name="shanchuan-reaper", daemon=True).start()
    if _state.get("deferred"):
        _state["pending"] = signum  # raised when the critical section ends
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold an interruption until the block ends (two renames that must happen together).

    A signal inside the block still kills the solver children at once; the
    :class:`Interrupted` is raised when the block is left, so the block is never cut in half.
    """
    depth = _state.get("deferred")
    depth = depth if isinstance(depth, int) else 0
    _state["deferred"] = depth + 1
    try:
        yield
    finally:
        _state["deferred"] = depth
        pending = _state.get("pending")
        if depth == 0 and isinstance(pending, int):
            _state["pending"] = None
            raise Interrupted(pending)


@contextlib.contextmanager
def handling(*, hard_exit: bool = False) -> Iterator[None]:
    """Handle SIGINT, SIGTERM and SIGHUP as described in the module docstring.

    ``hard_exit`` (the CLI's choice, as the owner of its process): a clean-up still stuck
    :data:`GRACE_SECONDS` after a signal ends the process. Without it the children are still
    killed, but the process is the host's to end. Only the main thread can install signal
    handlers; elsewhere (a service's worker thread) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state.update(
        signum=None,
        stage="starting",
        reported=False,
        deferred=0,
        pending=None,
        active=True,
        hard_exit=hard_exit,
    )
    previous = {s: signal.signal(s, _handler) for s in SIGNALS}
    try:
        yield
    finally:
        _state["active"] = False
        for s, old in previous.items():
            signal.signal(s, old)


def report(exc: BaseException, stream: TextIO) -> int:
    """Print the one line of an interruption on ``stream``; return its exit code."""
    code = exit_code(exc)
    stream.write(message(code - 128))
    _state["reported"] = True
    return code


__all__ = [
    "GRACE_SECONDS",
    "SIGNALS",
    "Interrupted",
    "child_pids",
    "deferred",
    "exit_code",
    "handling",
    "kill_children",
    "message",
    "received",
    "report",
    "set_stage",
    "stage",
]
