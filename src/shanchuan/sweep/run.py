"""``shanchuan.sweep()``: load once, build the variants, run the unfinished ones, summarise.

The base scenario and its data are read and validated once (:class:`shanchuan.Loaded`); each
variant is the base with its ``--set`` items applied (its settings built here, so a bad value
is reported before anything runs) and its data noise applied to the loaded tables where it
runs. See :mod:`shanchuan.sweep` for the folder, :mod:`~shanchuan.sweep.summary` for the
tables.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from shanchuan import provenance
from shanchuan import scenario as scenario_mod
from shanchuan.contract import stamp
from shanchuan.errors import InputError, Problem, ScenarioError
from shanchuan.loaded import DataCache, Loaded, load
from shanchuan.sweep import executors, spec, store, summary
from shanchuan.sweep.progress import SweepProgress
from shanchuan.sweep.worker import ENGINE_DATA, Dataset, Payload, Task, geodesic_km

log = logging.getLogger("shanchuan")

ENGINES = tuple(ENGINE_DATA)
#: What ``fast=True`` sets (as the CLI's ``--fast``): the allocation's analyses off.
FAST_SETS = ("allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0")


@dataclass
class SweepResult:
    """A finished sweep: the index (one row per variant) and the summary tables."""

    index: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    """``pair_frequency``, ``modal_partners``, ``pair_drivers``, ``funds_spread``, ``projects``."""
    summary: dict[str, Any]
    records: list[dict[str, Any]]
    """Every variant's record, in sweep order (what ``variants/<key>.json`` holds)."""
    out: Path | None = None
    ran: int = 0
    """Variants solved by this call."""
    skipped: int = 0
    """Variants found finished in the folder and not solved again."""
    timings: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        s = self.summary
        robust = len(s.get("robust_pairs", ()))
        return (
            f"<SweepResult {s.get('variants', len(self.index))} variants "
            f"({s.get('solved', 0)} solved, {self.ran} run now): {robust} robust pairs, "
            f"{s.get('distinct_pairings', 0)} distinct pairings>"
        )

    @property
    def pair_frequency(self) -> pd.DataFrame:
        return self.tables["pair_frequency"]

    @property
    def modal_partners(self) -> pd.DataFrame:
        return self.tables["modal_partners"]


