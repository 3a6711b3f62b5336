"""The one-call pipeline: prepare (if needed), build, solve, verify, analyse."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from allocation.diagnose import RuleCost, Unfunded, best_unfunded, diagnose, rule_costs
from allocation.model import ExtraConstraints
from allocation.options import AllocationSettings
from allocation.prepare import prepare
from allocation.problem import AllocationInputs, AllocationProblem
from allocation.result import AllocationResult, status_of
from allocation.run import Run, run_model
from allocation.verify import verify
from solverkit.registry import SolveStatus


def _analyse(
    problem: AllocationProblem,
    settings: AllocationSettings,
    run: Run,
    progress: Callable[[str], None] | None,
) -> tuple[list[RuleCost], list[Unfunded]]:
    """Rule costs and the best unfunded projects, their re-solves sharing one pool of workers.

    Run one after the other, the last round of each leaves a core idle (8 + 3 re-solves on 2
    workers: 4 + 2 rounds); run side by side behind one semaphore of ``workers`` slots, the 11
    re-solves keep both cores busy to the end. Each result is independent of the order.
    """
    a = settings.analysis
    if not a.rule_costs:
        return [], best_unfunded(problem, settings, run, progress)
    if a.workers <= 1 or a.force_unfunded <= 0 or a.best_unfunded <= 0:
        return rule_costs(problem, settings, run, progress), best_unfunded(
            problem, settings, run, progress
        )
    slots = threading.BoundedSemaphore(a.workers)
    with ThreadPoolExecutor(max_workers=2) as pool:
        costs = pool.submit(
            contextvars.copy_context().run,
            rule_costs,
            problem,
            settings,
            run,
            progress,
            slots=slots,
        )
        unfunded = pool.submit(
            contextvars.copy_context().run,
            best_unfunded,
            problem,
            settings,
            run,
            progress,
            slots=slots,
        )
        return costs.result(), unfunded.result()


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
    costs: list[RuleCost] = []
    unfunded: list[Unfunded] = []
    diagnosis = None
    a = settings.analysis
    if analyse and run.has_solution:
        costs, unfunded = _analyse(problem, settings, run, progress)
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
