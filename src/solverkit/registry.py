"""Solver registry shared by both engines (the floor below them: it knows no domain).

Every PuLP model in shanchuan is solved through :func:`solve_model`, which picks a solver by
name from :data:`REGISTRY` and returns a typed :class:`SolveReport`. Unknown or unavailable
solvers are errors that list what is available: never a silent fallback.

Four backends (all need only the core dependencies):

``cbc``
    COIN-OR CBC as bundled inside the pinned PuLP wheel. Run as a child process in its own
    process group (:mod:`solverkit.cbc_runner`), killed on Ctrl-C, timeout or error.
``highs``
    HiGHS through PuLP's ``HiGHS`` interface (``highspy``), with callbacks for progress and
    for being stopped from outside.
``scipy``
    HiGHS as bundled in SciPy, through :func:`scipy.optimize.milp`, on the matrix form of the
    very same PuLP model.
``portfolio``
    CBC and HiGHS race on the two cores; the first *proven* result wins and the other is
    stopped (:mod:`solverkit.portfolio`). ``SolveReport.winner`` / ``race`` say who won.

Statuses are honest: ``SolveStatus.OPTIMAL`` only when optimality is proven — an LP the
solver solved, a MIP whose relative gap between incumbent and bound is at most
:data:`solverkit.progress.OPTIMALITY_TOLERANCE` (1e-6), or a MIP the solver declares optimal
when asked for gap 0. A run that stopped at a requested gap above 1e-6, or at a time limit
with an incumbent, is ``SolveStatus.FEASIBLE`` with ``gap`` and ``bound`` set (see
:func:`classify`).

While :func:`solverkit.progress.active`, the cbc and highs backends emit throttled
:class:`~solverkit.progress.SolveProgress` events (at most one per 0.5 s, objective values
in the model's own sense with its constant) and a final ``done=True`` event.

A caller may pass initial values (a known feasible solution) to :func:`solve_model`; backends
whose ``warm_start`` capability is set (``cbc``, and CBC inside ``portfolio``) start from them,
the others ignore them (``cbc`` writes a ``.mst`` file, ``highs`` calls ``setSolution``).

A caller may also pass a *stop rule* (``solve_model(..., stop=rule)``): ``rule(incumbent,
bound)`` is asked, in the model's own sense with its constant, whenever the backend learns a
new incumbent or bound, and the search ends as soon as it returns True — the run is then
``FEASIBLE`` with the incumbent and bound reached (``solver_status`` says ``stopped: decided``).
It lets a caller stop once the question it asks is answered (e.g. "is this rule's cost above
the tolerance?") rather than once the gap is closed. Backends with the ``early_stop``
capability (``cbc``: SIGINT to the child, which writes its incumbent; ``highs``: its interrupt
callback; ``portfolio``: both racers) obey it; the others ignore it.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import enum
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

import numpy as np
import pulp

if TYPE_CHECKING:
    from scipy.sparse import csr_array

from solverkit import progress
from solverkit.cbc_runner import CbcLogState, GroupedCbc, parse_log_line
from solverkit.errors import ShanchuanError
from solverkit.progress import OPTIMALITY_TOLERANCE


class SolverError(ShanchuanError, ValueError):
    """A solver name is unknown, its backend is not installed, or an option is out of range."""

    exit_code = 2


class SolveStatus(enum.StrEnum):
    """What the solver says about the run (kept apart from the solution's own verification)."""

    OPTIMAL = "optimal"
    """Proven optimal within the requested relative gap."""
    FEASIBLE = "feasible"
    """A feasible solution, but the run stopped (time limit) before proving optimality."""
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NOT_SOLVED = "not_solved"
    """Stopped without any feasible solution, or the solver failed."""


@dataclass(frozen=True)
class SolverOptions:
    """How to run the solver.

    Attributes are scenario keys under ``[matching.solver]`` and ``[allocation.solver]``.
    """

    name: str = field(
        default="cbc", metadata={"doc": "Solver: cbc (bundled), highs, scipy, portfolio."}
    )
    time_limit: float = field(
        default=60.0, metadata={"doc": "Wall-clock limit of one solve.", "unit": "s"}
    )
    gap: float = field(
        default=0.0,
        metadata={"doc": "Relative MIP gap at which the solver may stop (0 = prove optimality)."},
    )
    threads: int = field(default=1, metadata={"doc": "Solver threads (1 keeps runs reproducible)."})
    msg: bool = field(default=False, metadata={"doc": "Print the solver's own log."})

    def __post_init__(self) -> None:
        problems = []
        if self.time_limit <= 0 or not math.isfinite(self.time_limit):
            problems.append(
                f"time_limit must be a positive number of seconds, got {self.time_limit!r}"
            )
        if not (0.0 <= self.gap < 1.0):
            problems.append(f"gap must be in [0, 1), got {self.gap!r}")
        if self.threads < 1:
            problems.append(f"threads must be at least 1, got {self.threads!r}")
        if problems:
            raise SolverError("; ".join(problems))


@dataclass(frozen=True)
class SolveReport:
    """Outcome of one solve. ``values`` maps PuLP variable names to their values."""

    status: SolveStatus
    solver: str
    solver_version: str
    solver_status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    values: dict[str, float]
    winner: str | None = None
    """The ``portfolio`` solver only: which racer's result this is (``cbc`` or ``highs``)."""
    race: dict[str, str] = field(default_factory=dict)
    """The ``portfolio`` solver only: what each racer did (status, time, gap, or stopped)."""
    decided: tuple[float, float | None] | None = None
    """A run ended by the caller's stop rule only: the ``(incumbent, bound)`` the rule fired on
    (model's sense, with the constant). The solver reaches a little more before it obeys (CBC
    gets a signal a few milliseconds later), so ``objective`` and ``bound`` depend on timing;
    these two do not, and a caller wanting reproducible figures reports them."""

    @property
    def has_solution(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class SolverBackend:
    """A registered solver: availability probe, version, the run function and capabilities.

    ``run(problem, options, initial)`` gets initial values by variable name, or ``None``.
    """

    name: str
    description: str
    is_available: Callable[[], bool]
    version: Callable[[], str]
    run: Callable[[pulp.LpProblem, SolverOptions, Mapping[str, float] | None], SolveReport]
    warm_start: bool = False
    """Whether ``run`` starts from the initial values (else it ignores them)."""
    early_stop: bool = False
    """Whether ``run`` obeys the stop rule of :func:`solve_model` (else it ignores it)."""


def _pkg_version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return abs(objective - bound) / max(1e-9, abs(objective))


def _read_values(problem: pulp.LpProblem) -> dict[str, float]:
    return {
        v.name: (v.varValue if v.varValue is not None else math.nan) for v in problem.variables()
    }


def classify(
    objective: float | None,
    bound: float | None,
    *,
    is_mip: bool,
    proved: bool,
) -> tuple[SolveStatus, float | None]:
    """Status of a run that has a solution, and the bound to report beside it.

    ``OPTIMAL`` only when proven: an LP the solver solved (``proved``); a MIP whose relative
    gap between incumbent and bound is at most :data:`~solverkit.progress.OPTIMALITY_TOLERANCE`;
    or a MIP whose search the solver completed (``proved``: asked for gap 0, or CBC's
    "Optimal solution found" without "within gap tolerance") — its own tolerances are
    tighter, and CBC's printed bound may be rounded or missing. A run that stopped at a
    requested gap above the tolerance, or at a time limit, is ``FEASIBLE`` with its gap and
    bound.
    """
    if objective is None:
        return SolveStatus.NOT_SOLVED, None
    if not is_mip:
        return (SolveStatus.OPTIMAL, objective) if proved else (SolveStatus.FEASIBLE, bound)
    if bound is not None and (
        (_relative_gap(objective, bound) or 0.0) <= OPTIMALITY_TOLERANCE
        or abs(objective - bound) <= 1e-9
    ):
        return SolveStatus.OPTIMAL, bound
    if proved:
        return SolveStatus.OPTIMAL, objective
    return SolveStatus.FEASIBLE, bound


class _Ticker:
    """Turns a backend's running incumbent/bound into throttled :class:`SolveProgress` events.

    Values arrive in the solver's internal sense without the objective's constant; ``sense``
    and ``constant`` map them to the model's own. Created in the solving thread, it binds the
    progress sink there, so solver callbacks and log-reader threads reach the same sink.
    """

    interval = 0.5

    def __init__(self, solver: str, *, sense: float, constant: float) -> None:
        self.enabled = progress.active()
        self._emit = progress.bind(progress.emit) if self.enabled else None
        self._solver = solver
        self._sense = sense
        self._constant = constant
        self._start = time.perf_counter()
        self._last = -math.inf
        self._lock = threading.Lock()
        self._finished = False
        self.incumbent: float | None = None
        self.bound: float | None = None

    def update(self, incumbent: float | None, bound: float | None) -> None:
        if self._emit is None:
            return
        with self._lock:
            if incumbent is not None and math.isfinite(incumbent) and abs(incumbent) < 1e49:
                self.incumbent = self._sense * incumbent + self._constant
            if bound is not None and math.isfinite(bound) and abs(bound) < 1e49:
                self.bound = self._sense * bound + self._constant
            now = time.perf_counter()
            if self._finished or now - self._last < self.interval:
                return
            self._last = now
            event = progress.SolveProgress(
                solver=self._solver,
                elapsed=now - self._start,
                incumbent=self.incumbent,
                bound=self.bound,
            )
        self._emit(event)

    def done(self, report: SolveReport | None) -> None:
        """The final ``done=True`` event (from the report, or the last values on an error)."""
        if self._emit is None:
            return
        with self._lock:
            if self._finished:
                return
            self._finished = True
        if report is not None:
            event = progress.SolveProgress(
                solver=self._solver,
                elapsed=report.seconds,
                incumbent=report.objective,
                bound=report.bound,
                gap=report.gap,
                done=True,
            )
        else:
            event = progress.SolveProgress(
                solver=self._solver,
                elapsed=time.perf_counter() - self._start,
                incumbent=self.incumbent,
                bound=self.bound,
                done=True,
            )
        self._emit(event)


#: Set by the portfolio for each racer: when the event is set, the backend stops (CBC's
#: process group is killed; HiGHS is interrupted from its callback).
_CANCEL: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "solverkit_cancel", default=None
)


#: ``rule(incumbent, bound)`` in the model's own sense (with its constant); see the module doc.
StopRule = Callable[[float | None, float | None], bool]

#: Set by :func:`solve_model` for the duration of one solve (copied into portfolio racers).
_STOP: contextvars.ContextVar[StopRule | None] = contextvars.ContextVar(
    "solverkit_stop", default=None
)

STOPPED_DECIDED = "stopped: decided"


class _Stopper:
    """Evaluates the caller's stop rule on a backend's running incumbent and bound.

    Values arrive in the solver's internal sense without the objective's constant (as for
    :class:`_Ticker`); once the rule has said stop, it keeps saying so.
    """

    def __init__(self, rule: StopRule, *, sense: float, constant: float, gap: float = 0.0) -> None:
        self._rule = rule
        self._gap = gap
        self._sense = sense
        self._constant = constant
        self._lock = threading.Lock()
        self.incumbent: float | None = None
        self.bound: float | None = None
        self.fired = False

    def check(self, incumbent: float | None, bound: float | None) -> bool:
        with self._lock:
            if self.fired:
                return True
            if incumbent is not None and math.isfinite(incumbent) and abs(incumbent) < 1e49:
                self.incumbent = self._sense * incumbent + self._constant
            if bound is not None and math.isfinite(bound) and abs(bound) < 1e49:
                self.bound = self._sense * bound + self._constant
            if self.incumbent is None:
                return False
            if self.bound is not None and (
                abs(self.bound - self.incumbent) <= self._gap * max(1e-9, abs(self.incumbent))
            ):
                # The solver is at its own gap and ends here by itself: not a decision (else
                # whether the rule or the solver ended the run would be a matter of timing).
                return False
            self.fired = bool(self._rule(self.incumbent, self.bound))
            return self.fired


def _decided_at(stopper: _Stopper | None) -> tuple[float, float | None] | None:
    """What the stop rule fired on, when it fired (see :attr:`SolveReport.decided`)."""
    if stopper is None or not stopper.fired or stopper.incumbent is None:
        return None
    return stopper.incumbent, stopper.bound


def _stopper(sense: float, constant: float, gap: float = 0.0) -> _Stopper | None:
    rule = _STOP.get()
    if rule is None:
        return None
    return _Stopper(rule, sense=sense, constant=constant, gap=gap)


_CBC_RESULT = re.compile(r"^Result - (.*)$", re.M)
_CBC_OBJ = re.compile(r"^Objective value:\s+(\S+)", re.M)
_CBC_BOUND = re.compile(r"^(?:Lower|Upper) bound:\s+(\S+)", re.M)


#: CBC 2.10 (as bundled with PuLP 3.3) can take a MIP start, fail to solve the root LP
#: afterwards ("The LP relaxation is infeasible or too expensive"), and then declare the start
#: "Optimal" with its own objective as the bound. Such a claim is false; the solve is redone
#: without the start.
_CBC_BOGUS_START = re.compile(r"LP relaxation is infeasible or too expensive")


def _run_cbc(
    problem: pulp.LpProblem,
    options: SolverOptions,
    initial: Mapping[str, float] | None = None,
) -> SolveReport:
    report, log = _run_cbc_once(problem, options, initial)
    if initial is not None and report.has_solution and _CBC_BOGUS_START.search(log):
        cold, _ = _run_cbc_once(problem, options, None)
        return dataclasses.replace(
            cold,
            seconds=cold.seconds + report.seconds,
            solver_status=cold.solver_status + " (warm start discarded: CBC root LP failed)",
        )
    return report


def _run_cbc_once(
    problem: pulp.LpProblem,
    options: SolverOptions,
    initial: Mapping[str, float] | None,
) -> tuple[SolveReport, str]:
    """One CBC run (a child process in its own group, see :mod:`solverkit.cbc_runner`)."""
    if initial is not None:
        # CBC reads the start from the variables' current values (an .mst file).
        for v in problem.variables():
            v.varValue = float(initial.get(v.name, 0.0))
    lines: list[str] = []
    constant = float(problem.objective.constant) if problem.objective is not None else 0.0
    # CBC's log is in the model's sense (PuLP passes -max) but leaves out the constant.
    ticker = _Ticker("cbc", sense=1.0, constant=constant)
    stopper = _stopper(1.0, constant, options.gap)
    stop_event = threading.Event() if stopper is not None else None
    state = CbcLogState(maximize=problem.sense == pulp.LpMaximize)
    lock = threading.Lock()

    def on_line(line: str) -> None:
        with lock:
            lines.append(line)
        if options.msg:
            sys.stdout.write(line)
        if (ticker.enabled or stopper is not None) and parse_log_line(line, state):
            ticker.update(state.incumbent, state.bound)
            if stopper is not None and stop_event is not None and not stop_event.is_set():
                if stopper.check(state.incumbent, state.bound):
                    stop_event.set()

    solver = GroupedCbc(
        on_line=on_line,
        cancel=_CANCEL.get(),
        stop=stop_event,
        watchdog=1.5 * options.time_limit + 30.0,
        msg=False,
        timeLimit=options.time_limit,
        gapRel=options.gap,
        threads=options.threads,
        warmStart=initial is not None,
        options=["randomSeed 1", "randomCbcSeed 1"],
    )
    start = time.perf_counter()
    try:
        problem.solve(solver)
    except BaseException:
        ticker.done(None)
        raise
    seconds = time.perf_counter() - start
    with lock:
        text = "".join(lines)
    result = _CBC_RESULT.search(text)
    result_text = result.group(1).strip() if result else pulp.LpStatus[problem.status]
    if stop_event is not None and stop_event.is_set() and "ctrl-c" in result_text.lower():
        result_text = f"{STOPPED_DECIDED} (CBC interrupted once the caller's question was answered)"
    # Whether CBC obeyed the signal or ended first is timing; that the rule fired, and on
    # which line, is not (the log is read to its end either way).
    decided = _decided_at(stopper)
    is_mip = any(v.cat == pulp.LpInteger for v in problem.variables())
    sol = problem.sol_status
    objective = pulp.value(problem.objective) if sol in (1, 2) else None
    bound = None
    m = _CBC_BOUND.search(text)
    if m:
        try:
            # CBC's summary leaves out the objective's constant term: add it back.
            bound = float(m.group(1)) + constant
        except ValueError:
            bound = None
    if bound is not None and not math.isfinite(bound):
        bound = None
    if problem.status == pulp.LpStatusInfeasible or "infeasible" in result_text.lower():
        status = SolveStatus.INFEASIBLE
    elif problem.status == pulp.LpStatusUnbounded or "unbounded" in result_text.lower():
        status = SolveStatus.UNBOUNDED
    elif sol in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        optimal = sol == pulp.LpSolutionOptimal and "Optimal" in result_text
        # "Optimal solution found (within gap tolerance)": stopped at the requested gap.
        complete = "gap tolerance" not in result_text or options.gap <= OPTIMALITY_TOLERANCE
        proved = (optimal and complete) or (not is_mip and sol == pulp.LpSolutionOptimal)
        status, bound = classify(objective, bound, is_mip=is_mip, proved=proved)
    else:
        status = SolveStatus.NOT_SOLVED
    report = SolveReport(
        status=status,
        solver="cbc",
        solver_version=_cbc_version(),
        solver_status=result_text,
        objective=objective,
        bound=bound,
        gap=_relative_gap(objective, bound) if objective is not None else None,
        seconds=seconds,
        values=_read_values(problem) if objective is not None else {},
        decided=decided if objective is not None else None,
    )
    ticker.done(report)
    return report, text


def _cbc_version() -> str:
    return f"CBC bundled with PuLP {pulp.__version__}"


class _CallbackHiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface with progress and cancellation callbacks on the ``Highs`` object.

    ``Highs.run`` releases the GIL, so the portfolio's other racer and the caller's threads
    keep running; the interrupt callback is HiGHS' own way to stop a solve from outside.
    """

    def __init__(
        self,
        *,
        ticker: _Ticker,
        cancel: threading.Event | None,
        stopper: _Stopper | None = None,
        initial: Mapping[str, float] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self._ticker = ticker
        self._cancel = cancel
        self._stopper = stopper
        self._initial = initial

    def callSolver(self, lp: pulp.LpProblem) -> None:
        h = lp.solverModel
        ticker, cancel, stopper = self._ticker, self._cancel, self._stopper
        if self._initial is not None:
            import highspy

            # PuLP numbers HiGHS' columns in lp.variables() order (buildSolverModel).
            start = highspy.HighsSolution()
            start.col_value = [float(self._initial.get(v.name, 0.0)) for v in lp.variables()]
            start.value_valid = True
            h.setSolution(start)
        if ticker.enabled:

            def on_progress(e: object) -> None:
                out = e.data_out  # type: ignore[attr-defined]
                ticker.update(out.mip_primal_bound, out.mip_dual_bound)

            h.cbMipImprovingSolution.subscribe(on_progress)
            h.cbMipLogging.subscribe(on_progress)
            h.cbMipInterrupt.subscribe(on_progress)
        if cancel is not None:

            def on_interrupt(e: object) -> None:
                if cancel.is_set():
                    e.interrupt()  # type: ignore[attr-defined]

            h.cbSimplexInterrupt.subscribe(on_interrupt)
            h.cbIpmInterrupt.subscribe(on_interrupt)
            h.cbMipInterrupt.subscribe(on_interrupt)
        if stopper is not None:

            def on_decided(e: object) -> None:
                out = e.data_out  # type: ignore[attr-defined]
                if stopper.check(out.mip_primal_bound, out.mip_dual_bound):
                    e.interrupt()  # type: ignore[attr-defined]

            h.cbMipInterrupt.subscribe(on_decided)
        h.run()


def _run_highs(
    problem: pulp.LpProblem,
    options: SolverOptions,
    initial: Mapping[str, float] | None = None,
) -> SolveReport:
    import highspy

    # PuLP hands HiGHS a minimisation (objective negated when maximising) without the
    # objective's constant term; undo both for the bound and for progress events.
    obj_mult = -1.0 if problem.sense == pulp.LpMaximize else 1.0
    constant = float(problem.objective.constant) if problem.objective is not None else 0.0
    ticker = _Ticker("highs", sense=obj_mult, constant=constant)
    stopper = _stopper(obj_mult, constant, options.gap)
    solver = _CallbackHiGHS(
        ticker=ticker,
        cancel=_CANCEL.get(),
        stopper=stopper,
        initial=initial,
        msg=options.msg,
        timeLimit=options.time_limit,
        gapRel=options.gap,
        threads=options.threads,
        random_seed=1,
    )
    start = time.perf_counter()
    try:
        with _quiet_stdout(not options.msg):
            problem.solve(solver)
    except BaseException:
        ticker.done(None)
        raise
    seconds = time.perf_counter() - start
    h = problem.solverModel
    model_status = h.getModelStatus()
    status_text = h.modelStatusToString(model_status)
    info = h.getInfo()
    ms = highspy.HighsModelStatus
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = pulp.value(problem.objective) if has_sol else None
    is_mip = any(v.cat == pulp.LpInteger for v in problem.variables())
    bound: float | None = obj_mult * info.mip_dual_bound + constant if is_mip else objective
    if bound is not None and not math.isfinite(bound):
        bound = None
    if model_status == ms.kInfeasible:
        status = SolveStatus.INFEASIBLE
    elif model_status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
        status = SolveStatus.UNBOUNDED if has_sol else SolveStatus.INFEASIBLE
    elif has_sol:
        status, bound = classify(
            objective,
            bound,
            is_mip=is_mip,
            proved=model_status == ms.kOptimal
            and (not is_mip or options.gap <= OPTIMALITY_TOLERANCE),
        )
    else:
        status = SolveStatus.NOT_SOLVED
    if cancel_requested():
        status_text += " (interrupted: cancelled)"
    elif stopper is not None and stopper.fired and model_status == ms.kInterrupt:
        status_text = (
            f"{STOPPED_DECIDED} (HiGHS interrupted once the caller's question was answered)"
        )
    decided = _decided_at(stopper) if has_sol else None
    report = SolveReport(
        status=status,
        solver="highs",
        solver_version=f"HiGHS (highspy {_pkg_version('highspy')})",
        solver_status=status_text,
        objective=objective,
        bound=bound,
        gap=_relative_gap(objective, bound) if objective is not None else None,
        seconds=seconds,
        values=_read_values(problem) if has_sol else {},
        decided=decided,
    )
    ticker.done(report)
    return report


def cancel_requested() -> bool:
    """Whether the solve running in this context has been told to stop (portfolio loser)."""
    event = _CANCEL.get()
    return event is not None and event.is_set()


_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_saved: int | None = None


@contextlib.contextmanager
def _quiet_stdout(active: bool) -> Iterator[None]:
    """Silence a native library's banner on file descriptor 1 (it would corrupt JSON output).

    Reference-counted under a lock: analyses run solves in threads, and the descriptor must be
    restored only when the last of them is done.
    """
    if not active:
        yield
        return
    global _quiet_saved, _quiet_depth
    with _quiet_lock:
        if _quiet_depth == 0:
            sys.stdout.flush()
            _quiet_saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _quiet_saved is not None:
                os.dup2(_quiet_saved, 1)
                os.close(_quiet_saved)
                _quiet_saved = None


def _highs_available() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return "HiGHS" in pulp.listSolvers(onlyAvailable=True)


@dataclass(frozen=True)
class MatrixForm:
    """A PuLP model as ``min c·x  s.t.  lb <= A x <= ub,  bounds, integrality`` (for scipy)."""

    names: list[str]
    c: np.ndarray
    constant: float
    sense: int
    a: csr_array
    lower: np.ndarray
    upper: np.ndarray
    var_lower: np.ndarray
    var_upper: np.ndarray
    integrality: np.ndarray


def to_matrix_form(problem: pulp.LpProblem) -> MatrixForm:
    """Export a PuLP model to arrays, so an independent solver can solve the same model."""
    from scipy import sparse

    variables = problem.variables()
    index = {v.name: i for i, v in enumerate(variables)}
    n = len(variables)
    c = np.zeros(n)
    for v, coef in problem.objective.items():
        c[index[v.name]] = coef
    rows, cols, vals, lo, hi = [], [], [], [], []
    for r, con in enumerate(problem.constraints.values()):
        for v, coef in con.items():
            rows.append(r)
            cols.append(index[v.name])
            vals.append(coef)
        rhs = -con.constant
        if con.sense == pulp.LpConstraintEQ:
            lo.append(rhs)
            hi.append(rhs)
        elif con.sense == pulp.LpConstraintLE:
            lo.append(-np.inf)
            hi.append(rhs)
        else:
            lo.append(rhs)
            hi.append(np.inf)
    a = sparse.csr_array((vals, (rows, cols)), shape=(len(lo), n))
    vl = np.array([-np.inf if v.lowBound is None else v.lowBound for v in variables], dtype=float)
    vu = np.array([np.inf if v.upBound is None else v.upBound for v in variables], dtype=float)
    integ = np.array([1 if v.cat == pulp.LpInteger else 0 for v in variables])
    return MatrixForm(
        names=[v.name for v in variables],
        c=c,
        constant=float(problem.objective.constant),
        sense=problem.sense,
        a=a,
        lower=np.array(lo, dtype=float),
        upper=np.array(hi, dtype=float),
        var_lower=vl,
        var_upper=vu,
        integrality=integ,
    )


def _no_variables(form: MatrixForm, solver: str, solver_version: str) -> SolveReport:
    """Decide a model without variables (every row is ``lower <= 0 <= upper``) directly."""
    feasible = bool(np.all(form.lower <= 1e-9) and np.all(form.upper >= -1e-9))
    objective = form.constant if feasible else None
    return SolveReport(
        status=SolveStatus.OPTIMAL if feasible else SolveStatus.INFEASIBLE,
        solver=solver,
        solver_version=solver_version,
        solver_status="no variables: decided without the solver",
        objective=objective,
        bound=objective,
        gap=0.0 if feasible else None,
        seconds=0.0,
        values={},
    )


def _run_scipy(
    problem: pulp.LpProblem,
    options: SolverOptions,
    initial: Mapping[str, float] | None = None,
) -> SolveReport:
    import scipy
    from scipy.optimize import Bounds, LinearConstraint, milp

    form = to_matrix_form(problem)
    if not form.names:
        return _no_variables(form, "scipy", f"HiGHS bundled with SciPy {scipy.__version__}")
    c = form.c * form.sense  # PuLP: sense 1 = minimise, -1 = maximise
    constraints = [LinearConstraint(form.a, form.lower, form.upper)] if form.a.shape[0] else []
    start = time.perf_counter()
    res = milp(
        c,
        constraints=constraints,
        integrality=form.integrality,
        bounds=Bounds(form.var_lower, form.var_upper),
        options={"time_limit": options.time_limit, "mip_rel_gap": options.gap, "disp": options.msg},
    )
    seconds = time.perf_counter() - start
    has_sol = res.x is not None
    objective = float(form.sense * res.fun + form.constant) if has_sol else None
    bound = getattr(res, "mip_dual_bound", None)
    if bound is not None and math.isfinite(bound):
        bound = float(form.sense * bound + form.constant)
    elif res.status == 0:
        bound = objective
    else:
        bound = None
    if res.status == 2:
        status = SolveStatus.INFEASIBLE
    elif res.status == 3:
        status = SolveStatus.UNBOUNDED
    elif has_sol:
        status, bound = classify(
            objective,
            bound,
            is_mip=bool(form.integrality.any()),
            proved=res.status == 0
            and (not form.integrality.any() or options.gap <= OPTIMALITY_TOLERANCE),
        )
    else:
        status = SolveStatus.NOT_SOLVED
    values: dict[str, float] = {}
    if has_sol:
        values = {name: float(x) for name, x in zip(form.names, res.x, strict=True)}
        for v in problem.variables():
            v.varValue = values[v.name]
    return SolveReport(
        status=status,
        solver="scipy",
        solver_version=f"HiGHS bundled with SciPy {scipy.__version__}",
        solver_status=str(res.message),
        objective=objective,
        bound=bound,
        gap=_relative_gap(objective, bound) if objective is not None else None,
        seconds=seconds,
        values=values,
    )


REGISTRY: dict[str, SolverBackend] = {
    "cbc": SolverBackend(
        "cbc",
        "COIN-OR CBC bundled with PuLP",
        lambda: "PULP_CBC_CMD" in pulp.listSolvers(onlyAvailable=True),
        _cbc_version,
        _run_cbc,
        warm_start=True,
        early_stop=True,
    ),
    "highs": SolverBackend(
        "highs",
        "HiGHS via highspy",
        _highs_available,
        lambda: f"HiGHS (highspy {_pkg_version('highspy')})",
        _run_highs,
        warm_start=True,
        early_stop=True,
    ),
    "scipy": SolverBackend(
        "scipy",
        "HiGHS bundled with SciPy, via scipy.optimize.milp",
        lambda: True,
        lambda: f"HiGHS bundled with SciPy {_pkg_version('scipy')}",
        _run_scipy,
    ),
    "portfolio": SolverBackend(
        "portfolio",
        "CBC and HiGHS race on two cores; the first proven result wins",
        lambda: REGISTRY["cbc"].is_available() and _highs_available(),
        lambda: f"portfolio of {_cbc_version()} and HiGHS (highspy {_pkg_version('highspy')})",
        lambda problem, options, initial: _portfolio(problem, options, initial),
        warm_start=True,
        early_stop=True,
    ),
}


def _portfolio(
    problem: pulp.LpProblem, options: SolverOptions, initial: Mapping[str, float] | None
) -> SolveReport:
    from solverkit.portfolio import run_portfolio  # imports this module: load it late

    return run_portfolio(problem, options, initial)


def available_solvers() -> list[str]:
    """Names of the registered solvers that can run on this machine."""
    return [name for name, b in REGISTRY.items() if b.is_available()]


def get_backend(name: str) -> SolverBackend:
    """Look a solver up by name; unknown or unavailable names raise :class:`SolverError`."""
    key = name.strip().lower()
    if key not in REGISTRY:
        raise SolverError(
            f"unknown solver {name!r}; registered solvers: {', '.join(REGISTRY)} "
            f"(available here: {', '.join(available_solvers()) or 'none'})"
        )
    backend = REGISTRY[key]
    if not backend.is_available():
        raise SolverError(
            f"solver {key!r} is not available on this machine ({backend.description}); "
            f"available here: {', '.join(available_solvers()) or 'none'}"
        )
    return backend


def solve_model(
    problem: pulp.LpProblem,
    options: SolverOptions | None = None,
    initial: Mapping[str, float] | None = None,
    *,
    stop: StopRule | None = None,
) -> SolveReport:
    """Solve ``problem`` in place with the solver named in ``options`` and report the outcome.

    ``initial`` (variable name -> value, missing names 0) is a start for backends with the
    ``warm_start`` capability; the others ignore it. It never changes the model.

    ``stop(incumbent, bound)`` (model's sense, with its constant) ends the search early once
    it returns True, for backends with the ``early_stop`` capability; the report is then
    ``FEASIBLE`` with the incumbent and the bound reached. The rule must be monotone in what it
    decides (a question answered stays answered as the incumbent rises and the bound falls).
    """
    options = options or SolverOptions()
    backend = get_backend(options.name)
    token = _STOP.set(stop)
    try:
        return backend.run(problem, options, initial)
    finally:
        _STOP.reset(token)
