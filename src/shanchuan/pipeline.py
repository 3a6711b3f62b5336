"""The one-call Python API: the public stages of :mod:`shanchuan.stages` in a row.

This is the Python API behind the CLI::

    import shanchuan
    outcome = shanchuan.match("hubei-2021", sets=["matching.rules.max_distance=400"])
    outcome.result.pairs_frame()
    outcome.to_dict()          # the JSON contract, with provenance

To load a scenario once and solve many variants, or to add rows to a model, use the stages
themselves (``shanchuan.load``, ``shanchuan.stages``). The engines (:mod:`matching`,
:mod:`allocation`) take plain frames; only this layer reads files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from shanchuan import stages
from shanchuan.loaded import ENGINE_FILES, Loaded, load, resolve_settings
from shanchuan.outcomes import AllocationOutcome, Analyses, MatchOutcome, RunOutcome
from shanchuan.scenario import Scenario
from shanchuan.stages import OnSolve, Progress, engine_errors, matching_inputs

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from shanchuan.validation import LoadedData

__all__ = [
    "ALLOCATE_FILES",
    "MATCH_FILES",
    "AllocationOutcome",
    "Analyses",
    "MatchOutcome",
    "RunOutcome",
    "allocate",
    "engine_errors",
    "load_data",
    "load_scenario",
    "match",
    "matching_inputs",
    "resolve_settings",
    "run",
]

#: Files read for each command (keys of ``[data]``).
MATCH_FILES = ENGINE_FILES["matching"]
ALLOCATE_FILES = ENGINE_FILES["allocation"]

ScenarioLike = str | Path | Scenario | Loaded | None


def load_scenario(
    scenario: str | Path | Scenario | None = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
) -> Scenario:
    """Load a scenario by path or built-in name (``None`` = the default ``hubei-2021``)."""
    return load(scenario, overrides=overrides, sets=sets).scenario


def load_data(sc: Scenario, keys: Sequence[str]) -> tuple[LoadedData, dict[str, Path]]:
    """Read and validate the scenario's files among ``keys``; every problem in one error."""
    from shanchuan.loaded import DataCache

    loaded = Loaded(sc, sc.files[-1], DataCache())
    engine = next((e for e, k in ENGINE_FILES.items() if tuple(keys) == k), None)
    if engine is None:
        raise ValueError(f"no engine reads exactly the files {list(keys)}")
    return loaded.data(engine), loaded.files(engine)  # type: ignore[arg-type]


def match(
    scenario: ScenarioLike = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
    analyses: Analyses | None = None,
    progress: Progress | None = None,
    on_solve: OnSolve | None = None,
) -> MatchOutcome:
    """Suggest the pairing of a scenario, verify it and explain it.

    ``progress`` receives one line of text per step; ``on_solve`` the live progress events of
    every solve (:class:`solverkit.progress.SolveProgress`: elapsed, incumbent, bound, gap and
    a label such as ``"pairing: main solve"``), from the backends that report them.

    Raises :class:`~shanchuan.errors.InputError` for bad files or settings. An infeasible or
    failed solve is returned (``outcome.status``) with a diagnosis, not raised; the CLI maps it
    to exit 3 / 4.
    """
    loaded = load(scenario, overrides=overrides, sets=sets)
    prepared = stages.prepare(loaded, "matching", progress=progress)
    outcome = stages.solve(prepared, progress=progress, on_solve=on_solve)
    return stages.analyse(outcome, analyses or Analyses(), progress=progress, on_solve=on_solve)


def allocate(
    scenario: ScenarioLike = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
    pairs: pd.DataFrame | None = None,
    progress: Progress | None = None,
    match_outcome: MatchOutcome | None = None,
    on_solve: OnSolve | None = None,
) -> AllocationOutcome:
    """Select and fund the special-fund projects of a scenario, year by year.

    The pairs come from ``pairs`` if given, else from the scenario's ``data.pairs`` file, else
    from solving the pairing first (as ``shanchuan run`` does). ``on_solve`` as in
    :func:`match` (labels ``"allocation: main solve"``, ``"allocation: rule costs"``, ...).
    """
    loaded = load(scenario, overrides=overrides, sets=sets)
    prepared = stages.prepare(
        loaded,
        "allocation",
        pairs=pairs,
        match_outcome=match_outcome,
        progress=progress,
        on_solve=on_solve,
    )
    return stages.solve(prepared, progress=progress, on_solve=on_solve)


def run(
    scenario: ScenarioLike = None,
    *,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
    progress: Progress | None = None,
    on_solve: OnSolve | None = None,
    analyses: Analyses | None = None,
) -> RunOutcome:
    """Suggest the pairing (unless the scenario gives a pair file), then allocate the fund.

    ``analyses`` are the pairing's (default: the explanations only); ``on_solve`` as in
    :func:`match`.
    """
    loaded = load(scenario, overrides=overrides, sets=sets)
    m = None
    if not loaded.scenario.settings.data.pairs:
        m = match(loaded, progress=progress, on_solve=on_solve, analyses=analyses)
        if not m.status.ok:
            stages._no_pairs(m)
    a = allocate(loaded, progress=progress, match_outcome=m, on_solve=on_solve)
    return RunOutcome(match=m, allocation=a)
