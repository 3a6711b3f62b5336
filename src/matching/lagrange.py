r"""Lagrangian relaxation of the prefecture-spread rows: a bound, a pairing and a smaller model.

With one supporter per recipient and capacity one, the pairing model is an assignment problem
plus the ``prefecture_spread`` rows :math:`\sum_{r \in P, s \in Q} x_{rs} \le k`. Moving those
rows into the objective with multipliers :math:`\lambda_{PQ} \ge 0` leaves an assignment
problem, solved exactly by :func:`scipy.optimize.linear_sum_assignment`:

.. math::  L(\lambda) = \max_{x \in \text{assignments}}
           \sum_{rs} (b_{rs} - \lambda_{P(r)Q(s)}) x_{rs} + k \sum_{PQ} \lambda_{PQ} + \text{const}

with :math:`b` the objective coefficients (score plus change penalty on incumbent pairs). For
every :math:`\lambda \ge 0`, :math:`L(\lambda)` is an **upper bound** on the optimum (weak
duality). :func:`relax` lowers it by projected subgradient steps (Polyak step towards the best
pairing found), and at each step repairs the assignment into a pairing that satisfies the
spread rows (best exchange of partners between two recipients, or a move to an unused
supporter, until no (P, Q) is over :math:`k`): the best repaired pairing is the **incumbent**.

**Reduced-cost fixing.** With the assignment duals :math:`u, v` at the best :math:`\lambda`
(recovered by a shortest-path pass), the reduced cost :math:`\bar c_{rs} \ge 0` is what forcing
:math:`x_{rs} = 1` costs the assignment, so every pairing that uses :math:`(r, s)` scores at
most :math:`L(\lambda) - \bar c_{rs}`. A pair with :math:`L(\lambda) - \bar c_{rs}` below the
incumbent's objective cannot be in any pairing better than the incumbent and is left out of
the model; the optimum of the smaller model is the optimum of the full one.

If the bound and the incumbent meet within the requested gap, the incumbent is optimal within
that gap and no integer program is solved at all.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import linear_sum_assignment

from matching import fastpath
from matching.model import prefecture_codes, spread_groups
from matching.options import MatchSettings
from matching.problem import MatchingProblem
from matching.rules import Route, Rule, blocked, pair_table

Pair = tuple[str, str]

#: Most subgradient steps of one :func:`relax`.
MAX_ITERATIONS = 300
#: Share of ``solver.time_limit`` the relaxation may use (the rest is for the integer program).
TIME_SHARE = 0.25
#: The subgradient stops when the bound improved by less than this (relative) in
#: :data:`PATIENCE` steps.
PROGRESS = 1e-5
PATIENCE = 25


def why_not(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> str | None:
    """``None`` when :func:`relax` applies, else the first reason it does not.

    Read from the records' route predicates (:attr:`matching.rules.Route.LAGRANGIAN`): today
    it applies when the fast path's only obstacle is a prefecture spread that can bind — one
    supporter per recipient, capacity one, at least as many supporters as recipients,
    objective ``weighted_sum``, no stability, no cap on changes — and ``fast_path`` is on.
    """
    reason = blocked(problem, settings, Route.LAGRANGIAN, registry)
    if reason is None and not settings.fast_path:
        return "fast_path is off"
    return reason


def applies(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> bool:
    """Whether :func:`relax` can be used on this instance."""
    return why_not(problem, settings, registry) is None


@dataclass(frozen=True)
class LagrangianReport:
    """What the relaxation found (kept with the result, ``MatchResult.lagrangian``)."""

    bound: float
    """Best Lagrangian dual bound: no pairing scores more."""
    objective: float | None
    """Objective of the best repaired pairing (``None`` when repair never succeeded)."""
    pairs: tuple[Pair, ...]
    """The best repaired pairing (empty when none was found)."""
    iterations: int
    seconds: float
    allowed: int
    """Pairs the rules allow (locks included)."""
    kept: int
    """Pairs left after reduced-cost fixing against the best known pairing (set by the caller
    once it knows that pairing; against the repaired one by :func:`relax`)."""

    @property
    def gap(self) -> float | None:
        """Relative gap between bound and incumbent (as the solvers report it)."""
        if self.objective is None:
            return None
        return max(0.0, self.bound - self.objective) / max(1e-9, abs(self.objective))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "bound": self.bound,
            "objective": self.objective,
            "gap": self.gap,
            "iterations": self.iterations,
            "seconds": round(self.seconds, 6),
            "allowed_pairs": self.allowed,
            "kept_pairs": self.kept,
        }


@dataclass(frozen=True)
class Relaxation:
    """Outcome of :func:`relax`: the report and, per pair, the best objective it allows."""

    report: LagrangianReport
    best_possible: np.ndarray
    r"""Recipient × supporter: :math:`L(\lambda) - \bar c_{rs}`, an upper bound on the
    objective of every pairing that uses the pair (``-inf`` where the rules exclude it)."""
    incumbent_cells: np.ndarray
    """Recipient × supporter mask of the incumbent's pairs (all False without one)."""

    def proven(self, gap: float) -> bool:
        """Whether the incumbent is optimal within relative ``gap`` by the bound alone."""
        g = self.report.gap
        return g is not None and g <= gap + 1e-9

    def keep(self, lower: float | None) -> np.ndarray:
        """Pairs that can be in a pairing scoring at least ``lower`` (all allowed if ``None``).

        A small tolerance (1e-7 relative) keeps pairs on the edge; the incumbent's pairs are
        always kept.
        """
        allowed = np.isfinite(self.best_possible)
        if lower is None:
            return allowed
        margin = 1e-7 * max(1.0, abs(lower))
        return (allowed & (self.best_possible >= lower - margin)) | self.incumbent_cells

    def core(self, per_row: int) -> np.ndarray:
        """Per recipient, the ``per_row`` allowed pairs with the best ``best_possible``.

        A heuristic restriction (plus the incumbent's pairs): its optimum is a good pairing,
        proven optimal only when :meth:`keep` of its objective lies inside it.
        """
        allowed = np.isfinite(self.best_possible)
        take = min(per_row, self.best_possible.shape[1])
        top = np.argpartition(-np.where(allowed, self.best_possible, -np.inf), take - 1, axis=1)
        mask = np.zeros_like(allowed)
        rows = np.arange(mask.shape[0])[:, None]
        mask[rows, top[:, :take]] = True
        return (mask & allowed) | self.incumbent_cells


