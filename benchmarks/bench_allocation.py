"""Benchmark of the allocation engine: one table, every figure measured in the same run.

Rows (medians of ``--repeats``; ratios are against an anchor measured in the same run, so
machine load cancels out as far as it can):

``run: ...``
    the default scenario (``hubei-2021``) as ``shanchuan run`` does it, stage by stage through
    the public API: the pairing, the allocation's main solve, its analyses (8 rule-cost
    re-solves and 3 forced-in projects, sharing the workers) — with the re-solves stopped once
    decided (today's default) and, as the anchor, run to the requested gap
    (``analysis.stop_when_decided = false``, the method before). ``run: CLI`` is the real
    ``shanchuan -q run`` (and ``--fast``) as a user runs it, process start included.
``lean-fund`` / pools
    the main solve (analyses off, gap 0.1 %) of ``--scenario lean-fund`` and of the seeded
    pools of :mod:`allocation.instances` (330 / 2,000 / 10,000 candidates), with each solver
    (``cbc``, ``highs``, ``portfolio``); the ratio is against CBC in the same run. Every
    schedule is verified (:func:`allocation.verify`) before its time is counted.

    python benchmarks/bench_allocation.py            # the full table (~10 minutes here)
    python benchmarks/bench_allocation.py --quick    # CI smoke run: one small pool, 1 repeat
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from allocation import AllocationSettings, prepare, run_model, verify
from allocation.instances import DEFAULT_LIKE, POOL_2K, POOL_10K, PoolSpec, make_pool
from allocation.options import AnalysisSettings
from allocation.problem import AllocationProblem

solve_module = importlib.import_module("allocation.solve")

SOLVERS = ("cbc", "highs", "portfolio")
QUICK = (PoolSpec("quick-330", n_pairs=22, n_candidates=330, seed=2021),)
FULL = (DEFAULT_LIKE, POOL_2K, POOL_10K)

Row = dict[str, object]


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _with_solver(settings: AllocationSettings, name: str, gap: float, limit: float):  # type: ignore[no-untyped-def]
    return dataclasses.replace(
        settings,
        solver=dataclasses.replace(settings.solver, name=name, gap=gap, time_limit=limit),
    )


def main_solve(problem: AllocationProblem, settings: AllocationSettings, repeats: int) -> Row:
    """Median wall time of build + solve + verify; status and gap of the last run."""
    times, last = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        run = run_model(problem, settings)
        check = verify(problem, settings, run.schedule) if run.has_solution else None
        times.append(time.perf_counter() - t)
        last = (run, check)
    assert last is not None
    run, check = last
    return {
        "status": run.status.value,
        "gap": run.gap,
        "seconds": _median(times),
        "objective": run.objective,
        "verified": bool(check is not None and check.ok),
        "winner": run.solver_status.split(" | ")[-1][:40] if run.solver == "portfolio" else "",
    }


def hubei(overrides: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """The default scenario's allocation problem (pairing solved first) and its settings."""
    from shanchuan import pipeline, stages
    from shanchuan.loaded import load

    t = time.perf_counter()
    loaded = load(None, overrides=overrides)
    m = pipeline.match(loaded)
    prepared = stages.prepare(loaded, "allocation", match_outcome=m)
    return prepared.problem, prepared.settings.allocation, time.perf_counter() - t


def run_stages(repeats: int) -> list[Row]:
    """The default ``run`` through the API: pairing, main solve, analyses (stop on / off)."""
    rows: list[Row] = []
    per: dict[str, list[float]] = {}
    for _ in range(repeats):
        problem, st, match_s = hubei()
        t = time.perf_counter()
        base = run_model(problem, st)
        solve_s = time.perf_counter() - t
        per.setdefault("pairing (match + prepare)", []).append(match_s)
        per.setdefault("allocation main solve", []).append(solve_s)
        for stop in (False, True):
            s = dataclasses.replace(
                st, analysis=dataclasses.replace(st.analysis, stop_when_decided=stop)
            )
            t = time.perf_counter()
            costs, _ = solve_module._analyse(problem, s, base, None)
            key = "analyses, stopped once decided" if stop else "analyses, to the gap (anchor)"
            per.setdefault(key, []).append(time.perf_counter() - t)
            if stop:
                per.setdefault("_stopped", []).append(
                    float(sum(c.method.endswith("decided") for c in costs))
                )
    anchor = _median(per["analyses, to the gap (anchor)"])
    for key in (
        "pairing (match + prepare)",
        "allocation main solve",
        "analyses, to the gap (anchor)",
        "analyses, stopped once decided",
    ):
        sec = _median(per[key])
        note = ""
        if key.startswith("analyses, stopped"):
            note = f"{_median(per['_stopped']):.0f}/8 rule costs stopped early"
        rows.append(
            {
                "case": f"run: {key}",
                "solver": "cbc",
                "status": "",
                "gap": None,
                "seconds": sec,
                "ratio": sec / anchor if key.startswith("analyses") else None,
                "note": note,
            }
        )
    return rows


