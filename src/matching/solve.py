"""Stage 3: solve a prepared problem and return a verified, typed :class:`MatchResult`."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

from matching import fastpath
from matching.model import build, check_rules, start_second_stage
from matching.options import MatchSettings
from matching.problem import CRITERIA, MatchingProblem
from matching.result import ChosenPair, MatchResult, MatchStatus
from matching.solvers import SolveReport, SolveStatus, solve_model
from matching.verify import verify

Pair = tuple[str, str]

_FROM_SOLVER = {
    SolveStatus.OPTIMAL: MatchStatus.OPTIMAL,
    SolveStatus.FEASIBLE: MatchStatus.FEASIBLE,
    SolveStatus.INFEASIBLE: MatchStatus.INFEASIBLE,
    SolveStatus.UNBOUNDED: MatchStatus.FAILED,
    SolveStatus.NOT_SOLVED: MatchStatus.FAILED,
}


def chosen_rows(problem: MatchingProblem, pairs: Sequence[Pair]) -> tuple[ChosenPair, ...]:
    """The figures of each chosen pair, in recipient (Annex 2) order."""
    order = sorted(pairs, key=lambda p: (problem.r_index(p[0]), problem.s_index(p[1])))
    rows = []
    for r, s in order:
        i, j = problem.r_index(r), problem.s_index(s)
        rows.append(
            ChosenPair(
                recipient_id=r,
                supporter_id=s,
                recipient=problem.name(r),
                supporter=problem.name(s),
                score=float(problem.score[i, j]),
                criteria={
                    c: float(problem.criteria[c][i, j]) for c in CRITERIA if c in problem.criteria
                },
                distance=float(problem.distance[i, j]),
            )
        )
    return tuple(rows)


def _objective_tolerance(value: float) -> float:
    return 1e-5 * max(1.0, abs(value))


def solve(problem: MatchingProblem, settings: MatchSettings | None = None) -> MatchResult:
    """Find the best pairing of ``problem`` under ``settings`` and verify it.

    Uses the exact assignment fast path when it applies (:mod:`matching.fastpath`), else builds
    the integer program (:func:`matching.build`) and solves it with ``settings.solver``; with
    ``objective = 'maxmin'`` in two stages. The solution is always checked by
    :func:`matching.verify`: a solution that fails verification, or whose recomputed objective
    disagrees with the solver's, is reported ``failed``. A time-limited run is ``feasible``,
    never ``optimal``. Rules naming unknown counties raise :class:`~matching.problem.InputError`.
    """
    settings = settings or MatchSettings()
    t0 = time.perf_counter()
    check_rules(problem, settings)
    timings: dict[str, float] = {}
    mode = settings.objective
    unit = problem.distance_unit

    if fastpath.applies(problem, settings):
        out = fastpath.solve_assignment(problem, settings)
        timings["solve"] = out.seconds
        if not out.feasible:
            timings["total"] = time.perf_counter() - t0
            return MatchResult(
                status=MatchStatus.INFEASIBLE,
                method="assignment",
                objective_mode=mode,
                objective=None,
                pairs=(),
                timings=timings,
                message="no assignment satisfies the locks, forbids, distance cap and min score",
                distance_unit=unit,
            )
        return _finish(
            problem,
            settings,
            out.pairs,
            "assignment",
            MatchStatus.OPTIMAL,
            out.objective,
            None,
            (),
            None,
            None,
            timings,
            t0,
        )

    tb = time.perf_counter()
    model = build(problem, settings)
    timings["build"] = time.perf_counter() - tb
    reports: list[SolveReport] = []
    report = solve_model(model.lp, settings.solver)
    reports.append(report)
    level: float | None = None
    if mode == "maxmin" and report.has_solution:
        assert model.worst is not None
        level = float(report.values.get(model.worst.name, report.objective or 0.0))
        start_second_stage(model, level)
        report2 = solve_model(model.lp, settings.solver)
        reports.append(report2)
        if report2.has_solution and report.status == SolveStatus.FEASIBLE:
            # stage 1 was not proven: the whole run is only feasible.
            report2 = dataclasses.replace(report2, status=SolveStatus.FEASIBLE)
        report = report2
    timings["solve"] = sum(r.seconds for r in reports)
    status = _FROM_SOLVER[report.status]
    if not report.has_solution:
        timings["total"] = time.perf_counter() - t0
        message = {
            MatchStatus.INFEASIBLE: "the rules admit no pairing",
            MatchStatus.FAILED: f"the solver stopped without a solution ({report.solver_status})",
        }[status]
        if mode == "maxmin":
            message += f" (maxmin stage {len(reports)})"
        return MatchResult(
            status=status,
            method=report.solver,
            objective_mode=mode,
            objective=None,
            pairs=(),
            solve_report=report,
            stage_reports=tuple(reports) if mode == "maxmin" else (),
            maxmin_level=level,
            timings=timings,
            message=message,
            distance_unit=unit,
        )
    pairs = model.chosen_pairs(report.values)
    return _finish(
        problem,
        settings,
        pairs,
        report.solver,
        status,
        report.objective,
        report,
        tuple(reports) if mode == "maxmin" else (),
        level,
        report.gap,
        timings,
        t0,
    )


def _finish(
    problem: MatchingProblem,
    settings: MatchSettings,
    pairs: Sequence[Pair],
    method: str,
    status: MatchStatus,
    claimed: float | None,
    report: SolveReport | None,
    stages: tuple[SolveReport, ...],
    level: float | None,
    gap: float | None,
    timings: dict[str, float],
    t0: float,
) -> MatchResult:
    tv = time.perf_counter()
    ver = verify(problem, settings, pairs)
    timings["verify"] = time.perf_counter() - tv
    message = ""
    if not ver.ok:
        status = MatchStatus.FAILED
        message = "the solution failed verification: " + "; ".join(ver.problems)
    elif claimed is not None and abs(claimed - ver.objective) > _objective_tolerance(ver.objective):
        status = MatchStatus.FAILED
        message = (
            f"the solver's objective {claimed:.9g} disagrees with the recomputed "
            f"{ver.objective:.9g}"
        )
    elif status == MatchStatus.FEASIBLE:
        message = "stopped at the time limit: feasible, optimality not proven"
        if gap is not None:
            message += f" (gap {gap:.3%})"
    if status == MatchStatus.OPTIMAL:
        gap = 0.0 if gap is None else gap
    timings["total"] = time.perf_counter() - t0
    return MatchResult(
        status=status,
        method=method,
        objective_mode=settings.objective,
        objective=ver.objective,
        pairs=tuple(sorted(pairs, key=lambda p: (problem.r_index(p[0]), problem.s_index(p[1])))),
        rows=chosen_rows(problem, pairs),
        solve_report=report,
        stage_reports=stages,
        maxmin_level=level,
        worst_pair_score=ver.worst_score,
        gap=gap,
        verification=ver,
        timings=timings,
        message=message,
        distance_unit=problem.distance_unit,
    )
