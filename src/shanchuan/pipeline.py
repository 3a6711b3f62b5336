"""The application pipeline: scenario → validated data → engines → outcome with provenance.

This is the Python API behind the CLI::

    import shanchuan
    outcome = shanchuan.match("hubei-2021", sets=["matching.rules.max_distance=400"])
    outcome.result.pairs_frame()
    outcome.to_dict()          # the JSON contract, with provenance

The engines (:mod:`matching`, :mod:`allocation`) take plain frames; only this layer reads files.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

import allocation
import matching
import solverkit.registry
from matching.distance import geodesic_matrix
from shanchuan import config, provenance
from shanchuan import scenario as scenario_mod
from shanchuan.errors import (
    InfeasibleError,
    InputError,
    Problem,
    ScenarioError,
    SolveFailedError,
)
from shanchuan.scenario import Scenario
from shanchuan.validation import LoadedData, load_inputs, resolve_county

log = logging.getLogger("shanchuan")

#: Files read for each command (keys of ``[data]``).
MATCH_FILES = (
    "counties",
    "sectors",
    "sector_links",
    "regions",
    "willingness",
    "distances",
    "incumbent",
)
ALLOCATE_FILES = ("counties", "sectors", "projects", "pairs", "executed")


@dataclass
class Analyses:
    """Which matching analyses to run besides the solve (CLI flags of ``shanchuan match``)."""

    explain: bool = True
    forcing_costs: bool = False
    alternatives: int = 0
    sensitivity: int = 0
    stability: bool = False


@dataclass
class MatchOutcome:
    """A solved (or diagnosed) pairing with its explanations and provenance."""

    scenario: Scenario
    problem: matching.MatchingProblem | None
    result: Any
    analyses: dict[str, Any] = field(default_factory=dict)
    diagnosis: Any = None
    provenance: dict[str, Any] = field(default_factory=dict)
    geodesic_km: pd.DataFrame | None = None
    """Recipient × supporter geodesic km, kept when the rules used a travel-time matrix."""

    @property
    def status(self) -> str:
        return _status_text(self.result.status)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.result.to_dict())
        if self.geodesic_km is not None:
            # The JSON contract always carries distance_km, also when the rules used travel times.
            for pair in out.get("pairs", []):
                pair.setdefault(
                    "distance_km",
                    round(
                        float(self.geodesic_km.at[pair["recipient_id"], pair["supporter_id"]]), 3
                    ),
                )
        if self.analyses:
            out["analyses"] = {k: _jsonable(v) for k, v in self.analyses.items()}
        if self.diagnosis is not None:
            out["diagnosis"] = self.diagnosis.to_dict()
        out["provenance"] = self.provenance
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        tables: dict[str, pd.DataFrame] = {}
        if self.result.pairs:
            tables["pairs.csv"] = self.result.pairs_frame()
        for name, value in self.analyses.items():
            if isinstance(value, pd.DataFrame):
                tables[f"{name}.csv"] = value
        if "forcing_costs" in self.analyses:
            loss = matching.forcing_matrix(self.analyses["forcing_costs"], "loss")
            tables["forcing_loss_matrix.csv"] = _named_matrix(loss, self.problem)
        sens = self.analyses.get("sensitivity")
        if sens is not None:
            tables["sensitivity_partners.csv"] = sens.partners
            tables["sensitivity_frequency.csv"] = _named_matrix(sens.frequency, self.problem)
        return tables


@dataclass
class AllocationOutcome:
    """A funded project plan with its summary and provenance."""

    scenario: Scenario
    problem: Any
    result: Any
    pairs_source: str
    match: MatchOutcome | None = None
    diagnosis: Any = None
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """The solver's verdict, demoted to ``failed`` when the plan did not verify."""
        status = _status_text(self.result.status)
        if status in ("optimal", "feasible") and self.result.solution_status != "verified":
            return "failed"
        return "not_solved" if status == "unbounded" else status

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.result.to_dict())
        out["solver_verdict"] = out["status"]
        out["status"] = self.status
        out["pairs_source"] = self.pairs_source
        if self.diagnosis is not None:
            out["diagnosis"] = self.diagnosis.to_dict()
        out["provenance"] = self.provenance
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        tables = {"projects.csv": self.result.projects_frame()}
        for name, frame in self.result.summary_frames().items():
            tables[f"{name}.csv"] = frame
        return tables