def run_cli(repeats: int) -> list[Row]:
    """``shanchuan -q run`` and ``run --fast`` wall times, as a user sees them."""
    exe = shutil.which("shanchuan") or str(Path(sys.executable).with_name("shanchuan"))
    rows: list[Row] = []
    times: dict[str, list[float]] = {"run --fast": [], "run": []}
    for _ in range(repeats):
        for label, extra in (("run --fast", ["--fast"]), ("run", [])):
            t = time.perf_counter()
            done = subprocess.run([exe, "-q", "run", *extra], capture_output=True, check=False)
            times[label].append(time.perf_counter() - t)
            if done.returncode != 0:
                raise SystemExit(f"shanchuan {label} failed: {done.stderr.decode()[-500:]}")
    fast = _median(times["run --fast"])
    for label in ("run --fast", "run"):
        sec = _median(times[label])
        rows.append(
            {
                "case": f"run: CLI shanchuan -q {label}",
                "solver": "cbc",
                "status": "ok",
                "gap": None,
                "seconds": sec,
                "ratio": sec / fast,
                "note": "ratio vs run --fast",
            }
        )
    return rows


def solver_rows(
    label: str,
    problem: AllocationProblem,
    settings: AllocationSettings,
    args: argparse.Namespace,
    repeats: int,
) -> list[Row]:
    quiet = dataclasses.replace(
        settings, analysis=AnalysisSettings(rule_costs=False, best_unfunded=0, force_unfunded=0)
    )
    out = {
        s: main_solve(problem, _with_solver(quiet, s, args.gap, args.time_limit), repeats)
        for s in args.solvers
    }
    anchor = float(out.get("cbc", next(iter(out.values())))["seconds"])  # type: ignore[arg-type]
    rows = []
    for s, r in out.items():
        rows.append(
            {
                "case": label,
                "solver": s,
                **r,
                "ratio": float(r["seconds"]) / max(anchor, 1e-9),  # type: ignore[arg-type]
                "note": "" if r["verified"] else "NOT VERIFIED",
            }
        )
    return rows


HEADER = f"{'case':<40} {'solver':<10} {'status':<9} {'gap':>9} {'median s':>9} {'ratio':>6}  note"


def _line(r: Row) -> str:
    gap = "-" if r.get("gap") is None else f"{float(r['gap']):.2e}"  # type: ignore[arg-type]
    ratio = "-" if r.get("ratio") is None else f"{float(r['ratio']):.2f}"  # type: ignore[arg-type]
    return (
        f"{r['case']!s:<40} {r['solver']!s:<10} {r['status']!s:<9} {gap:>9} "
        f"{float(r['seconds']):>9.2f} {ratio:>6}  {r.get('note', '')}"  # type: ignore[arg-type]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: one small pool")
    parser.add_argument("--repeats", type=int, default=3, help="repeats (pools > 1,000: 1)")
    parser.add_argument("--solvers", nargs="+", default=list(SOLVERS))
    parser.add_argument("--gap", type=float, default=0.001, help="relative MIP gap")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per solve")
    parser.add_argument("--no-cli", action="store_true", help="skip the shanchuan CLI rows")
    parser.add_argument("--json", type=Path, help="write the rows to this file")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    print(HEADER, flush=True)

    def progress(new: list[Row]) -> None:
        rows.extend(new)
        for r in new:
            print(_line(r), flush=True)

    if args.quick:
        args.solvers = [s for s in args.solvers if s != "portfolio"]
        for spec in QUICK:
            st = AllocationSettings()
            progress(solver_rows(spec.name, prepare(make_pool(spec), st), st, args, 1))
    else:
        progress(run_stages(args.repeats))
        if not args.no_cli:
            progress(run_cli(args.repeats))
        problem, st, _ = hubei(("lean-fund",))
        progress(solver_rows("lean-fund (hubei-2021)", problem, st, args, args.repeats))
        for spec in FULL:
            st = AllocationSettings()
            reps = 1 if spec.n_candidates > 1000 else args.repeats
            progress(
                solver_rows(
                    f"pool {spec.n_candidates}", prepare(make_pool(spec), st), st, args, reps
                )
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if all(r.get("note") != "NOT VERIFIED" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
