"""Stage 3: solve a prepared problem and return a verified, typed :class:`MatchResult`."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matching import fastpath, lagrange
from matching.model import ExtraRow, MatchModel, build, check_rules, start_second_stage
from matching.options import MatchSettings
from matching.problem import CRITERIA, MatchingProblem
from matching.result import ChosenPair, MatchResult, MatchStatus
from matching.rules import Rule
from matching.verify import verify
from solverkit.registry import SolveReport, SolverOptions, SolveStatus, solve_model

Pair = tuple[str, str]

#: Pairs per recipient in the heuristic core model of the Lagrangian route.
CORE_PER_ROW = 8
#: The Lagrangian route solves the model over the kept pairs only when they are at most this
#: many times the core (beyond, the solver cannot close the gap in the time left either).
KEPT_PER_CORE = 10
#: Pairs per recipient of the wider core solved with the time left when reduced-cost fixing
#: keeps too many pairs for the model over them.
WIDE_CORE_PER_ROW = 4 * CORE_PER_ROW

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
    cells = problem.cells_of(order)
    if not len(cells):
        return ()
    i, j = cells[:, 0], cells[:, 1]
    names = [c for c in CRITERIA if c in problem.criteria]
    values = {c: np.asarray(problem.criteria[c], dtype=float)[i, j].tolist() for c in names}
    scores = problem.score[i, j].tolist()
    dist = np.asarray(problem.distance, dtype=float)[i, j].tolist()
    return tuple(
        ChosenPair(
            recipient_id=r,
            supporter_id=s,
            recipient=problem.name(r),
            supporter=problem.name(s),
            score=scores[k],
            criteria={c: values[c][k] for c in names},
            distance=dist[k],
        )
        for k, (r, s) in enumerate(order)
    )


def objective_breakdown(
    problem: MatchingProblem, cells: np.ndarray, terms: Mapping[str, float]
) -> dict[str, float]:
    """Each weighted criterion's points over the chosen ``cells``, then the rule ``terms``."""
    out: dict[str, float] = {}
    # one flat index for every criterion: np.take on it is a third of 2-D fancy indexing
    flat = cells[:, 0] * len(problem.supporters) + cells[:, 1]
    for c in [c for c in CRITERIA if c in problem.weights] + sorted(
        c for c in problem.weights if c not in CRITERIA
    ):
        w = float(problem.weights[c])
        if w > 0:
            m = np.asarray(problem.criteria[c], dtype=float)
            out[c] = w * float(np.take(m, flat).sum()) if len(cells) else 0.0
    out.update({k: float(v) for k, v in terms.items() if v != 0})  # rules in force only
    return out


def _objective_tolerance(value: float) -> float:
    return 1e-5 * max(1.0, abs(value))


