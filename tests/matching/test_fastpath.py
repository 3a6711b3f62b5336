"""Fast path: when it applies, equality with the integer program, and no PuLP on the way."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from conftest import SOLVERS
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MatchRules, MatchSettings, MatchStatus, SolverOptions, solve
from matching import fastpath as fp
from matching.instances import make_problem

solve_mod = importlib.import_module("matching.solve")


@pytest.mark.parametrize(
    ("settings_", "reason"),
    [
        (MatchSettings(), None),
        (MatchSettings(fast_path=False), "fast_path is off"),
        (MatchSettings(objective="maxmin"), "objective is 'maxmin'"),
        (MatchSettings(rules=MatchRules(supporter_capacity=2)), "not one-to-one"),
        (MatchSettings(rules=MatchRules(stable=True)), "stability"),
        (MatchSettings(rules=MatchRules(max_changes=2)), "max_changes"),
        (MatchSettings(rules=MatchRules(prefecture_spread=1)), "prefecture_spread can bind"),
        (MatchSettings(rules=MatchRules(prefecture_spread=9)), None),
        (
            MatchSettings(
                rules=MatchRules(
                    locks=(("r0", "s0"),),
                    forbids=(("r1", "s1"),),
                    max_distance=300,
                    min_pair_score=0.2,
                    change_penalty=0.1,
                )
            ),
            None,
        ),
    ],
)
def test_when_the_fast_path_applies(settings_: MatchSettings, reason: str | None) -> None:
    p = make_problem(6, 6, 0, n_prefectures=2)
    assert fp.why_not(p, settings_) == reason
    assert fp.applies(p, settings_) == (reason is None)


def test_more_recipients_than_supporters_is_not_an_assignment() -> None:
    assert fp.why_not(make_problem(4, 3, 0), MatchSettings()) == "more recipients than supporters"


def test_cost_matrix_encodes_the_rules() -> None:
    p = make_problem(3, 3, 0)
    rules = MatchRules(locks=(("r0", "s1"),), forbids=(("r2", "s2"),), change_penalty=0.5)
    cost, constant = fp.cost_matrix(p, MatchSettings(rules=rules))
    assert np.isinf(cost[0, [0, 2]]).all() and np.isinf(cost[[1, 2], 1]).all()
    assert np.isfinite(cost[0, 1]) and np.isinf(cost[2, 2])
    i, j = p.r_index(p.incumbent[1][0]), p.s_index(p.incumbent[1][1])
    if np.isfinite(cost[i, j]):
        assert cost[i, j] == pytest.approx(-(p.score[i, j] + 0.5))
    assert constant == pytest.approx(-0.5 * 3)


def test_fast_path_builds_no_pulp_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_build(*args, **kwargs):
        raise AssertionError("the fast path must not build a PuLP model")

    monkeypatch.setattr(solve_mod, "build", no_build)
    result = solve(make_problem(30, 30, 1), MatchSettings(rules=MatchRules(max_distance=500)))
    assert result.method == "assignment" and result.status == MatchStatus.OPTIMAL
    assert result.solve_report is None and "build" not in result.timings


def test_infeasible_on_the_fast_path() -> None:
    p = make_problem(3, 3, 0)
    rules = MatchRules(locks=(("r0", "s0"), ("r1", "s0")))
    result = solve(p, MatchSettings(rules=rules))
    assert result.method == "assignment" and result.status == MatchStatus.INFEASIBLE
    assert result.message.startswith("no assignment satisfies")


@pytest.mark.parametrize("solver", SOLVERS)
@settings(max_examples=30, deadline=None)
@given(
    n_r=st.integers(2, 8),
    extra=st.integers(0, 3),
    seed=st.integers(0, 10_000),
    cap=st.sampled_from([float("inf"), 450.0, 300.0]),
    floor=st.sampled_from([0.0, 0.3]),
    penalty=st.sampled_from([0.0, 0.2]),
    n_forbid=st.integers(0, 3),
    lock=st.booleans(),
)
def test_fast_path_equals_the_integer_program(
    solver: str,
    n_r: int,
    extra: int,
    seed: int,
    cap: float,
    floor: float,
    penalty: float,
    n_forbid: int,
    lock: bool,
) -> None:
    p = make_problem(n_r, n_r + extra, seed)
    rng = np.random.default_rng(seed)
    pairs = [(r, s) for r in p.recipients for s in p.supporters]
    picks = rng.permutation(len(pairs))
    locks = (pairs[picks[0]],) if lock else ()
    forbids = tuple(pairs[k] for k in picks[1 : 1 + n_forbid])
    rules = MatchRules(
        locks=locks, forbids=forbids, max_distance=cap, min_pair_score=floor, change_penalty=penalty
    )
    fast = solve(p, MatchSettings(rules=rules))
    slow = solve(p, MatchSettings(rules=rules, fast_path=False, solver=SolverOptions(name=solver)))
    assert fast.method == "assignment"
    assert fast.status == slow.status
    if fast.status == MatchStatus.OPTIMAL:
        assert fast.objective == pytest.approx(slow.objective, abs=1e-7)
        assert fast.verification is not None and fast.verification.ok
