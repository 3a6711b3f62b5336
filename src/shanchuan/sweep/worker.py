"""One variant, solved where it lands: the payload sent by value and the function run on it.

A worker — a local process or a Dask worker on another machine — never opens a file: it
receives the validated tables (:class:`Payload`, sent once per worker) and each variant's
scenario (its settings, built by the parent) by value, and runs the public stages
(:mod:`shanchuan.stages`) on a :class:`ByValue` loaded scenario that serves those tables
instead of reading them. The data files' SHA-256s computed by the parent go with the payload,
so the provenance the stages record is the same as a local run's.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shanchuan.loaded import ENGINE_FILES, Engine, Loaded
from shanchuan.scenario import Scenario
from shanchuan.validation import LoadedData

#: ``--engine`` name -> the data groups its stages read.
ENGINE_DATA: dict[str, tuple[Engine, ...]] = {
    "match": ("matching",),
    "allocate": ("allocation",),
    "run": ("matching", "allocation"),
}


@dataclass(frozen=True)
class Dataset:
    """The validated tables of one set of data files, per engine group, and their digests."""

    tables: Mapping[str, LoadedData]
    paths: Mapping[str, str]
    """Data key -> the path the parent read (provenance only; never opened by a worker)."""
    digests: Mapping[str, str]
    """Path -> SHA-256 of the bytes the parent read."""
    geodesic_km: pd.DataFrame | None = None
    """Recipient × supporter geodesic km, computed once by the parent when no distance file is
    given: the engine would recompute this same matrix for every variant (most of a pairing
    variant's time), and it depends on the coordinates alone, which no variant changes."""


@dataclass(frozen=True)
class Payload:
    """What every worker receives once: the engine and the distinct datasets of the sweep."""

    engine: str
    datasets: tuple[Dataset, ...]


@dataclass(frozen=True)
class Task:
    """One variant to solve: its key, its scenario (by value) and its noise."""

    key: str
    scenario: Scenario
    dataset: int
    perturb: tuple[tuple[str, float], ...] = ()
    seed: int = 0
    meta: Mapping[str, Any] = field(default_factory=dict)
    """The variant's values, sets and replicate, copied into the record."""


@dataclass
class ByValue(Loaded):
    """A :class:`~shanchuan.loaded.Loaded` that serves tables it was given, opening no file."""

    tables: Mapping[str, LoadedData] = field(default_factory=dict)
    paths: Mapping[str, str] = field(default_factory=dict)

    def files(self, engine: Engine) -> dict[str, Path]:
        keys = ENGINE_FILES[engine]
        return {k: Path(p) for k, p in self.paths.items() if k in keys}

    def data(self, engine: Engine) -> LoadedData:
        return self.tables[engine]


def geodesic_km(data: LoadedData) -> pd.DataFrame | None:
    """The geodesic km matrix the engine computes when no distance file is given, or ``None``."""
    from matching.distance import geodesic_matrix

    if data.distances is not None:
        return None
    counties = data.counties
    coords = counties[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
    recipients = [str(c) for c in counties.index[counties["role"] == "recipient"]]
    supporters = [str(c) for c in counties.index[counties["role"] == "supporter"]]
    if coords.loc[recipients + supporters].isna().any().any():
        return None  # the engine reports the missing coordinates itself
    km = geodesic_matrix(
        [tuple(coords.loc[r]) for r in recipients], [tuple(coords.loc[s]) for s in supporters]
    )
    return pd.DataFrame(km, index=recipients, columns=supporters)


def with_geodesic(dataset: Dataset, scenario: Scenario) -> dict[str, LoadedData]:
    """The tables, the pairing's with the parent's geodesic matrix as its km distances.

    Only for a variant that reads distances in km: the engine then takes the matrix as given
    (the same numbers it would compute), and a variant in minutes still gets its own check.
    """
    tables = dict(dataset.tables)
    data = tables.get("matching")
    if dataset.geodesic_km is None or data is None or scenario.settings.data.distance_unit != "km":
        return tables
    tables["matching"] = dataclasses.replace(data, distances=dataset.geodesic_km)
    return tables


def perturbed(
    tables: Mapping[str, LoadedData], perturb: tuple[tuple[str, float], ...], seed: int
) -> dict[str, LoadedData]:
    """The tables with the variant's noise (the draws depend on the seed and the item only).

    - ``counties.COLUMN=s``: each county's figure × ``1 + U(-s, s)``; the factors depend on the
      seed, the column and the county order, so the matching and the allocation tables of one
      variant get the same noisy figures;
    - ``willingness.drop=p``: each entry of every willingness list dropped with probability p
      (the remaining entries keep their order);
    - ``willingness.shuffle=p``: each county's list put in a random order with probability p.
    """
    if not perturb:
        return dict(tables)
    out = {}
    for group, data in tables.items():
        counties = data.counties.copy()
        willingness = data.willingness
        for i, (name, spread) in enumerate(perturb):
            table, column = name.split(".", 1)
            rng = np.random.default_rng([seed, i])
            if table == "counties":
                factors = 1.0 + rng.uniform(-spread, spread, len(counties))
                counties[column] = counties[column].astype(float) * factors
            elif willingness is not None and column == "drop":
                willingness = willingness[rng.random(len(willingness)) >= spread]
            elif willingness is not None and column == "shuffle":
                willingness = _shuffled(willingness, spread, rng)
        out[group] = dataclasses.replace(data, counties=counties, willingness=willingness)
    return out


def _shuffled(frame: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.DataFrame:
    frame = frame.copy()
    for county in sorted(frame["county"].astype(str).unique()):
        if rng.random() >= share:
            continue
        rows = frame.index[frame["county"].astype(str) == county]
        frame.loc[rows, "rank"] = rng.permutation(frame.loc[rows, "rank"].to_numpy())
    return frame


def run_variant(payload: Payload, task: Task) -> dict[str, Any]:
    """Solve one variant through the public stages; a failure is a record, never a raise."""
    from shanchuan import provenance

    t0 = time.perf_counter()
    dataset = payload.datasets[task.dataset]
    # Only for this variant: an in-process run must not leave stale digests behind.
    provenance.KNOWN_DIGESTS.update(dataset.digests)
    record: dict[str, Any] = {"key": task.key, **task.meta}
    try:
        tables = with_geodesic(dataset, task.scenario)
        tables = perturbed(tables, task.perturb, task.seed)
        loaded = ByValue(task.scenario, task.scenario.files[-1], tables=tables, paths=dataset.paths)
        record.update(_solve(payload.engine, loaded))
    except Exception as exc:  # recorded, and the sweep goes on
        from solverkit.errors import ShanchuanError

        record.update(
            status="error",
            message=f"{type(exc).__name__}: {exc}",
            diagnosis=None
            if isinstance(exc, ShanchuanError)
            else traceback.format_exc(limit=3).strip(),
        )
    finally:
        for path in dataset.digests:
            provenance.KNOWN_DIGESTS.pop(path, None)
    record["seconds"] = round(time.perf_counter() - t0, 4)
    return record


def _solve(engine: str, loaded: ByValue) -> dict[str, Any]:
    from shanchuan import stages

    quiet = lambda line: None  # noqa: E731 - the parent draws the progress, not the variants
    out: dict[str, Any] = {}
    match = None
    if engine in ("match", "run") and not loaded.scenario.settings.data.pairs:
        prepared = stages.prepare(loaded, "matching", progress=quiet)
        # No analyse(): a sweep asks for no pairing analysis, and the solve verified the pairs.
        match = stages.solve(prepared, progress=quiet)
        out.update(_match_record(match))
        if engine == "match" or not match.status.ok:
            return out
    if engine in ("allocate", "run"):
        prepared_a = stages.prepare(loaded, "allocation", match_outcome=match, progress=quiet)
        alloc = stages.solve(prepared_a, progress=quiet)
        out.update(_allocation_record(alloc, with_pairs=match is None))
    return out


def _diagnosis_text(diagnosis: Any) -> str | None:
    if diagnosis is None:
        return None
    try:
        return str(diagnosis.message())
    except Exception as exc:  # a diagnosis that cannot say itself still names its kind
        return f"{type(diagnosis).__name__} ({exc})"


def _match_record(m: Any) -> dict[str, Any]:
    return {
        "status": m.status.value,
        "gap": m.result.gap,
        "objective": m.result.objective,
        "match_objective": m.result.objective,
        "pairs": [[r, s] for r, s in m.result.pairs],
        "diagnosis": _diagnosis_text(m.diagnosis),
        "solve_seconds": round(m.timings.get("solve_s", 0.0), 4),
        "settings_hash": m.provenance.get("settings_hash"),
        "scenario_hash": m.provenance.get("scenario_hash"),
    }


def _allocation_record(a: Any, *, with_pairs: bool) -> dict[str, Any]:
    result, problem = a.result, a.problem
    funds: dict[str, float] = {}
    funded = sorted(pid for pid, years in result.schedule.items() if sum(years.values()) > 0)
    for pid in funded:
        recipient = problem.projects[pid].recipient
        funds[recipient] = funds.get(recipient, 0.0) + float(sum(result.schedule[pid].values()))
    out: dict[str, Any] = {
        "status": a.status.value,
        "gap": result.gap,
        "objective": result.objective,
        "allocation_objective": result.objective,
        "funded": funded,
        "funds": {k: round(v, 4) for k, v in sorted(funds.items())},
        "total_funds": round(sum(funds.values()), 4),
        "diagnosis": _diagnosis_text(a.diagnosis),
        "solve_seconds": round(a.timings.get("solve_s", 0.0), 4),
        "settings_hash": a.provenance.get("settings_hash"),
        "scenario_hash": a.provenance.get("scenario_hash"),
    }
    if with_pairs:
        out["pairs"] = [[p.recipient, p.supporter] for p in problem.pairs.values()]
    return out


# The local executor's processes keep the payload they received once, at start.
_PAYLOAD: Payload | None = None


def init_process(payload: Payload) -> None:
    """``ProcessPoolExecutor`` initializer: keep the payload for every task of this process."""
    global _PAYLOAD
    _PAYLOAD = payload


def run_in_process(task: Task) -> dict[str, Any]:
    """A task in a local worker process (the payload came with :func:`init_process`)."""
    if _PAYLOAD is None:
        raise RuntimeError("worker process started without its payload")
    return run_variant(_PAYLOAD, task)


__all__ = [
    "ENGINE_DATA",
    "ByValue",
    "Dataset",
    "Payload",
    "Task",
    "init_process",
    "perturbed",
    "run_in_process",
    "run_variant",
]
