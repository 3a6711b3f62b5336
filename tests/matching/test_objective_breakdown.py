"""The objective in score points, split by weighted criterion and rule term."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MatchRules, MatchSettings, solve
from matching.instances import make_problem
from matching.result import NOT_COMPARABLE, OBJECTIVE_UNIT


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(0, 2**31 - 1), st.sampled_from([0.0, 0.2]))
def test_shares_sum_to_the_objective(n: int, seed: int, penalty: float) -> None:
    problem = make_problem(n, n + 1, seed)
    result = solve(problem, MatchSettings(rules=MatchRules(change_penalty=penalty)))
    assert result.ok and result.objective is not None
    parts = result.objective_breakdown
    assert sum(parts.values()) == pytest.approx(result.objective, abs=1e-9)
    cells = np.array([(problem.r_index(r), problem.s_index(s)) for r, s in result.pairs])
    for c, w in problem.weights.items():
        if w > 0:
            expected = w * problem.criteria[c][cells[:, 0], cells[:, 1]].sum()
            assert parts[c] == pytest.approx(expected, abs=1e-12)
    if penalty and result.verification.changes:
        assert parts["change_penalty"] == pytest.approx(-penalty * result.verification.changes)
    if result.objective:
        assert sum(result.objective_shares.values()) == pytest.approx(1.0)


def test_to_dict_carries_unit_breakdown_shares_and_weights() -> None:
    problem = make_problem(5, 5, 3)
    out = solve(problem, MatchSettings()).to_dict()
    json.dumps(out)
    assert out["objective_unit"] == OBJECTIVE_UNIT == "score points"
    assert set(out["objective_breakdown"]) == {c for c, w in problem.weights.items() if w > 0}
    assert sum(out["objective_breakdown"].values()) == pytest.approx(out["objective"], abs=1e-6)
    assert sum(out["objective_shares"].values()) == pytest.approx(1.0, abs=1e-6)
    assert out["weights"] == pytest.approx(dict(problem.weights))


def test_objectives_under_other_weights_are_flagged_not_comparable() -> None:
    problem = make_problem(5, 5, 4)
    base = solve(problem, MatchSettings())
    w = dict(problem.weights)
    w["distance"] *= 2
    total = sum(w.values())
    reweighted = dataclasses.replace(problem, weights={k: v / total for k, v in w.items()})
    other = solve(reweighted, MatchSettings())
    assert base.comparable(base) and not base.comparable(other)
    assert NOT_COMPARABLE["en"] == (
        "objectives under different weights are not comparable; compare pairs"
    )
