"""The public stages of the application pipeline: ``load → prepare → solve → analyse → report``.

Each stage is a plain function on the previous stage's typed value, so other tools (compare,
sweeps, the service) compose them instead of copying the pipeline, and a user can step in
between — e.g. add rows to the model, as PyPSA's ``extra_functionality``:

>>> import shanchuan
>>> from shanchuan import stages
>>> loaded = shanchuan.load("hubei-2021")
>>> prepared = stages.prepare(loaded, "matching", progress=lambda line: None)
>>> outcome = stages.solve(prepared, progress=lambda line: None)
>>> outcome.status.value, len(outcome.result.pairs)
('optimal', 22)
>>> outcome = stages.analyse(outcome, shanchuan.Analyses(alternatives=2))
>>> len(outcome.analyses["alternatives"]["rank"].unique())
2
>>> stages.report(outcome, "json").startswith("{")
True

:func:`shanchuan.match`, :func:`shanchuan.allocate` and :func:`shanchuan.run` are these stages
in a row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NoReturn, overload

import pandas as pd

import allocation
import matching
import solverkit.errors
import solverkit.registry
from matching.distance import geodesic_matrix
from shanchuan import labels, provenance
from shanchuan.errors import InputError, Problem
from shanchuan.loaded import Loaded
from shanchuan.outcomes import AllocationOutcome, Analyses, MatchOutcome, Outcome

if TYPE_CHECKING:
    from shanchuan.scenario import ScenarioSettings
    from shanchuan.validation import LoadedData
    from solverkit.progress import SolveProgress

log = logging.getLogger("shanchuan")

Progress = Callable[[str], None]
"""Receives one line of progress text per step (the CLI prints them to stderr)."""

OnSolve = Callable[["SolveProgress"], None]
"""Receives the live progress events of every solve (elapsed, incumbent, bound, gap, label);
see :mod:`solverkit.progress` and :mod:`shanchuan.labels`."""


def _progress(progress: Progress | None) -> Progress:
    return progress or (lambda message: log.info(message))


@contextmanager
def engine_errors(source: str) -> Iterator[None]:
    """Re-file an engine's input error (exit 2) against the scenario file it came from.

    Every engine error carries structured ``problems``; each becomes one problem of the
    scenario file, its text unchanged.
    """
    try:
        yield
    except InputError:
        raise
    except solverkit.errors.InputError as exc:
        raise InputError([Problem(file=source, message=str(p)) for p in exc.problems]) from exc
    except _OTHER_INPUT_ERRORS as exc:
        problems = getattr(exc, "problems", None) or [str(exc)]
        raise InputError([Problem(file=source, message=str(p)) for p in problems]) from exc


#: Engine errors not (yet) on the shared hierarchy; they carry ``problems`` all the same.
_LEGACY_INPUT_ERRORS: tuple[type[Exception], ...] = tuple(
    cls
    for cls in (
        matching.InputError,
        matching.OptionsError,
        allocation.AllocationInputError,
        allocation.AllocationSettingsError,
    )
    if not issubclass(cls, solverkit.errors.InputError)
)
_OTHER_INPUT_ERRORS: tuple[type[Exception], ...] = (
    solverkit.registry.SolverError,
    *_LEGACY_INPUT_ERRORS,
)


# --------------------------------------------------------------------------------------------
# prepare


@dataclass
class PreparedMatching:
    """The pairing engine's problem, ready to solve, with the settings it was prepared under."""

    loaded: Loaded
    settings: ScenarioSettings
    problem: matching.MatchingProblem
    data: LoadedData
    files: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class PreparedAllocation:
    """The allocation engine's problem, ready to solve, and where its pairs came from."""

    loaded: Loaded
    settings: ScenarioSettings
    problem: allocation.AllocationProblem
    pairs_source: str
    files: dict[str, Any]
    match: MatchOutcome | None = None
    timings: dict[str, float] = field(default_factory=dict)


