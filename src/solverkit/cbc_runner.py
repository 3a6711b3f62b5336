"""Run the CBC binary bundled with PuLP as a child process that never outlives the solve.

PuLP's ``PULP_CBC_CMD`` starts ``cbc`` with :class:`subprocess.Popen` and waits for it; on
Ctrl-C, an error or a portfolio race the child keeps running (it is in the caller's process
group only by accident, and a KeyboardInterrupt in ``wait`` just abandons it). This runner keeps
PuLP's own model writing (MPS, MIP start ``.mst``) and solution reading (``readsol_MPS``), so the
numbers are PuLP's, but starts ``cbc`` in its **own process group**, streams its log line by
line (for live progress), and kills the whole group in a ``finally`` — on KeyboardInterrupt, on
the wall-clock watchdog, on cancellation by another thread, or on any error.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pulp
from pulp import constants
from pulp.apis.core import PulpSolverError


class CbcCancelled(Exception):
    """The run was stopped from outside (a portfolio race was won by another solver)."""


@dataclass
class CbcLogState:
    """What CBC's log has said so far, in the model's sense but without the objective constant.

    CBC minimises internally: with ``-max`` its ``Cbc0010I``/``Cbc0012I`` lines show the
    negated objective, while ``Continuous objective value`` is in the model's sense.
    """

    maximize: bool = False
    incumbent: float | None = None
    bound: float | None = None


_INTEGER_SOLUTION = re.compile(r"^Cbc00(?:12|04)I Integer solution of (\S+)")
_AFTER_NODES = re.compile(
    r"^Cbc0010I After \d+ nodes, \d+ on tree, (\S+) best solution, best possible (\S+)"
)
_CONTINUOUS = re.compile(r"^Continuous objective value is (\S+)")
_NO_SOLUTION = 1e49  # CBC prints 1e+50 as "best solution" before it has one


def parse_log_line(line: str, state: CbcLogState) -> bool:
    """Update ``state`` from one CBC log line; returns whether anything changed."""
    m = _AFTER_NODES.match(line)
    if m:
        inc, bnd = _internal(m.group(1), state), _internal(m.group(2), state)
        changed = False
        if inc is not None and inc != state.incumbent:
            state.incumbent, changed = inc, True
        if bnd is not None and bnd != state.bound:
            state.bound, changed = bnd, True
        return changed
    m = _INTEGER_SOLUTION.match(line)
    if m:
        inc = _internal(m.group(1), state)
        if inc is not None and inc != state.incumbent:
            state.incumbent = inc
            return True
        return False
    m = _CONTINUOUS.match(line)
    if m and state.bound is None:
        state.bound = _float(m.group(1))
        return state.bound is not None
    return False


def _internal(text: str, state: CbcLogState) -> float | None:
    value = _float(text)
    if value is None or abs(value) >= _NO_SOLUTION:
        return None
    return -value if state.maximize else value


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill ``proc``'s process group (it was started as a session leader) and reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
        pass


class GroupedCbc(pulp.PULP_CBC_CMD):
    """``PULP_CBC_CMD`` whose child runs in its own process group and is always reaped.

    ``on_line`` receives every log line as it arrives (from a reader thread); ``cancel`` stops
    the run (raising :class:`CbcCancelled`); ``stop`` ends the search early but keeps its result
    (SIGINT: CBC stops branching, reports "User ctrl-c" and writes its incumbent); ``watchdog``
    (wall-clock seconds) kills a child that ignores its own ``-sec`` limit (CBC measures CPU
    time by default).
    """

    def __init__(
        self,
        *,
        on_line: Callable[[str], None],
        cancel: threading.Event | None,
        watchdog: float,
        stop: threading.Event | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self._on_line = on_line
        self._cancel = cancel
        self._stop = stop
        self._watchdog = watchdog

    def solve_CBC(self, lp: pulp.LpProblem, use_mps: bool = True) -> int:
        """PuLP's ``solve_CBC`` (MPS path), with the child in its own group and killed at exit."""
        if not self.executable(self.path):
            raise PulpSolverError(f"Pulp: cannot execute {self.path} cwd: {os.getcwd()}")
        tmp_lp, tmp_mps, tmp_sol, tmp_mst = self.create_tmp_files(
            lp.name, "lp", "mps", "sol", "mst"
        )
        vs, variables_names, constraints_names, _ = lp.writeMPS(tmp_mps, rename=1)
        args = [self.path, tmp_mps]
        if lp.sense == constants.LpMaximize:
            args.append("-max")
        if self.optionsDict.get("warmStart", False):
            self.writesol(tmp_mst, lp, vs, variables_names, constraints_names)
            args += ["-mips", tmp_mst]
        if self.timeLimit is not None:
            args += ["-sec", str(self.timeLimit)]
        for option in self.options + self.getOptions():
            args += ("-" + option).split()
        args.append("-branch" if self.mip else "-initialSolve")
        args += ["-printingOptions", "all", "-solution", tmp_sol]
        try:
            code = self._run(args)
            if code != 0:
                raise PulpSolverError(f"Pulp: CBC exited with code {code}: {self.path}")
            if not os.path.exists(tmp_sol):
                raise PulpSolverError("Pulp: Error while executing " + self.path)
            status, values, reduced, shadow, slacks, sol_status = self.readsol_MPS(
                tmp_sol, lp, vs, variables_names, constraints_names
            )
        finally:
            self.delete_tmp_files(tmp_mps, tmp_lp, tmp_sol, tmp_mst)
        lp.assignVarsVals(values)
        lp.assignVarsDj(reduced)
        lp.assignConsPi(shadow)
        lp.assignConsSlack(slacks, activity=True)
        lp.assignStatus(status, sol_status)
        return int(status)

    def _run(self, args: list[str]) -> int:
        # On POSIX the child writes to a pseudo-terminal: C stdio then flushes every line, so
        # the log (live progress, stop rules) arrives as CBC prints it, not in 4 KiB blocks.
        master: int | None = None
        out: int = subprocess.PIPE
        if os.name == "posix":
            import pty
            import tty

            master, slave = pty.openpty()
            tty.setraw(slave)  # no output translation (\n stays \n)
            out = slave
        try:
            proc = subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=master is None,
                errors="replace",
                start_new_session=True,  # own process group: killpg reaches cbc and only cbc
            )
        except BaseException:
            if master is not None:
                os.close(master)
            raise
        finally:
            if master is not None:
                os.close(out)
        target = self._read_pty if master is not None else self._read
        reader = threading.Thread(target=target, args=(proc, master), daemon=True)
        interrupted = False
        try:
            reader.start()
            deadline = time.monotonic() + self._watchdog
            while True:
                try:
                    return proc.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    pass
                if not interrupted and self._stop is not None and self._stop.is_set():
                    # CBC's SIGINT handler ends the search and still writes its solution.
                    interrupted = True
                    try:
                        os.killpg(proc.pid, signal.SIGINT)
                    except ProcessLookupError:
                        pass
                if self._cancel is not None and self._cancel.is_set():
                    raise CbcCancelled("CBC stopped: cancelled")
                if time.monotonic() > deadline:
                    raise PulpSolverError(
                        f"CBC killed: still running {self._watchdog:.0f} s after its start"
                    )
        finally:
            kill_group(proc)
            reader.join(timeout=5)

    def _read(self, proc: subprocess.Popen[str], master: int | None = None) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._on_line(line)
        proc.stdout.close()

    def _read_pty(self, proc: subprocess.Popen[str], master: int | None) -> None:
        assert master is not None
        pending = b""
        try:
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed its end
                    break
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    self._on_line(raw.decode(errors="replace").rstrip("\r") + "\n")
            if pending:
                self._on_line(pending.decode(errors="replace").rstrip("\r") + "\n")
        finally:
            os.close(master)


__all__ = ["CbcCancelled", "CbcLogState", "GroupedCbc", "kill_group", "parse_log_line"]
