"""``solve_model(stop=...)``: the search ends once the caller's question is answered."""

from __future__ import annotations

import pytest

from allocation import AllocationSettings, build, prepare
from allocation.instances import PoolSpec, make_pool
from solverkit.registry import (
    REGISTRY,
    STOPPED_DECIDED,
    SolverOptions,
    SolveStatus,
    solve_model,
)


def _model():  # type: ignore[no-untyped-def]
    settings = AllocationSettings()
    problem = prepare(make_pool(PoolSpec("stop", n_candidates=330, seed=2021)), settings)
    return build(problem, settings)


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_stop_rule_ends_the_search_with_a_true_bound(solver: str) -> None:
    m = _model()
    seen: list[tuple[float | None, float | None]] = []

    def stop(incumbent: float | None, bound: float | None) -> bool:
        seen.append((incumbent, bound))
        return incumbent is not None and bound is not None

    report = solve_model(m.lp, SolverOptions(name=solver, gap=0.0, time_limit=60), stop=stop)
    assert REGISTRY[solver].early_stop
    assert report.status == SolveStatus.FEASIBLE
    assert STOPPED_DECIDED in report.solver_status
    assert report.objective is not None and report.bound is not None
    assert report.bound >= report.objective  # maximising: the bound is above the incumbent
    assert seen and all(b is None or i is None or b >= i - 1e-6 * abs(i) for i, b in seen)


def test_a_rule_that_never_fires_changes_nothing() -> None:
    m = _model()
    options = SolverOptions(name="highs", gap=0.01, time_limit=60)
    plain = solve_model(m.lp, options)
    watched = solve_model(m.lp, options, stop=lambda incumbent, bound: False)
    assert STOPPED_DECIDED not in watched.solver_status
    assert watched.objective == pytest.approx(plain.objective, rel=1e-9)


def test_highs_takes_a_warm_start() -> None:
    m = _model()
    options = SolverOptions(name="highs", gap=0.01, time_limit=60)
    first = solve_model(m.lp, options)
    warm = solve_model(m.lp, options, first.values)
    assert REGISTRY["highs"].warm_start
    assert warm.has_solution and warm.objective is not None and first.objective is not None
    assert warm.objective >= first.objective - 0.01 * abs(first.objective)
