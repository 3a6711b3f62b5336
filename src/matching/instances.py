"""Seeded random pairing instances, built directly from matrices (no frames, no geodesics).

Shared by the tests, the benchmarks and anyone who wants a problem of a given size without
data files. Each generator is deterministic in its ``seed``: the same arguments give the same
instance on every machine (``numpy.random.default_rng``).

>>> p = make_problem(3, 4, seed=1)
>>> p.recipients, p.supporters
(('r0', 'r1', 'r2'), ('s0', 's1', 's2', 's3'))
>>> make_problem(3, 4, seed=1).score.tolist() == p.score.tolist()
True
>>> len(make_instance(10, seed=2).recipients)
10
"""

from __future__ import annotations

import math

import numpy as np

from matching.problem import CRITERIA, MatchingProblem

#: The plan's criterion weights, used by :func:`make_instance`.
PLAN_WEIGHTS: tuple[float, ...] = (0.30, 0.25, 0.15, 0.15, 0.10, 0.05)


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
    random criterion weights; each county lists a random subset of the other side (when
    ``prefs``); the incumbent pairs recipient ``i`` with a random distinct supporter (when
    ``incumbent`` and ``n_r <= n_s``). Names are the ids in capitals.
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


def make_instance(n: int, seed: int, n_prefectures: int | None = None) -> MatchingProblem:
    """A seeded n × n instance for benchmarks: criteria uniform in [0, 1], 20–600 km.

    The plan's weights (:data:`PLAN_WEIGHTS`), no names, no willingness lists, no incumbent;
    ``n_prefectures`` per side (default about √n / 2, at least 2).
    """
    rng = np.random.default_rng(seed)
    r = tuple(f"r{i}" for i in range(n))
    s = tuple(f"s{j}" for j in range(n))
    n_pref = max(2, round(math.sqrt(n) / 2)) if n_prefectures is None else n_prefectures
    pref = {c: f"P{rng.integers(n_pref)}" for c in r} | {c: f"Q{rng.integers(n_pref)}" for c in s}
    return MatchingProblem(
        recipients=r,
        supporters=s,
        names={},
        full_names={},
        prefecture=pref,
        criteria={c: rng.random((n, n)) for c in CRITERIA},
        weights=dict(zip(CRITERIA, PLAN_WEIGHTS, strict=True)),
        distance=rng.uniform(20.0, 600.0, (n, n)),
    )


def make_orlib_like(n: int, seed: int) -> tuple[MatchingProblem, np.ndarray]:
    """An n × n instance shaped like Beasley's OR-Library ``assignN`` files, and its costs.

    OR-Library's assignment instances (assign100 … assign800) hold integer costs drawn
    uniformly from 1 … 100 (many ties, which is what makes them harder for assignment codes
    than continuous scores). Here the costs are seeded draws of the same law and the problem
    has one criterion, ``strength = (100 - cost) / 99`` with weight 1, so maximising the score
    minimises the cost: the optimal cost is ``n * 100 - 99 * objective``.
    """
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 101, size=(n, n))
    r = tuple(f"r{i}" for i in range(n))
    s = tuple(f"s{j}" for j in range(n))
    problem = MatchingProblem(
        recipients=r,
        supporters=s,
        names={},
        full_names={},
        prefecture={c: "P0" for c in r} | {c: "Q0" for c in s},
        criteria={"strength": (100.0 - cost) / 99.0},
        weights={"strength": 1.0},
        distance=np.zeros((n, n)),
    )
    return problem, cost
