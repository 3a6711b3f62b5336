r"""Fast path: the pure assignment problem, solved by scipy's ``linear_sum_assignment``.

It applies when the problem *is* an assignment problem — one supporter per recipient, each
supporter used at most once, at least as many supporters as recipients, objective
``weighted_sum`` — and every side rule can be written into the cost matrix:

* forbidden pairs, pairs beyond ``max_distance`` and pairs below ``min_pair_score`` get cost
  :math:`+\infty`;
* a locked pair :math:`(r, s)` makes every other entry of row :math:`r` and column :math:`s`
  :math:`+\infty`;
* the change penalty :math:`\pi` becomes a bonus :math:`\pi` on incumbent pairs (the constant
  :math:`-\pi|I|` is added back to the objective).

Prefecture spread (when it can bind), a cap on changes and stability need the integer
program. No PuLP model is built on this path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from matching.options import MatchSettings
from matching.problem import MatchingProblem

Pair = tuple[str, str]


def spread_can_bind(problem: MatchingProblem, settings: MatchSettings) -> bool:
    """Whether ``prefecture_spread`` can cut any pairing (else it adds no constraint)."""
    k, rules = settings.rules.prefecture_spread, settings.rules
    if k <= 0:
        return False
    r_count: dict[str, int] = {}
    s_count: dict[str, int] = {}
    for r in problem.recipients:
        key = problem.prefecture.get(r, "")
        r_count[key] = r_count.get(key, 0) + 1
    for s in problem.supporters:
        key = problem.prefecture.get(s, "")
        s_count[key] = s_count.get(key, 0) + 1
    return any(
        min(rules.recipient_demand * a, rules.supporter_capacity * b) > k
        for a in r_count.values()
        for b in s_count.values()
    )


def why_not(problem: MatchingProblem, settings: MatchSettings) -> str | None:
    """``None`` when the fast path applies, else the first reason it does not."""
    rules = settings.rules
    if not settings.fast_path:
        return "fast_path is off"
    if settings.objective != "weighted_sum":
        return f"objective is {settings.objective!r}"
    if rules.recipient_demand != 1 or rules.supporter_capacity != 1:
        return "not one-to-one"
    if len(problem.recipients) > len(problem.supporters):
        return "more recipients than supporters"
    if spread_can_bind(problem, settings):
        return "prefecture_spread can bind"
    if rules.max_changes >= 0 and problem.incumbent:
        return "max_changes"
    if rules.stable:
        return "stability"
    return None


def applies(problem: MatchingProblem, settings: MatchSettings) -> bool:
    """Whether :func:`solve_assignment` solves this instance exactly."""
    return why_not(problem, settings) is None


@dataclass(frozen=True)
class AssignmentOutcome:
    """Result of the fast path: ``pairs`` empty and ``feasible`` False when no assignment exists."""

    feasible: bool
    pairs: tuple[Pair, ...]
    objective: float | None
    seconds: float


def cost_matrix(problem: MatchingProblem, settings: MatchSettings) -> tuple[np.ndarray, float]:
    """The cost matrix (``-benefit``, ``inf`` where a rule excludes the pair) and the constant."""
    rules = settings.rules
    benefit = np.array(problem.score, dtype=float)
    constant = 0.0
    if rules.change_penalty > 0 and problem.incumbent:
        for r, s in problem.incumbent:
            benefit[problem.r_index(r), problem.s_index(s)] += rules.change_penalty
        constant = -rules.change_penalty * len(problem.incumbent)
    cost = -benefit
    banned = np.zeros(cost.shape, dtype=bool)
    if np.isfinite(rules.max_distance):
        banned |= np.asarray(problem.distance) > rules.max_distance
    if rules.min_pair_score > 0:
        banned |= problem.score < rules.min_pair_score - 1e-12
    for r, s in rules.forbids:
        banned[problem.r_index(r), problem.s_index(s)] = True
    for r, s in rules.locks:
        i, j = problem.r_index(r), problem.s_index(s)
        keep = banned[i, j]
        banned[i, :] = True
        banned[:, j] = True
        banned[i, j] = keep
    cost[banned] = np.inf
    return cost, constant


def solve_assignment(problem: MatchingProblem, settings: MatchSettings) -> AssignmentOutcome:
    """Solve the assignment exactly (Jonker–Volgenant variant in SciPy)."""
    import time

    start = time.perf_counter()
    cost, constant = cost_matrix(problem, settings)
    try:
        rows, cols = linear_sum_assignment(cost)
    except ValueError:
        return AssignmentOutcome(False, (), None, time.perf_counter() - start)
    total = -float(cost[rows, cols].sum()) + constant
    pairs = tuple(
        (problem.recipients[i], problem.supporters[j]) for i, j in zip(rows, cols, strict=True)
    )
    return AssignmentOutcome(True, pairs, total, time.perf_counter() - start)