@dataclass
class RunOutcome:
    """``shanchuan run``: the pairing (unless a pair file is given), then the allocation."""

    match: MatchOutcome | None
    allocation: AllocationOutcome

    @property
    def status(self) -> str:
        if self.match is not None and self.match.status not in ("optimal", "feasible"):
            return self.match.status
        return self.allocation.status

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.match is not None:
            m = self.match.to_dict()
            m.pop("provenance", None)
            out["matching"] = m
        a = self.allocation.to_dict()
        out["provenance"] = a.pop("provenance")
        out["allocation"] = a
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        tables: dict[str, pd.DataFrame] = {}
        if self.match is not None:
            tables.update({f"matching_{k}": v for k, v in self.match.tables().items()})
        tables.update({f"allocation_{k}": v for k, v in self.allocation.tables().items()})
        return tables


def _status_text(status: Any) -> str:
    return str(getattr(status, "value", status))


def _geodesic(counties: pd.DataFrame, problem: Any) -> pd.DataFrame:
    r, s = list(problem.recipients), list(problem.supporters)
    coords = counties[["lat", "lon"]].astype(float)
    km = geodesic_matrix([tuple(coords.loc[c]) for c in r], [tuple(coords.loc[c]) for c in s])
    return pd.DataFrame(km, index=r, columns=s)


def _named_matrix(matrix: pd.DataFrame, problem: Any) -> pd.DataFrame:
    """A recipient × supporter matrix with Annex-2 names, as a table Excel shows well."""
    out = matrix.rename(index=problem.names, columns=problem.names)
    out.index.name = "受援地 \\ 支援地"
    return out.reset_index()


