"""Solver registry: names, errors, options, matrix export and a tiny MIP on every backend."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from solverkit.registry import (
    REGISTRY,
    SolverError,
    SolverOptions,
    SolveStatus,
    available_solvers,
    get_backend,
    solve_model,
    to_matrix_form,
)


@pytest.fixture(params=available_solvers())
def solver(request: pytest.FixtureRequest) -> str:
    """Every solver installed here (the registry's tests run on each)."""
    return request.param


def knapsack() -> pulp.LpProblem:
    lp = pulp.LpProblem("knap", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat=pulp.LpBinary) for i in range(4)]
    lp += pulp.lpSum(v * x[i] for i, v in enumerate([5, 4, 3, 2])) + 1
    lp += pulp.lpSum(w * x[i] for i, w in enumerate([4, 3, 2, 1])) <= 6, "cap"
    return lp


def test_cbc_and_scipy_are_always_available() -> None:
    assert {"cbc", "scipy"} <= set(available_solvers())
    assert set(available_solvers()) <= set(REGISTRY)


def test_unknown_solver_lists_the_registered_ones() -> None:
    with pytest.raises(
        SolverError,
        match=r"unknown solver 'gurobi'; registered solvers: cbc, highs, scipy, portfolio",
    ):
        get_backend("gurobi")
    assert get_backend(" CBC ").name == "cbc"


def test_options_are_validated() -> None:
    with pytest.raises(SolverError, match="time_limit must be a positive number") as info:
        SolverOptions(time_limit=0, gap=1.5, threads=0)
    assert "gap must be in [0, 1)" in str(info.value)
    assert "threads must be at least 1" in str(info.value)


def test_every_backend_solves_the_same_mip(solver: str) -> None:
    report = solve_model(knapsack(), SolverOptions(name=solver))
    assert report.status == SolveStatus.OPTIMAL and report.has_solution
    # best: items 0 and 2 (4 + 2 <= 6) -> 8, or 1, 2, 3 (3 + 2 + 1) -> 9; plus constant 1
    assert report.objective == pytest.approx(10.0)
    assert {k: round(v) for k, v in report.values.items()} == {"x0": 0, "x1": 1, "x2": 1, "x3": 1}
    assert report.gap == pytest.approx(0.0, abs=1e-9)
    assert report.solver == solver and report.solver_version


def test_infeasible_is_reported(solver: str) -> None:
    lp = knapsack()
    lp += pulp.lpSum(lp.variables()) >= 4, "all"
    assert solve_model(lp, SolverOptions(name=solver)).status == SolveStatus.INFEASIBLE


def test_matrix_form_round_trip() -> None:
    form = to_matrix_form(knapsack())
    assert form.names == ["x0", "x1", "x2", "x3"]
    np.testing.assert_array_equal(form.c, [5, 4, 3, 2])
    assert form.constant == 1 and form.sense == pulp.LpMaximize
    np.testing.assert_array_equal(form.a.toarray(), [[4, 3, 2, 1]])
    assert form.upper.tolist() == [6] and form.lower.tolist() == [-np.inf]
    assert form.integrality.tolist() == [1, 1, 1, 1]
