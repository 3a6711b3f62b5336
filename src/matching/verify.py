"""Independent check of a pairing: validity against every rule, and the objective recomputed.

Nothing here looks at a solver or a PuLP model: :func:`verify` works from the problem's
matrices and the settings alone (each rule record's ``check``, :mod:`matching.rules`), so a
solver bug, a wrong status or a rounding slip shows up as a failed verification instead of a
wrong answer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matching.model import ExtraRow
from matching.options import MatchSettings
from matching.problem import MatchingProblem
from matching.rules import Rule, chosen, records
from matching.stability import blocking_rows

Pair = tuple[str, str]


@dataclass(frozen=True)
class Verification:
    r"""Outcome of :func:`verify`.

    ``objective`` is the weighted-sum objective recomputed from the scores
    (:math:`\sum c_{rs} - \pi \cdot` incumbent pairs given up); ``worst_score`` the lowest
    chosen pair score; ``changes`` the number of incumbent pairs not kept.
    """

    ok: bool
    problems: tuple[str, ...]
    objective: float
    worst_score: float = math.nan
    changes: int = 0
    extra_checked: tuple[str, ...] = ()
    """Names of the ``extra_constraints`` rows evaluated on the pairing."""
    terms: Mapping[str, float] = field(default_factory=dict)
    """Rule record -> its term of ``objective`` (the change penalty), in score points."""
    cells: np.ndarray = field(
        default_factory=lambda: np.zeros((0, 2), dtype=np.intp), compare=False, repr=False
    )
    """(k, 2) positions of the distinct known pairs checked, in the order given (so the
    result's figures need no second id look-up)."""


def blocking_pairs(
    problem: MatchingProblem, settings: MatchSettings, pairs: Iterable[Pair]
) -> list[Pair]:
    """Mutually acceptable pairs that block ``pairs`` (both would rather be together).

    A recipient prefers a listed supporter to its partner if the partner is ranked lower or not
    listed. A supporter with capacity ``k`` wants ``r`` if it has fewer than ``k`` recipients,
    or ranks ``r`` above its lowest-ranked recipient (unlisted ones are lowest). The one
    implementation is :func:`matching.stability.blocking_rows`.
    """
    rows = blocking_rows(problem, pairs, settings.rules)
    return [(str(row["recipient"]), str(row["supporter"])) for row in rows]


def verify(
    problem: MatchingProblem,
    settings: MatchSettings,
    pairs: Iterable[Pair],
    extra: Sequence[ExtraRow] = (),
    registry: Iterable[Rule] | None = None,
) -> Verification:
    """Check ``pairs`` against every rule in ``settings`` and recompute the objective.

    The checks are the records' (:data:`matching.rules.REGISTRY`, or ``registry``), in
    registry order; ``extra`` are the rows of an ``extra_constraints`` hook
    (:attr:`matching.MatchModel.extra`), each evaluated on the pairs.
    """
    pairs = list(pairs)
    problems: list[str] = []
    # Ids to positions once, vectorised (-1 = not of this problem); every check below works on
    # the positions, so verification stays complete without a Python loop per pair.
    ri, si = problem.positions(pairs)
    known_mask = (ri >= 0) & (si >= 0)
    codes = ri * len(problem.supporters) + si
    ordered = np.sort(codes)
    repeated = bool(len(codes) > 1 and (ordered[1:] == ordered[:-1]).any())
    all_known = bool(known_mask.all())
    if not all_known:
        unknown = [pairs[int(k)] for k in np.flatnonzero(~known_mask)]
        problems.append(f"pairs naming counties outside the problem: {unknown}")
    if not repeated and all_known:
        known, cells = pairs, np.stack([ri, si], axis=1)
    else:  # the slow path of a wrong pairing: compare the ids themselves
        dup = [p for p, n in Counter(pairs).items() if n > 1]
        if dup:
            problems.insert(0, f"pairs listed more than once: {dup}")
        idx = np.flatnonzero(known_mask)
        _, first = np.unique(codes[idx], return_index=True)
        keep = np.sort(idx[first])  # distinct known pairs, first occurrence each
        known = [pairs[int(k)] for k in keep]
        cells = np.stack([ri[keep], si[keep]], axis=1)
    ctx = chosen(problem, settings, known, cells)
    in_force = records(registry)
    for rule in in_force:
        problems.extend(rule.check(ctx))
    for row in extra:
        if not row.holds(known):
            problems.append(
                f"extra row {row.name} violated: {row.lhs(known):g} {row.sense} {row.rhs:g} "
                "does not hold"
            )
    objective = float(ctx.scores.sum())
    terms: dict[str, float] = {}
    for rule in in_force:
        if rule.term is not None:
            terms[rule.name] = float(rule.term(ctx))
            objective += terms[rule.name]
    worst = float(ctx.scores.min()) if len(ctx.scores) else math.nan
    return Verification(
        ok=not problems,
        problems=tuple(problems),
        objective=objective,
        worst_score=worst,
        changes=ctx.changes,
        extra_checked=tuple(row.name for row in extra),
        terms=terms,
        cells=cells,
    )