def matching_inputs(data: LoadedData, settings: ScenarioSettings) -> matching.MatchingInputs:
    """The pairing engine's plain inputs from the validated data."""
    return matching.MatchingInputs(
        counties=data.counties,
        sectors=data.sectors,
        sector_links=data.sector_links,
        regions=data.regions,
        willingness=data.willingness,
        distance=data.distances,
        # The scenario says "minutes" for readers; the engine's short unit name is "min".
        distance_unit={"km": "km", "minutes": "min"}[settings.data.distance_unit],
        incumbent=data.incumbent,
    )


@overload
def prepare(
    loaded: Loaded,
    engine: Literal["matching"] = ...,
    *,
    progress: Progress | None = None,
    on_solve: OnSolve | None = None,
) -> PreparedMatching: ...


@overload
def prepare(
    loaded: Loaded,
    engine: Literal["allocation"],
    *,
    pairs: pd.DataFrame | None = None,
    match_outcome: MatchOutcome | None = None,
    progress: Progress | None = None,
    on_solve: OnSolve | None = None,
) -> PreparedAllocation: ...


def prepare(
    loaded: Loaded,
    engine: Literal["matching", "allocation"] = "matching",
    *,
    pairs: pd.DataFrame | None = None,
    match_outcome: MatchOutcome | None = None,
    progress: Progress | None = None,
    on_solve: OnSolve | None = None,
) -> PreparedMatching | PreparedAllocation:
    """Read and validate the data ``engine`` needs (once per loaded scenario) and prepare it.

    For ``allocation`` the pairs come from ``pairs`` if given, else from the scenario's
    ``data.pairs`` file, else from ``match_outcome``, else from solving the pairing first (as
    ``shanchuan run`` does). Raises :class:`~shanchuan.errors.InputError` for bad files or
    settings, every problem at once. ``on_solve`` receives the live progress of the pairing's
    solve when the allocation has to suggest the pairing first (no other solve runs here).
    """
    if engine == "matching":
        return _prepare_matching(loaded, progress)
    if engine == "allocation":
        return _prepare_allocation(loaded, pairs, match_outcome, progress, on_solve)
    raise InputError(
        f"unknown engine {engine!r}; expected 'matching' or 'allocation'", file="prepare"
    )


def _prepare_matching(loaded: Loaded, progress: Progress | None) -> PreparedMatching:
    say = _progress(progress)
    t = time.perf_counter()
    data = loaded.data("matching")
    settings = loaded.settings("matching")
    timings = {"load_s": loaded.load_seconds + time.perf_counter() - t}
    for change in loaded.scenario.changes:
        say(f"change {change}")
    t = time.perf_counter()
    with engine_errors(loaded.source):
        problem = matching.prepare(matching_inputs(data, settings), settings.matching)
        solverkit.registry.get_backend(settings.matching.solver.name)
    timings["prepare_s"] = time.perf_counter() - t
    say(f"prepared {len(problem.recipients)} recipients × {len(problem.supporters)} supporters")
    return PreparedMatching(loaded, settings, problem, data, loaded.files("matching"), timings)


def _prepare_allocation(
    loaded: Loaded,
    pairs: pd.DataFrame | None,
    match_outcome: MatchOutcome | None,
    progress: Progress | None,
    on_solve: OnSolve | None = None,
) -> PreparedAllocation:
    say = _progress(progress)
    t = time.perf_counter()
    data = loaded.data("allocation")
    files = loaded.files("allocation")
    settings = loaded.settings("allocation")
    if "projects" not in files:
        raise InputError(
            Problem(
                file=loaded.source,
                column="data.projects",
                message="allocation needs a candidate project file",
                expected="a path in the scenario's [data] table",
            )
        )
    timings = {"load_s": loaded.load_seconds + time.perf_counter() - t}

    if pairs is not None:
        source = "given"
    elif data.pairs is not None:
        pairs, source = data.pairs, f"file {files['pairs']}"
    else:
        if match_outcome is None:
            say("no pair file given: suggesting the pairing first")
            prepared = _prepare_matching(loaded, progress)
            match_outcome = solve(prepared, progress=progress, on_solve=on_solve)
            match_outcome = analyse(
                match_outcome, Analyses(explain=False), progress=progress, on_solve=on_solve
            )
        if not match_outcome.status.ok:
            _no_pairs(match_outcome)
        pairs = pd.DataFrame(list(match_outcome.result.pairs), columns=["recipient", "supporter"])
        source = "suggested pairing"
    counties = data.counties
    inputs = allocation.AllocationInputs(
        projects=data.projects,
        pairs=pairs,
        names=dict(counties["annex_name"]),
        population_wan=dict(counties["population_wan"]),
        executed=data.executed,
    )
    t = time.perf_counter()
    with engine_errors(loaded.source):
        problem = allocation.prepare(inputs, settings.allocation)
        solverkit.registry.get_backend(settings.allocation.solver.name)
    timings["prepare_s"] = time.perf_counter() - t
    return PreparedAllocation(loaded, settings, problem, source, files, match_outcome, timings)


