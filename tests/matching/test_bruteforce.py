"""The engine's optimum equals the optimum found by enumerating every pairing (small n).

The enumeration and its rule checks below are written independently of ``matching.verify``
and of the model: they re-read the rules from the settings and the scores from the matrices.
"""

from __future__ import annotations

import itertools
import math

import pytest
from conftest import SOLVERS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import random_problem, random_rules

from matching import MatchingProblem, MatchRules, MatchSettings, MatchStatus, SolverOptions, solve

TOL = 1e-6


def _assignments(n_r: int, n_s: int, cap: int):
    if n_r == n_s and cap == 1:
        yield from itertools.permutations(range(n_s))
        return
    for a in itertools.product(range(n_s), repeat=n_r):
        if max(a.count(j) for j in set(a)) <= cap:
            yield a


def _blocks(p: MatchingProblem, rules: MatchRules, a: tuple[int, ...]) -> bool:
    rp, sp = p.recipient_prefs, p.supporter_prefs
    holders: dict[int, list[int]] = {}
    for i, j in enumerate(a):
        holders.setdefault(j, []).append(i)
    for i, r in enumerate(p.recipients):
        mine = p.supporters[a[i]]
        r_list = rp.get(r, ())
        for s in r_list:
            j = p.supporters.index(s)
            s_list = sp.get(s, ())
            if r not in s_list or j == a[i]:
                continue
            r_better = mine not in r_list or r_list.index(s) < r_list.index(mine)
            theirs = [p.recipients[k] for k in holders.get(j, [])]
            s_better = len(theirs) < rules.supporter_capacity or any(
                q not in s_list or s_list.index(r) < s_list.index(q) for q in theirs
            )
            if r_better and s_better:
                return True
    return False


def _valid(p: MatchingProblem, rules: MatchRules, a: tuple[int, ...]) -> bool:
    chosen = {(p.recipients[i], p.supporters[j]) for i, j in enumerate(a)}
    if any(lock not in chosen for lock in rules.locks):
        return False
    if any(f in chosen for f in rules.forbids):
        return False
    if any(p.distance[i, j] > rules.max_distance for i, j in enumerate(a)):
        return False
    if rules.min_pair_score > 0 and any(
        p.score[i, j] < rules.min_pair_score - 1e-12 for i, j in enumerate(a)
    ):
        return False
    if rules.prefecture_spread > 0:
        counts: dict[tuple[str, str], int] = {}
        for r, s in chosen:
            key = (p.prefecture[r], p.prefecture[s])
            counts[key] = counts.get(key, 0) + 1
        if max(counts.values()) > rules.prefecture_spread:
            return False
    kept = sum(1 for pair in p.incumbent if pair in chosen)
    if rules.max_changes >= 0 and p.incumbent and len(p.incumbent) - kept > rules.max_changes:
        return False
    return not (rules.stable and _blocks(p, rules, a))


def brute_force(p: MatchingProblem, s: MatchSettings) -> tuple[float, float] | None:
    """(best objective, best worst-pair score) by enumeration; None when nothing is valid."""
    rules = s.rules
    found = []
    for a in _assignments(len(p.recipients), len(p.supporters), rules.supporter_capacity):
        if not _valid(p, rules, a):
            continue
        chosen = {(p.recipients[i], p.supporters[j]) for i, j in enumerate(a)}
        changes = sum(1 for pair in p.incumbent if pair not in chosen)
        value = sum(p.score[i, j] for i, j in enumerate(a)) - rules.change_penalty * changes
        worst = min(p.score[i, j] for i, j in enumerate(a))
        found.append((value, worst))
    if not found:
        return None
    if s.objective == "maxmin":
        t = max(w for _, w in found)
        value = max(v for v, w in found if w >= t - s.maxmin_tolerance)
        return value, t
    return max(v for v, _ in found), math.nan


def check(p: MatchingProblem, s: MatchSettings) -> None:
    expected = brute_force(p, s)
    result = solve(p, s)
    if expected is None:
        assert result.status == MatchStatus.INFEASIBLE, result.message
        assert result.pairs == ()
        return
    assert result.status == MatchStatus.OPTIMAL, result.message
    assert result.verification is not None and result.verification.ok
    assert result.objective == pytest.approx(expected[0], abs=TOL)
    if s.objective == "maxmin":
        assert result.worst_pair_score == pytest.approx(expected[1], abs=TOL)


@pytest.mark.parametrize("solver", SOLVERS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_square_instances_with_random_rules(solver: str, data: st.DataObject) -> None:
    p = data.draw(random_problem(min_n=2, max_n=6))
    rules = data.draw(random_rules(p))
    objective = data.draw(st.sampled_from(["weighted_sum", "weighted_sum", "maxmin"]))
    s = MatchSettings(
        objective=objective, rules=rules, fast_path=False, solver=SolverOptions(name=solver)
    )
    check(p, s)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_default_route_with_fast_path(data: st.DataObject) -> None:
    p = data.draw(random_problem(min_n=2, max_n=7))
    rules = data.draw(random_rules(p))
    check(p, MatchSettings(rules=rules))


@pytest.mark.parametrize("solver", SOLVERS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rectangular_instances_with_capacities(solver: str, data: st.DataObject) -> None:
    p = data.draw(random_problem(min_n=2, max_n=5, square=False))
    n_r, n_s = len(p.recipients), len(p.supporters)
    cap = data.draw(st.integers(max(1, -(-n_r // n_s)), 2)) if n_r <= 2 * n_s else 1
    base = data.draw(random_rules(p))
    rules = MatchRules(
        supporter_capacity=cap,
        forbids=base.forbids,
        max_distance=base.max_distance,
        prefecture_spread=base.prefecture_spread,
        stable=base.stable,
    )
    s = MatchSettings(
        rules=rules, fast_path=data.draw(st.booleans()), solver=SolverOptions(name=solver)
    )
    check(p, s)
