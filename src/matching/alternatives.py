r"""The k best distinct pairings, and how each differs from the best.

Two algorithms, both exact:

Murty's ranking (assignment form)
    When the rules all act on single pairs (see :mod:`matching.forcing`), the best pairing
    is found by :func:`scipy.optimize.linear_sum_assignment`; the rest of the solution space is
    split into disjoint parts — "pairs 1..t-1 of that pairing kept, pair t excluded" — each
    solved the same way, and the best part's pairing is the next one (Murty 1968). Distinct
    pairings are produced in non-increasing objective order, ``k × R`` assignment solves.
no-good cuts (integer programme)
    Otherwise the model of :func:`matching.build` is solved, and after each pairing
    :math:`M_i` the cut :math:`\sum_{(r,s) \in M_i} x_{rs} \le |M_i| - 1` is added and the
    model re-solved with the solver registry. With ``objective = 'maxmin'`` the first stage's
    best worst-pair level is kept as a constraint, so every alternative is as fair as the best
    one, and the alternatives are ranked by the weighted sum.

Fewer than ``k`` pairings are returned when the rules admit fewer. Each pairing is checked by
:func:`matching.verify`; its ``objective`` is the verified weighted-sum objective.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from matching.explain import check_language
from matching.forcing import (
    AnalysisError,
    AssignmentForm,
    pairs_from_columns,
    solve_assignment,
    use_assignment,
    verified,
)
from matching.model import build, start_second_stage
from matching.options import MatchSettings
from matching.problem import MatchingProblem
from solverkit.registry import SolveStatus, solve_model

Pair = tuple[str, str]

#: Pairings listed when the caller gives no ``k``.
DEFAULT_K = 3


@dataclass(frozen=True)
class Alternative:
    """One of the k best pairings (``rank`` 1 is the best)."""

    rank: int
    objective: float
    loss: float
    """Objective given up relative to the best pairing (0 for rank 1)."""
    pairs: tuple[Pair, ...]
    added: tuple[Pair, ...]
    """Pairs of this pairing that the best one does not have."""
    removed: tuple[Pair, ...]
    """Pairs of the best pairing that this one does not have."""
    proven: bool = True
    """False when the solver stopped at its time limit (the ranking is then not proven)."""

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return {
            "rank": self.rank,
            "objective": self.objective,
            "loss": self.loss,
            "pairs": [list(p) for p in self.pairs],
            "added": [list(p) for p in self.added],
            "removed": [list(p) for p in self.removed],
            "proven": self.proven,
        }


def _sorted(problem: MatchingProblem, pairs: tuple[Pair, ...] | list[Pair]) -> tuple[Pair, ...]:
    return tuple(sorted(pairs, key=lambda p: (problem.r_index(p[0]), problem.s_index(p[1]))))


def _murty(
    problem: MatchingProblem, settings: MatchSettings, form: AssignmentForm, k: int
) -> list[tuple[tuple[Pair, ...], float, bool]]:
    """Murty's ranking on the assignment form."""
    n_r = form.weight.shape[0]
    pre_fixed = {i for i, _ in form.fixed}
    first = solve_assignment(form)
    if first is None:
        return []
    counter = 0
    # heap entries: (-objective, tie-break, columns, fixed cells, banned mask)
    heap: list[tuple[float, int, np.ndarray, tuple[tuple[int, int], ...], np.ndarray]] = [
        (-first[1], counter, first[0], (), np.zeros(form.weight.shape, dtype=bool))
    ]
    out: list[tuple[tuple[Pair, ...], float, bool]] = []
    while heap and len(out) < k:
        _, _, cols, fixed, banned = heapq.heappop(heap)
        pairs = pairs_from_columns(problem, cols)
        ver = verified(problem, settings, pairs)
        out.append((pairs, ver.objective, True))
        fixed_rows = pre_fixed | {i for i, _ in fixed}
        free = [i for i in range(n_r) if i not in fixed_rows]
        inc = list(fixed)
        for i in free:
            child_banned = banned.copy()
            child_banned[i, cols[i]] = True
            found = solve_assignment(form, extra_fixed=inc, banned=child_banned)
            if found is not None:
                counter += 1
                heapq.heappush(heap, (-found[1], counter, found[0], tuple(inc), child_banned))
            inc.append((i, int(cols[i])))
    return out