def _no_pairs(m: MatchOutcome) -> NoReturn:
    from shanchuan.errors import InfeasibleError, SolveFailedError

    if m.status == "infeasible":
        raise InfeasibleError(
            "the pairing rules are infeasible, so there are no pairs to allocate to", m.diagnosis
        )
    raise SolveFailedError(
        f"the pairing was not solved ({m.status}), so there is nothing to allocate"
    )


# --------------------------------------------------------------------------------------------
# solve


@overload
def solve(
    prepared: PreparedMatching,
    *,
    extra_constraints: Callable[..., None] | None = None,
    progress: Progress | None = None,
    on_solve: OnSolve | None = None,
) -> MatchOutcome: ...


@overload
def solve(
    prepared: PreparedAllocation,
    *,
    extra_constraints: Callable[..., None] | None = None,
    progress: Progress | None = None,
    on_solve: OnSolve | None = None,
) -> AllocationOutcome: ...


def solve(
    prepared: PreparedMatching | PreparedAllocation,
    *,
    extra_constraints: Callable[..., None] | None = None,
    progress: Progress | None = None,
    on_solve: OnSolve | None = None,
) -> MatchOutcome | AllocationOutcome:
    """Solve a prepared problem and verify the solution; diagnose infeasible rules.

    ``extra_constraints(model)`` adds rows to the engine's PuLP model before it is solved
    (:func:`matching.solve` / :func:`allocation.solve` document the model's handles); the
    verification checks those rows too, and the provenance names the function, since the
    scenario alone no longer reproduces the result. An infeasible or failed solve is returned
    (``outcome.status``) with a diagnosis, not raised. The allocation engine's own analyses
    (rule costs, best unfunded projects) reuse its solver run, so they run here, as the
    scenario's ``allocation.analysis`` settings ask.

    ``on_solve(event)`` receives the live progress of every solve (backends that can read their
    solver's log emit :class:`solverkit.progress.SolveProgress` events), each event labelled
    with what is solved (:mod:`shanchuan.labels`: ``"pairing: main solve"``, ``"allocation:
    rule costs"``, ...). Without it, the events go to the sink already in force, if any.
    """
    if isinstance(prepared, PreparedMatching):
        return _solve_matching(prepared, extra_constraints, progress, on_solve)
    return _solve_allocation(prepared, extra_constraints, progress, on_solve)


def _hook(extra_constraints: Callable[..., None] | None) -> dict[str, Any]:
    return {} if extra_constraints is None else {"extra_constraints": extra_constraints}


def _hook_provenance(extra_constraints: Callable[..., None] | None) -> dict[str, Any]:
    if extra_constraints is None:
        return {}
    name = getattr(extra_constraints, "__qualname__", repr(extra_constraints))
    module = getattr(extra_constraints, "__module__", "")
    return {"extra_constraints": f"{module}.{name}" if module else name}


