"""Large-instance machinery: sparse model, Lagrangian bound, repaired pairing, reduced costs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pulp
import pytest
from conftest import SOLVERS
from scipy.optimize import linear_sum_assignment

from matching import (
    MatchingProblem,
    MatchRules,
    MatchSettings,
    MatchStatus,
    SolverOptions,
    build,
    lagrange,
    solve,
    verify,
)
from matching.instances import make_instance
from solverkit.registry import solve_model


def instance(n: int, seed: int, n_pref: int = 2) -> MatchingProblem:
    """Random n × n instance with ``n_pref`` prefectures per side."""
    return make_instance(n, seed, n_prefectures=n_pref)


def side_rules(p: MatchingProblem, seed: int, spread: int = 1) -> MatchRules:
    rng = np.random.default_rng(seed + 7)
    n = len(p.recipients)
    forbids = tuple(
        (p.recipients[i // n], p.supporters[i % n]) for i in rng.choice(n * n, n // 2, False)
    )
    return MatchRules(
        forbids=forbids, max_distance=520.0, min_pair_score=0.2, prefecture_spread=spread
    )


def brute_force(p: MatchingProblem, settings: MatchSettings) -> tuple[float, list[tuple]] | None:
    """Best objective over all verified permutations, and every verified pairing with its value."""
    found = []
    for perm in itertools.permutations(range(len(p.supporters))):
        pairs = [(r, p.supporters[j]) for r, j in zip(p.recipients, perm, strict=True)]
        ver = verify(p, settings, pairs)
        if ver.ok:
            found.append((ver.objective, perm))
    if not found:
        return None
    return max(v for v, _ in found), found


CASES = [(n, seed) for n in (5, 6) for seed in range(6)]


@pytest.mark.parametrize(("n", "seed"), CASES)
def test_lagrangian_bound_and_reduced_costs_are_valid(n: int, seed: int) -> None:
    p = instance(n, seed)
    settings = MatchSettings(rules=side_rules(p, seed))
    out = lagrange.relax(p, settings, time_limit=5.0)
    truth = brute_force(p, settings)
    if out is None:  # the assignment without spread rows is already infeasible
        assert truth is None
        return
    if truth is None:
        assert out.report.objective is None
        return
    best, pairings = truth
    assert out.report.bound >= best - 1e-9
    if out.report.objective is not None:
        ver = verify(p, settings, out.report.pairs)
        assert ver.ok and ver.objective == pytest.approx(out.report.objective, abs=1e-12)
        assert out.report.objective <= best + 1e-9
    # every pairing using (r, s) scores at most best_possible[r, s]
    rows = np.arange(n)
    for value, perm in pairings:
        assert value <= out.best_possible[rows, list(perm)].min() + 1e-9
    # an optimal pairing survives reduced-cost fixing against any lower bound <= optimum
    keep = out.keep(out.report.objective if out.report.objective is not None else best)
    optimal = [perm for v, perm in pairings if v >= best - 1e-9]
    assert any(keep[rows, list(perm)].all() for perm in optimal)


def test_assignment_duals_are_feasible_and_tight() -> None:
    rng = np.random.default_rng(3)
    cost = rng.random((30, 30))
    cost[rng.random((30, 30)) < 0.3] = np.inf
    np.fill_diagonal(cost, rng.random(30))  # keeps a perfect assignment
    _, cols = linear_sum_assignment(cost)
    u, v = lagrange.assignment_duals(cost, cols)
    reduced = cost - u[:, None] - v[None, :]
    assert np.all(reduced[np.isfinite(cost)] >= -1e-9)
    assert np.allclose(reduced[np.arange(30), cols], 0.0, atol=1e-9)
    assert u.sum() + v.sum() == pytest.approx(cost[np.arange(30), cols].sum())


def test_repair_yields_a_verified_pairing() -> None:
    p = instance(40, 11, n_pref=3)
    settings = MatchSettings(rules=MatchRules(prefecture_spread=6, forbids=(("r0", "s0"),)))
    inst = lagrange._instance(p, settings)
    _, cols = linear_sum_assignment(inst.cost)
    assert (lagrange._counts(inst, cols) > 6).any()  # the plain assignment breaks the rule
    fixed = lagrange.repair(inst, cols)
    assert fixed is not None
    pairs = [(p.recipients[i], p.supporters[j]) for i, j in enumerate(fixed.tolist())]
    assert verify(p, settings, pairs).ok


def dense_optimum(p: MatchingProblem, settings: MatchSettings) -> float | None:
    """The model as it was before sparse variables: every pair a variable, ``x = 0`` rows."""
    rules = settings.rules
    n_r, n_s = len(p.recipients), len(p.supporters)
    lp = pulp.LpProblem("dense", pulp.LpMaximize)
    x = {
        (i, j): pulp.LpVariable(f"x_{i}_{j}", cat=pulp.LpBinary)
        for i in range(n_r)
        for j in range(n_s)
    }
    for i in range(n_r):
        lp += pulp.lpSum(x[i, j] for j in range(n_s)) == 1, f"d{i}"
    for j in range(n_s):
        lp += pulp.lpSum(x[i, j] for i in range(n_r)) <= 1, f"c{j}"
    for t, (r, s) in enumerate(rules.forbids):
        lp += x[p.r_index(r), p.s_index(s)] == 0, f"f{t}"
    for i, j in itertools.product(range(n_r), range(n_s)):
        if p.distance[i, j] > rules.max_distance or p.score[i, j] < rules.min_pair_score:
            lp += x[i, j] == 0, f"z{i}_{j}"
    groups: dict[tuple[str, str], list] = {}
    for (i, j), var in x.items():
        key = (p.prefecture[p.recipients[i]], p.prefecture[p.supporters[j]])
        groups.setdefault(key, []).append(var)
    for t, members in enumerate(groups.values()):
        lp += pulp.lpSum(members) <= rules.prefecture_spread, f"g{t}"
    lp += pulp.lpSum(float(p.score[i, j]) * var for (i, j), var in x.items())
    report = solve_model(lp, settings.solver)
    return report.objective if report.has_solution else None


@pytest.mark.parametrize("solver", SOLVERS)
def test_sparse_model_has_the_dense_optimum(solver: str) -> None:
    for seed in range(3):
        p = instance(12, 40 + seed, n_pref=3)
        settings = MatchSettings(
            rules=side_rules(p, seed, spread=2),
            fast_path=False,
            solver=SolverOptions(name=solver),
        )
        model = build(p, settings)
        allowed = 144 - len({pair for pairs in model.excluded.values() for pair in pairs})
        assert len(model.x) == allowed < 144
        expected = dense_optimum(p, settings)
        result = solve(p, settings)
        if expected is None:
            assert result.status == MatchStatus.INFEASIBLE
            continue
        assert result.status == MatchStatus.OPTIMAL and result.verification.ok
        assert result.objective == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize("solver", SOLVERS)
def test_lagrangian_route_matches_the_full_model(solver: str) -> None:
    p = instance(60, 5, n_pref=4)
    rules = MatchRules(prefecture_spread=5, max_distance=500.0)
    fast = solve(p, MatchSettings(rules=rules, solver=SolverOptions(name=solver)))
    full = solve(p, MatchSettings(rules=rules, fast_path=False, solver=SolverOptions(name=solver)))
    assert full.status == fast.status == MatchStatus.OPTIMAL
    assert fast.objective == pytest.approx(full.objective, abs=1e-7)
    assert fast.lagrangian is not None and full.lagrangian is None
    assert fast.lagrangian.bound >= full.objective - 1e-9
    assert fast.lagrangian.kept < fast.lagrangian.allowed
    assert "Lagrangian" in fast.message
    assert fast.to_dict()["solver"]["lagrangian"]["kept_pairs"] == fast.lagrangian.kept


def test_lagrangian_route_applies_only_to_spread_obstacles() -> None:
    p = instance(8, 1)
    spread = MatchRules(prefecture_spread=1)
    assert lagrange.why_not(p, MatchSettings(rules=spread)) is None
    assert lagrange.why_not(p, MatchSettings()) == "no prefecture spread that can bind"
    stable = MatchRules(prefecture_spread=1, stable=True)
    assert lagrange.why_not(p, MatchSettings(rules=stable)) == "stability"
    assert lagrange.why_not(p, MatchSettings(rules=spread, fast_path=False)) == "fast_path is off"
    result = solve(p, MatchSettings(rules=MatchRules(prefecture_spread=3)))
    assert result.status == MatchStatus.OPTIMAL and result.lagrangian is not None
    assert result.lagrangian.iterations >= 1 and math.isfinite(result.lagrangian.bound)
