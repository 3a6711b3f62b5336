"""Independent check of a pairing: validity against every rule, and the objective recomputed.

Nothing here looks at a solver or a PuLP model: :func:`verify` works from the problem's
matrices and the settings alone, so a solver bug, a wrong status or a rounding slip shows up
as a failed verification instead of a wrong answer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matching.options import MatchSettings
from matching.problem import MatchingProblem

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


def blocking_pairs(
    problem: MatchingProblem, settings: MatchSettings, pairs: Iterable[Pair]
) -> list[Pair]:
    """Mutually acceptable pairs that block ``pairs`` (both would rather be together).

    A recipient prefers a listed supporter to its partner if the partner is ranked lower or not
    listed. A supporter with capacity ``k`` wants ``r`` if it has fewer than ``k`` recipients,
    or ranks ``r`` above its lowest-ranked recipient (unlisted ones are lowest).
    """
    k = settings.rules.supporter_capacity
    partner_of: dict[str, list[str]] = {}
    taken: dict[str, list[str]] = {}
    for r, s in pairs:
        partner_of.setdefault(r, []).append(s)
        taken.setdefault(s, []).append(r)

    def rank(lst: tuple[str, ...], c: str) -> int:
        return lst.index(c) if c in lst else len(lst)

    out = []
    for r in problem.recipients:
        r_list = problem.recipient_prefs.get(r, ())
        for s in r_list:
            s_list = problem.supporter_prefs.get(s, ())
            if r not in s_list or s in partner_of.get(r, []):
                continue
            mine = partner_of.get(r, [])
            r_wants = not mine or any(rank(r_list, s) < rank(r_list, p) for p in mine)
            theirs = taken.get(s, [])
            s_wants = len(theirs) < k or any(rank(s_list, r) < rank(s_list, q) for q in theirs)
            if r_wants and s_wants:
                out.append((r, s))
    return out


def verify(
    problem: MatchingProblem, settings: MatchSettings, pairs: Iterable[Pair]
) -> Verification:
    """Check ``pairs`` against every rule in ``settings`` and recompute the objective."""
    pairs = list(pairs)
    rules = settings.rules
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
    idx = np.array([(problem.r_index(r), problem.s_index(s)) for r, s in known], dtype=int)
    idx = idx.reshape(-1, 2)
    score = problem.score

    per_r = Counter(r for r, _ in known)
    short = [
        (r, per_r.get(r, 0))
        for r in problem.recipients
        if per_r.get(r, 0) != rules.recipient_demand
    ]
    if short:
        problems.append(
            f"recipients must get exactly {rules.recipient_demand} supporter(s); "
            f"(recipient, count): {short}"
        )
    per_s = Counter(s for _, s in known)
    over = [(s, n) for s, n in per_s.items() if n > rules.supporter_capacity]
    if over:
        problems.append(
            f"supporters over capacity {rules.supporter_capacity}; "
            f"(supporter, count): {sorted(over)}"
        )
    chosen = set(known)
    missing = [p for p in rules.locks if p not in chosen]
    if missing:
        problems.append(f"locked pairs not chosen: {missing}")
    bad = [p for p in rules.forbids if p in chosen]
    if bad:
        problems.append(f"forbidden pairs chosen: {bad}")
    if math.isfinite(rules.max_distance) and len(idx):
        d = np.asarray(problem.distance)[idx[:, 0], idx[:, 1]]
        far = [(known[i], float(d[i])) for i in np.flatnonzero(d > rules.max_distance)]
        if far:
            problems.append(
                f"pairs beyond max_distance {rules.max_distance:g} {problem.distance_unit}: {far}"
            )
    if rules.prefecture_spread > 0:
        counts = Counter(
            (problem.prefecture.get(r, ""), problem.prefecture.get(s, "")) for r, s in known
        )
        crowded = sorted((k, n) for k, n in counts.items() if n > rules.prefecture_spread)
        if crowded:
            problems.append(
                f"more than {rules.prefecture_spread} pair(s) between one recipient prefecture and "
                f"one supporter prefecture: {crowded}"
            )
    pair_scores = score[idx[:, 0], idx[:, 1]] if len(idx) else np.zeros(0)
    if rules.min_pair_score > 0 and len(idx):
        low = [
            (known[i], float(pair_scores[i]))
            for i in np.flatnonzero(pair_scores < rules.min_pair_score - 1e-12)
        ]
        if low:
            problems.append(f"pairs below min_pair_score {rules.min_pair_score:g}: {low}")
    changes = sum(1 for p in problem.incumbent if p not in chosen)
    if rules.max_changes >= 0 and problem.incumbent and changes > rules.max_changes:
        problems.append(
            f"{changes} incumbent pairs given up, more than max_changes = {rules.max_changes}"
        )
    if rules.stable:
        blocking = blocking_pairs(problem, settings, known)
        if blocking:
            problems.append(f"blocking pairs (the pairing is not stable): {blocking}")
    objective = float(pair_scores.sum()) - rules.change_penalty * changes
    worst = float(pair_scores.min()) if len(pair_scores) else math.nan
    return Verification(
        ok=not problems,
        problems=tuple(problems),
        objective=objective,
        worst_score=worst,
        changes=changes,
    )