def _solve_matching(
    prepared: PreparedMatching,
    extra_constraints: Callable[..., None] | None,
    progress: Progress | None,
    on_solve: OnSolve | None = None,
) -> MatchOutcome:
    say = _progress(progress)
    problem, settings = prepared.problem, prepared.settings.matching
    timings = dict(prepared.timings)
    t = time.perf_counter()
    with labels.solving(on_solve, labels.PAIRING_MAIN):
        result = matching.solve(problem, settings, **_hook(extra_constraints))
    timings["solve_s"] = time.perf_counter() - t
    outcome = MatchOutcome(
        scenario=prepared.loaded.scenario,
        problem=problem,
        result=result,
        timings=timings,
        prepared=prepared,
    )
    if problem.distance_unit != "km":
        outcome.geodesic_km = _geodesic(prepared.data.counties, problem)
    say(f"matching {outcome.status} in {timings['solve_s']:.2f} s ({result.method})")
    if outcome.status == "infeasible":
        t = time.perf_counter()
        say("rules are infeasible: looking for the smallest set of rules in conflict")
        with labels.solving(on_solve, labels.PAIRING_DIAGNOSIS):
            outcome.diagnosis = matching.diagnose(problem, settings)
        timings["diagnose_s"] = time.perf_counter() - t
    _stamp(outcome, prepared, settings.solver, extra_constraints)
    return outcome


def _solve_allocation(
    prepared: PreparedAllocation,
    extra_constraints: Callable[..., None] | None,
    progress: Progress | None,
    on_solve: OnSolve | None = None,
) -> AllocationOutcome:
    say = _progress(progress)
    problem, settings = prepared.problem, prepared.settings.allocation
    timings = dict(prepared.timings)
    say(
        f"allocating {len(problem.projects)} candidate projects over "
        f"{settings.first_year}–{settings.last_year}"
    )
    t = time.perf_counter()
    phases = labels.Phases(on_solve, labels.ALLOCATION_MAIN, labels.ALLOCATION_PHASES, say)
    with phases.block():
        result = allocation.solve(
            problem, settings, progress=phases.progress, **_hook(extra_constraints)
        )
    timings["solve_and_analyses_s"] = time.perf_counter() - t
    timings["solve_s"] = result.seconds
    outcome = AllocationOutcome(
        prepared.loaded.scenario,
        problem,
        result,
        prepared.pairs_source,
        match=prepared.match,
        diagnosis=result.diagnosis,
        timings=timings,
    )
    say(f"allocation {outcome.status} (solve {result.seconds:.2f} s)")
    _stamp(outcome, prepared, settings.solver, extra_constraints)
    return outcome


def _stamp(
    outcome: MatchOutcome | AllocationOutcome,
    prepared: PreparedMatching | PreparedAllocation,
    solver: solverkit.registry.SolverOptions,
    extra_constraints: Callable[..., None] | None = None,
) -> None:
    """(Re)write the outcome's provenance from its current timings."""
    timings = outcome.timings
    # solve_s lies inside solve_and_analyses_s when the engine's analyses ran in its solve.
    inner = {"total_s", "solve_s"} if "solve_and_analyses_s" in timings else {"total_s"}
    timings["total_s"] = sum(v for k, v in timings.items() if k not in inner)
    result = outcome.result
    report = getattr(result, "solve_report", None)
    extra = {
        "status": outcome.status.value,
        "solver_status": getattr(report, "solver_status", None),
        "method": getattr(result, "method", None),
        "solver": {
            "name": solver.name,
            "version": solverkit.registry.get_backend(solver.name).version()
            if solver.name in solverkit.registry.available_solvers()
            else "not available",
            "time_limit_s": solver.time_limit,
            "gap_requested": solver.gap,
        },
        "gap": getattr(result, "gap", None),
        **_hook_provenance(extra_constraints),
        "timings": {k: round(v, 4) for k, v in timings.items()},
    }
    previous = outcome.provenance.get("extra_constraints")
    if previous and "extra_constraints" not in extra:
        extra["extra_constraints"] = previous
    outcome.provenance = provenance.build(prepared.loaded.scenario, prepared.files, extra)


def _geodesic(counties: pd.DataFrame, problem: matching.MatchingProblem) -> pd.DataFrame:
    r, s = list(problem.recipients), list(problem.supporters)
    coords = counties[["lat", "lon"]].astype(float)
    km = geodesic_matrix([tuple(coords.loc[c]) for c in r], [tuple(coords.loc[c]) for c in s])
    return pd.DataFrame(km, index=r, columns=s)


# --------------------------------------------------------------------------------------------
# analyse


