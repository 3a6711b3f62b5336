"""Benchmark of the allocation engine on seeded synthetic pools.

Each spec is prepared, built and solved through the solver registry (default CBC) and verified;
the same model is solved through ``scipy.optimize.milp`` (the registry's ``scipy`` backend, on
the matrix form of the very same PuLP model) in the same run, and the ratio is reported.

    python benchmarks/bench_allocation.py            # default-like, 2,000 and 10,000 candidates
    python benchmarks/bench_allocation.py --quick    # smoke run for CI (small pools, 1 repeat)

Targets: default-like pool (22 pairs × 5 years, ~330 candidates) solved and verified < 2 s;
2,000 and 10,000 candidates solved to a relative gap <= 0.1 % in < 60 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time
from pathlib import Path

from allocation import AllocationSettings, prepare, run_model, verify
from allocation.instances import DEFAULT_LIKE, POOL_2K, POOL_10K, PoolSpec, make_pool
from solverkit.registry import SolverOptions

QUICK = (
    PoolSpec("quick-660", n_pairs=22, n_candidates=660, seed=7),
    PoolSpec("quick-330", n_pairs=22, n_candidates=330, seed=2021),
)
FULL = (DEFAULT_LIKE, POOL_2K, POOL_10K)
TARGET_S = {"default-like": 2.0, "quick-330": 2.0}


def bench(spec: PoolSpec, settings: AllocationSettings, repeats: int) -> dict[str, object]:
    """Median timings of prepare, build+solve (CBC), verify, and the scipy.milp anchor."""
    inputs = make_pool(spec)
    prep, total, solve_s, build_s, ver, anchor = [], [], [], [], [], []
    last = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        problem = prepare(inputs, settings)
        t1 = time.perf_counter()
        run = run_model(problem, settings)
        t2 = time.perf_counter()
        check = verify(problem, settings, run.schedule, objective=run.objective)
        t3 = time.perf_counter()
        scipy_settings = dataclasses.replace(
            settings, solver=dataclasses.replace(settings.solver, name="scipy")
        )
        other = run_model(problem, scipy_settings)
        anchor.append(other.seconds + other.build_seconds)
        prep.append(t1 - t0)
        total.append(t3 - t0)
        solve_s.append(run.seconds)
        build_s.append(run.build_seconds)
        ver.append(t3 - t2)
        last = (problem, run, check, other)
    assert last is not None
    problem, run, check, other = last
    med = statistics.median
    out = {
        "spec": spec.name,
        "candidates": spec.n_candidates,
        "variables": len(run.model.lp.variables()),
        "constraints": len(run.model.lp.constraints),
        "status": run.status.value,
        "verified": check.ok,
        "objective": run.objective,
        "gap": run.gap,
        "funded": len(run.schedule),
        "prepare_s": med(prep),
        "build_s": med(build_s),
        "solve_s": med(solve_s),
        "verify_s": med(ver),
        "total_s": med(total),
        "scipy_status": other.status.value,
        "scipy_objective": other.objective,
        "scipy_s": med(anchor),
        "ratio_vs_scipy": (med(solve_s) + med(build_s)) / max(med(anchor), 1e-9),
    }
    target = TARGET_S.get(spec.name, 60.0)
    out["target_s"] = target
    out["meets_target"] = bool(out["total_s"] < target and check.ok)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small pools, 1 repeat")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the default-like pool")
    parser.add_argument("--solver", default="cbc", help="registry solver (cbc, highs, scipy)")
    parser.add_argument("--gap", type=float, default=0.001, help="relative MIP gap")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per solve")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    settings = AllocationSettings(
        solver=SolverOptions(name=args.solver, gap=args.gap, time_limit=args.time_limit)
    )
    specs = QUICK if args.quick else FULL
    rows = []
    for spec in specs:
        repeats = 1 if args.quick or spec.n_candidates > 1000 else args.repeats
        row = bench(spec, settings, repeats)
        rows.append(row)
        print(
            f"{row['spec']:>14}  n={row['candidates']:>6}  vars={row['variables']:>6}  "
            f"{row['status']:>8}  verified={row['verified']}  gap={row['gap'] or 0:.2e}  "
            f"prepare {row['prepare_s']:.2f}s  build {row['build_s']:.2f}s  "
            f"solve {row['solve_s']:.2f}s  verify {row['verify_s']:.3f}s  "
            f"total {row['total_s']:.2f}s (target {row['target_s']:.0f}s)  "
            f"scipy.milp {row['scipy_s']:.2f}s ({row['scipy_status']})  "
            f"ratio {row['ratio_vs_scipy']:.2f}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if all(r["verified"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
