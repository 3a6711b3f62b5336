"""``optimal`` only when proven within OPTIMALITY_TOLERANCE; a gap-limited stop is ``feasible``."""

from __future__ import annotations

import pytest
from solver_mips import knapsack

from solverkit.portfolio import proven
from solverkit.progress import OPTIMALITY_TOLERANCE
from solverkit.registry import SolverOptions, SolveStatus, classify, solve_model


def test_classify() -> None:
    mip = {"is_mip": True, "proved": False}
    assert classify(100.0, 100.0, **mip) == (SolveStatus.OPTIMAL, 100.0)
    assert classify(100.0, 100.00001, **mip)[0] == SolveStatus.OPTIMAL
    # Stopped at a requested 1 % with a 0.5 % gap (or at a time limit): feasible, bound kept.
    assert classify(100.0, 100.5, **mip) == (SolveStatus.FEASIBLE, 100.5)
    assert classify(100.0, None, **mip) == (SolveStatus.FEASIBLE, None)
    # A completed search is trusted (CBC's printed bound may be rounded or missing).
    assert classify(100.0, 100.01, is_mip=True, proved=True) == (SolveStatus.OPTIMAL, 100.0)
    assert classify(100.0, None, is_mip=True, proved=True) == (SolveStatus.OPTIMAL, 100.0)
    assert classify(5.0, None, is_mip=False, proved=True) == (SolveStatus.OPTIMAL, 5.0)
    assert classify(None, None, **mip) == (SolveStatus.NOT_SOLVED, None)
    assert classify(0.0, 1e-10, **mip)[0] == SolveStatus.OPTIMAL  # zero objective


def test_cbc_root_proof_at_a_requested_gap_is_optimal() -> None:
    # CBC solves this at the root ("Optimal solution found", no bound line): proven, gap 0.
    report = solve_model(knapsack(8, 1, 1), SolverOptions(name="cbc", gap=0.01))
    assert report.status == SolveStatus.OPTIMAL and report.gap == 0.0


@pytest.mark.parametrize("name", ["cbc", "highs", "scipy", "portfolio"])
def test_gap_limited_runs_report_their_gap(name: str) -> None:
    options = SolverOptions(name=name, gap=0.02)
    report = solve_model(knapsack(150, 8, 3), options)
    assert report.has_solution and report.gap is not None and report.bound is not None
    assert report.gap <= 0.02 + 1e-9
    if report.gap > OPTIMALITY_TOLERANCE:
        assert report.status == SolveStatus.FEASIBLE
    else:
        assert report.status == SolveStatus.OPTIMAL
    assert proven(report, options)
    assert report.bound >= report.objective - 1e-6  # maximisation


@pytest.mark.parametrize("name", ["cbc", "highs", "scipy"])
def test_lp_is_optimal_whatever_the_gap(name: str) -> None:
    lp = knapsack(30, 3, 1)
    for v in lp.variables():
        v.cat = "Continuous"
    report = solve_model(lp, SolverOptions(name=name, gap=0.05))
    assert report.status == SolveStatus.OPTIMAL and report.gap == pytest.approx(0, abs=1e-9)