def solve(
    problem: MatchingProblem,
    settings: MatchSettings | None = None,
    extra_constraints: Callable[[MatchModel], None] | None = None,
    registry: Iterable[Rule] | None = None,
) -> MatchResult:
    """Find the best pairing of ``problem`` under ``settings`` and verify it.

    Uses the exact assignment fast path when it applies (:mod:`matching.fastpath`). When the
    only obstacle is a binding prefecture spread, the Lagrangian route
    (:mod:`matching.lagrange`, :func:`solve_relaxed`) bounds the optimum, finds a pairing and
    solves the integer program over the pairs that can still matter. Otherwise it builds the
    integer program (:func:`matching.build`) and solves it with ``settings.solver``; with
    ``objective = 'maxmin'`` in two stages. ``fast_path = False`` turns both shortcuts off.
    The solution is always checked by :func:`matching.verify`: a solution that fails
    verification, or whose recomputed objective disagrees with the solver's, is reported
    ``failed``. A time-limited run is ``feasible``,
    never ``optimal``. Rules naming unknown counties raise :class:`~matching.problem.InputError`.

    ``extra_constraints(m)`` (as PyPSA's ``extra_functionality``) is called on the built
    :class:`~matching.model.MatchModel` before it is solved and adds rows with
    :meth:`~matching.model.MatchModel.add_extra` (or ``m.add("extra", ...)``); with a hook
    both shortcuts are off, and :func:`matching.verify` evaluates every extra row on the
    chosen pairs (``result.verification.extra_checked``). ``registry`` replaces the rule
    records in force (:data:`matching.rules.REGISTRY`).
    """
    settings = settings or MatchSettings()
    t0 = time.perf_counter()
    check_rules(problem, settings)
    timings: dict[str, float] = {}
    mode = settings.objective
    unit = problem.distance_unit

    shortcuts = extra_constraints is None  # a hook's rows exist only in the integer program
    if shortcuts and fastpath.applies(problem, settings, registry):
        out = fastpath.solve_assignment(problem, settings, registry)
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
                weights=dict(problem.weights),
                problem=problem,
                settings=settings,
            )
        found = Found(out.pairs, "assignment", MatchStatus.OPTIMAL, out.objective)
        return _finish(problem, settings, found, timings, t0, registry=registry)

    if shortcuts and lagrange.applies(problem, settings, registry):
        relaxed = solve_relaxed(problem, settings, timings, t0, registry)
        if relaxed is not None:
            return relaxed

    tb = time.perf_counter()
    model = build(problem, settings, extra_constraints=extra_constraints, registry=registry)
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
            weights=dict(problem.weights),
            problem=problem,
            settings=settings,
        )
    found = Found(
        model.chosen_pairs(report.values),
        report.solver,
        status,
        report.objective,
        report=report,
        stages=tuple(reports) if mode == "maxmin" else (),
        level=level,
        gap=report.gap,
    )
    return _finish(problem, settings, found, timings, t0, model.extra, registry)


def _options(settings: MatchSettings, t0: float, share: float) -> SolverOptions | None:
    """Solver options with ``share`` of the time left of ``solver.time_limit`` (None if spent)."""
    left = settings.solver.time_limit - (time.perf_counter() - t0)
    if left <= 0.05:
        return None
    return dataclasses.replace(settings.solver, time_limit=max(0.05, share * left))


