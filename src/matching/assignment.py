"""The assignment form of a pairing problem and the one exact assignment solver.

When every rule in force acts on single pairs (no record blocks
:attr:`matching.rules.Route.ASSIGNMENT_FORM`), the problem is a weighted bipartite assignment:
each recipient gets one supporter, each supporter has ``capacity`` slots, the allowed cells
and the objective coefficients are the :class:`~matching.rules.PairTable`, and the locked
cells are fixed. :func:`solve_assignment` solves it exactly with
:func:`scipy.optimize.linear_sum_assignment`; the fast path of :func:`matching.solve`, the
forcing costs, Murty's ranking of alternatives, the sensitivity samples and the diagnosis's
feasibility checks all use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from matching.options import MatchSettings
from matching.problem import MatchingProblem
from matching.rules import Route, Rule, blocked, pair_table

Pair = tuple[str, str]


@dataclass(frozen=True)
class AssignmentForm:
    """A problem whose rules all act on single pairs, as a weighted bipartite assignment.

    Maximise ``constant + sum(weight[i, j] for chosen (i, j))`` over pairings that give every
    recipient exactly one supporter, every supporter at most ``capacity`` recipients, use only
    ``allowed`` cells and contain every ``fixed`` cell.
    """

    weight: np.ndarray
    """Objective coefficient of each pair (score plus the change penalty on incumbent pairs)."""
    constant: float
    """Objective constant (minus the change penalty times the number of incumbent pairs)."""
    allowed: np.ndarray
    """Boolean recipient × supporter mask of pairs the rules admit."""
    capacity: int
    fixed: tuple[tuple[int, int], ...]
    """Locked pairs as (row, column) indices."""


def why_not(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> str | None:
    """``None`` when the problem has an assignment form, else the first record's reason."""
    return blocked(problem, settings, Route.ASSIGNMENT_FORM, registry)


def assignment_form(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> AssignmentForm | None:
    """The assignment form of ``problem`` under ``settings``, or ``None`` when it has none."""
    if why_not(problem, settings, registry) is not None:
        return None
    return form_of(problem, settings, registry)


def form_of(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> AssignmentForm:
    """The :class:`AssignmentForm` of the pair table, whether or not other rules bind.

    Exact only where the route predicates say so (:func:`assignment_form`, the fast path).
    """
    table = pair_table(problem, settings, registry)
    return AssignmentForm(
        weight=table.weight,
        constant=table.constant,
        allowed=table.allowed,
        capacity=min(settings.rules.supporter_capacity, len(problem.recipients)),
        fixed=table.fixed,
    )


def solve_assignment(
    form: AssignmentForm,
    extra_fixed: Sequence[tuple[int, int]] = (),
    banned: np.ndarray | None = None,
    weight: np.ndarray | None = None,
) -> tuple[np.ndarray, float] | None:
    """Optimal pairing of ``form``: ``(column of each row, objective)``, or ``None`` if none.

    ``extra_fixed`` adds fixed cells, ``banned`` (boolean mask) removes cells, ``weight``
    replaces the objective coefficients (same mask and constant). The fixed cells are placed
    first (``None`` when two of them clash or one is not allowed); the other rows are one
    :func:`scipy.optimize.linear_sum_assignment` over the supporters' remaining slots.
    """
    w = form.weight if weight is None else weight
    n_r, n_s = w.shape
    allowed = form.allowed if banned is None else form.allowed & ~banned
    if not form.fixed and not extra_fixed and form.capacity == 1:
        # The common case (nothing fixed, one slot each): straight to scipy, no slot
        # bookkeeping and no copy of the matrix when every cell is allowed (at n = 100 the
        # bookkeeping below costs a third of scipy's own solve).
        sub = w if allowed.all() else np.where(allowed, w, -np.inf)
        try:
            ri, ci = linear_sum_assignment(sub, maximize=True)
        except ValueError:  # no complete assignment over the allowed cells
            return None
        if ri.size < n_r:
            return None
        return ci, form.constant + float(w[ri, ci].sum())
    cols = np.full(n_r, -1, dtype=int)
    slots = np.full(n_s, form.capacity, dtype=int)
    total = form.constant
    for i, j in (*form.fixed, *extra_fixed):
        if cols[i] == j:
            continue
        if cols[i] >= 0 or not allowed[i, j] or slots[j] == 0:
            return None
        cols[i] = j
        slots[j] -= 1
        total += float(w[i, j])
    rows = np.flatnonzero(cols < 0)
    if rows.size == 0:
        return cols, total
    copies = np.repeat(np.arange(n_s), slots)
    if copies.size < rows.size:
        return None
    if rows.size == n_r and copies.size == n_s:
        # The common case (nothing fixed, one slot each): no fancy-indexed copy of the matrix,
        # which costs as much as scipy's own solve below n = 200.
        sub = w if allowed.all() else np.where(allowed, w, -np.inf)
    else:
        sub = np.where(allowed[np.ix_(rows, copies)], w[np.ix_(rows, copies)], -np.inf)
    try:
        ri, ci = linear_sum_assignment(sub, maximize=True)
    except ValueError:  # no complete assignment over the allowed cells
        return None
    cols[rows[ri]] = copies[ci]
    total += float(w[rows[ri], copies[ci]].sum())
    return cols, total


def pairs_from_columns(problem: MatchingProblem, cols: np.ndarray) -> tuple[Pair, ...]:
    """Pairs of an assignment given as the column of each row."""
    names = problem.supporter_array[np.asarray(cols, dtype=np.intp)].tolist()
    return tuple(zip(problem.recipients, names, strict=True))
