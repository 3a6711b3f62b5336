"""Cost of forcing any pair, and the assignment form shared by the robustness analyses.

For every recipient ``r`` and supporter ``s`` the *forcing cost* is

    loss(r, s) = z* − z*(x[r, s] = 1)

the objective lost by insisting on the pair: ``z*`` is the optimum under the scenario's rules,
``z*(x[r, s] = 1)`` the optimum with the pair added to the locks. It is 0 for a chosen pair,
non-negative for every other pair, and *infeasible* (no pairing satisfies the rules with that
pair; ``loss`` is NaN) when the pair cannot be forced — e.g. it is forbidden or farther than
the distance cap. The pairs of the base pairing that the forced optimum no longer contains are
the pairs it *displaces*.

Two ways to compute it:

assignment form (fast)
    When every rule acts on single pairs — no record of :data:`matching.rules.REGISTRY`
    blocks :attr:`~matching.rules.Route.ASSIGNMENT_FORM`: today one supporter per recipient
    (``recipient_demand = 1``), any ``supporter_capacity``, locks, forbids, ``max_distance``,
    ``min_pair_score``, ``change_penalty``; objective ``weighted_sum``; no prefecture spread,
    change limit or stability — the problem is a weighted bipartite assignment
    (:mod:`matching.assignment`). Forcing
    ``(r, s)`` removes row ``r`` and one slot of ``s``, and the rest is one
    :func:`scipy.optimize.linear_sum_assignment` on the reduced matrix: the full 22 × 22 table
    (484 pairs) takes a few milliseconds per pair.
integer programme (general)
    Otherwise every pair is re-solved with :func:`matching.solve` with the pair added to
    ``rules.locks`` — one full solve per pair (484 solves for 22 × 22: minutes, not seconds).

Every forced pairing that is reported is checked with :func:`matching.verify`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import pandas as pd

from matching.assignment import (
    AssignmentForm,
    assignment_form,
    pairs_from_columns,
    solve_assignment,
)
from matching.assignment import why_not as assignment_why_not
from matching.options import MatchSettings
from matching.problem import MatchingProblem
from matching.result import MatchResult, MatchStatus
from matching.rules import Rule
from matching.solve import solve
from matching.verify import Verification, verify

Pair = tuple[str, str]

__all__ = [
    "FORCING_COLUMNS",
    "AnalysisError",
    "AssignmentForm",
    "assignment_form",
    "base_optimum",
    "base_pairing",
    "feasible_pairing",
    "forcing_costs",
    "forcing_matrix",
    "is_assignment",
    "pairs_from_columns",
    "solve_assignment",
    "use_assignment",
    "verified",
]


def is_assignment(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> bool:
    """Whether the rules of ``settings`` all act on single pairs (see the module doc).

    Read from the records' route predicates (:attr:`matching.rules.Route.ASSIGNMENT_FORM`).
    """
    return assignment_why_not(problem, settings, registry) is None


class AnalysisError(RuntimeError):
    """An analysis cannot be completed: the base rules are infeasible, or a solve failed."""


def verified(
    problem: MatchingProblem,
    settings: MatchSettings,
    pairs: Sequence[Pair],
    registry: Iterable[Rule] | None = None,
) -> Verification:
    """:func:`matching.verify` the pairs, raising :class:`AnalysisError` if they break a rule."""
    ver = verify(problem, settings, pairs, registry=registry)
    if not ver.ok:
        raise AnalysisError("a solution failed verification: " + "; ".join(ver.problems))
    return ver


def use_assignment(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> AssignmentForm | None:
    """The assignment form when ``settings.fast_path`` is on and the rules allow it."""
    return assignment_form(problem, settings, registry) if settings.fast_path else None


def feasible_pairing(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> tuple[tuple[Pair, ...] | None, str]:
    """A verified pairing satisfying the rules (``None`` if there is none) and the method used.

    ``registry`` replaces the rule records in force (the diagnosis leaves some out). Raises
    :class:`AnalysisError` when a solver stops without deciding.
    """
    form = use_assignment(problem, settings, registry)
    if form is not None:
        found = solve_assignment(form)
        if found is None:
            return None, "assignment"
        pairs = pairs_from_columns(problem, found[0])
        verified(problem, settings, pairs, registry)
        return pairs, "assignment"
    result = solve(problem, settings, registry=registry)
    if result.status == MatchStatus.INFEASIBLE:
        return None, "ip"
    if not result.ok:
        raise AnalysisError(f"the solver could not decide feasibility: {result.message}")
    return result.pairs, "ip"


def base_optimum(problem: MatchingProblem, settings: MatchSettings) -> MatchResult:
    """:func:`matching.solve`, raising :class:`AnalysisError` unless it found a verified pairing."""
    result = solve(problem, settings)
    if result.status == MatchStatus.INFEASIBLE:
        raise AnalysisError(
            "the rules admit no pairing, so there is nothing to analyse; "
            "matching.diagnose names the conflicting rules"
        )
    if not result.ok:
        raise AnalysisError(f"the base pairing could not be found: {result.message}")
    return result


def base_pairing(
    problem: MatchingProblem,
    settings: MatchSettings,
    result: MatchResult | None = None,
    form: AssignmentForm | None = None,
) -> tuple[tuple[Pair, ...], float]:
    """The base pairing and its verified objective: ``result``'s, or the optimum found here."""
    if result is not None:
        if not result.ok or result.objective is None:
            raise AnalysisError(
                f"the given result has no verified pairing (status {result.status.value})"
            )
        return tuple(result.pairs), float(result.objective)
    if form is None:
        best = base_optimum(problem, settings)
        return tuple(best.pairs), float(best.objective)  # type: ignore[arg-type]
    found = solve_assignment(form)
    if found is None:
        raise AnalysisError(
            "the rules admit no pairing, so there is nothing to analyse; "
            "matching.diagnose names the conflicting rules"
        )
    pairs = pairs_from_columns(problem, found[0])
    return pairs, verified(problem, settings, pairs).objective


