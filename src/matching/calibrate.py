r"""Weight calibration: the criterion weights under which a reference pairing is optimal.

Inverse optimisation of the assignment (Ahuja & Orlin 2001, *Inverse optimization*, the L1
inverse assignment), with the weights as the unknowns instead of the costs. The pairing
objective is :math:`\sum_{(r,s)} x_{rs} \sum_k w_k c_k(r,s)`; for weights :math:`w` on the
simplex, a one-to-one pairing :math:`x` is optimal exactly when there are dual prices
:math:`u_r` (free) and :math:`v_s \ge 0` (0 for a supporter left unpaired) with

.. math::

    u_r + v_s - \sum_k w_k c_k(r,s) \ge 0 \quad \text{for every allowed pair}, \qquad
    u_r + v_s = \sum_k w_k c_k(r,s) \quad \text{for the reference pairs.}

Stage 1 (:func:`_solve_lp`) finds the weights under which the reference is closest to optimal:

.. math::

    \min \sum_{r \in \mathrm{ref}} e_r \quad \text{s.t.} \quad
    u_r + v_s - \sum_k w_k c_k(r,s) \ge \delta \;\; ((r,s) \text{ allowed, not reference}),
    \qquad u_r + v_{\sigma(r)} - \sum_k w_k c_k(r,\sigma(r)) = e_r \ge 0,

    \sum_k w_k = 1,\; w \ge 0,\; w_k = \bar w_k \;(k \text{ fixed}),\; \delta = 0.

:math:`e_r` is the reduced cost left on reference pair :math:`(r, \sigma(r))`; at the optimum
:math:`\sum_r e_r` equals the least optimality gap of the reference over all weightings
(:math:`\sum u + \sum v` is then the optimum, by LP duality), so it is 0 exactly when some
weighting makes the reference optimal. A reference pair with :math:`e_r > 0` at the optimum
is one the weighting found does not explain. Stage 2 keeps
:math:`\sum e \le e^* (1 + 10^{-6}) + 10^{-9}` and maximises the margin
:math:`\delta \in [0, 1]` of every competing pair: among the weights that explain the
reference equally well it takes those under which it wins by the widest margin, so a
criterion that is constant over the pairs (which "explains" any pairing) does not win by a
tie. Both LPs are solved by HiGHS through :func:`scipy.optimize.linprog`.

A *partial* reference (some recipients only) is completed: the missing recipients get the
best partners under the current weights with the reference locked, the LP is solved on the
completed pairing, and the completion is redone under the new weights until it no longer
changes (at most :data:`ROUNDS` rounds; the round with the smallest violation is kept). This is
a heuristic — the exact problem is bilinear in the weights and the completion — and the
re-solve with the calibrated weights reports how many reference pairs it really reproduces.
Full details and a worked example: ``docs/calibration.md``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment, linprog

from matching.options import MatchRules, MatchSettings
from matching.problem import CRITERIA, InputError, MatchingProblem
from matching.solve import solve

Pair = tuple[str, str]

#: Completion rounds for a partial reference (see the module docstring).
ROUNDS = 6
#: Violation below this (score points) counts as none.
TOLERANCE = 1e-7
#: Rules of :class:`MatchRules` the calibration does not model (they are reported, not used).
UNMODELLED = ("prefecture_spread", "stable", "max_changes", "change_penalty", "min_pair_score")


class CalibrationError(InputError):
    """The reference cannot be calibrated on (a broken hard rule, an unknown county, ...)."""


@dataclass(frozen=True)
class Unexplained:
    """A reference pair no weighting makes optimal: its strongest competitor and why."""

    recipient: str
    supporter: str
    competitor: str
    """The supporter that beats the reference partner (see :func:`_unexplained`)."""
    violation: float
    """The reference pair's reduced cost e_r at the optimum (score points)."""
    gap: float
    """Calibrated score of (recipient, competitor) minus that of the reference pair."""
    beaten_on: tuple[str, ...]
    """Criteria on which the competing pair scores higher than the reference pair."""


