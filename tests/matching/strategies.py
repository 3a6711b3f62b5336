"""Random small pairing instances built directly from matrices (no frames, no geodesics).

Shared by the engine's tests, the analysis helper's tests and the benchmarks:

* :func:`make_problem` — seeded, any size (it lives in :mod:`matching.instances`);
* :func:`random_problem` — a hypothesis strategy for small instances;
* :func:`random_rules` — a hypothesis strategy for side rules that fit a given problem.
"""

from __future__ import annotations

from hypothesis import strategies as st

from matching.instances import make_problem
from matching.options import MatchRules
from matching.problem import MatchingProblem

__all__ = ["make_problem", "random_problem", "random_rules"]


@st.composite
def random_problem(
    draw: st.DrawFn, min_n: int = 2, max_n: int = 6, square: bool = True
) -> MatchingProblem:
    """A random instance with ``min_n <= n <= max_n`` (square unless ``square=False``)."""
    n_r = draw(st.integers(min_n, max_n))
    n_s = n_r if square else draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**31 - 1))
    n_pref = draw(st.integers(2, 4))
    return make_problem(n_r, n_s, seed, n_prefectures=n_pref)


@st.composite
def random_rules(draw: st.DrawFn, problem: MatchingProblem) -> MatchRules:
    """Random side rules naming counties of ``problem`` (may well be infeasible)."""
    pairs = [(r, s) for r in problem.recipients for s in problem.supporters]
    locks = draw(st.lists(st.sampled_from(pairs), max_size=1, unique=True))
    forbids = draw(
        st.lists(st.sampled_from([p for p in pairs if p not in locks]), max_size=3, unique=True)
    )
    max_distance = draw(st.sampled_from([float("inf"), float("inf"), 500.0, 350.0]))
    spread = draw(st.sampled_from([0, 0, 1, 2, 3]))
    min_score = draw(st.sampled_from([0.0, 0.0, 0.0, 0.3, 0.4]))
    max_changes = draw(st.sampled_from([-1, -1, -1, 1, 3])) if problem.incumbent else -1
    penalty = draw(st.sampled_from([0.0, 0.0, 0.1]))
    stable = draw(st.sampled_from([False, False, True]))
    return MatchRules(
        locks=tuple(locks),
        forbids=tuple(forbids),
        max_distance=max_distance,
        prefecture_spread=spread,
        min_pair_score=min_score,
        max_changes=max_changes,
        change_penalty=penalty,
        stable=stable,
    )