def analyse(
    outcome: MatchOutcome,
    analyses: Analyses | None = None,
    *,
    progress: Progress | None = None,
    on_solve: OnSolve | None = None,
) -> MatchOutcome:
    """Explain a solved pairing and run the robustness analyses ``analyses`` asks for.

    Adds to ``outcome.analyses`` (``explanations``, ``blocking_pairs``, ``forcing_costs``,
    ``alternatives``, ``sensitivity``) and returns the same outcome, its provenance timings
    updated. Nothing is added to an infeasible or failed outcome (there is no pairing to
    explain). Allocation analyses run inside :func:`solve` (they reuse the solver run).
    ``on_solve`` receives the live progress of the analyses' solves, labelled per analysis
    (``"pairing: forcing costs"``, ...), as in :func:`solve`.
    """
    if not isinstance(outcome, MatchOutcome):
        raise TypeError(
            "analyse() takes a matching outcome; the allocation engine's analyses run in "
            "solve() as the scenario's allocation.analysis settings ask"
        )
    analyses = analyses or Analyses()
    if not outcome.status.ok:
        return outcome
    say = _progress(progress)
    prepared = outcome.prepared
    if prepared is None:
        raise TypeError("analyse() needs an outcome made by shanchuan.stages.solve()")
    settings = prepared.settings.matching
    problem, result, timings = outcome.problem, outcome.result, outcome.timings
    lang = settings.explain.language
    if analyses.explain:
        outcome.analyses["explanations"] = matching.explain_pairs(problem, result, language=lang)
    if analyses.stability:
        outcome.analyses["blocking_pairs"] = matching.blocking_pairs(problem, result.pairs)
    if analyses.forcing_costs:
        t = time.perf_counter()
        say(f"forcing costs of {len(problem.recipients) * len(problem.supporters)} pairs")
        with labels.solving(on_solve, labels.PAIRING_FORCING):
            outcome.analyses["forcing_costs"] = matching.forcing_costs(
                problem, settings, result, progress=every_tenth(say, "forcing costs")
            )
        timings["forcing_costs_s"] = time.perf_counter() - t
    if analyses.alternatives:
        t = time.perf_counter()
        say(f"{analyses.alternatives} best distinct pairings")
        with labels.solving(on_solve, labels.PAIRING_ALTERNATIVES):
            alts = matching.alternatives(problem, settings, analyses.alternatives)
        outcome.analyses["alternatives"] = matching.alternatives_frame(problem, alts, lang)
        timings["alternatives_s"] = time.perf_counter() - t
    samples = analyses.sensitivity or settings.sensitivity.samples  # flag or scenario key
    if samples:
        t = time.perf_counter()
        say(f"robustness: {samples} samples")
        with labels.solving(on_solve, labels.PAIRING_SENSITIVITY):
            outcome.analyses["sensitivity"] = matching.sensitivity(
                problem,
                settings,
                samples=samples,
                progress=every_tenth(say, "sensitivity samples"),
            )
        timings["sensitivity_s"] = time.perf_counter() - t
    _stamp(outcome, prepared, settings.solver)
    return outcome


def every_tenth(say: Progress, what: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` that prints about ten lines over a long analysis."""
    last = [-1]

    def report(done: int, total: int) -> None:
        tenth = (10 * done) // max(1, total)
        if tenth > last[0] and done < total:
            last[0] = tenth
            say(f"{what}: {done}/{total}")

    return report


# --------------------------------------------------------------------------------------------
# report


def report(outcome: Outcome, format: str = "json") -> str:
    """The outcome as text in a text ``format`` of the output registry.

    ``json`` is the JSON contract, ``table`` the terminal report as ``shanchuan`` prints it,
    ``csv`` the main table (:data:`shanchuan.outputs.FORMATS` lists them all).
    """
    import io

    from shanchuan.outputs import FORMATS, OutputOptions

    fmt = FORMATS.get(format)
    if fmt is None or fmt.binary:
        text = [n for n, f in FORMATS.items() if not f.binary]
        raise InputError(
            f"unknown report format {format!r}; expected one of: {', '.join(text)}",
            file="report",
        )
    stream = io.StringIO()
    fmt.emit(outcome, stream, OutputOptions())
    return stream.getvalue()
