"""The ``portfolio`` solver: CBC and HiGHS race on the same model; the first proven result wins.

Each racer solves its own model object (PuLP writes solution values into the variables, so
two solvers cannot share one: CBC gets the caller's, HiGHS a copy) in a worker thread: CBC
spends its time in a child process, HiGHS in native code that releases the GIL, so the two
use the two cores. The
first result that is *proven* — optimal, proven within the requested gap, or proven
infeasible/unbounded — wins; the other racer is stopped (CBC's process group is killed,
HiGHS is interrupted from its callback) and waited for, so nothing is left running.

If neither proves its result (both stop at the time limit), the better incumbent wins (ties
go to CBC, the anchor). Which solver wins a close race can depend on machine load: the report
says who won (``winner``, and in ``solver_status`` / ``solver_version``, which engines
publish) and what each racer did (``race``); ``solver`` stays ``"portfolio"``. The engines
verify the solution independently in any case.
"""

from __future__ import annotations

import contextvars
import dataclasses
import queue
import threading
import time
from collections.abc import Mapping

import pulp

from solverkit import progress
from solverkit.cbc_runner import CbcCancelled
from solverkit.registry import (
    _CANCEL,
    SolveReport,
    SolverOptions,
    SolveStatus,
    get_backend,
)

#: The racers, in tie-breaking order.
RACERS = ("cbc", "highs")


def proven(report: SolveReport, options: SolverOptions) -> bool:
    """Whether ``report`` settles the model: proven optimal, within the gap, or no solution."""
    if report.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED):
        return True
    return (
        report.status == SolveStatus.FEASIBLE
        and report.gap is not None
        and report.gap <= options.gap + 1e-12
    )


def _better(a: SolveReport, b: SolveReport, sense: int) -> bool:
    """Whether ``a`` is a strictly better incumbent than ``b`` (in the model's sense)."""
    if a.objective is None:
        return False
    if b.objective is None:
        return True
    return sense * a.objective < sense * b.objective - 1e-9 * max(1.0, abs(b.objective))


def _copy(problem: pulp.LpProblem) -> pulp.LpProblem:
    """An independent copy (own variables) of ``problem``.

    PuLP 3.3's ``toDict`` drops the objective's constant term; it is put back here.
    """
    model = pulp.LpProblem.fromDict(problem.toDict())[1]
    if problem.objective is not None and model.objective is not None:
        model.objective.constant = problem.objective.constant
    return model


def run_portfolio(
    problem: pulp.LpProblem,
    options: SolverOptions,
    initial: Mapping[str, float] | None = None,
) -> SolveReport:
    """Race CBC and HiGHS on ``problem`` (solved in place with the winner's values)."""
    backends = {name: get_backend(name) for name in RACERS}
    cancels = {name: threading.Event() for name in RACERS}
    results: queue.Queue[tuple[str, SolveReport | BaseException]] = queue.Queue()
    outer_emit = progress.bind(progress.emit)
    listening = progress.active()

    def forward(event: progress.SolveProgress) -> None:
        # A racer's "done" is not the portfolio's: only the final event below says done.
        outer_emit(dataclasses.replace(event, done=False))

    def race(name: str, model: pulp.LpProblem) -> None:
        _CANCEL.set(cancels[name])
        try:
            with progress.reporting(forward if listening else None):
                start = initial if backends[name].warm_start else None
                results.put((name, backends[name].run(model, options, start)))
        except BaseException as exc:
            results.put((name, exc))

    threads = []
    models: dict[str, pulp.LpProblem] = {}
    for name in RACERS:
        # CBC solves the caller's model itself (one copy fewer); the winner's values are
        # written back below once both racers have stopped.
        model = models[name] = problem if name == "cbc" else _copy(problem)
        ctx = contextvars.copy_context()
        t = threading.Thread(target=ctx.run, args=(race, name, model), name=f"portfolio-{name}")
        threads.append(t)
    done: dict[str, SolveReport | BaseException] = {}
    winner: str | None = None
    clock = time.perf_counter()
    try:
        for t in threads:
            t.start()
        while len(done) < len(RACERS):
            try:
                name, outcome = results.get(timeout=0.1)
            except queue.Empty:
                continue
            done[name] = outcome
            if winner is None and isinstance(outcome, SolveReport) and proven(outcome, options):
                winner = name
                for other, event in cancels.items():
                    if other != name:
                        event.set()
    finally:
        # Ctrl-C or an error here: stop both racers and wait, so no child outlives us.
        for event in cancels.values():
            if winner is None:
                event.set()
        for t in threads:
            t.join()
        while not results.empty():
            name, outcome = results.get_nowait()
            done.setdefault(name, outcome)
    seconds = time.perf_counter() - clock
    reports = {n: r for n, r in done.items() if isinstance(r, SolveReport)}
    if winner is None:
        if not reports:
            raise next(r for r in done.values() if isinstance(r, BaseException))
        winner = next(iter(n for n in RACERS if n in reports))
        for name in RACERS:
            if name in reports and _better(reports[name], reports[winner], problem.sense):
                winner = name
    best = reports[winner]
    race_notes = {name: _describe(done[name], name == winner) for name in RACERS}
    problem.assignStatus(models[winner].status, models[winner].sol_status)
    if best.values:
        for v in problem.variables():
            if v.name in best.values:
                v.varValue = best.values[v.name]
    report = dataclasses.replace(
        best,
        # The name stays the one asked for (engines and their JSON key on it); who won is in
        # ``winner``, ``race``, the status text and the version string.
        solver="portfolio",
        solver_version=f"portfolio won by {best.solver_version}",
        solver_status=f"{best.solver_status} ({winner} won the portfolio race)",
        seconds=seconds,
        winner=winner,
        race=race_notes,
    )
    if listening:
        outer_emit(
            progress.SolveProgress(
                solver=f"portfolio:{winner}",
                elapsed=report.seconds,
                incumbent=report.objective,
                bound=report.bound,
                gap=report.gap,
                done=True,
            )
        )
    return report


def _describe(outcome: SolveReport | BaseException, won: bool) -> str:
    if isinstance(outcome, CbcCancelled):
        return "stopped: the other solver won"
    if isinstance(outcome, BaseException):
        return f"failed: {type(outcome).__name__}: {outcome}"
    gap = "" if outcome.gap is None else f", gap {outcome.gap:.3g}"
    tag = "winner" if won else "not used"
    state = f"{outcome.status.value} in {outcome.seconds:.2f} s{gap}"
    return f"{state} ({outcome.solver_status}; {tag})"


__all__ = ["RACERS", "proven", "run_portfolio"]