def _names(problem: MatchingProblem, pairs: Iterable[Pair]) -> str:
    return ", ".join(f"{problem.name(r)}–{problem.name(s)}" for r, s in pairs)


#: Columns of :func:`forcing_costs`.
FORCING_COLUMNS: tuple[str, ...] = (
    "recipient",
    "supporter",
    "recipient_name",
    "supporter_name",
    "chosen",
    "status",
    "objective",
    "loss",
    "displaced",
    "displaced_names",
)


def forcing_costs(
    problem: MatchingProblem,
    settings: MatchSettings | None = None,
    result: MatchResult | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """The objective lost by forcing each recipient × supporter pair (see the module doc).

    ``progress(done, total)`` is called after each recipient's row of pairs (long IP runs).

    ``result`` is the base pairing (solved here when omitted); its pairs are the *chosen* ones.
    One row per pair, recipient-major, with :data:`FORCING_COLUMNS`: ``status`` is
    ``chosen`` (loss 0), ``optimal``, ``feasible`` (time limit hit: an upper bound on the
    loss), ``infeasible`` (the pair cannot be forced; ``objective`` and ``loss`` NaN) or
    ``failed`` (the solver gave no verified answer; NaN). ``displaced`` lists the chosen pairs
    that the forced optimum gives up.
    """
    settings = settings or MatchSettings()
    form = use_assignment(problem, settings)
    base_pairs, base_obj = base_pairing(problem, settings, result, form)
    chosen = set(base_pairs)
    rows = []
    for i, r in enumerate(problem.recipients):
        for j, s in enumerate(problem.supporters):
            status, objective, forced = "chosen", base_obj, base_pairs
            if (r, s) not in chosen:
                status, objective, forced = _forced(problem, settings, form, (r, s), (i, j))
            loss = base_obj - objective if status != "chosen" else 0.0
            if status in ("optimal", "feasible") and -1e-9 < loss < 0:
                loss = 0.0  # rounding of an equal optimum
            kept = set(forced)
            displaced = tuple(p for p in base_pairs if p not in kept)
            rows.append(
                {
                    "recipient": r,
                    "supporter": s,
                    "recipient_name": problem.name(r),
                    "supporter_name": problem.name(s),
                    "chosen": (r, s) in chosen,
                    "status": status,
                    "objective": objective,
                    "loss": loss,
                    "displaced": displaced,
                    "displaced_names": _names(problem, displaced),
                }
            )
        if progress is not None:
            progress(len(rows), len(problem.recipients) * len(problem.supporters))
    return pd.DataFrame(rows, columns=list(FORCING_COLUMNS))


def _with_lock(settings: MatchSettings, pair: Pair) -> MatchSettings:
    rules = settings.rules
    return replace(settings, rules=replace(rules, locks=(*rules.locks, pair)))


def _forced(
    problem: MatchingProblem,
    settings: MatchSettings,
    form: AssignmentForm | None,
    pair: Pair,
    cell: tuple[int, int],
) -> tuple[str, float, tuple[Pair, ...]]:
    """(status, objective, pairs) of the optimum with ``pair`` forced in."""
    if pair in settings.rules.forbids:
        return "infeasible", math.nan, ()
    locked = _with_lock(settings, pair)
    if form is not None:
        found = solve_assignment(form, extra_fixed=(cell,))
        if found is None:
            return "infeasible", math.nan, ()
        pairs = pairs_from_columns(problem, found[0])
        ver = verified(problem, locked, pairs)
        if abs(ver.objective - found[1]) > 1e-7 * max(1.0, abs(found[1])):
            raise AnalysisError(
                f"assignment objective {found[1]!r} disagrees with the verified {ver.objective!r}"
            )
        return "optimal", ver.objective, pairs
    res = solve(problem, locked)
    if res.status == MatchStatus.INFEASIBLE:
        return "infeasible", math.nan, ()
    if not res.ok:
        return "failed", math.nan, ()
    return res.status.value, float(res.objective), res.pairs  # type: ignore[arg-type]


def forcing_matrix(frame: pd.DataFrame, value: str = "loss") -> pd.DataFrame:
    """A :func:`forcing_costs` column as a recipient × supporter table (Annex-2 names)."""
    table = frame.pivot(index="recipient_name", columns="supporter_name", values=value)
    rec = list(dict.fromkeys(frame["recipient_name"]))
    sup = list(dict.fromkeys(frame["supporter_name"]))
    return table.loc[rec, sup]
