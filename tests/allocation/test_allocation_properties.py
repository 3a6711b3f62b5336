"""Hypothesis: brute force, independent solvers and invariants on random small instances."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from alloc_strategies import brute_force, instances, with_solver
from hypothesis import HealthCheck, given, settings
from scipy.optimize import Bounds, LinearConstraint, milp

from allocation import build, prepare, run_model, solve, verify
from solverkit.registry import SolveStatus, available_solvers, to_matrix_form

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-5 * max(1.0, abs(a), abs(b))


@FAST
@given(instances())
def test_solver_matches_brute_force(case):
    inputs, st = case
    problem = prepare(inputs, st)
    best = brute_force(problem, st)
    result = solve(problem, st)
    if best is None:
        assert result.status == SolveStatus.INFEASIBLE
        assert result.schedule == {}
        return
    assert result.status == SolveStatus.OPTIMAL
    assert result.solution_status == "verified", result.verification
    assert _close(result.verification.objective, best[0])
    if st.lexicographic:
        assert result.coverage == best[1]


@FAST
@given(instances(partial=True))
def test_invariants_hold_on_every_solution(case):
    inputs, st = case
    problem = prepare(inputs, st)
    result = solve(problem, st)
    if not result.ok:
        assert result.status in (SolveStatus.INFEASIBLE,)
        return
    sched = result.schedule
    carry = 0.0
    for y in problem.years:
        spend = sum(ys.get(y, 0.0) for ys in sched.values())
        available = problem.budget[y] + carry
        assert spend <= available + 1e-6
        carry = available - spend if st.carry_over else 0.0
        active = [p for p, ys in sched.items() if y in ys]
        if st.count_basis == "active":
            assert st.projects_per_year_min <= len(active) <= st.projects_per_year_max
    for pid, ys in sched.items():
        p = problem.projects[pid]
        years = sorted(ys)
        assert years == list(range(years[0], years[0] + p.duration))  # through, not partly
        assert len(set(ys.values())) == 1  # same amount every year
        assert p.minimum - 1e-6 <= ys[years[0]] <= p.request + 1e-6
    for pid in st.locked_projects:
        assert pid in sched
    for pid in st.excluded_projects:
        assert pid not in sched
    floor = result.to_dict()["summary"]["shortfalls"]
    reported = {(r["pair"], r["year"]) for r in floor}
    assert reported == set(result.verification.shortfalls)
    if st.floor_mode == "hard" and st.supporter_floor_wan > 0:
        assert not result.verification.shortfalls


@FAST
@given(instances(partial=True, max_projects=6))
def test_scipy_milp_on_the_same_model_agrees(case):
    inputs, st = case
    st = dataclasses.replace(st, lexicographic=False)
    problem = prepare(inputs, st)
    model = build(problem, st)
    form = to_matrix_form(model.lp)
    cons = [LinearConstraint(form.a, form.lower, form.upper)] if form.a.shape[0] else []
    res = milp(
        form.c * form.sense,
        constraints=cons,
        integrality=form.integrality,
        bounds=Bounds(form.var_lower, form.var_upper),
    )
    run = run_model(problem, st)
    if res.status == 2:
        assert run.status == SolveStatus.INFEASIBLE
        return
    assert res.status == 0
    assert run.status == SolveStatus.OPTIMAL
    scipy_obj = float(form.sense * res.fun + form.constant)
    assert _close(scipy_obj, run.objective)
    values = dict(zip(form.names, np.asarray(res.x), strict=True))
    from allocation.run import extract_schedule

    check = verify(problem, st, extract_schedule(model, values))
    assert check.ok
    assert check.objective >= scipy_obj - 1e-5 * max(1.0, abs(scipy_obj))


@pytest.mark.parametrize("solver", available_solvers())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=instances(partial=True))
def test_every_registry_solver_agrees(solver, case):
    inputs, st = case
    problem = prepare(inputs, st)
    ref = run_model(problem, st)
    other = run_model(problem, with_solver(st, solver))
    assert ref.status == other.status
    if ref.has_solution:
        assert _close(ref.objective, other.objective)
        assert verify(problem, st, other.schedule).ok
        if st.lexicographic:
            assert ref.coverage == other.coverage


@FAST
@given(instances(partial=True))
def test_more_budget_never_lowers_the_objective(case):
    inputs, st = case
    # Lexicographic runs may trade benefit for coverage that more money makes possible.
    st = dataclasses.replace(st, lexicographic=False)
    problem = prepare(inputs, st)
    base = run_model(problem, st)
    richer = dataclasses.replace(
        problem, budget={y: b * 1.5 + 100 for y, b in problem.budget.items()}
    )
    more = run_model(richer, st)
    if base.has_solution:
        assert more.has_solution
        assert more.objective >= base.objective - 1e-6 * max(1.0, abs(base.objective))


@FAST
@given(instances(partial=True))
def test_verification_catches_a_broken_duration(case):
    inputs, st = case
    problem = prepare(inputs, st)
    run = run_model(problem, st)
    multi = [pid for pid, ys in run.schedule.items() if len(ys) > 1]
    if not multi:
        return
    broken = {pid: dict(ys) for pid, ys in run.schedule.items()}
    last = max(broken[multi[0]])
    del broken[multi[0]][last]
    assert "duration" in verify(problem, st, broken).rules_broken()