def solve_relaxed(
    problem: MatchingProblem,
    settings: MatchSettings,
    timings: dict[str, float],
    t0: float,
    registry: Iterable[Rule] | None = None,
) -> MatchResult | None:
    """The Lagrangian route for one-to-one pairings with a binding prefecture spread.

    1. :func:`matching.lagrange.relax`: a dual bound :math:`L` and a repaired pairing. If they
       meet within ``solver.gap`` the pairing is returned (``method = 'lagrangian'``).
    2. If reduced-cost fixing against that pairing still keeps more pairs than a core of
       :data:`CORE_PER_ROW` best pairs per recipient, the core model is solved first
       (warm-started): a heuristic that usually finds the optimum. When the pairs that can
       still beat its optimum all lie in the core, that optimum is proven.
    3. Otherwise the model over the pairs kept by reduced-cost fixing against the best pairing
       so far is solved, warm-started; its optimum is the full model's. When they are more than
       :data:`KEPT_PER_CORE` times the core, a wider core (:data:`WIDE_CORE_PER_ROW` pairs per
       recipient) is solved with the time left instead: proven optimal when reduced-cost
       fixing against its optimum keeps no pair outside it, else the best pairing so far is
       returned ``feasible`` with its gap against the Lagrangian bound.

    The whole route shares ``solver.time_limit``. Returns ``None`` when the relaxation cannot
    help (the assignment without spread rows is infeasible, or no pairing was found and the
    reduction would keep everything), and the caller solves the full model.
    """
    tl = time.perf_counter()
    relaxation = lagrange.relax(problem, settings, registry=registry)
    timings["lagrangian"] = time.perf_counter() - tl
    if relaxation is None or relaxation.report.objective is None:
        return None
    rep = relaxation.report
    bound, gap_target = rep.bound, settings.solver.gap
    best_pairs, best_obj = rep.pairs, rep.objective
    assert best_obj is not None
    if relaxation.proven(gap_target):
        note = (
            f"optimal within gap {gap_target:g} by the Lagrangian dual bound {bound:.9g} "
            f"(prefecture-spread rows relaxed, {rep.iterations} subgradient steps); "
            "no integer program solved"
        )
        found = Found(
            best_pairs,
            "lagrangian",
            MatchStatus.OPTIMAL,
            best_obj,
            gap=rep.gap,
            lagrangian=rep,
            note=note,
        )
        return _finish(problem, settings, found, timings, t0, registry=registry)
    report: SolveReport | None = None
    keep = relaxation.keep(best_obj)
    core = relaxation.core(CORE_PER_ROW)
    timings["build"] = 0.0
    if int(keep.sum()) > int(core.sum()):
        if _options(settings, t0, 0.6) is not None:
            tb = time.perf_counter()
            model = build(problem, settings, keep=core, registry=registry)
            timings["build"] += time.perf_counter() - tb
            # the share of the time left *after* the build (a large build must not overrun)
            options = _options(settings, t0, 0.6)
        else:
            options = None
        if options is not None:
            core_report = solve_model(model.lp, options, model.start_values(best_pairs))
            timings["solve"] = timings.get("solve", 0.0) + core_report.seconds
            if core_report.has_solution and core_report.objective is not None:
                if core_report.objective > best_obj:
                    best_pairs = model.chosen_pairs(core_report.values)
                    best_obj = core_report.objective
                    report = core_report
                keep = relaxation.keep(best_obj)
                if core_report.status == SolveStatus.OPTIMAL and not (keep & ~core).any():
                    kept = dataclasses.replace(rep, kept=int(keep.sum()))
                    note = (
                        f"proven optimal on a core of {int(core.sum())} pairs: by Lagrangian "
                        f"reduced costs no pair outside it can beat {best_obj:.9g}"
                    )
                    found = Found(
                        model.chosen_pairs(core_report.values),
                        core_report.solver,
                        MatchStatus.OPTIMAL,
                        core_report.objective,
                        report=core_report,
                        gap=core_report.gap,
                        lagrangian=kept,
                        note=note,
                    )
                    return _finish(problem, settings, found, timings, t0, registry=registry)
    rep = dataclasses.replace(rep, kept=int(keep.sum()))
    small = rep.kept <= KEPT_PER_CORE * int(core.sum())
    if _options(settings, t0, 0.9) is not None and small:
        tb = time.perf_counter()
        model = build(problem, settings, keep=keep, registry=registry)
        timings["build"] += time.perf_counter() - tb
        options = _options(settings, t0, 0.9)  # after the build; leave time to read back
    else:
        options = None
    if options is not None:
        final = solve_model(model.lp, options, model.start_values(best_pairs))
        timings["solve"] = timings.get("solve", 0.0) + final.seconds
        if final.has_solution and final.objective is not None and final.objective >= best_obj:
            report = final
            best_pairs, best_obj = model.chosen_pairs(final.values), final.objective
            if final.bound is not None:
                bound = min(bound, final.bound)
            if final.status == SolveStatus.OPTIMAL:
                note = (
                    f"proven optimal on the {rep.kept} of {rep.allowed} allowed pairs kept by "
                    "Lagrangian reduced-cost fixing (the others cannot beat the best pairing)"
                )
                found = Found(
                    best_pairs,
                    final.solver,
                    MatchStatus.OPTIMAL,
                    final.objective,
                    report=final,
                    gap=final.gap,
                    lagrangian=rep,
                    note=note,
                )
                return _finish(problem, settings, found, timings, t0, registry=registry)
        elif final.status == SolveStatus.INFEASIBLE:
            # the kept pairs hold a feasible pairing: the solver contradicts the relaxation
            return None
    elif not small and _options(settings, t0, 0.9) is not None:
        # Too many pairs kept to solve over them: spend the time left on a wider core (a
        # heuristic: a better pairing, and proven when no kept pair lies outside the core).
        wide = relaxation.core(WIDE_CORE_PER_ROW) | core
        tb = time.perf_counter()
        model = build(problem, settings, keep=wide, registry=registry)
        timings["build"] += time.perf_counter() - tb
        options = _options(settings, t0, 0.9)
        if options is not None:
            wide_report = solve_model(model.lp, options, model.start_values(best_pairs))
            timings["solve"] = timings.get("solve", 0.0) + wide_report.seconds
            if wide_report.has_solution and wide_report.objective is not None:
                if wide_report.objective > best_obj:
                    best_pairs = model.chosen_pairs(wide_report.values)
                    best_obj, report = wide_report.objective, wide_report
                keep = relaxation.keep(best_obj)
                rep = dataclasses.replace(rep, kept=int(keep.sum()))
                if wide_report.status == SolveStatus.OPTIMAL and not (keep & ~wide).any():
                    note = (
                        f"proven optimal on a core of {int(wide.sum())} pairs: by Lagrangian "
                        f"reduced costs no pair outside it can beat {best_obj:.9g}"
                    )
                    found = Found(
                        best_pairs,
                        wide_report.solver,
                        MatchStatus.OPTIMAL,
                        best_obj,
                        report=wide_report,
                        gap=wide_report.gap,
                        lagrangian=rep,
                        note=note,
                    )
                    return _finish(problem, settings, found, timings, t0, registry=registry)
    gap = max(0.0, bound - best_obj) / max(1e-9, abs(best_obj))
    method = report.solver if report is not None else "lagrangian"
    source = (
        "the Lagrangian dual" if bound == rep.bound else "the integer program over the kept pairs"
    )
    note = f"bound {bound:.9g} from {source} (Lagrangian route, {rep.kept} pairs kept)"
    found = Found(
        best_pairs,
        method,
        MatchStatus.FEASIBLE,
        best_obj,
        report=report,
        gap=gap,
        lagrangian=rep,
        note=note,
    )
    return _finish(problem, settings, found, timings, t0, registry=registry)


