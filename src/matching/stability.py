"""Stability audit of a pairing against the counties' willingness lists.

A *blocking pair* is a recipient ``r`` and a supporter ``s`` that are not paired with each
other although both would rather be:

* **mutually acceptable** — ``s`` appears in ``r``'s list *and* ``r`` appears in ``s``'s list;
* ``r`` prefers ``s`` to its worst current partner, and ``s`` prefers ``r`` to its worst current
  partner.

Conventions (the same ones :func:`matching.build` uses for ``rules.stable``):

* A county that stated **no list** (absent from the preference mapping, or an empty list) is
  *not bound* by stability: it finds no partner acceptable in this sense, so it is never part
  of a blocking pair, whoever it is paired with.
* A current partner that is **unlisted** counts as worse than any listed county.
* An **unused slot** (a supporter below its capacity, a recipient below its demand) also
  counts as worse than any listed county: a county with a free slot prefers every county it
  lists to having nobody there.

With one-to-one pairing (``supporter_capacity = recipient_demand = 1``) this is the classical
stable-marriage condition restricted to the listed pairs; with capacities it is the
many-to-many "pairwise stability" condition against each side's worst current partner.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from matching.options import MatchRules
from matching.problem import MatchingProblem

Pair = tuple[str, str]

#: Columns of :func:`blocking_pairs`.
BLOCKING_COLUMNS: tuple[str, ...] = (
    "recipient",
    "supporter",
    "recipient_name",
    "supporter_name",
    "recipient_rank",
    "recipient_partner",
    "recipient_partner_rank",
    "supporter_rank",
    "supporter_partner",
    "supporter_partner_rank",
)


def _ranks(prefs: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, int]]:
    """``{county: {partner: 1-based rank}}`` for every county with a non-empty list."""
    return {
        county: {p: i + 1 for i, p in enumerate(ranked)}
        for county, ranked in prefs.items()
        if ranked
    }


def _worst(
    partners: list[str], ranks: dict[str, int], slots: int
) -> tuple[str | None, float]:
    """The worst current partner and its rank (``inf`` when unlisted or a slot is free)."""
    if len(partners) < slots:
        return None, math.inf
    worst: str | None = None
    worst_rank = -math.inf
    for p in partners:
        rank = ranks.get(p, math.inf)
        if rank > worst_rank:
            worst, worst_rank = p, rank
    return worst, worst_rank


def _rank_or_none(rank: float) -> int | None:
    return None if math.isinf(rank) else int(rank)


def blocking_rows(
    problem: MatchingProblem,
    pairs: Iterable[Pair],
    rules: MatchRules | None = None,
) -> list[dict[str, object]]:
    """The blocking pairs of ``pairs`` as rows of :data:`BLOCKING_COLUMNS` (see the module doc).

    The one implementation of the condition: :func:`blocking_pairs` (the audit table) and the
    ``stability`` rule's check in :func:`matching.verify` both read it. Rows come in recipient
    order, then in the order of the recipient's list. ``pairs`` must name counties of
    ``problem``.
    """
    rules = rules or MatchRules()
    pairs = list(pairs)
    r_ranks = _ranks(problem.recipient_prefs)
    s_ranks = _ranks(problem.supporter_prefs)
    of_r: dict[str, list[str]] = {r: [] for r in problem.recipients}
    of_s: dict[str, list[str]] = {s: [] for s in problem.supporters}
    for r, s in pairs:
        of_r[r].append(s)
        of_s[s].append(r)
    chosen = set(pairs)
    rows: list[dict[str, object]] = []
    for r in problem.recipients:
        if r not in r_ranks:
            continue
        r_worst, r_worst_rank = _worst(of_r[r], r_ranks[r], rules.recipient_demand)
        for s, r_rank in r_ranks[r].items():
            if (r, s) in chosen or s not in s_ranks or r not in s_ranks[s]:
                continue
            if not r_rank < r_worst_rank:
                continue
            s_rank = s_ranks[s][r]
            s_worst, s_worst_rank = _worst(of_s[s], s_ranks[s], rules.supporter_capacity)
            if not s_rank < s_worst_rank:
                continue
            rows.append(
                {
                    "recipient": r,
                    "supporter": s,
                    "recipient_name": problem.names.get(r, r),
                    "supporter_name": problem.names.get(s, s),
                    "recipient_rank": r_rank,
                    "recipient_partner": r_worst,
                    "recipient_partner_rank": _rank_or_none(r_worst_rank),
                    "supporter_rank": s_rank,
                    "supporter_partner": s_worst,
                    "supporter_partner_rank": _rank_or_none(s_worst_rank),
                }
            )
    return rows


def blocking_pairs(
    problem: MatchingProblem,
    pairs: Iterable[Pair],
    rules: MatchRules | None = None,
) -> pd.DataFrame:
    """Every blocking pair of ``pairs`` against the willingness lists (see the module doc).

    ``rules`` supplies ``supporter_capacity`` and ``recipient_demand`` (default one-to-one).
    Returns one row per blocking pair, in recipient then supporter order, with the columns of
    :data:`BLOCKING_COLUMNS`: each side's rank of the other (``recipient_rank`` is the rank
    of the supporter in the recipient's list), its worst current partner (``None`` for a free
    slot) and that partner's rank (``None`` when unlisted or a free slot). An empty frame
    means the pairing is stable.
    """
    rows = blocking_rows(problem, pairs, rules)
    order = {s: i for i, s in enumerate(problem.supporters)}
    rows.sort(
        key=lambda row: (problem.r_index(str(row["recipient"])), order[str(row["supporter"])])
    )
    frame = pd.DataFrame(rows, columns=list(BLOCKING_COLUMNS))
    for col in ("recipient_partner", "recipient_partner_rank", "supporter_partner",
                "supporter_partner_rank"):
        frame[col] = pd.Series([row[col] for row in rows], index=frame.index, dtype=object)
    return frame


def is_stable(
    problem: MatchingProblem, pairs: Iterable[Pair], rules: MatchRules | None = None
) -> bool:
    """``True`` when ``pairs`` has no blocking pair (see :func:`blocking_pairs`)."""
    return blocking_pairs(problem, pairs, rules).empty
