"""k best pairings: Murty and no-good cuts against brute-force enumeration."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MatchRules, MatchSettings, solve, verify
from matching.alternatives import Alternative, alternatives, alternatives_frame
from matching.forcing import AnalysisError, assignment_form
from matching.instances import make_problem
from matching.problem import MatchingProblem


def brute_objectives(
    problem: MatchingProblem, cfg: MatchSettings, floor: float = -math.inf
) -> list[float]:
    """Objectives of every admissible pairing (worst pair score >= floor), best first."""
    d = cfg.rules.recipient_demand
    per_r = [list(itertools.combinations(problem.supporters, d)) for _ in problem.recipients]
    out = []
    for choice in itertools.product(*per_r):
        pairs = [(r, s) for r, ss in zip(problem.recipients, choice, strict=True) for s in ss]
        if not verify(problem, cfg, pairs).ok:
            continue
        scores = [problem.score[problem.r_index(r), problem.s_index(s)] for r, s in pairs]
        if min(scores) < floor:
            continue
        given_up = sum(1 for p in problem.incumbent if p not in set(pairs))
        out.append(sum(scores) - cfg.rules.change_penalty * given_up)
    return sorted(out, reverse=True)


def _check(problem: MatchingProblem, cfg: MatchSettings, k: int) -> list[Alternative]:
    expected = brute_objectives(problem, cfg)[:k]
    alts = alternatives(problem, cfg, k)
    assert [a.objective for a in alts] == pytest.approx(expected, abs=1e-7)
    assert len({frozenset(a.pairs) for a in alts}) == len(alts)
    best = set(alts[0].pairs)
    for rank, alt in enumerate(alts, start=1):
        assert alt.rank == rank and alt.proven
        assert alt.loss == pytest.approx(alts[0].objective - alt.objective, abs=1e-9)
        assert alt.loss >= 0
        assert set(alt.added) == set(alt.pairs) - best
        assert set(alt.removed) == best - set(alt.pairs)
        assert verify(problem, cfg, alt.pairs).ok
    return alts


@st.composite
def _cellwise(draw: st.DrawFn) -> tuple[MatchingProblem, MatchSettings]:
    n_r = draw(st.integers(2, 4))
    n_s = draw(st.integers(n_r if draw(st.booleans()) else 2, 4))
    problem = make_problem(n_r, n_s, draw(st.integers(0, 10**6)))
    rules = MatchRules(
        supporter_capacity=draw(st.sampled_from([1, 2])),
        forbids=(("r0", "s0"),) if draw(st.booleans()) else (),
        max_distance=draw(st.sampled_from([math.inf, 450.0])),
        change_penalty=draw(st.sampled_from([0.0, 0.1])),
    )
    return problem, MatchSettings(rules=rules)


@settings(max_examples=30, deadline=None)
@given(_cellwise(), st.integers(1, 8))
def test_murty_equals_brute_force(case: tuple[MatchingProblem, MatchSettings], k: int) -> None:
    problem, cfg = case
    assert assignment_form(problem, cfg) is not None
    if not brute_objectives(problem, cfg):
        with pytest.raises(AnalysisError, match="no alternatives"):
            alternatives(problem, cfg, k)
        return
    _check(problem, cfg, k)


@pytest.mark.parametrize("seed", [3, 9])
def test_no_good_cuts_equal_brute_force(seed: int) -> None:
    problem = make_problem(4, 4, seed, n_prefectures=2)
    cfg = MatchSettings(rules=MatchRules(prefecture_spread=2, max_changes=3, stable=True))
    assert assignment_form(problem, cfg) is None
    if not brute_objectives(problem, cfg):
        pytest.fail("instance should be feasible")  # pragma: no cover
    _check(problem, cfg, 5)


def test_murty_and_no_good_cuts_agree() -> None:
    problem = make_problem(4, 5, 12)
    cfg = MatchSettings(rules=MatchRules(max_distance=500.0))
    fast = alternatives(problem, cfg, 6)
    slow = alternatives(problem, dataclasses.replace(cfg, fast_path=False), 6)
    assert [a.objective for a in fast] == pytest.approx([a.objective for a in slow], abs=1e-7)


def test_maxmin_keeps_the_worst_pair_level() -> None:
    problem = make_problem(4, 4, 21)
    cfg = MatchSettings(objective="maxmin")
    level = solve(problem, cfg).worst_pair_score
    assert level is not None
    alts = alternatives(problem, cfg, 3)
    expected = brute_objectives(problem, cfg, floor=level - cfg.maxmin_tolerance)[:3]
    assert [a.objective for a in alts] == pytest.approx(expected, abs=1e-6)
    for alt in alts:
        worst = min(problem.pair_score(r, s) for r, s in alt.pairs)
        assert worst >= level - 1e-6


def test_fewer_pairings_than_k() -> None:
    problem = make_problem(2, 2, 0)
    alts = alternatives(problem, MatchSettings(), 5)
    assert len(alts) == 2  # a 2 x 2 one-to-one problem has two pairings


def test_frame_words_the_changes() -> None:
    problem = make_problem(3, 3, 4)
    alts = alternatives(problem, MatchSettings(), 3)
    frame = alternatives_frame(problem, alts, "en")
    assert list(frame["rank"]) == [1, 2, 3]
    assert frame.loc[0, "changes"] == "" and frame.loc[0, "changed_pairs"] == 0
    second = alts[1]
    r, s_new = second.added[0]
    (s_old,) = [s for rr, s in second.removed if rr == r]
    assert f"{problem.name(r)}: {problem.name(s_old)} -> {problem.name(s_new)}" in frame.loc[
        1, "changes"
    ]
    zh = alternatives_frame(problem, alts, "zh")
    assert f"{problem.name(r)}：{problem.name(s_old)} → {problem.name(s_new)}" in zh.loc[1, "changes"]
    assert alts[1].to_dict()["rank"] == 2


def test_bad_k_and_infeasible_rules() -> None:
    problem = make_problem(3, 3, 0)
    with pytest.raises(AnalysisError, match="k must be at least 1, got 0"):
        alternatives(problem, MatchSettings(), 0)
    cfg = MatchSettings(rules=MatchRules(locks=(("r0", "s0"), ("r1", "s0")), stable=True))
    with pytest.raises(AnalysisError, match="the rules admit no pairing"):
        alternatives(problem, cfg, 2)
