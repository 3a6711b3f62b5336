"""Random small pairing instances built directly from matrices (no frames, no geodesics).

Shared by the engine's tests, the analysis helper's tests and the benchmarks:

* :func:`make_problem` — seeded, any size;
* :func:`random_problem` — a hypothesis strategy for small instances;
* :func:`random_rules` — a hypothesis strategy for side rules that fit a given problem.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from matching.options import MatchRules
from matching.problem import CRITERIA, MatchingProblem


def make_problem(
    n_r: int,
    n_s: int,
    seed: int = 0,
    *,
    n_prefectures: int = 3,
    prefs: bool = True,
    incumbent: bool = True,
) -> MatchingProblem:
    """A seeded random instance: every criterion uniform in [0, 1], distances 20–600 km.

    Recipients are ``r0, r1, …``, supporters ``s0, s1, …``; prefectures ``P0…`` and ``Q0…``;
    each county lists a random subset of the other side (when ``prefs``); the incumbent pairs
    recipient ``i`` with a random distinct supporter (when ``incumbent`` and ``n_r <= n_s``).
    """
    rng = np.random.default_rng(seed)
    recipients = tuple(f"r{i}" for i in range(n_r))
    supporters = tuple(f"s{j}" for j in range(n_s))
    criteria = {c: rng.random((n_r, n_s)) for c in CRITERIA}
    raw = rng.random(len(CRITERIA)) + 0.05
    weights = {c: float(w) for c, w in zip(CRITERIA, raw / raw.sum(), strict=True)}
    total = sum(weights.values())
    weights[CRITERIA[0]] += 1.0 - total
    prefecture = {r: f"P{rng.integers(n_prefectures)}" for r in recipients}
    prefecture |= {s: f"Q{rng.integers(n_prefectures)}" for s in supporters}
    r_prefs: dict[str, tuple[str, ...]] = {}
    s_prefs: dict[str, tuple[str, ...]] = {}
    if prefs:
        for r in recipients:
            k = int(rng.integers(0, n_s + 1))
            r_prefs[r] = tuple(supporters[j] for j in rng.permutation(n_s)[:k])
        for s in supporters:
            k = int(rng.integers(0, n_r + 1))
            s_prefs[s] = tuple(recipients[i] for i in rng.permutation(n_r)[:k])
    inc: tuple[tuple[str, str], ...] = ()
    if incumbent and n_r <= n_s:
        perm = rng.permutation(n_s)[:n_r]
        inc = tuple((recipients[i], supporters[j]) for i, j in enumerate(perm))
    return MatchingProblem(
        recipients=recipients,
        supporters=supporters,
        names={c: c.upper() for c in recipients + supporters},
        full_names={c: f"County {c}" for c in recipients + supporters},
        prefecture=prefecture,
        criteria=criteria,
        weights=weights,
        distance=rng.uniform(20.0, 600.0, (n_r, n_s)),
        recipient_prefs=r_prefs,
        supporter_prefs=s_prefs,
        incumbent=inc,
    )


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
