"""The one-call pipeline: prepare (if needed), build, solve, verify, analyse."""

from __future__ import annotations

from collections.abc import Callable

from allocation.diagnose import best_unfunded, diagnose, rule_costs
from allocation.model import ExtraConstraints
from allocation.options import AllocationSettings
from allocation.prepare import prepare
from allocation.problem import AllocationInputs, AllocationProblem
from allocation.result import AllocationResult, status_of
from allocation.run import run_model
from allocation.verify import verify
from solverkit.registry import SolveStatus


def solve(
    problem: AllocationProblem | AllocationInputs,
    settings: AllocationSettings | None = None,
    *,
    analyse: bool = True,
    progress: Callable[[str], None] | None = None,
    extra_constraints: ExtraConstraints | None = None,
) -> AllocationResult:
    """Solve the allocation and verify the schedule independently of the solver.

    With ``analyse`` (default) the result also carries the rule costs and the best unfunded
    projects (optimal/feasible runs), or the infeasibility diagnosis (infeasible runs), as the
    ``analysis`` settings ask. ``progress`` receives a line per analysis step (long runs).

    ``extra_constraints(m)`` adds rows of the caller's own to the model (family ``extra``,
    ``m.add("extra", name, row)``), as PyPSA's ``extra_functionality``: they are built into
    every re-solve of the analyses too, and :func:`verify` evaluates each of them on the
    schedule from its coefficients, independently of the solver.
    """
    settings = settings or AllocationSettings()
    if isinstance(problem, AllocationInputs):
        problem = prepare(problem, settings)
    run = run_model(problem, settings, extra_constraints=extra_constraints)
    verification = (
        verify(problem, settings, run.schedule, objective=run.objective, model=run.model)
        if run.has_solution
        else None
    )
    costs, unfunded, diagnosis = [], [], None
    a = settings.analysis
    if analyse and run.has_solution:
        if a.rule_costs:
            costs = rule_costs(problem, settings, run, progress)
        unfunded = best_unfunded(problem, settings, run, progress)
    elif analyse and run.status == SolveStatus.INFEASIBLE and a.diagnose:
        if progress is not None:
            progress("rules are infeasible: looking for the rules in conflict")
        diagnosis = diagnose(problem, settings, extra_constraints=extra_constraints)
    return AllocationResult(
        problem=problem,
        settings=settings,
        status=status_of(run.status),
        solver=run.solver,
        solver_version=run.solver_version,
        solver_status=run.solver_status,
        objective=run.objective,
        bound=run.bound,
        gap=run.gap,
        seconds=run.seconds,
        build_seconds=run.build_seconds,
        stages=run.stages,
        schedule=run.schedule,
        coverage=run.coverage,
        verification=verification,
        rule_costs=tuple(costs),
        unfunded=tuple(unfunded),
        diagnosis=diagnosis,
    )
