"""The portfolio solver: same optimum as each racer alone, winner recorded, nothing left over."""

from __future__ import annotations

import pulp
import pytest
from solver_mips import knapsack
from solver_procs import cbc_children

from solverkit.registry import SolverOptions, SolveStatus, solve_model


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_portfolio_equals_each_solver_alone(seed: int) -> None:
    alone = {n: solve_model(knapsack(40, 4, seed), SolverOptions(name=n)) for n in ("cbc", "highs")}
    lp = knapsack(40, 4, seed)
    report = solve_model(lp, SolverOptions(name="portfolio"))
    assert report.status == SolveStatus.OPTIMAL
    assert report.winner in ("cbc", "highs")
    assert report.solver == "portfolio"
    assert f"{report.winner} won" in report.solver_status
    assert report.solver_version.startswith("portfolio won by ")
    assert set(report.race) == {"cbc", "highs"} and "winner" in report.race[report.winner]
    for r in alone.values():
        assert report.objective == pytest.approx(r.objective)
    # The model itself carries the winner's solution, constant included.
    assert pulp.value(lp.objective) == pytest.approx(report.objective)
    assert lp.status == pulp.LpStatusOptimal
    assert cbc_children() == {}


def test_portfolio_stops_the_loser_early() -> None:
    # HiGHS proves this one much sooner than CBC's 30 s limit allows it to: CBC is stopped.
    report = solve_model(
        knapsack(200, 10, 3), SolverOptions(name="portfolio", gap=0.01, time_limit=30)
    )
    assert report.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert report.gap is not None and report.gap <= 0.01 + 1e-9
    assert report.seconds < 30
    assert cbc_children() == {}


def test_portfolio_infeasible() -> None:
    lp = knapsack(10, 2, 1)
    lp += pulp.lpSum(lp.variables()) >= 11, "too_many"
    report = solve_model(lp, SolverOptions(name="portfolio"))
    assert report.status == SolveStatus.INFEASIBLE
    assert cbc_children() == {}