def _no_good(
    problem: MatchingProblem, settings: MatchSettings, k: int
) -> list[tuple[tuple[Pair, ...], float, bool]]:
    """The k best pairings by re-solving the integer programme with no-good cuts."""
    model = build(problem, settings)
    out: list[tuple[tuple[Pair, ...], float, bool]] = []
    if settings.objective == "maxmin":
        first = solve_model(model.lp, settings.solver)
        if not first.has_solution:
            return _stop(first.status, first.solver_status, out)
        assert model.worst is not None
        start_second_stage(model, float(first.values[model.worst.name]))
    while len(out) < k:
        report = solve_model(model.lp, settings.solver)
        if not report.has_solution:
            return _stop(report.status, report.solver_status, out)
        pairs = model.chosen_pairs(report.values)
        ver = verified(problem, settings, pairs)
        out.append((pairs, ver.objective, report.status == SolveStatus.OPTIMAL))
        cut = pulp.lpSum(model.x[p] for p in pairs) <= len(pairs) - 1
        model.add("no_good", str(len(out)), str(len(out)), cut)
    return out


def _stop(
    status: SolveStatus, text: str, out: list[tuple[tuple[Pair, ...], float, bool]]
) -> list[tuple[tuple[Pair, ...], float, bool]]:
    if status == SolveStatus.INFEASIBLE:
        return out
    raise AnalysisError(f"the solver stopped without a pairing ({text})")


def alternatives(
    problem: MatchingProblem, settings: MatchSettings | None = None, k: int | None = None
) -> list[Alternative]:
    """The ``k`` best distinct pairings (default :data:`DEFAULT_K`), best first.

    Raises :class:`~matching.forcing.AnalysisError` when the rules admit no pairing.
    """
    settings = settings or MatchSettings()
    k = DEFAULT_K if k is None else k
    if k < 1:
        raise AnalysisError(f"k must be at least 1, got {k!r}")
    form = use_assignment(problem, settings)
    found = _murty(problem, settings, form, k) if form is not None else _no_good(
        problem, settings, k
    )
    if not found:
        raise AnalysisError(
            "the rules admit no pairing, so there are no alternatives; "
            "matching.diagnose names the conflicting rules"
        )
    best_pairs, best_obj, _ = found[0]
    best = set(best_pairs)
    out = []
    for rank, (pairs, objective, proven) in enumerate(found, start=1):
        mine = set(pairs)
        out.append(
            Alternative(
                rank=rank,
                objective=objective,
                loss=max(0.0, best_obj - objective) if rank > 1 else 0.0,
                pairs=_sorted(problem, pairs),
                added=_sorted(problem, [p for p in pairs if p not in best]),
                removed=_sorted(problem, [p for p in best_pairs if p not in mine]),
                proven=proven,
            )
        )
    return out


def alternatives_frame(
    problem: MatchingProblem, alts: list[Alternative], language: str = "zh"
) -> pd.DataFrame:
    """One row per alternative: rank, objective, loss, number of changed pairs, the changes.

    ``changes`` reads "竹溪县：宜都市 → 大冶市" (``en``: "竹溪县: 宜都市 -> 大冶市"), one entry per
    recipient whose partners differ from the best pairing; ``changes_zh`` and ``changes_en``
    hold the same in each language.
    """
    language = check_language(language)
    rows = []
    for alt in alts:
        changed: dict[str, tuple[list[str], list[str]]] = {}
        for r, s in alt.removed:
            changed.setdefault(r, ([], []))[0].append(problem.name(s))
        for r, s in alt.added:
            changed.setdefault(r, ([], []))[1].append(problem.name(s))
        words = {lang: _changes_text(problem, changed, lang == "zh") for lang in ("zh", "en")}
        rows.append(
            {
                "rank": alt.rank,
                "objective": alt.objective,
                "loss": alt.loss,
                "changed_pairs": len(alt.added),
                "changes": words[language],
                "proven": alt.proven,
                "changes_zh": words["zh"],
                "changes_en": words["en"],
            }
        )
    columns = ["rank", "objective", "loss", "changed_pairs", "changes", "proven"]
    return pd.DataFrame(rows, columns=[*columns, "changes_zh", "changes_en"])


def _changes_text(
    problem: MatchingProblem, changed: dict[str, tuple[list[str], list[str]]], zh: bool
) -> str:
    join = "、" if zh else ", "
    parts = []
    for r in problem.recipients:
        if r in changed:
            old, new = join.join(changed[r][0]), join.join(changed[r][1])
            name = problem.name(r)
            parts.append(f"{name}：{old} → {new}" if zh else f"{name}: {old} -> {new}")
    return ("；" if zh else "; ").join(parts)