def _jsonable(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return value.to_dict(orient="records")
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# loading


def load_scenario(
    scenario: str | Path | Scenario | None = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
) -> Scenario:
    """Load a scenario by path or built-in name (``None`` = the default ``hubei-2021``)."""
    if isinstance(scenario, Scenario):
        if overrides or sets:
            raise ScenarioError("pass overrides and sets when loading, not with a loaded Scenario")
        return scenario
    return scenario_mod.load(scenario, overrides=overrides, sets=sets)


def data_files(sc: Scenario, keys: Sequence[str]) -> dict[str, Path]:
    """The scenario's data files among ``keys`` that are given (missing files are problems)."""
    files: dict[str, Path] = {}
    problems: list[Problem] = []
    for key in keys:
        path = sc.data_path(key)
        if path is None:
            continue
        if not path.is_file():
            problems.append(
                Problem(
                    file=str(path),
                    column=f"data.{key}",
                    message="file not found",
                    expected="an existing file (relative paths are read from the scenario folder)",
                )
            )
            continue
        files[key] = path
    InputError.collect(problems)
    return files


def load_data(sc: Scenario, keys: Sequence[str]) -> tuple[LoadedData, dict[str, Path]]:
    """Read and validate the scenario's files among ``keys``; every problem in one error."""
    files = data_files(sc, keys)
    required = {"counties"} | ({"sectors", "sector_links"} & set(keys))
    missing = sorted(required - files.keys())
    if missing:
        raise ScenarioError(
            [
                Problem(
                    file=str(sc.files[-1]),
                    column=f"data.{k}",
                    message="required data file not given",
                    expected="a path in the scenario's [data] table",
                )
                for k in missing
            ]
        )
    return load_inputs(files), files


def resolve_settings(sc: Scenario, data: LoadedData) -> scenario_mod.ScenarioSettings:
    """Settings with every county named in a rule resolved to its id (unknown names reported)."""
    effective = dict(sc.effective)
    problems: list[Problem] = []
    source = str(sc.files[-1])
    for key, info in scenario_mod.KNOWN.items():
        if info.counties is None or key not in effective:
            continue
        value = effective[key]
        if info.counties == "pairs":
            resolved = []
            for i, pair in enumerate(value or []):
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    problems.append(
                        Problem(
                            file=source,
                            column=key,
                            message=f"entry {i + 1} is not a [recipient, supporter] pair",
                            value=pair,
                        )
                    )
                    continue
                ids = []
                for name, role in zip(pair, ("recipient", "supporter"), strict=True):
                    found = resolve_county(str(name), data.counties, role=role)
                    if isinstance(found, Problem):
                        problems.append(replace(found, file=source, column=f"{key} entry {i + 1}"))
                    else:
                        ids.append(found)
                if len(ids) == 2:
                    resolved.append(ids)
            effective[key] = resolved
        elif info.counties == "ids":
            resolved_ids = []
            for name in value or []:
                found = resolve_county(str(name), data.counties)
                if isinstance(found, Problem):
                    problems.append(replace(found, file=source, column=key))
                else:
                    resolved_ids.append(found)
            effective[key] = resolved_ids
    InputError.collect(problems)
    settings, problems = config.build(
        scenario_mod.ScenarioSettings, effective, prefix="", source=source
    )
    InputError.collect(problems)
    return settings


def matching_inputs(
    data: LoadedData, settings: scenario_mod.ScenarioSettings
) -> matching.MatchingInputs:
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


# --------------------------------------------------------------------------------------------
# commands


Progress = Callable[[str], None]

#: Engine exceptions that mean "the input or the settings are wrong" (exit code 2).
ENGINE_INPUT_ERRORS: tuple[type[Exception], ...] = (
    matching.InputError,
    matching.OptionsError,
    matching.SolverError,
    allocation.AllocationInputError,
    allocation.AllocationSettingsError,
)


@contextlib.contextmanager
def engine_errors(source: str) -> Iterator[None]:
    """Turn an engine's input error into the application's :class:`InputError` (exit 2)."""
    try:
        yield
    except ENGINE_INPUT_ERRORS as exc:
        lines = [line.strip().lstrip("- ") for line in str(exc).splitlines() if line.strip()]
        if len(lines) > 1 and lines[0].endswith(":"):
            lines = lines[1:]
        raise InputError([Problem(file=source, message=line) for line in lines]) from exc


def _progress(progress: Progress | None) -> Progress:
    return progress or (lambda message: log.info(message))


def match(
    scenario: str | Path | Scenario | None = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
    analyses: Analyses | None = None,
    progress: Progress | None = None,
) -> MatchOutcome:
    """Suggest the pairing of a scenario, verify it and explain it.

    Raises :class:`InputError` for bad files or settings. An infeasible or failed solve is
    returned (``outcome.status``) with a diagnosis, not raised; the CLI maps it to exit 3 / 4.
    """
    say = _progress(progress)
    analyses = analyses or Analyses()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    sc = load_scenario(scenario, overrides=overrides, sets=sets)
    data, files = load_data(sc, MATCH_FILES)
    settings = resolve_settings(sc, data)
    timings["load_s"] = time.perf_counter() - t0
    for change in sc.changes:
        say(f"change {change}")

    t = time.perf_counter()
    with engine_errors(str(sc.files[-1])):
        problem = matching.prepare(matching_inputs(data, settings), settings.matching)
        solverkit.registry.get_backend(settings.matching.solver.name)
    timings["prepare_s"] = time.perf_counter() - t
    say(f"prepared {len(problem.recipients)} recipients × {len(problem.supporters)} supporters")

    t = time.perf_counter()
    result = matching.solve(problem, settings.matching)
    timings["solve_s"] = time.perf_counter() - t
    outcome = MatchOutcome(scenario=sc, problem=problem, result=result)
    if problem.distance_unit != "km":
        outcome.geodesic_km = _geodesic(data.counties, problem)
    status = outcome.status
    say(f"matching {status} in {timings['solve_s']:.2f} s ({result.method})")

    if status in ("optimal", "feasible"):
        _run_analyses(outcome, settings.matching, analyses, timings, say)
    elif status == "infeasible":
        t = time.perf_counter()
        say("rules are infeasible: looking for the smallest set of rules in conflict")
        outcome.diagnosis = matching.diagnose(problem, settings.matching)
        timings["diagnose_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t0
    outcome.provenance = provenance.build(
        sc, files, _solver_provenance(result, settings.matching.solver, timings)
    )
    return outcome


def _run_analyses(
    outcome: MatchOutcome,
    settings: matching.MatchSettings,
    analyses: Analyses,
    timings: dict[str, float],
    say: Progress,
) -> None:
    problem, result = outcome.problem, outcome.result
    lang = settings.explain.language
    if analyses.explain:
        outcome.analyses["explanations"] = matching.explain_pairs(problem, result, language=lang)
    if analyses.stability:
        outcome.analyses["blocking_pairs"] = matching.blocking_pairs(problem, result.pairs)
    if analyses.forcing_costs:
        t = time.perf_counter()
        say(f"forcing costs of {len(problem.recipients) * len(problem.supporters)} pairs")
        outcome.analyses["forcing_costs"] = matching.forcing_costs(
            problem, settings, result, progress=_every_tenth(say, "forcing costs")
        )
        timings["forcing_costs_s"] = time.perf_counter() - t
    if analyses.alternatives:
        t = time.perf_counter()
        say(f"{analyses.alternatives} best distinct pairings")
        alts = matching.alternatives(problem, settings, analyses.alternatives)
        outcome.analyses["alternatives"] = matching.alternatives_frame(problem, alts, lang)
        timings["alternatives_s"] = time.perf_counter() - t
    if analyses.sensitivity:
        t = time.perf_counter()
        say(f"weight sensitivity: {analyses.sensitivity} samples")
        outcome.analyses["sensitivity"] = matching.sensitivity(
            problem,
            settings,
            samples=analyses.sensitivity,
            spread=settings.explain.sensitivity_spread,
            seed=settings.explain.seed,
            progress=_every_tenth(say, "sensitivity samples"),
        )
        timings["sensitivity_s"] = time.perf_counter() - t


def _every_tenth(say: Progress, what: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` that prints about ten lines over a long analysis."""
    last = [-1]

    def report(done: int, total: int) -> None:
        tenth = (10 * done) // max(1, total)
        if tenth > last[0] and done < total:
            last[0] = tenth
            say(f"{what}: {done}/{total}")

    return report


def _solver_provenance(result: Any, solver: Any, timings: Mapping[str, float]) -> dict[str, Any]:
    report = getattr(result, "solve_report", None)
    return {
        "status": _status_text(result.status),
        "solver_status": getattr(report, "solver_status", None),
        "method": getattr(result, "method", None),
        "solver": {
            "name": solver.name,
            "version": solverkit.registry.get_backend(solver.name).version()
            if solver.name in matching.available_solvers()
            else "not available",
            "time_limit_s": solver.time_limit,
            "gap_requested": solver.gap,
        },
        "gap": getattr(result, "gap", None),
        "timings": {k: round(v, 4) for k, v in timings.items()},
    }


def allocate(
    scenario: str | Path | Scenario | None = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
    pairs: pd.DataFrame | None = None,
    progress: Progress | None = None,
    match_outcome: MatchOutcome | None = None,
) -> AllocationOutcome:
    """Select and fund the special-fund projects of a scenario, year by year.

    The pairs come from ``pairs`` if given, else from the scenario's ``data.pairs`` file, else
    from solving the pairing first (as ``shanchuan run`` does).
    """
    say = _progress(progress)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    sc = load_scenario(scenario, overrides=overrides, sets=sets)
    data, files = load_data(sc, ALLOCATE_FILES)
    settings = resolve_settings(sc, data)
    problems = []
    if "projects" not in files:
        problems.append(
            Problem(
                file=str(sc.files[-1]),
                column="data.projects",
                message="allocation needs a candidate project file",
                expected="a path in the scenario's [data] table",
            )
        )
    InputError.collect(problems)
    timings["load_s"] = time.perf_counter() - t0

    if pairs is not None:
        source = "given"
    elif data.pairs is not None:
        pairs, source = data.pairs, f"file {files['pairs']}"
    else:
        if match_outcome is None:
            say("no pair file given: suggesting the pairing first")
            match_outcome = match(sc, analyses=Analyses(explain=False), progress=progress)
        if match_outcome.status not in ("optimal", "feasible"):
            return _failed_allocation_from_match(sc, match_outcome)
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
    with engine_errors(str(sc.files[-1])):
        problem = allocation.prepare(inputs, settings.allocation)
        solverkit.registry.get_backend(settings.allocation.solver.name)
    timings["prepare_s"] = time.perf_counter() - t
    t = time.perf_counter()
    say(
        f"allocating {len(problem.projects)} candidate projects over "
        f"{settings.allocation.first_year}–{settings.allocation.last_year}"
    )
    result = allocation.solve(problem, settings.allocation, progress=say)
    timings["solve_and_analyses_s"] = time.perf_counter() - t
    timings["solve_s"] = result.seconds
    outcome = AllocationOutcome(sc, problem, result, source, match=match_outcome)
    outcome.diagnosis = result.diagnosis
    say(f"allocation {outcome.status} (solve {result.seconds:.2f} s)")
    timings["total_s"] = time.perf_counter() - t0
    outcome.provenance = provenance.build(
        sc, files, _solver_provenance(result, settings.allocation.solver, timings)
    )
    return outcome


def _failed_allocation_from_match(sc: Scenario, m: MatchOutcome) -> AllocationOutcome:
    if m.status == "infeasible":
        raise InfeasibleError(
            "the pairing rules are infeasible, so there are no pairs to allocate to", m.diagnosis
        )
    raise SolveFailedError(
        f"the pairing was not solved ({m.status}), so there is nothing to allocate"
    )


def run(
    scenario: str | Path | Scenario | None = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
    progress: Progress | None = None,
) -> RunOutcome:
    """Suggest the pairing (unless the scenario gives a pair file), then allocate the fund."""
    sc = load_scenario(scenario, overrides=overrides, sets=sets)
    m = None
    if not sc.settings.data.pairs:
        m = match(sc, progress=progress)
        if m.status not in ("optimal", "feasible"):
            _failed_allocation_from_match(sc, m)
    a = allocate(sc, progress=progress, match_outcome=m)
    return RunOutcome(match=m, allocation=a)
