"""Benchmarks of ``shanchuan sweep``: variants per second and the overhead over the bare solve.

Two seeded, named specs on the default scenario (hubei-2021):

- ``match-weights``: a Dirichlet(2) draw of the six pairing weights per variant (engine match);
- ``allocate-budget``: a grid of annual budgets (engine allocate, ``--fast``, on the suggested
  pairing; the allocation's gap is loosened so a variant takes seconds, not the 60 s limit).

Each spec runs with 1 local worker (in this process), 2 local worker processes and a Dask
``LocalCluster`` of 2 single-threaded workers on 127.0.0.1 (when ``distributed`` is installed).
The anchor is the bare solve measured in the same run (``stages.solve`` on the base problem,
median); the overhead per variant is ``(sweep seconds per variant with 1 worker − bare solve)
/ bare solve``: what loading the variant's settings, preparing its problem, verifying and
writing its record add. The machine is shared: read the ratios, not the seconds.

    python benchmarks/bench_sweep.py              # 200 match variants, 8 allocation variants
    python benchmarks/bench_sweep.py --quick      # CI smoke run (< 30 s)
    python benchmarks/bench_sweep.py --match-variants 1000 --alloc-variants 0   # the goal
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shanchuan
from shanchuan import stages

ALLOC_SETS = ("allocation.solver.gap=0.05", "allocation.lexicographic=false")


@dataclass(frozen=True)
class Spec:
    name: str
    engine: str
    grid: tuple[str, ...] = ()
    samples: int = 0
    dist: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    fast: bool = False
    executors: tuple[tuple[str, int], ...] = field(
        default=(("local", 1), ("local", 2), ("dask", 2))
    )


def specs(quick: bool, match_variants: int, alloc_variants: int) -> list[Spec]:
    n_match = 4 if quick else match_variants
    budgets = [12500 + 500 * i for i in range(1 if quick else alloc_variants)]
    match = Spec("match-weights", "match", samples=n_match, dist=("matching.weights=dirichlet(2)",))
    if not budgets:
        return [match]
    return [
        match,
        Spec(
            "allocate-budget",
            "allocate",
            grid=("allocation.annual_budget_wan=" + ",".join(map(str, budgets)),),
            sets=ALLOC_SETS,
            fast=True,
            executors=(("local", 1),) if quick else (("local", 1), ("local", 2), ("dask", 2)),
        ),
    ]


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bare_solve(spec: Spec, repeats: int) -> float:
    """The anchor: one solve of the base problem through the public stage, median."""
    quiet = lambda line: None  # noqa: E731
    fast = ("allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0")
    loaded = shanchuan.load(sets=[*spec.sets, *(fast if spec.fast else ())])
    if spec.engine == "match":
        prepared = stages.prepare(loaded, "matching", progress=quiet)
        return median_seconds(lambda: stages.solve(prepared, progress=quiet), repeats)
    m = stages.solve(stages.prepare(loaded, "matching", progress=quiet), progress=quiet)
    prepared_a = stages.prepare(loaded, "allocation", match_outcome=m, progress=quiet)
    return median_seconds(lambda: stages.solve(prepared_a, progress=quiet), repeats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (a few variants)")
    parser.add_argument("--match-variants", type=int, default=200)
    parser.add_argument("--alloc-variants", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=None, help="bare solves (median)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    have_dask = importlib.util.find_spec("distributed") is not None
    print(
        f"{'spec':<16} {'executor':<10} {'variants':>8} {'s':>8} {'var/s':>7} "
        f"{'s/var':>7} {'bare s':>7} {'overhead':>9} {'speed-up':>8}"
    )
    for spec in specs(args.quick, args.match_variants, args.alloc_variants):
        bare = bare_solve(spec, repeats)
        serial = None
        for executor, workers in spec.executors:
            if executor == "dask" and not have_dask:
                print(f"{spec.name:<16} dask       (distributed not installed: skipped)")
                continue
            with tempfile.TemporaryDirectory() as tmp:
                t = time.perf_counter()
                result = shanchuan.sweep(
                    engine=spec.engine,
                    grid=spec.grid,
                    samples=spec.samples,
                    dist=spec.dist,
                    sets=spec.sets,
                    fast=spec.fast,
                    seed=2021,
                    out=Path(tmp) / "sweep",
                    workers=workers,
                    executor=executor,
                    yes=True,
                )
                wall = time.perf_counter() - t
            n = len(result.records)
            bad = [
                r["status"] for r in result.records if r["status"] not in ("optimal", "feasible")
            ]
            assert not bad, f"{spec.name}: variants without a verified solution: {bad}"
            per = result.timings["run_s"] / n
            serial = per if serial is None else serial
            label = f"{executor}×{workers}"
            overhead = f"{(per - bare) / bare:+8.0%}" if workers == 1 else f"{'':>8}"
            print(
                f"{spec.name:<16} {label:<10} {n:>8} {wall:>8.2f} {n / wall:>7.2f} "
                f"{per:>7.3f} {bare:>7.3f} {overhead:>9} {serial / per:>8.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
