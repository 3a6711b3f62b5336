"""Clean ends (issue 15): SIGINT, SIGTERM and SIGHUP at each stage of a real ``shanchuan`` run.

Each case starts the CLI as a process with a private TMPDIR, waits until the run is in the
stage (its handlers installed while a slow file is read; a CBC child alive; an analysis
re-solve running; the ``.out.tmp-*`` staging folder present), sends the signal, and checks
the exit code (128 + the signal), the one-line message naming the stage, that no solver child
is left alive, that no staging folder is left beside ``--out`` and nothing in TMPDIR.

Solves are given a time limit of minutes and a zero gap, so they are still running when the
signal comes; the waits poll every few milliseconds and give up after a minute.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shanchuan import scenario as sc_mod
from shanchuan import signals

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc") or sys.platform == "win32", reason="needs POSIX signals and /proc"
)

EXE = Path(sys.executable).with_name("shanchuan")
DEFAULT_DIR = sc_mod.builtin_path("hubei-2021").parent
SLOW_SOLVE = ["--set", "allocation.solver.gap=0", "--set", "allocation.solver.time_limit=600"]


@dataclass
class Run:
    proc: subprocess.Popen[str]
    tmp: Path
    out: Path
    lines: list[str] = field(default_factory=list)
    solvers: list[int] = field(default_factory=list)
    reader: threading.Thread | None = None

    def close(self) -> None:
        """Wait for the stderr reader to drain the pipe, then close it."""
        if self.reader is not None:
            self.reader.join(timeout=10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()

    def children(self) -> list[int]:
        return signals.child_pids(self.proc.pid)

    def staging(self) -> list[Path]:
        return [p for p in self.out.parent.iterdir() if p.name.startswith(f".{self.out.name}.")]


def _handlers_installed(run: Run) -> bool:
    """Whether the process catches SIGTERM and SIGHUP (``SigCgt`` in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{run.proc.pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(li for li in status.splitlines() if li.startswith("SigCgt:")).split()[1], 16)
    return all(caught & (1 << (s - 1)) for s in (signal.SIGTERM, signal.SIGHUP))


def _solving(run: Run) -> bool:
    return any("main solve" in li for li in run.lines) and bool(run.children())


def _analysing(run: Run) -> bool:
    # The main solve is reported before the alternatives start; one of them is running.
    return any("matching optimal in" in li for li in run.lines) and bool(run.children())


def _writing(run: Run) -> bool:
    return bool(run.staging())


@pytest.fixture(scope="module")
def slow_load(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default scenario with a project pool 30 times larger (seconds to validate)."""
    folder = tmp_path_factory.mktemp("slow-load")
    for f in DEFAULT_DIR.iterdir():
        if f.is_file():
            shutil.copy(f, folder / f.name)
    with (DEFAULT_DIR / "projects.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    linked = [header.index("requires"), header.index("excludes")]
    with (folder / "projects.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for k in range(30):
            for row in body:
                copy = [f"{row[0]}-{k}", *row[1:]]
                for i in linked:
                    copy[i] = ""
                w.writerow(copy)
    return folder


#: stage -> (argv after ``shanchuan``, "is it in the stage now?", words of the message)
STAGES: dict[str, tuple[Callable[[Path, Path], list[str]], Callable[[Run], bool], str]] = {
    "load": (
        lambda slow, out: ["allocate", str(slow), "--fast"],
        _handlers_installed,
        "while loading the scenario",
    ),
    "solve": (lambda slow, out: ["allocate", "--fast", *SLOW_SOLVE], _solving, "while solving"),
    # The pairing's alternatives: one CBC re-solve after another (the integer program, not
    # the assignment shortcut), many more than the test waits for.
    "analyses": (
        lambda slow, out: [
            "match",
            "--alternatives",
            "500",
            "--set",
            "matching.fast_path=false",
        ],
        _analysing,
        "while solving",
    ),
    "write": (
        lambda slow, out: ["match", "--out", str(out), "--excel", "--format", "json"],
        _writing,
        "while writing the results",
    ),
}


def _start(argv: list[str], tmp: Path, out: Path) -> Run:
    env = {**os.environ, "TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp)}
    proc = subprocess.Popen(
        [str(EXE), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    run = Run(proc, tmp, out)

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            run.lines.append(line)

    run.reader = threading.Thread(target=read, daemon=True)
    run.reader.start()
    return run


def _excel_available() -> bool:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return False
    return True


SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@pytest.mark.parametrize("stage", list(STAGES))
def test_each_signal_ends_the_run_cleanly(stage: str, slow_load: Path, tmp_path: Path) -> None:
    """One run per signal, the three at once (the test's time is one run's, not three)."""
    if stage == "write" and not _excel_available():
        pytest.skip("the write stage is made long enough by --excel (openpyxl)")
    make_argv, ready, words = STAGES[stage]

    def start(sig: signal.Signals, attempt: int) -> Run:
        base = tmp_path / f"{sig.name}-{attempt}"
        (base / "tmpdir").mkdir(parents=True)
        return _start(make_argv(slow_load, base / "results"), base / "tmpdir", base / "results")

    runs = {sig: start(sig, 0) for sig in SIGNALS}
    attempts = dict.fromkeys(SIGNALS, 0)
    waiting = set(SIGNALS)
    deadline = time.monotonic() + 120
    try:
        # Poll all runs together and signal each the moment it is in the stage.
        while waiting:
            for sig in sorted(waiting):
                run = runs[sig]
                if ready(run):
                    run.solvers = run.children()
                    run.proc.send_signal(sig)
                    waiting.discard(sig)
                elif run.proc.poll() is not None:
                    # Finished before it was caught in a short stage (a busy machine's
                    # scheduling): try again, a few times.
                    run.close()
                    assert attempts[sig] < 3, f"{sig.name}: never caught: {''.join(run.lines)}"
                    attempts[sig] += 1
                    runs[sig] = start(sig, attempts[sig])
            assert time.monotonic() < deadline, f"the stage was not reached: {sorted(waiting)}"
            time.sleep(0.002)
        for sig, run in runs.items():
            _check_clean_end(run, sig, words)
    finally:
        for run in runs.values():
            if run.proc.poll() is None:
                run.proc.kill()
                run.proc.wait()
            run.close()


def _check_clean_end(run: Run, sig: signal.Signals, words: str) -> None:
    try:
        code = run.proc.wait(timeout=signals.GRACE_SECONDS + 30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{sig.name}: the run did not end after the signal")
    run.close()
    text = "".join(run.lines)
    assert code == 128 + sig, f"{sig.name}: {text[-2000:]}"
    assert f"interrupted by {sig.name} {words}" in text, text[-2000:]
    assert "Traceback" not in text and "internal error" not in text
    alive = [pid for pid in run.solvers if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
    assert alive == [], f"{sig.name}: solver processes left running"
    assert run.staging() == [], f"{sig.name}: staging folder left beside --out"
    assert not run.out.exists() or (run.out / "manifest.json").exists()  # never half-written
    assert sorted(p.name for p in run.tmp.iterdir()) == [], f"{sig.name}: files left in TMPDIR"


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return True
    return stat.rsplit(b")", 1)[-1].split()[0] == b"Z"


def test_a_signal_inside_a_deferred_block_is_raised_when_it_ends() -> None:
    """The --force swap of an earlier run (two renames) is never cut in half by a signal."""
    done = []
    before = signal.getsignal(signal.SIGHUP)
    with pytest.raises(signals.Interrupted) as info, signals.handling():
        with signals.deferred():
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(0.05)  # the handler runs; the block goes on
            done.append("both renames")
    assert done == ["both renames"]
    assert info.value.exit_code == 129
    assert signal.getsignal(signal.SIGHUP) == before  # the host's handler is back


def test_the_clean_up_spares_multiprocessing_resource_tracker() -> None:
    """Killing it leaks shared resources, and a host that goes on gets a warning (CI saw it)."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    tracker = resource_tracker._resource_tracker._pid
    signals.kill_children()
    time.sleep(0.2)
    assert tracker is not None and not _zombie(tracker)
    resource_tracker.ensure_running()  # would warn "process died unexpectedly" (an error here)
