"""No solver child process outlives its solve: Ctrl-C, time limit, portfolio loser."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from solver_mips import knapsack
from solver_procs import alive, cbc_children

from solverkit.registry import SolverOptions, SolveStatus, solve_model

HERE = Path(__file__).parent
SRC = HERE.parents[1] / "src"

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")

CHILD = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{here!r}, {src!r}]
    from solver_mips import knapsack
    from solverkit.registry import SolverOptions, solve_model
    print("solving", flush=True)
    try:
        solve_model(knapsack(200, 10, 3), SolverOptions(name={name!r}, time_limit=120))
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
    print("finished", flush=True)
    """
)


@pytest.mark.parametrize("name", ["cbc", "portfolio"])
def test_ctrl_c_kills_the_cbc_child(name: str) -> None:
    code = CHILD.format(here=str(HERE), src=str(SRC), name=name)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        cbc: dict[int, str] = {}
        while not cbc and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
            cbc = cbc_children(proc.pid)
        assert cbc, "the solve never started a cbc child"
        time.sleep(0.5)  # well inside the solve (it needs far more than 120 s to prove)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "interrupted" in out, (out, err)
    assert proc.returncode == 130
    for pid in cbc:
        assert not alive(pid), f"cbc child {pid} survived Ctrl-C"


def test_a_time_limit_leaves_no_child_and_is_feasible_with_its_gap() -> None:
    report = solve_model(knapsack(200, 10, 3), SolverOptions(name="cbc", time_limit=2))
    assert cbc_children() == {}
    # Stopped at the limit with an incumbent: never "optimal" without a proven gap.
    assert report.status == SolveStatus.FEASIBLE
    assert report.gap is not None and report.gap > 1e-6
    assert report.bound is not None and report.objective is not None
    assert report.bound >= report.objective  # maximisation: the bound is above


def test_portfolio_loser_leaves_no_process() -> None:
    report = solve_model(knapsack(60, 5, 1), SolverOptions(name="portfolio"))
    assert report.status == SolveStatus.OPTIMAL
    assert cbc_children() == {}
    assert report.winner in ("cbc", "highs")
