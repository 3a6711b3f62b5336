r"""Fast path: the pure assignment problem, solved by scipy's ``linear_sum_assignment``.

It applies when the problem *is* an assignment problem — one supporter per recipient, each
supporter used at most once, at least as many supporters as recipients, objective
``weighted_sum`` — and every side rule can be written into the cost matrix. Which rules allow
it is the route predicate of each record (:data:`matching.rules.REGISTRY`,
:attr:`~matching.rules.Route.FAST_PATH`): today forbidden pairs, pairs beyond
``max_distance`` and below ``min_pair_score`` (not allowed), locks (fixed) and the change
penalty (a bonus :math:`\pi` on incumbent pairs, the constant :math:`-\pi|I|`) do; a
prefecture spread that can bind, a cap on changes, stability and ``maxmin`` do not.

The instance is the :class:`~matching.rules.PairTable` solved by the one assignment solver,
:func:`matching.assignment.solve_assignment`. No PuLP model is built on this path.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matching.assignment import form_of, pairs_from_columns
from matching.assignment import solve_assignment as solve_form
from matching.options import MatchSettings
from matching.problem import MatchingProblem
from matching.rules import Route, Rule, blocked, pair_table, spread_can_bind

Pair = tuple[str, str]

__all__ = [
    "AssignmentOutcome",
    "applies",
    "cost_matrix",
    "solve_assignment",
    "spread_can_bind",
    "why_not",
]


def why_not(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> str | None:
    """``None`` when the fast path applies, else the first reason it does not."""
    if not settings.fast_path:
        return "fast_path is off"
    return blocked(problem, settings, Route.FAST_PATH, registry)


def applies(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> bool:
    """Whether :func:`solve_assignment` solves this instance exactly."""
    return why_not(problem, settings, registry) is None


@dataclass(frozen=True)
class AssignmentOutcome:
    """Result of the fast path: ``pairs`` empty and ``feasible`` False when no assignment exists."""

    feasible: bool
    pairs: tuple[Pair, ...]
    objective: float | None
    seconds: float


def cost_matrix(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> tuple[np.ndarray, float]:
    """The cost matrix (``-benefit``, ``inf`` where a rule excludes the pair) and the constant.

    A fixed (locked) cell makes every other entry of its row and column ``inf``.
    """
    table = pair_table(problem, settings, registry)
    cost = -table.weight
    banned = ~table.allowed
    for i, j in table.fixed:
        keep = banned[i, j]
        banned[i, :] = True
        banned[:, j] = True
        banned[i, j] = keep
    cost[banned] = np.inf
    return cost, table.constant


def solve_assignment(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> AssignmentOutcome:
    """Solve the assignment exactly (:func:`matching.assignment.solve_assignment`)."""
    start = time.perf_counter()
    found = solve_form(form_of(problem, settings, registry))
    if found is None:
        return AssignmentOutcome(False, (), None, time.perf_counter() - start)
    cols, total = found
    return AssignmentOutcome(
        True, pairs_from_columns(problem, cols), total, time.perf_counter() - start
    )
