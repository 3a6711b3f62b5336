"""Run the built model through the solver registry and read the schedule back.

With ``lexicographic`` the model is solved twice: stage 1 maximises the number of covered
(pair, year) combinations; stage 2 keeps that coverage (constraint ``coverage_total``) and
maximises benefit minus the shortfall penalty. The run is ``optimal`` only if every stage is.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from allocation.model import AllocationModel, ExtraConstraints, anchored, build
from allocation.options import AllocationSettings
from allocation.problem import AllocationProblem
from solverkit.registry import SolveReport, SolverOptions, SolveStatus, StopRule, solve_model

_RANK = {
    SolveStatus.OPTIMAL: 0,
    SolveStatus.FEASIBLE: 1,
    SolveStatus.NOT_SOLVED: 2,
    SolveStatus.UNBOUNDED: 3,
    SolveStatus.INFEASIBLE: 4,
}


@dataclass(frozen=True)
class Stage:
    """One solver call."""

    name: str
    status: SolveStatus
    solver_status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float

    @classmethod
    def of(cls, name: str, report: SolveReport) -> Stage:
        """Summarise a solver report."""
        return cls(
            name,
            report.status,
            report.solver_status,
            report.objective,
            report.bound,
            report.gap,
            report.seconds,
        )


@dataclass(frozen=True)
class Run:
    """Outcome of :func:`run_model`."""

    status: SolveStatus
    solver: str
    solver_version: str
    solver_status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    build_seconds: float
    stages: tuple[Stage, ...]
    schedule: dict[str, dict[int, float]]
    coverage: int | None
    model: AllocationModel
    decided: tuple[float, float | None] | None = None
    """Stopped by the caller's stop rule: the ``(incumbent, bound)`` it fired on (reproducible,
    unlike ``objective``/``bound``: see :attr:`solverkit.SolveReport.decided`)."""

    @property
    def has_solution(self) -> bool:
        """Whether the solver returned a solution."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


def extract_schedule(m: AllocationModel, values: dict[str, float]) -> dict[str, dict[int, float]]:
    """Read project -> {year: special fund} from solver values (amounts snapped onto bounds)."""
    out: dict[str, dict[int, float]] = {}
    for (pid, s), var in m.start.items():
        if values.get(var.name, 0.0) <= 0.5:
            continue
        p = m.problem.projects[pid]
        amount = p.request
        if p.partial:
            amount = p.minimum + float(values.get(m.amount[pid, s].name, math.nan))
            for bound in (p.minimum, p.request):
                if abs(amount - bound) <= 1e-6 * max(1.0, bound):
                    amount = bound
        out[pid] = {y: amount for y in p.years_if_started(s)}
    return out


def _worst(statuses: list[SolveStatus]) -> SolveStatus:
    return max(statuses, key=lambda s: _RANK[s])


def run_model(
    problem: AllocationProblem,
    settings: AllocationSettings,
    *,
    omit: Collection[str] = (),
    solver: SolverOptions | None = None,
    feasibility_only: bool = False,
    initial: Mapping[str, float] | None = None,
    extra_constraints: ExtraConstraints | None = None,
    known_coverage: int | None = None,
    stop: StopRule | None = None,
) -> Run:
    """Build and solve (two stages when lexicographic); never raises on infeasibility.

    ``initial`` (variable name -> value) is a known plan handed to the solver as a warm start,
    e.g. the base plan when a rule is relaxed (it stays feasible there). ``extra_constraints``
    is the user's hook of extra rows (see :func:`allocation.build`).

    ``known_coverage`` is the coverage of a plan known to be feasible in this model (the base
    plan, in a model with one rule relaxed). When it equals the number of coverable (pair,
    year) combinations it is provably the maximum, so the coverage stage is not solved: the
    model gets ``coverage_total`` directly (stage recorded as ``coverage`` with solver status
    ``skipped: ...``).

    ``stop(incumbent, bound)`` ends the last stage's search once the caller's question is
    answered (:func:`solverkit.registry.solve_model`); the coverage stage always runs to the end.
    """
    import time

    options = solver or settings.solver
    t0 = time.perf_counter()
    lexi = settings.lexicographic and not feasibility_only
    objective = "none" if feasibility_only else ("coverage" if lexi else "benefit")
    m = build(
        problem, settings, omit=omit, objective=objective, extra_constraints=extra_constraints
    )
    build_seconds = time.perf_counter() - t0
    stages: list[Stage] = []
    coverage: int | None = None
    if lexi and m.covered and known_coverage is not None and known_coverage >= len(m.covered):
        # Every coverable pair-year is covered by a feasible plan: the maximum is known.
        coverage = len(m.covered)
        stages.append(
            Stage(
                "coverage",
                SolveStatus.OPTIMAL,
                "skipped: every coverable pair-year is covered by the known plan",
                float(coverage),
                float(coverage),
                0.0,
                0.0,
            )
        )
        t1 = time.perf_counter()
        m.add("coverage", "coverage_total", m.coverage >= coverage)
        m.lp.setObjective(anchored(m, m.benefit - m.penalty))
        build_seconds += time.perf_counter() - t1
    elif lexi and m.covered:
        first = solve_model(m.lp, options, initial)
        stages.append(Stage.of("coverage", first))
        if not first.has_solution:
            return _finish(first, stages, m, build_seconds, None)
        coverage = round(first.objective or 0.0)
        t1 = time.perf_counter()
        m.add("coverage", "coverage_total", m.coverage >= coverage)
        m.lp.setObjective(anchored(m, m.benefit - m.penalty))
        build_seconds += time.perf_counter() - t1
    elif lexi:
        # No (pair, year) can be covered: stage 1 is void, and the model was built with the
        # (empty) coverage objective; the one solve must maximise benefit minus the penalty.
        m.lp.setObjective(anchored(m, m.benefit - m.penalty))
    report = solve_model(m.lp, options, initial, stop=stop)
    stages.append(Stage.of("none" if feasibility_only else "benefit", report))
    if report.has_solution:  # 0 when no (pair, year) can be covered at all
        coverage = round(sum(report.values.get(v.name, 0.0) for v in m.covered.values()))
    return _finish(report, stages, m, build_seconds, coverage)


def _finish(
    report: SolveReport,
    stages: list[Stage],
    m: AllocationModel,
    build_seconds: float,
    coverage: int | None,
) -> Run:
    status = _worst([s.status for s in stages])
    if status == SolveStatus.OPTIMAL and report.status != SolveStatus.OPTIMAL:
        status = report.status
    schedule = extract_schedule(m, report.values) if report.has_solution else {}
    return Run(
        status=status,
        solver=report.solver,
        solver_version=report.solver_version,
        solver_status=" | ".join(f"{s.name}: {s.solver_status}" for s in stages),
        objective=report.objective if report.has_solution else None,
        bound=report.bound,
        gap=report.gap,
        seconds=sum(s.seconds for s in stages),
        build_seconds=build_seconds,
        stages=tuple(stages),
        schedule=schedule,
        coverage=coverage,
        model=m,
        decided=report.decided if report.has_solution else None,
    )


def with_options(settings: AllocationSettings, time_limit: float) -> SolverOptions:
    """The settings' solver options with a (shorter) time limit for analysis re-solves.

    ``analysis.solver`` (when set) names the re-solves' solver; gap and threads stay.
    """
    name = settings.analysis.solver or settings.solver.name
    return dataclasses.replace(
        settings.solver, name=name, time_limit=min(settings.solver.time_limit, time_limit)
    )
