"""Backends report live progress to the sink in force, and nothing changes without one."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from solver_mips import knapsack

from solverkit.progress import SolveProgress, reporting
from solverkit.registry import SolverOptions, SolveStatus, solve_model, to_matrix_form


def true_optimum(seed: int) -> float:
    """The optimum by scipy's milp on the matrix form (independent of the backends)."""
    form = to_matrix_form(knapsack(40, 4, seed))
    res = milp(
        -form.c,
        constraints=[LinearConstraint(form.a, form.lower, form.upper)],
        integrality=form.integrality,
        bounds=Bounds(form.var_lower, form.var_upper),
        options={"mip_rel_gap": 0},
    )
    assert res.status == 0
    return float(-res.fun + form.constant)


@pytest.mark.parametrize("name", ["cbc", "highs", "portfolio"])
@pytest.mark.parametrize("seed", [1, 2])
def test_events_are_sane_and_end_with_done(name: str, seed: int) -> None:
    best = true_optimum(seed)
    seen: list[SolveProgress] = []
    with reporting(seen.append, label="mkp"):
        report = solve_model(knapsack(40, 4, seed), SolverOptions(name=name))
    assert report.status == SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(best)
    assert seen, "no progress event"
    assert [e.done for e in seen].count(True) == 1 and seen[-1].done
    assert all(e.label == "mkp" for e in seen)
    final = seen[-1]
    assert final.incumbent == pytest.approx(best)
    assert final.solver == (f"portfolio:{report.winner}" if report.winner else report.solver)
    assert final.gap == pytest.approx(0.0, abs=1e-6)
    for e in seen:
        # Maximisation, in the model's sense with its constant: incumbent <= optimum <= bound.
        if e.incumbent is not None:
            assert e.incumbent <= best + 1e-6
        if e.bound is not None:
            assert e.bound >= best - 1e-6
        assert e.elapsed >= 0


@pytest.mark.parametrize("name", ["cbc", "highs"])
def test_events_are_throttled(name: str) -> None:
    seen: list[SolveProgress] = []
    with reporting(seen.append):
        report = solve_model(knapsack(150, 8, 3), SolverOptions(name=name, time_limit=3))
    running = [e for e in seen if not e.done]
    assert running, "a 3 s solve reports while it runs"
    # At most one running event per 0.5 s (plus the first).
    assert len(running) <= 1 + report.seconds / 0.5 + 1
    assert np.all(np.diff([e.elapsed for e in running]) >= 0.5 - 1e-3)


@pytest.mark.parametrize("name", ["cbc", "highs", "scipy"])
def test_without_a_sink_the_result_is_the_same(name: str) -> None:
    quiet = solve_model(knapsack(40, 4, 1), SolverOptions(name=name))
    with reporting(lambda _: None):
        loud = solve_model(knapsack(40, 4, 1), SolverOptions(name=name))
    assert quiet.status == loud.status == SolveStatus.OPTIMAL
    assert quiet.objective == loud.objective
    assert quiet.values == loud.values
