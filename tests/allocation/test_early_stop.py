"""Re-solves stopped once decided give the answers of full solves, with true intervals.

The rule-cost re-solves stop as soon as the figure is decided (:func:`allocation.diagnose
.decided`). On seeded small pools, the early answers are compared with (a) the same analysis
run to the requested gap and (b) the exact gains from an independent solver (SciPy's HiGHS
through :func:`scipy.optimize.milp`, gap 0) on the base and each relaxed model.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
from types import SimpleNamespace

import pytest
from alloc_strategies import with_solver
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation import AllocationSettings, prepare, run_model
from allocation.instances import PoolSpec, make_pool
from allocation.verify import verify
from solverkit.registry import SolveStatus

diagnose = importlib.import_module("allocation.diagnose")


def _pool_settings(n_pairs: int) -> AllocationSettings:
    d = AllocationSettings()
    return dataclasses.replace(
        d,
        last_year=2023,
        annual_budget_wan=d.annual_budget_wan * n_pairs / 22,
        projects_per_year_min=0,
        projects_per_year_max=int(2.2 * n_pairs),
        pair_share_max=0.3,
        analysis=dataclasses.replace(d.analysis, workers=1, resolve_time_limit=120.0),
        solver=dataclasses.replace(d.solver, gap=0.01, time_limit=120.0),
    )


POOLS = [(4, 40, 1), (4, 40, 2), (5, 50, 3), (5, 50, 4)]


def _exact(problem, st, omit=()) -> float:  # type: ignore[no-untyped-def]
    exact = dataclasses.replace(
        with_solver(st, "scipy"),
        solver=dataclasses.replace(with_solver(st, "scipy").solver, gap=0.0),
    )
    run = run_model(problem, exact, omit=omit)
    assert run.status == SolveStatus.OPTIMAL
    return verify(problem, st, run.schedule).objective


def test_early_stopped_rule_costs_agree_with_full_solves() -> None:
    stopped = 0
    for (n_pairs, n_cand, seed), solver in itertools.product(POOLS, ("highs", "cbc")):
        spec = PoolSpec(
            "t",
            n_pairs=n_pairs,
            n_candidates=n_cand,
            seed=seed,
            dependency_share=0.1,
            last_year=2023,
        )
        st = _pool_settings(n_pairs)
        st = dataclasses.replace(st, analysis=dataclasses.replace(st.analysis, solver=solver))
        problem = prepare(make_pool(spec), st)
        base = run_model(problem, st)
        assert base.has_solution
        full_st = dataclasses.replace(
            st, analysis=dataclasses.replace(st.analysis, stop_when_decided=False)
        )
        early = diagnose.rule_costs(problem, st, base)
        full = diagnose.rule_costs(problem, full_st, base)
        assert [c.rule for c in early] == [c.rule for c in full]
        base_exact = _exact(problem, st)
        present = {f for f, names in base.model.families.items() if names}
        variants = {v.rule: v for v in diagnose._relaxations(problem, st, present)}
        for e, f in zip(early, full, strict=True):
            # the decision is the one a full solve reaches (the stop tests are monotone)
            assert e.established == f.established, (seed, e, f)
            stopped += e.method.endswith("stopped once decided")
            v = variants[e.rule]
            true_gain = _exact(v.problem, v.settings, v.omit) - base_exact
            slack = 1e-6 * max(1.0, abs(base_exact))
            for c in (e, f):
                assert c.gain_low is not None and c.gain_high is not None
                assert c.gain_low - slack <= true_gain <= c.gain_high + slack, (seed, c, true_gain)
    assert stopped >= 1  # the early stop was exercised, not only full solves


class _Base(SimpleNamespace):
    pass


@settings(max_examples=200, deadline=None)
@given(
    base_obj=st.floats(100.0, 1e6),
    base_gap=st.floats(0.0, 0.01),
    start=st.floats(-0.05, 0.5),
    width=st.floats(0.0, 0.5),
    rises=st.floats(0.0, 0.2),
    falls=st.floats(0.0, 1.0),
    loss=st.booleans(),
)
def test_decided_is_monotone(base_obj, base_gap, start, width, rises, falls, loss) -> None:
    """Once decided, a better incumbent or a lower bound never undecides the question."""
    base = _Base(status=SolveStatus.FEASIBLE, gap=base_gap, bound=base_obj * (1 + base_gap))
    rule = diagnose.decided(base, base_obj, 0.001, loss=loss)  # type: ignore[arg-type]
    inc = base_obj * (1 + start)
    bound = inc + base_obj * width
    if not rule(inc, bound):
        return
    later_inc = min(inc + base_obj * rises, bound)
    later_bound = max(later_inc, bound - (bound - later_inc) * falls)
    assert rule(later_inc, later_bound)


@pytest.mark.parametrize("loss", [False, True])
def test_decided_waits_for_a_bound(loss: bool) -> None:
    base = _Base(status=SolveStatus.OPTIMAL, gap=0.0, bound=1000.0)
    rule = diagnose.decided(base, 1000.0, 0.001, loss=loss)  # type: ignore[arg-type]
    assert not rule(None, 2000.0) and not rule(1500.0, None)


def test_shared_pool_gives_the_results_of_one_after_another() -> None:
    """Rule costs and forced-in prices side by side (2 slots) equal the serial run."""
    spec = PoolSpec("t", n_pairs=4, n_candidates=40, seed=2, dependency_share=0.1, last_year=2023)
    st = _pool_settings(4)
    st = dataclasses.replace(
        st,
        analysis=dataclasses.replace(
            st.analysis, stop_when_decided=False, best_unfunded=4, force_unfunded=2
        ),
    )
    problem = prepare(make_pool(spec), st)
    base = run_model(problem, st)
    solve_module = importlib.import_module("allocation.solve")
    two = dataclasses.replace(st, analysis=dataclasses.replace(st.analysis, workers=2))
    costs1, unfunded1 = solve_module._analyse(problem, st, base, None)
    costs2, unfunded2 = solve_module._analyse(problem, two, base, None)
    assert costs1 == costs2
    assert unfunded1 == unfunded2
    assert any(u.forced_loss is not None for u in unfunded2)
