"""Independent check of a pairing: validity against every rule, and the objective recomputed.

Nothing here looks at a solver or a PuLP model: :func:`verify` works from the problem's
matrices and the settings alone (each rule record's ``check``, :mod:`matching.rules`), so a
solver bug, a wrong status or a rounding slip shows up as a failed verification instead of a
wrong answer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
    dup = [p for p, n in Counter(pairs).items() if n > 1]
    if dup:
        problems.append(f"pairs listed more than once: {dup}")
    unknown = [
        (r, s) for r, s in pairs if not (problem.is_recipient(r) and problem.is_supporter(s))
    ]
    if unknown:
        problems.append(f"pairs naming counties outside the problem: {unknown}")
    known = [p for p in set(pairs) if p not in set(unknown)]
    ctx = chosen(problem, settings, known)
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
    for rule in in_force:
        if rule.term is not None:
            objective += rule.term(ctx)
    worst = float(ctx.scores.min()) if len(ctx.scores) else math.nan
    return Verification(
        ok=not problems,
        problems=tuple(problems),
        objective=objective,
        worst_score=worst,
        changes=ctx.changes,
        extra_checked=tuple(row.name for row in extra),
    )
