"""Cost of forcing a pair: brute force on small instances, both computation paths."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MatchRules, MatchSettings, solve, verify
from matching.forcing import (
    FORCING_COLUMNS,
    AnalysisError,
    assignment_form,
    forcing_costs,
    forcing_matrix,
    solve_assignment,
)
from matching.instances import make_problem
from matching.problem import MatchingProblem


def brute_pairings(
    problem: MatchingProblem, cfg: MatchSettings
) -> list[tuple[frozenset[tuple[str, str]], float]]:
    """Every pairing the rules admit, with its objective computed here from the scores."""
    d = cfg.rules.recipient_demand
    per_r = [list(itertools.combinations(problem.supporters, d)) for _ in problem.recipients]
    out = []
    for choice in itertools.product(*per_r):
        pairs = [(r, s) for r, ss in zip(problem.recipients, choice, strict=True) for s in ss]
        if not verify(problem, cfg, pairs).ok:
            continue
        total = sum(problem.score[problem.r_index(r), problem.s_index(s)] for r, s in pairs)
        given_up = sum(1 for p in problem.incumbent if p not in set(pairs))
        out.append((frozenset(pairs), total - cfg.rules.change_penalty * given_up))
    return out


def brute_forcing(problem: MatchingProblem, cfg: MatchSettings) -> dict[tuple[str, str], float]:
    """Best objective with each pair forced in (NaN when no admissible pairing contains it)."""
    allp = brute_pairings(problem, cfg)
    out = {}
    for r in problem.recipients:
        for s in problem.supporters:
            vals = [obj for pairs, obj in allp if (r, s) in pairs]
            out[r, s] = max(vals) if vals else math.nan
    return out


def _check_against_brute(problem: MatchingProblem, cfg: MatchSettings) -> None:
    allp = brute_pairings(problem, cfg)
    if not allp:
        with pytest.raises(AnalysisError, match="the rules admit no pairing"):
            forcing_costs(problem, cfg)
        return
    best = max(obj for _, obj in allp)
    frame = forcing_costs(problem, cfg)
    assert list(frame.columns) == list(FORCING_COLUMNS)
    assert len(frame) == len(problem.recipients) * len(problem.supporters)
    forced = brute_forcing(problem, cfg)
    for row in frame.itertuples():
        expected = forced[row.recipient, row.supporter]
        if math.isnan(expected):
            assert row.status == "infeasible" and math.isnan(row.loss)
        else:
            assert row.status in ("chosen", "optimal")
            assert row.loss == pytest.approx(best - expected, abs=1e-7)
            assert row.loss >= 0
        if row.chosen:
            assert row.status == "chosen" and row.loss == 0 and row.displaced == ()


@st.composite
def _cellwise(draw: st.DrawFn) -> tuple[MatchingProblem, MatchSettings]:
    n_r = draw(st.integers(2, 4))
    n_s = draw(st.integers(2, 4))
    cap = draw(st.sampled_from([1, 2]))
    problem = make_problem(n_r, n_s, draw(st.integers(0, 10**6)))
    pairs = [(r, s) for r in problem.recipients for s in problem.supporters]
    locks = draw(st.lists(st.sampled_from(pairs), max_size=1))
    forbids = draw(st.lists(st.sampled_from([p for p in pairs if p not in locks]), max_size=3))
    rules = MatchRules(
        supporter_capacity=cap,
        locks=tuple(locks),
        forbids=tuple(dict.fromkeys(forbids)),
        max_distance=draw(st.sampled_from([math.inf, 400.0])),
        min_pair_score=draw(st.sampled_from([0.0, 0.4])),
        change_penalty=draw(st.sampled_from([0.0, 0.1])),
    )
    return problem, MatchSettings(rules=rules)


@settings(max_examples=30, deadline=None)
@given(_cellwise())
def test_assignment_path_equals_brute_force(case: tuple[MatchingProblem, MatchSettings]) -> None:
    problem, cfg = case
    assert assignment_form(problem, cfg) is not None
    _check_against_brute(problem, cfg)


@pytest.mark.parametrize("seed", [5, 11])
def test_integer_programme_path_equals_brute_force(seed: int) -> None:
    problem = make_problem(4, 4, seed, n_prefectures=2)
    cfg = MatchSettings(rules=MatchRules(prefecture_spread=2, max_changes=2, forbids=(("r0", "s1"),)))
    assert assignment_form(problem, cfg) is None
    _check_against_brute(problem, cfg)


def test_paths_agree() -> None:
    problem = make_problem(4, 5, 3)
    cfg = MatchSettings(rules=MatchRules(max_distance=450.0, change_penalty=0.05))
    fast = forcing_costs(problem, cfg)
    slow = forcing_costs(problem, dataclasses.replace(cfg, fast_path=False))
    assert list(fast["status"].replace("optimal", "x")) == list(slow["status"].replace("optimal", "x"))
    np.testing.assert_allclose(fast["loss"], slow["loss"], atol=1e-7)


def test_displaced_pairs_and_matrix() -> None:
    problem = make_problem(5, 5, 8)
    base = solve(problem, MatchSettings())
    frame = forcing_costs(problem, MatchSettings(), result=base)
    for row in frame[~frame["chosen"]].itertuples():
        # forcing (r, s) gives up r's chosen pair and the pair s had, at least.
        assert len(row.displaced) >= 2
        assert any(p[0] == row.recipient for p in row.displaced)
        assert any(p[1] == row.supporter for p in row.displaced)
        assert row.displaced_names.count("–") == len(row.displaced)
    table = forcing_matrix(frame)
    assert table.shape == (5, 5)
    assert list(table.index) == [problem.name(r) for r in problem.recipients]
    for r, s in base.pairs:
        assert table.loc[problem.name(r), problem.name(s)] == 0


def test_forbidden_pair_is_infeasible_to_force() -> None:
    problem = make_problem(3, 3, 1)
    cfg = MatchSettings(rules=MatchRules(forbids=(("r0", "s0"),)))
    frame = forcing_costs(problem, cfg).set_index(["recipient", "supporter"])
    assert frame.loc[("r0", "s0"), "status"] == "infeasible"
    assert math.isnan(frame.loc[("r0", "s0"), "objective"])


def test_infeasible_base_is_an_error() -> None:
    problem = make_problem(3, 3, 1)
    cfg = MatchSettings(rules=MatchRules(locks=(("r0", "s0"), ("r1", "s0"))))
    with pytest.raises(AnalysisError, match=r"matching\.diagnose names the conflicting rules"):
        forcing_costs(problem, cfg)


def test_solve_assignment_respects_capacity_and_fixed() -> None:
    problem = make_problem(4, 2, 2)
    cfg = MatchSettings(rules=MatchRules(supporter_capacity=2, locks=(("r0", "s1"),)))
    form = assignment_form(problem, cfg)
    assert form is not None
    cols, _ = solve_assignment(form) or (None, None)
    assert cols is not None and cols[0] == 1 and np.bincount(cols, minlength=2).max() <= 2
    # a third lock on s1 exceeds its two slots
    assert solve_assignment(form, extra_fixed=((1, 1), (2, 1))) is None