def sweep(
    scenario: str | Path | Loaded | None = None,
    *,
    engine: str = "run",
    grid: Sequence[str] = (),
    samples: int = 0,
    dist: Sequence[str] = (),
    perturb: Sequence[str] = (),
    seed: int = 0,
    out: str | Path | None = None,
    workers: int = 2,
    executor: str = "local",
    scheduler: str | None = None,
    overrides: Sequence[str] = (),
    sets: Sequence[str] = (),
    fast: bool = False,
    yes: bool = False,
    max_variants: int = spec.MAX_VARIANTS,
    robust_share: float = 0.9,
    show_progress: bool = False,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> SweepResult:
    """Run a sweep of variants of ``scenario`` and summarise it.

    ``grid`` items ``KEY=V1,V2,…`` make their product; or ``samples`` draws with ``dist``
    items ``KEY=uniform(A,B)`` … (see :mod:`shanchuan.sweep.spec`) from ``seed``. ``perturb``
    items ``counties.COLUMN=SPREAD`` scale that column by ``1 + U(-SPREAD, SPREAD)`` per county
    in every variant, seeded by the variant's key. ``engine`` is ``match``, ``allocate`` or
    ``run``. With ``out`` the sweep is written to (and resumed from) that folder. Raises
    :class:`~shanchuan.errors.InputError` for bad keys, values or folders, all at once; a
    variant that fails is recorded, not raised. ``on_record`` sees each record as it is saved.

    >>> import shanchuan
    >>> result = shanchuan.sweep(engine="match", grid=["matching.weights.distance=0.1,0.3"],
    ...                          workers=1)
    >>> list(result.index["status"])
    ['optimal', 'optimal']
    >>> int(result.pair_frequency.sum(axis=1).iloc[0])
    2
    """
    t0 = time.perf_counter()
    if engine not in ENGINES:
        raise InputError(
            f"unknown engine {engine!r}; expected one of: {', '.join(ENGINES)}", file="sweep"
        )
    if not 0 < robust_share <= 1:
        raise InputError(f"robust share must be in (0, 1], got {robust_share}", file="sweep")
    base = load(scenario, overrides=overrides, sets=(*sets, *(FAST_SETS if fast else ())))
    groups = ENGINE_DATA[engine]
    if engine != "match":
        # With a pair file both allocate on it; without, both suggest the pairing first.
        groups = ("allocation",) if base.scenario.settings.data.pairs else ENGINE_DATA["run"]
    for group in groups:
        base.data(group)  # read and validate once; every problem of every file now
    plan = spec.build(
        grid=grid,
        samples=samples,
        dists=dist,
        perturb=perturb,
        seed=seed,
        known=scenario_mod.KNOWN,
        groups=scenario_mod.GROUPS,
        max_variants=max_variants,
        yes=yes,
    )
    payload, tasks = _tasks(base, engine, groups, plan)
    names = _names(base, groups[0])
    t_prepare = time.perf_counter() - t0

    folder = store.SweepFolder(Path(out)) if out is not None else None
    finished: dict[str, dict[str, Any]] = {}
    if folder is not None:
        folder.open(_base_manifest(base, engine, payload))
        finished = folder.finished()
    todo = [t for t in tasks if t.key not in finished]
    skipped = len(tasks) - len(todo)
    if skipped:
        log.info("%d of %d variants already finished in %s: skipped", skipped, len(tasks), out)
    log.info(
        "sweep of %d variants (%s engine, %s executor%s)",
        len(todo),
        engine,
        executor,
        "" if executor == "dask" and scheduler else f", {workers} workers",
    )
    bar = SweepProgress(len(todo), enabled=show_progress)
    fresh: dict[str, dict[str, Any]] = {}

    def done(record: dict[str, Any]) -> None:
        if folder is not None:
            folder.save(record)
        fresh[record["key"]] = record
        bar.update(record)
        if on_record is not None:
            on_record(record)

    t1 = time.perf_counter()
    try:
        executors.execute(
            payload, todo, done, executor=executor, workers=workers, scheduler=scheduler
        )
    finally:
        bar.close()
    t_run = time.perf_counter() - t1

    records = [fresh.get(t.key) or finished[t.key] for t in tasks]
    index, tables, head = summary.summarise(
        records, plan.keys, names, robust_share=robust_share, engine=engine
    )
    head = {
        "scenario": base.name,
        "engine": engine,
        "mode": plan.mode,
        "swept": list(plan.keys),
        "perturb": [list(p) for p in plan.perturb],
        "seed": seed,
        **head,
    }
    if folder is not None:
        _write(folder, index, tables, head)
    return SweepResult(
        index,
        tables,
        head,
        records,
        Path(out) if out is not None else None,
        len(todo),
        skipped,
        {"prepare_s": t_prepare, "run_s": t_run, "total_s": time.perf_counter() - t0},
    )


def _tasks(
    base: Loaded, engine: str, groups: Sequence[str], plan: spec.SweepSpec
) -> tuple[Payload, list[Task]]:
    """Each variant's scenario (built here, every bad value at once) and the datasets."""
    problems: list[Problem] = []
    datasets: list[Dataset] = []
    by_files: dict[Any, int] = {}
    tasks: list[Task] = []
    seen: set[str] = set()
    for variant in plan.variants:
        try:
            loaded = base.with_overrides(sets=variant.sets)
        except ScenarioError as exc:
            label = ", ".join(variant.sets)
            problems += [_in_variant(p, label) for p in exc.problems]
            continue
        files = {g: loaded.files(g) for g in groups}  # type: ignore[arg-type]
        file_key = tuple((g, DataCache.key(f)) for g, f in files.items())
        if file_key not in by_files:
            by_files[file_key] = len(datasets)
            datasets.append(_dataset(loaded, groups, files))
        key = spec.variant_key(engine, loaded.scenario.settings_hash(), variant)
        if key in seen:
            continue  # two grid points with the same effective settings: one variant
        seen.add(key)
        tasks.append(
            Task(
                key=key,
                scenario=loaded.scenario,
                dataset=by_files[file_key],
                perturb=variant.perturb,
                seed=spec.noise_seed(key),
                meta={
                    "engine": engine,
                    "values": dict(variant.values),
                    "sets": list(variant.sets),
                    "perturb": [list(p) for p in variant.perturb],
                    "replicate": variant.replicate,
                },
            )
        )
    unique = list(dict.fromkeys(problems))
    InputError.collect(unique)
    return Payload(engine, tuple(datasets)), tasks


def _in_variant(problem: Problem, label: str) -> Problem:
    from dataclasses import replace

    return replace(problem, message=f"{problem.message} (in the variant {label})")


def _dataset(loaded: Loaded, groups: Sequence[str], files: Mapping[str, Any]) -> Dataset:
    tables = {g: loaded.data(g) for g in groups}  # type: ignore[arg-type]
    paths = {k: str(p) for f in files.values() for k, p in f.items()}
    digests = {p: provenance.file_digest(Path(p)) for p in sorted(set(paths.values()))}
    geodesic = geodesic_km(tables["matching"]) if "matching" in tables else None
    return Dataset(tables, paths, digests, geodesic)


def _names(base: Loaded, group: str) -> dict[str, str]:
    counties = base.data(group).counties  # type: ignore[arg-type]
    return {str(k): str(v) for k, v in counties["annex_name"].items()}


def _base_manifest(base: Loaded, engine: str, payload: Payload) -> dict[str, Any]:
    """What a sweep folder is for: variants of other bases are never mixed into it."""
    first = payload.datasets[0]
    return {
        "scenario": base.name,
        "settings_hash": base.scenario.settings_hash(),
        "engine": engine,
        "data": {k: first.digests[p] for k, p in sorted(first.paths.items())},
    }


def _write(
    folder: store.SweepFolder,
    index: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    head: Mapping[str, Any],
) -> None:
    root = folder.root
    store.write_atomic(root / "index.csv", index.to_csv(index=False, lineterminator="\n"))
    for name, frame in tables.items():
        keep_index = name == "pair_frequency"
        store.write_atomic(
            root / f"{name}.csv", frame.to_csv(index=keep_index, lineterminator="\n")
        )
    store.write_atomic(root / "summary.json", store.dumps(stamp(head)))


__all__ = ["ENGINES", "FAST_SETS", "SweepResult", "sweep"]