def assignment_duals(cost: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Optimal duals :math:`u, v` of a square assignment ``cost`` solved by ``cols``.

    ``cols[i]`` is row i's column in an optimal assignment; ``inf`` marks forbidden cells. The
    duals satisfy :math:`u_i + v_j \le C_{ij}` with equality on the assignment. :math:`v` are
    shortest-path potentials of the residual graph (Bellman–Ford from a virtual source, edge
    :math:`\sigma(i) \to j` of length :math:`C_{ij} - C_{i\sigma(i)}`; no negative cycle exists
    because the assignment is optimal), and :math:`u_i = C_{i\sigma(i)} - v_{\sigma(i)}`.
    """
    n = cost.shape[0]
    own = cost[np.arange(n), cols]
    step = cost - own[:, None]
    v = np.zeros(n)
    for _ in range(n + 1):
        reach = (v[cols][:, None] + step).min(axis=0)
        new = np.minimum(v, reach)
        if np.all(new >= v - 1e-12):
            break
        v = new
    return own - v[cols], v


@dataclass
class _Instance:
    benefit: np.ndarray
    """Objective coefficients (finite everywhere)."""
    cost: np.ndarray
    """``-benefit`` with ``inf`` on pairs the rules exclude (and around locks)."""
    constant: float
    group: np.ndarray
    """Per pair, the code of its (P, Q) combination."""
    n_groups: int
    limit: int
    binding: np.ndarray
    """Per (P, Q) code: whether it has a spread row."""
    allowed: np.ndarray
    """Where ``cost`` is finite."""


def _instance(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> _Instance:
    cost, constant = fastpath.cost_matrix(problem, settings, registry)
    benefit = pair_table(problem, settings, registry).weight
    r_code, s_code = prefecture_codes(problem)
    width = int(s_code.max()) + 1
    n_groups = (int(r_code.max()) + 1) * width
    binding = np.zeros(n_groups, dtype=bool)
    for g in spread_groups(problem, settings):
        binding[g.position[0] * width + g.position[1]] = True
    return _Instance(
        benefit=benefit,
        cost=cost,
        constant=constant,
        group=r_code[:, None] * width + s_code[None, :],
        n_groups=n_groups,
        limit=settings.rules.prefecture_spread,
        binding=binding,
        allowed=np.isfinite(cost),
    )


def _counts(inst: _Instance, cols: np.ndarray) -> np.ndarray:
    g = inst.group[np.arange(len(cols)), cols]
    return np.bincount(g, minlength=inst.n_groups)


def _after(
    counts: np.ndarray,
    at: np.ndarray,
    g: int,
    old: np.ndarray,
    ga: np.ndarray,
    gb: np.ndarray,
) -> np.ndarray:
    """Count of (P, Q) ``at`` after r1 leaves ``g`` for ``ga`` and r2 leaves ``old`` for ``gb``."""
    return counts[at] - (at == g) - (at == old) + (at == ga) + (at == gb)


def _best_change(
    inst: _Instance,
    cols: np.ndarray,
    counts: np.ndarray,
    used: np.ndarray,
    old: np.ndarray,
    g: int,
) -> tuple[float, int, int, int] | None:
    """Cheapest admissible change taking one recipient out of the over-full (P, Q) ``g``.

    ``(loss, r1, kind, target)``: kind 0 swaps r1's partner with recipient ``target``'s, kind 1
    moves r1 to the unused supporter ``target``.
    """
    n_r = inst.cost.shape[0]
    rows = np.arange(n_r)
    k = inst.limit
    allowed = inst.allowed
    best: tuple[float, int, int, int] | None = None
    members = np.flatnonzero(old == g)
    for r1 in members.tolist():
        s1 = int(cols[r1])
        here = inst.benefit[r1, s1]
        # swap with r2: r1 -> cols[r2], r2 -> s1
        ga = inst.group[r1, cols]
        gb = inst.group[rows, s1]

        ok = allowed[r1, cols] & allowed[rows, s1] & (rows != r1)
        ok &= (_after(counts, ga, g, old, ga, gb) <= k) & (_after(counts, gb, g, old, ga, gb) <= k)
        gain = inst.benefit[r1, cols] + inst.benefit[rows, s1] - here
        gain = gain - inst.benefit[rows, cols]
        if ok.any():
            r2 = int(np.flatnonzero(ok)[np.argmax(gain[ok])])
            if best is None or -gain[r2] < best[0]:
                best = (float(-gain[r2]), r1, 0, r2)
        free = np.flatnonzero(~used)
        if free.size:
            gf = inst.group[r1, free]
            okf = allowed[r1, free] & (counts[gf] - (gf == g) + 1 <= k)
            if okf.any():
                gainf = inst.benefit[r1, free] - here
                t = int(np.flatnonzero(okf)[np.argmax(gainf[okf])])
                if best is None or -gainf[t] < best[0]:
                    best = (float(-gainf[t]), r1, 1, int(free[t]))
    return best


def repair(inst: _Instance, cols: np.ndarray) -> np.ndarray | None:
    """Make an assignment satisfy the spread rows by best single exchanges, or ``None``.

    While some (P, Q) holds more than ``k`` pairs, one of the recipients of an over-full (P, Q)
    either swaps partners with another recipient or moves to an unused supporter, choosing
    the change that loses the least objective among those leaving every (P, Q) it fills
    within ``k`` and using allowed pairs only. ``None`` when no such change is left.
    """
    n_r, n_s = inst.cost.shape
    rows = np.arange(n_r)
    cols = cols.copy()
    counts = _counts(inst, cols)
    used = np.zeros(n_s, dtype=bool)
    used[cols] = True
    k = inst.limit
    for _ in range(4 * n_r):
        over = np.flatnonzero(counts > k)
        if not over.size:
            return cols
        old = inst.group[rows, cols]
        best: tuple[float, int, int, int] | None = None  # (loss, r1, kind, target)
        for g in over.tolist():  # the first over-full (P, Q) that admits a change
            best = _best_change(inst, cols, counts, used, old, g)
            if best is not None:
                break
        if best is None:
            return None
        _, r1, kind, target = best
        s1 = int(cols[r1])
        if kind == 0:
            r2 = target
            cols[r1], cols[r2] = cols[r2], s1
        else:
            used[s1], used[target] = False, True
            cols[r1] = target
        counts = _counts(inst, cols)
    return None


def _solve_lsa(cost: np.ndarray) -> np.ndarray | None:
    try:
        _, cols = linear_sum_assignment(cost)
    except ValueError:
        return None
    return cols


def relax(
    problem: MatchingProblem,
    settings: MatchSettings,
    time_limit: float | None = None,
    registry: Iterable[Rule] | None = None,
) -> Relaxation | None:
    """Run the Lagrangian relaxation of the spread rows.

    ``None`` when even the assignment without spread rows is infeasible (the integer program
    then reports why).

    ``time_limit`` defaults to :data:`TIME_SHARE` × ``settings.solver.time_limit``.
    """
    start = time.perf_counter()
    limit = TIME_SHARE * settings.solver.time_limit if time_limit is None else time_limit
    inst = _instance(problem, settings, registry)
    rows = np.arange(inst.cost.shape[0])
    lam = np.zeros(inst.n_groups)
    best_bound, best_lam, best_cols = math.inf, lam, None
    incumbent: np.ndarray | None = None
    lower = -math.inf
    theta, stall, iterations = 2.0, 0, 0
    k = inst.limit
    tol = 1e-9
    history: list[float] = []
    while iterations < MAX_ITERATIONS and time.perf_counter() - start < limit:
        iterations += 1
        history.append(best_bound)
        if len(history) > PATIENCE and history[-PATIENCE - 1] - best_bound <= PROGRESS * abs(
            best_bound
        ):
            break
        shifted = inst.cost + lam[inst.group]
        cols = _solve_lsa(shifted)
        if cols is None:
            return None
        value = -float(shifted[rows, cols].sum()) + k * float(lam.sum()) + inst.constant
        if value < best_bound - 1e-12:
            best_bound, best_lam, best_cols, stall = value, lam, cols, 0
        else:
            stall += 1
            if stall >= 5:
                theta, stall = theta / 2, 0
        fixed = repair(inst, cols)
        if fixed is not None:
            objective = float(inst.benefit[rows, fixed].sum()) + inst.constant
            if objective > lower:
                lower, incumbent = objective, fixed
        scale = max(1e-9, abs(lower)) if incumbent is not None else math.inf
        if (best_bound - lower) / scale <= max(settings.solver.gap, 0.0) + tol:
            break
        sub = np.where(inst.binding, _counts(inst, cols) - k, 0).astype(float)
        sub[(lam <= 0) & (sub < 0)] = 0.0
        norm = float(sub @ sub)
        if norm == 0.0 or theta < 1e-4:
            break
        target = lower if incumbent is not None else best_bound - 0.01 * abs(best_bound) - 1e-3
        lam = np.maximum(0.0, lam + theta * max(value - target, 1e-9) / norm * sub)
    assert best_cols is not None  # at least one step ran (the limit is positive)
    best_possible = _best_possible(inst, best_lam, best_cols, best_bound)
    cells = np.zeros(inst.cost.shape, dtype=bool)
    pairs: tuple[Pair, ...] = ()
    if incumbent is not None:
        cells[rows, incumbent] = True
        pairs = tuple(
            (problem.recipients[i], problem.supporters[j])
            for i, j in zip(rows.tolist(), incumbent.tolist(), strict=True)
        )
    relaxation = Relaxation(
        report=LagrangianReport(
            bound=best_bound,
            objective=lower if incumbent is not None else None,
            pairs=pairs,
            iterations=iterations,
            seconds=0.0,
            allowed=int(np.isfinite(inst.cost).sum()),
            kept=0,
        ),
        best_possible=best_possible,
        incumbent_cells=cells,
    )
    kept = int(relaxation.keep(relaxation.report.objective).sum())
    report = replace(relaxation.report, kept=kept, seconds=time.perf_counter() - start)
    return replace(relaxation, report=report)


def _best_possible(inst: _Instance, lam: np.ndarray, cols: np.ndarray, bound: float) -> np.ndarray:
    """Per pair, the Lagrangian bound minus its reduced cost (``-inf`` where excluded)."""
    n_r, n_s = inst.cost.shape
    square = np.zeros((n_s, n_s))
    square[:n_r] = inst.cost + lam[inst.group]
    full = np.empty(n_s, dtype=np.intp)
    full[:n_r] = cols
    spare = np.setdiff1d(np.arange(n_s), cols)
    full[n_r:] = spare  # padding rows cost 0 everywhere: any spare column is optimal
    u, v = assignment_duals(square, full)
    reduced = square[:n_r] - u[:n_r, None] - v[None, :]
    return np.where(np.isfinite(inst.cost), bound - np.maximum(reduced, 0.0), -np.inf)
