"""Benchmark of the registry's solvers (cbc, highs, portfolio) on the engines' own models.

Each case is solved through the engines' public API with only the solver name changed; the
figures are medians of ``--repeat`` runs, with ratios to CBC (the anchor) measured in the same
run, so machine load cancels out as far as it can. Cases:

``hubei-2021`` / ``hubei-2021-ip``
    the default scenario's pairing (22 × 22) through ``matching.solve`` (default route, and
    the integer program with ``fast_path = false``).
``rules-300``
    a seeded 300 × 300 instance (``matching.instances.make_instance``) with forbids, a distance
    cap and a prefecture spread rule (the rules of ``bench_matching.py``).
``default-like`` / ``pool-2000`` / ``pool-10000``
    the allocation pools of ``allocation.instances`` through ``allocation.solve`` with the
    analyses off, gap 0.1 %.

    python benchmarks/bench_solvers.py            # full table
    python benchmarks/bench_solvers.py --quick    # CI smoke run (< 60 s)
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import allocation
import matching
from allocation.instances import DEFAULT_LIKE, POOL_2K, POOL_10K, PoolSpec, make_pool
from matching.instances import make_instance
from solverkit.registry import SolverOptions

sys.path.insert(0, str(Path(__file__).parent))
from bench_matching import side_rules

SOLVERS = ("cbc", "highs", "portfolio")

#: One solve: returns (status, objective, gap, winner-or-solver name).
Case = Callable[[str], tuple[str, float | None, float | None, str]]


def matching_case(problem: matching.MatchingProblem, settings: matching.MatchSettings) -> Case:
    def run(name: str) -> tuple[str, float | None, float | None, str]:
        s = dataclasses.replace(settings, solver=dataclasses.replace(settings.solver, name=name))
        r = matching.solve(problem, s)
        rep = r.solve_report
        gap = rep.gap if rep is not None else None
        winner = f" (won by {rep.winner})" if rep is not None and rep.winner else ""
        return r.status.value, r.objective, gap, r.method + winner

    return run


def allocation_case(spec: PoolSpec, time_limit: float, gap: float) -> Case:
    inputs = make_pool(spec)

    def run(name: str) -> tuple[str, float | None, float | None, str]:
        settings = allocation.AllocationSettings(
            solver=SolverOptions(name=name, gap=gap, time_limit=time_limit)
        )
        r = allocation.solve(inputs, settings, analyse=False)
        return r.status.value, r.objective, r.gap, f"{r.solver} [{r.solver_version}]"

    return run


def hubei_cases() -> list[tuple[str, Case]]:
    try:
        from shanchuan import pipeline
    except ImportError as exc:
        print(f"hubei-2021: skipped ({exc})", file=sys.stderr)
        return []
    sc = pipeline.load_scenario("hubei-2021")
    data, _ = pipeline.load_data(sc, pipeline.MATCH_FILES)
    settings = pipeline.resolve_settings(sc, data)
    problem = matching.prepare(pipeline.matching_inputs(data, settings), settings.matching)
    ip = dataclasses.replace(settings.matching, fast_path=False)
    return [
        ("hubei-2021", matching_case(problem, settings.matching)),
        ("hubei-2021-ip", matching_case(problem, ip)),
    ]


def rules_case(n: int, seed: int, time_limit: float) -> tuple[str, Case]:
    problem = make_instance(n, seed)
    settings = matching.MatchSettings(
        rules=side_rules(problem, seed), solver=SolverOptions(time_limit=time_limit)
    )
    return f"rules-{n}", matching_case(problem, settings)


def measure(case: Case, name: str, repeat: int) -> dict[str, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = case(name)
        times.append(time.perf_counter() - t)
    assert out is not None
    status, objective, gap, method = out
    return {
        "seconds": statistics.median(times),
        "status": status,
        "objective": objective,
        "gap": gap,
        "method": method,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="CI smoke run: small cases, 1 repeat")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--gap", type=float, default=0.001, help="allocation's relative gap")
    ap.add_argument("--solvers", nargs="+", default=list(SOLVERS))
    ap.add_argument("--only", nargs="+", help="run only these case names")
    args = ap.parse_args(argv)

    if args.quick:
        repeat = 1
        cases = [
            rules_case(60, 1, 30.0),
            ("default-like", allocation_case(DEFAULT_LIKE, 30.0, args.gap)),
        ]
    else:
        repeat = args.repeat
        cases = [
            *hubei_cases(),
            rules_case(300, 1, args.time_limit),
            *(
                (spec.name, allocation_case(spec, args.time_limit, args.gap))
                for spec in (DEFAULT_LIKE, POOL_2K, POOL_10K)
            ),
        ]
    if args.only:
        cases = [c for c in cases if c[0] in args.only]
    header = f"{'case':>14} " + " ".join(f"{s:>24}" for s in args.solvers)
    print(header)
    ok = True
    for label, case in cases:
        rows = {s: measure(case, s, repeat) for s in args.solvers}
        anchor = rows.get("cbc", next(iter(rows.values())))
        cells = []
        for s in args.solvers:
            r = rows[s]
            ratio = float(r["seconds"]) / max(float(anchor["seconds"]), 1e-9)  # type: ignore[arg-type]
            cells.append(f"{r['seconds']:7.2f}s x{ratio:4.2f} {str(r['status'])[:8]:>8}")
        print(f"{label:>14} " + " ".join(f"{c:>24}" for c in cells), flush=True)
        for s in args.solvers:
            r = rows[s]
            gap = "-" if r["gap"] is None else f"{float(r['gap']):.2e}"  # type: ignore[arg-type]
            print(f"{'':>14}   {s:>9}: objective {r['objective']} gap {gap} via {r['method']}")
        objectives = [r["objective"] for r in rows.values() if r["objective"] is not None]
        if not objectives:
            ok = False
            continue
        # Gap-limited runs may differ within their gap; anything more is a bug.
        tol = max(args.gap, 1e-6) * max(1.0, max(abs(float(o)) for o in objectives))  # type: ignore[arg-type]
        if max(objectives) - min(objectives) > tol + 1e-9:  # type: ignore[operator]
            print(f"{'':>14}   objectives disagree beyond the gap", flush=True)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