@dataclass(frozen=True)
class Found:
    """A pairing a route found, with what the route claims about it (before verification)."""

    pairs: Sequence[Pair]
    method: str
    """``assignment``, ``lagrangian`` or the solver's name."""
    status: MatchStatus
    """The route's status (verification may turn it into ``failed``)."""
    claimed: float | None
    """The route's objective, compared with the recomputed one."""
    report: SolveReport | None = None
    stages: tuple[SolveReport, ...] = ()
    """Both maxmin stages' reports (empty otherwise)."""
    level: float | None = None
    """Maxmin: the best worst-pair score of stage 1."""
    gap: float | None = None
    lagrangian: lagrange.LagrangianReport | None = None
    note: str = ""
    """Appended to the result's message (how optimality was proven)."""


def _finish(
    problem: MatchingProblem,
    settings: MatchSettings,
    found: Found,
    timings: dict[str, float],
    t0: float,
    extra: Sequence[ExtraRow] = (),
    registry: Iterable[Rule] | None = None,
) -> MatchResult:
    """Verify ``found`` (with the ``extra`` rows) and turn it into the typed result."""
    pairs, status, gap, note = found.pairs, found.status, found.gap, found.note
    claimed = found.claimed
    tv = time.perf_counter()
    ver = verify(problem, settings, pairs, extra, registry)
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
    if note and status in (MatchStatus.OPTIMAL, MatchStatus.FEASIBLE):
        message = f"{message}; {note}" if message else note
    if status == MatchStatus.OPTIMAL:
        gap = 0.0 if gap is None else gap
    breakdown: dict[str, float] = {}
    ordered = tuple(pairs)
    if ver.ok:  # every pair names counties of the problem, once: ver.cells are theirs
        cells = ver.cells
        codes = cells[:, 0] * len(problem.supporters) + cells[:, 1]
        if len(codes) > 1 and (codes[1:] < codes[:-1]).any():  # the routes give row order
            order = np.argsort(codes, kind="stable")
            ordered = tuple(ordered[k] for k in order)
        breakdown = objective_breakdown(problem, cells, ver.terms)
    else:
        ordered = tuple(
            sorted(
                ordered,
                key=lambda p: (problem.recipient_position(p[0]), problem.supporter_position(p[1])),
            )
        )
    timings["total"] = time.perf_counter() - t0
    return MatchResult(
        status=status,
        method=found.method,
        objective_mode=settings.objective,
        objective=ver.objective,
        pairs=ordered,
        solve_report=found.report,
        stage_reports=found.stages,
        maxmin_level=found.level,
        worst_pair_score=ver.worst_score,
        gap=gap,
        verification=ver,
        timings=timings,
        message=message,
        distance_unit=problem.distance_unit,
        lagrangian=found.lagrangian,
        objective_breakdown=breakdown,
        weights=dict(problem.weights),
        problem=problem,
        settings=settings,
    )