@dataclass(frozen=True)
class Fold:
    """One cross-validation fold: calibrated on the other folds, tested on this one."""

    index: int
    held_out: tuple[Pair, ...]
    weights: Mapping[str, float]
    exact: int
    """Held-out recipients paired with their reference supporter by the re-solve."""
    same_prefecture: int
    """Held-out recipients paired with a supporter of the reference supporter's prefecture."""


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`calibrate` (frozen; :meth:`tables` and :meth:`to_dict` report it)."""

    weights: Mapping[str, float]
    """Calibrated weights, sum 1 over the criteria of the problem."""
    start_weights: Mapping[str, float]
    fixed: Mapping[str, float]
    reference: tuple[Pair, ...]
    violation: float
    """Stage-1 optimum: total reduced-cost violation (score points); 0 = reference optimal."""
    margin: float
    """Stage-2 margin :math:`\\delta` (score points) by which the reference wins."""
    pairing: tuple[Pair, ...]
    """The pairing solved under the calibrated weights (with the problem's rules)."""
    status: str
    """Status of that solve."""
    reproduced: tuple[Pair, ...]
    """Reference pairs the solved pairing contains."""
    unexplained: tuple[Unexplained, ...]
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    """Criterion -> bootstrap 5 % and 95 % quantiles (empty without ``bootstrap``)."""
    bootstrap: int = 0
    folds: tuple[Fold, ...] = ()
    seed: int = 0
    ignored_rules: tuple[str, ...] = ()
    """Rules in force that the calibration does not model (see :data:`UNMODELLED`)."""
    seconds: float = 0.0

    @property
    def recovered_rate(self) -> float:
        """Share of reference pairs the calibrated pairing reproduces."""
        return len(self.reproduced) / len(self.reference) if self.reference else 1.0

    def held_out_agreement(self) -> tuple[int, int, int]:
        """Held-out pairs over all folds: (total, exact, same prefecture)."""
        return (
            sum(len(f.held_out) for f in self.folds),
            sum(f.exact for f in self.folds),
            sum(f.same_prefecture for f in self.folds),
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """``weights``, ``reference``, ``unexplained`` and (with ``folds``) ``folds`` frames."""
        rows = []
        for c, w in self.weights.items():
            lo, hi = self.ranges.get(c, (math.nan, math.nan))
            rows.append(
                {
                    "criterion": c,
                    "weight": w,
                    "start_weight": self.start_weights.get(c, math.nan),
                    "fixed": c in self.fixed,
                    "low_5": lo,
                    "high_95": hi,
                }
            )
        chosen = dict(self.pairing)
        reproduced = set(self.reproduced)
        unexplained = {(u.recipient, u.supporter) for u in self.unexplained}
        ref = [
            {
                "recipient": r,
                "supporter": s,
                "calibrated_supporter": chosen.get(r, ""),
                "reproduced": (r, s) in reproduced,
                "explained": (r, s) not in unexplained,
            }
            for r, s in self.reference
        ]
        out = {
            "weights": pd.DataFrame(
                rows, columns=["criterion", "weight", "start_weight", "fixed", "low_5", "high_95"]
            ),
            "reference": pd.DataFrame(
                ref,
                columns=[
                    "recipient",
                    "supporter",
                    "calibrated_supporter",
                    "reproduced",
                    "explained",
                ],
            ),
            "unexplained": pd.DataFrame(
                [
                    {
                        **{k: v for k, v in dataclasses.asdict(u).items() if k != "beaten_on"},
                        "beaten_on": ";".join(u.beaten_on),
                    }
                    for u in self.unexplained
                ],
                columns=["recipient", "supporter", "competitor", "violation", "gap", "beaten_on"],
            ),
        }
        if self.folds:
            out["folds"] = pd.DataFrame(
                [
                    {
                        "fold": f.index,
                        "held_out": len(f.held_out),
                        "exact": f.exact,
                        "same_prefecture": f.same_prefecture,
                        **{f"w_{c}": w for c, w in f.weights.items()},
                    }
                    for f in self.folds
                ]
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able values."""
        total, exact, same = self.held_out_agreement()
        return {
            "weights": dict(self.weights),
            "start_weights": dict(self.start_weights),
            "fixed": dict(self.fixed),
            "violation": self.violation,
            "margin": self.margin,
            "reference_pairs": len(self.reference),
            "reproduced": len(self.reproduced),
            "recovered_rate": self.recovered_rate,
            "solve_status": self.status,
            "pairing": [list(p) for p in self.pairing],
            "unexplained": [
                {**dataclasses.asdict(u), "beaten_on": list(u.beaten_on)} for u in self.unexplained
            ],
            "ranges": {c: list(v) for c, v in self.ranges.items()},
            "bootstrap": self.bootstrap,
            "folds": [
                {
                    "fold": f.index,
                    "held_out": [list(p) for p in f.held_out],
                    "weights": dict(f.weights),
                    "exact": f.exact,
                    "same_prefecture": f.same_prefecture,
                }
                for f in self.folds
            ],
            "cross_validation": {"held_out": total, "exact": exact, "same_prefecture": same},
            "seed": self.seed,
            "ignored_rules": list(self.ignored_rules),
            "seconds": self.seconds,
        }


# --------------------------------------------------------------------------------------------
# checks


def _check_reference(
    problem: MatchingProblem, reference: Sequence[Pair], rules: MatchRules
) -> list[Pair]:
    """The reference as pairs, or one :class:`CalibrationError` naming every broken rule."""
    problems: list[str] = []
    seen_r: dict[str, str] = {}
    seen_s: dict[str, str] = {}
    forbids = set(rules.forbids)
    out: list[Pair] = []
    for i, (r, s) in enumerate(reference, start=1):
        where = f"reference pair {i} ({r}, {s})"
        bad = False
        if not problem.is_recipient(r):
            problems.append(f"{where}: unknown recipient {r!r} (not a recipient of this problem)")
            bad = True
        if not problem.is_supporter(s):
            problems.append(f"{where}: unknown supporter {s!r} (not a supporter of this problem)")
            bad = True
        if bad:
            continue
        if (r, s) in forbids:
            problems.append(f"{where} breaks the rule forbid: the pair is forbidden")
        d = float(problem.distance[problem.r_index(r), problem.s_index(s)])
        if d > rules.max_distance:
            problems.append(
                f"{where} breaks the rule max_distance: {d:.0f} {problem.distance_unit} > "
                f"{rules.max_distance:g}"
            )
        if r in seen_r:
            problems.append(f"{where}: recipient {r!r} already paired with {seen_r[r]!r}")
        if s in seen_s:
            problems.append(f"{where}: supporter {s!r} already paired with {seen_s[s]!r}")
        seen_r.setdefault(r, s)
        seen_s.setdefault(s, r)
        out.append((r, s))
    for r, s in rules.locks:
        if r in seen_r and seen_r[r] != s:
            problems.append(
                f"lock ({r}, {s}) is broken by the reference, which pairs {r!r} with {seen_r[r]!r}"
            )
        elif s in seen_s and seen_s[s] != r:
            problems.append(
                f"lock ({r}, {s}) is broken by the reference, which pairs {s!r} with {seen_s[s]!r}"
            )
    if not out and not problems:
        problems.append("the reference holds no pairs")
    if problems:
        raise CalibrationError(problems)
    return out


def _check_settings(problem: MatchingProblem, settings: MatchSettings) -> tuple[str, ...]:
    rules = settings.rules
    problems = []
    if rules.supporter_capacity != 1 or rules.recipient_demand != 1:
        problems.append(
            "calibration models the one-to-one pairing only (supporter_capacity = "
            f"recipient_demand = 1), got {rules.supporter_capacity} and {rules.recipient_demand}"
        )
    if len(problem.recipients) > len(problem.supporters):
        problems.append("calibration needs at least as many supporters as recipients")
    if problems:
        raise CalibrationError(problems)
    default = MatchRules()
    return tuple(k for k in UNMODELLED if getattr(rules, k) != getattr(default, k))


def _fixed_weights(problem: MatchingProblem, fixed: Mapping[str, float] | None) -> dict[str, float]:
    fixed = dict(fixed or {})
    names = [c for c in CRITERIA if c in problem.criteria]
    problems = []
    for c, w in fixed.items():
        if c not in names:
            problems.append(f"fixed weight for unknown criterion {c!r}; known: {', '.join(names)}")
        elif not (0.0 <= w <= 1.0):
            problems.append(f"fixed weight of {c!r} must be in [0, 1], got {w!r}")
    total = sum(fixed.values())
    if total > 1.0 + 1e-9:
        problems.append(f"fixed weights sum to {total:g}, more than 1")
    if len(fixed) == len(names) and abs(total - 1.0) > 1e-9:
        problems.append(f"every weight is fixed, so they must sum to 1, got {total:g}")
    if problems:
        raise CalibrationError(problems)
    return {c: float(w) for c, w in fixed.items()}


# --------------------------------------------------------------------------------------------
# the LP


@dataclass(frozen=True)
class _Instance:
    """The calibration data: the criteria in use, the allowed pairs, rows/columns in play."""

    names: tuple[str, ...]
    stack: np.ndarray
    """(K, R, S) criterion matrices."""
    allowed: np.ndarray
    """(R, S) bool: pairs the rules allow (locked counties' rows and columns removed)."""
    rows: np.ndarray
    """Recipient positions in play (not locked)."""
    cols: np.ndarray
    """Supporter positions in play."""


def _instance(problem: MatchingProblem, rules: MatchRules) -> _Instance:
    names = tuple(c for c in CRITERIA if c in problem.criteria)
    stack = np.stack([np.asarray(problem.criteria[c], dtype=float) for c in names])
    allowed = np.asarray(problem.distance, dtype=float) <= rules.max_distance
    for r, s in rules.forbids:
        if problem.is_recipient(r) and problem.is_supporter(s):
            allowed[problem.r_index(r), problem.s_index(s)] = False
    locked_r = {problem.r_index(r) for r, _ in rules.locks}
    locked_s = {problem.s_index(s) for _, s in rules.locks}
    rows = np.array([i for i in range(len(problem.recipients)) if i not in locked_r], dtype=int)
    cols = np.array([j for j in range(len(problem.supporters)) if j not in locked_s], dtype=int)
    return _Instance(names, stack, allowed, rows, cols)


@dataclass(frozen=True)
class _LPSolution:
    weights: np.ndarray
    violation: float
    margin: float
    slack: dict[int, float]
    """Reference row -> its violation e_r (only rows with e_r > TOLERANCE)."""


def _solve_lp(
    inst: _Instance,
    ref: Mapping[int, int],
    fixed: Mapping[str, float],
    row_weight: Mapping[int, float] | None = None,
) -> _LPSolution:
    """Stage 1 (min violation) then stage 2 (max margin) on a reference covering every row.

    ``row_weight`` weighs each reference pair's violation (the bootstrap's multiplicities).
    """
    rows, cols = inst.rows, inst.cols
    k_free = [k for k, c in enumerate(inst.names) if c not in fixed]
    w_fixed = np.array([fixed.get(c, 0.0) for c in inst.names])
    pos_r = {int(r): i for i, r in enumerate(rows)}
    pos_s = {int(s): j for j, s in enumerate(cols)}
    used_s = set(ref.values())
    pairs = [
        (int(r), int(s))
        for r in rows
        for s in cols
        if inst.allowed[r, s] or ref.get(int(r)) == int(s)
    ]
    is_ref = np.array([ref.get(r) == s for r, s in pairs])
    ref_rows = [r for (r, _), f in zip(pairs, is_ref, strict=True) if f]
    nk, nr, ns, ne = len(k_free), len(rows), len(cols), len(ref_rows)
    # variables: w_free (nk) | u (nr) | v (ns) | e (ne, one per reference pair) | delta (1)
    n_var = nk + nr + ns + ne + 1
    iu, ie, idl = nk, nk + nr + ns, nk + nr + ns + ne
    pr = np.array([r for r, _ in pairs], dtype=int)
    ps = np.array([s for _, s in pairs], dtype=int)
    c_all = inst.stack[:, pr, ps]  # (K, P)
    fixed_part = w_fixed @ c_all  # score of the fixed criteria, per pair (a constant)
    free_part = c_all[k_free].T  # (P, nk)
    ru = np.array([pos_r[r] for r in pr])
    sv = np.array([pos_s[s] for s in ps])

    def rows_of(mask: np.ndarray, sign: float, extra: sp.csr_matrix) -> sp.csr_matrix:
        # sign * (u_r + v_s - w·c) plus the e / delta columns in ``extra``
        m = int(mask.sum())
        idx = np.arange(m)
        return sp.hstack(
            [
                sp.csr_matrix(-sign * free_part[mask]) if nk else sp.csr_matrix((m, 0)),
                sp.csr_matrix((np.full(m, sign), (idx, ru[mask])), shape=(m, nr)),
                sp.csr_matrix((np.full(m, sign), (idx, sv[mask])), shape=(m, ns)),
                extra,
            ],
            format="csr",
        )

    n_other = int((~is_ref).sum())
    # competitors: u + v - w·c - delta >= fixed part, written as <=
    a_ub = rows_of(~is_ref, -1.0, sp.hstack([sp.csr_matrix((n_other, ne)), np.ones((n_other, 1))]))
    b_ub = -fixed_part[~is_ref]
    # reference pairs: u + v - w·c - e = fixed part (e >= 0: the pair's reduced cost)
    a_ref = rows_of(
        is_ref, 1.0, sp.hstack([-sp.identity(ne, format="csr"), sp.csr_matrix((ne, 1))])
    )
    simplex = sp.csr_matrix(
        (np.ones(nk), (np.zeros(nk, dtype=int), np.arange(nk))), shape=(1, n_var)
    )
    a_eq = sp.vstack([a_ref, simplex], format="csr")
    b_eq = np.concatenate([fixed_part[is_ref], [1.0 - w_fixed.sum()]])
    bounds = (
        [(0.0, None)] * nk
        + [(None, None)] * nr
        # an unpaired supporter's price is 0 (complementary slackness on its <= 1 row)
        + [(0.0, None) if int(s) in used_s else (0.0, 0.0) for s in cols]
        + [(0.0, None)] * ne
        + [(0.0, 0.0)]
    )
    cost = np.zeros(n_var)
    cost[ie:idl] = 1.0 if row_weight is None else [row_weight[r] for r in ref_rows]
    first = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if first.status != 0:
        raise RuntimeError(f"calibration LP not solved: {first.message}")
    violation = float(first.fun)
    # stage 2: keep the violation, widen the margin delta over every competing pair
    cap = sp.csr_matrix(
        (cost[ie:idl], (np.zeros(ne, dtype=int), np.arange(ie, idl))), shape=(1, n_var)
    )
    bounds[idl] = (0.0, 1.0)
    cost2 = np.zeros(n_var)
    cost2[idl] = -1.0
    second = linprog(
        cost2,
        A_ub=sp.vstack([a_ub, cap], format="csr"),
        b_ub=np.concatenate([b_ub, [violation * (1 + 1e-6) + 1e-9]]),
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=bounds,
        method="highs",
    )
    x = second.x if second.status == 0 else first.x
    w = w_fixed.copy()
    w[k_free] = np.clip(x[:iu], 0.0, None)
    w = w / w.sum()
    slack = {r: float(e) for r, e in zip(ref_rows, x[ie:idl], strict=True) if e > TOLERANCE}
    margin = float(x[idl]) if second.status == 0 else 0.0
    return _LPSolution(w, violation, margin, slack)


def _completion(inst: _Instance, w: np.ndarray, ref: Mapping[int, int]) -> dict[int, int]:
    """``ref`` plus the best partners of the other rows under ``w`` (reference held)."""
    score = np.tensordot(w, inst.stack, axes=1)
    rows = [int(r) for r in inst.rows if int(r) not in ref]
    cols = [int(s) for s in inst.cols if int(s) not in set(ref.values())]
    out = dict(ref)
    if not rows:
        return out
    sub = score[np.ix_(rows, cols)]
    sub = np.where(inst.allowed[np.ix_(rows, cols)], sub, -1e6)
    ri, ci = linear_sum_assignment(sub, maximize=True)
    out.update({rows[i]: cols[j] for i, j in zip(ri, ci, strict=True)})
    return out


def _resample(
    inst: _Instance, ref: Mapping[int, int], fixed: Mapping[str, float], rng: np.random.Generator
) -> _LPSolution:
    """One bootstrap draw: the reference pairs drawn with replacement, as a smaller instance.

    The drawn recipients, their reference supporters and the supporters the reference leaves
    unpaired (competitors at price 0) make the instance; a pair drawn m times weighs its row's
    violations m times. Rows of a partial reference are completed first (as :func:`_fit`).
    """
    items = sorted(ref.items())
    counts = np.bincount(rng.integers(0, len(items), len(items)), minlength=len(items))
    drawn = {items[i][0]: items[i][1] for i in np.flatnonzero(counts)}
    weight = {items[i][0]: float(counts[i]) for i in np.flatnonzero(counts)}
    return _sub_lp(inst, drawn, fixed, weight, unpaired_of=ref)


def _sub_lp(
    inst: _Instance,
    drawn: Mapping[int, int],
    fixed: Mapping[str, float],
    weight: Mapping[int, float],
    unpaired_of: Mapping[int, int] | None = None,
) -> _LPSolution:
    """The LP on the counties of ``drawn`` and the supporters ``unpaired_of`` leaves free."""
    ref = drawn if unpaired_of is None else unpaired_of
    unpaired = [int(s) for s in inst.cols if int(s) not in set(ref.values())]
    sub = dataclasses.replace(
        inst,
        rows=np.array(sorted(drawn), dtype=int),
        cols=np.array(sorted([*drawn.values(), *unpaired]), dtype=int),
    )
    return _solve_lp(sub, drawn, fixed, weight)


def _fit(
    inst: _Instance, ref: Mapping[int, int], fixed: Mapping[str, float], start: np.ndarray
) -> _LPSolution:
    """The LP on the reference, completed when it is partial (best round kept)."""
    if not ref:  # only locked pairs: nothing to learn, the weights stay where they were
        return _LPSolution(start, 0.0, 0.0, {})
    if len(ref) == len(inst.rows):
        return _solve_lp(inst, ref, fixed)
    # the first completion comes from the reference alone (its counties as a smaller
    # instance), not from ``start``: held-out pairs must not be predicted by the scenario
    w = _sub_lp(inst, ref, fixed, {r: 1.0 for r in ref}).weights
    best: _LPSolution | None = None
    seen: set[tuple[tuple[int, int], ...]] = set()
    for _ in range(ROUNDS):
        full = _completion(inst, w, ref)
        key = tuple(sorted(full.items()))
        if key in seen:
            break
        seen.add(key)
        sol = _solve_lp(inst, full, fixed)
        if best is None or sol.violation < best.violation - TOLERANCE:
            best = sol
        w = sol.weights
    assert best is not None
    return best


# --------------------------------------------------------------------------------------------
# the public function


def calibrate(
    problem: MatchingProblem,
    reference: Sequence[Pair],
    *,
    settings: MatchSettings | None = None,
    fixed: Mapping[str, float] | None = None,
    folds: int = 0,
    bootstrap: int = 0,
    seed: int = 20210101,
) -> Calibration:
    """The criterion weights under which ``reference`` is optimal, or closest to optimal.

    ``reference`` is a list of (recipient id, supporter id) pairs, for every recipient or
    some (a partial reference). The rules of ``settings`` bind: forbidden pairs and pairs over
    ``max_distance`` are not competitors, and a reference pair that breaks them (or names an
    unknown county, or breaks a lock) is refused with :class:`CalibrationError` naming the
    rule; locked pairs carry no information and are left out. ``fixed`` holds weights the
    planner sets (criterion -> weight in [0, 1]); the others share the remainder. The pairing
    is then solved under the calibrated weights with the same settings. ``bootstrap = N``
    resamples the reference pairs N times for 5–95 % weight ranges; ``folds = K`` holds out
    each of K seeded folds in turn. Deterministic in ``seed``.

    >>> from matching.instances import make_problem
    >>> p = make_problem(5, 5, seed=3, prefs=False, incumbent=False)
    >>> ref = solve(p).pairs
    >>> cal = calibrate(p, ref)
    >>> cal.violation < 1e-7 and len(cal.reproduced) == 5
    True
    """
    t0 = time.perf_counter()
    settings = settings or MatchSettings()
    ignored = _check_settings(problem, settings)
    pairs = _check_reference(problem, list(reference), settings.rules)
    fix = _fixed_weights(problem, fixed)
    if folds and not 2 <= folds <= len(pairs):
        raise CalibrationError(
            f"folds must be 0 (off) or 2..{len(pairs)} (the reference pairs), got {folds}"
        )
    if bootstrap < 0:
        raise CalibrationError(f"bootstrap must be 0 (off) or positive, got {bootstrap}")
    inst = _instance(problem, settings.rules)
    locked = set(settings.rules.locks)
    start = np.array([problem.weights.get(c, 0.0) for c in inst.names])
    start = start / start.sum() if start.sum() > 0 else np.full(len(start), 1 / len(start))

    def cells(subset: Sequence[Pair]) -> dict[int, int]:
        return {problem.r_index(r): problem.s_index(s) for r, s in subset if (r, s) not in locked}

    if not cells(pairs):
        raise CalibrationError(
            "every reference pair is locked by the rules: they hold whatever the weights, so "
            "there is nothing to calibrate on"
        )
    sol = _fit(inst, cells(pairs), fix, start)
    weights = {c: float(w) for c, w in zip(inst.names, sol.weights, strict=True)}
    result = solve(dataclasses.replace(problem, weights=weights), settings)
    chosen = set(result.pairs)
    reproduced = tuple(p for p in pairs if p in chosen)
    unexplained = _unexplained(
        problem, inst, [p for p in pairs if p not in locked], sol, dict(result.pairs)
    )

    rng = np.random.default_rng(seed)
    ranges: dict[str, tuple[float, float]] = {}
    if bootstrap:
        drawn = [_resample(inst, cells(pairs), fix, rng).weights for _ in range(bootstrap)]
        arr = np.array(drawn)
        ranges = {
            c: (float(np.quantile(arr[:, k], 0.05)), float(np.quantile(arr[:, k], 0.95)))
            for k, c in enumerate(inst.names)
        }
    fold_results: list[Fold] = []
    if folds:
        order = np.random.default_rng(seed).permutation(len(pairs))
        for index, part in enumerate(np.array_split(order, folds)):
            held = [pairs[i] for i in sorted(part.tolist())]
            keep = [p for i, p in enumerate(pairs) if i not in set(part.tolist())]
            fit = _fit(inst, cells(keep), fix, start)
            fw = {c: float(w) for c, w in zip(inst.names, fit.weights, strict=True)}
            got = dict(solve(dataclasses.replace(problem, weights=fw), settings).pairs)
            pref = problem.prefecture
            fold_results.append(
                Fold(
                    index=index + 1,
                    held_out=tuple(held),
                    weights=fw,
                    exact=sum(got.get(r) == s for r, s in held),
                    same_prefecture=sum(
                        r in got and pref.get(got[r], "") == pref.get(s, "") != "" for r, s in held
                    ),
                )
            )
    return Calibration(
        weights=weights,
        start_weights={c: float(w) for c, w in zip(inst.names, start, strict=True)},
        fixed=fix,
        reference=tuple(pairs),
        violation=sol.violation,
        margin=sol.margin,
        pairing=tuple(result.pairs),
        status=str(result.status.value),
        reproduced=reproduced,
        unexplained=unexplained,
        ranges=ranges,
        bootstrap=bootstrap,
        folds=tuple(fold_results),
        seed=seed,
        ignored_rules=ignored,
        seconds=time.perf_counter() - t0,
    )


def _unexplained(
    problem: MatchingProblem,
    inst: _Instance,
    pairs: Sequence[Pair],
    sol: _LPSolution,
    chosen: Mapping[str, str],
) -> tuple[Unexplained, ...]:
    """Reference pairs left with a positive reduced cost, each with the partner that beats it.

    The competitor is the recipient's partner in the calibrated pairing when that differs,
    else its best-scoring other allowed supporter under the calibrated weights.
    """
    score = np.tensordot(sol.weights, inst.stack, axes=1)
    out = []
    for r, s in pairs:
        i, j = problem.r_index(r), problem.s_index(s)
        if i not in sol.slack:
            continue
        other = chosen.get(r)
        if other is None or other == s:
            options = [jj for jj in inst.cols if jj != j and inst.allowed[i, jj]]
            if not options:
                continue
            other = problem.supporters[max(options, key=lambda jj: score[i, jj])]
        jj = problem.s_index(other)
        beaten = tuple(
            c
            for k, c in enumerate(inst.names)
            if inst.stack[k, i, jj] > inst.stack[k, i, j] + 1e-12
        )
        gap = float(score[i, jj] - score[i, j])
        out.append(Unexplained(r, s, other, sol.slack[i], gap, beaten))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# agreement of a pairing with a reference


@dataclass(frozen=True)
class Disagreement:
    """A reference recipient paired differently: the score gap and who favours which partner."""

    recipient: str
    reference: str
    """Its supporter in the reference."""
    chosen: str
    """Its supporter in the pairing ("" when the pairing leaves it unpaired)."""
    same_prefecture: bool
    gap: float
    """Score of (recipient, chosen) minus score of (recipient, reference), current weights."""
    favour_chosen: tuple[str, ...]
    """Criteria on which the chosen partner scores higher."""
    favour_reference: tuple[str, ...]
    """Criteria on which the reference partner scores higher."""


@dataclass(frozen=True)
class Agreement:
    """How far a pairing agrees with a reference (:func:`agreement`)."""

    reference: tuple[Pair, ...]
    exact: int
    same_prefecture: int
    """Reference recipients paired with a supporter of the reference supporter's prefecture
    (the exact ones included)."""
    disagreements: tuple[Disagreement, ...]

    def tables(self) -> dict[str, pd.DataFrame]:
        """``disagreements``: one row per recipient paired differently."""
        rows = [
            {
                **{k: v for k, v in dataclasses.asdict(d).items() if not k.startswith("favour")},
                "favour_chosen": ";".join(d.favour_chosen),
                "favour_reference": ";".join(d.favour_reference),
            }
            for d in self.disagreements
        ]
        columns = [
            "recipient",
            "reference",
            "chosen",
            "same_prefecture",
            "gap",
            "favour_chosen",
            "favour_reference",
        ]
        return {"disagreements": pd.DataFrame(rows, columns=columns)}

    def to_dict(self) -> dict[str, Any]:
        """The agreement as plain JSON-able values."""
        return {
            "reference_pairs": len(self.reference),
            "exact": self.exact,
            "same_prefecture": self.same_prefecture,
            "disagreements": [
                {
                    **dataclasses.asdict(d),
                    "favour_chosen": list(d.favour_chosen),
                    "favour_reference": list(d.favour_reference),
                }
                for d in self.disagreements
            ],
        }


def agreement(
    problem: MatchingProblem, pairing: Sequence[Pair], reference: Sequence[Pair]
) -> Agreement:
    """Exact and same-prefecture agreement of ``pairing`` with ``reference``.

    For each disagreeing recipient: the score gap under the problem's weights and the
    criteria that favour each partner. Unknown counties raise :class:`CalibrationError`.

    >>> from matching.instances import make_problem
    >>> p = make_problem(3, 3, seed=1, prefs=False, incumbent=False)
    >>> best = solve(p).pairs
    >>> agreement(p, best, best).exact
    3
    """
    pairs = _check_reference(problem, list(reference), MatchRules())
    chosen = dict(pairing)
    pref = problem.prefecture
    names = [c for c in CRITERIA if c in problem.criteria]
    exact = same = 0
    out = []
    for r, s in pairs:
        got = chosen.get(r, "")
        near = got != "" and pref.get(got, "") == pref.get(s, "") != ""
        exact += got == s
        same += got == s or near
        if got == s:
            continue
        i, j = problem.r_index(r), problem.s_index(s)
        if got:
            jj = problem.s_index(got)
            a = {c: float(problem.criteria[c][i, jj]) for c in names}
            b = {c: float(problem.criteria[c][i, j]) for c in names}
            gap = float(problem.score[i, jj] - problem.score[i, j])
            fa = tuple(c for c in names if problem.weights.get(c, 0) > 0 and a[c] > b[c] + 1e-12)
            fb = tuple(c for c in names if problem.weights.get(c, 0) > 0 and b[c] > a[c] + 1e-12)
        else:
            gap, fa, fb = math.nan, (), ()
        out.append(Disagreement(r, s, got, near, gap, fa, fb))
    return Agreement(tuple(pairs), exact, same, tuple(out))
