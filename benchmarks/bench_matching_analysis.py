"""Benchmarks of the pairing analyses (forcing costs, alternatives, sensitivity, diagnosis).

Seeded, named specs; every figure is a median over ``--repeats`` runs and is also shown as a
ratio to an anchor measured in the same run on the same instance (one
``linear_sum_assignment``, one ``matching.solve``), so figures from different machines can be
compared. ``--quick`` is the CI smoke mode (small instance, few samples, one repeat).

    python benchmarks/bench_matching_analysis.py            # 22 x 22, as in the plan
    python benchmarks/bench_matching_analysis.py --quick
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable

from scipy.optimize import linear_sum_assignment

from matching import MatchRules, MatchSettings, solve
from matching.alternatives import alternatives
from matching.diagnose import diagnose
from matching.explain import explain_pairs
from matching.forcing import forcing_costs
from matching.instances import make_problem
from matching.sensitivity import sensitivity
from matching.stability import blocking_pairs


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke mode (small, fast)")
    parser.add_argument("--n", type=int, default=None, help="counties per side (default 22)")
    parser.add_argument("--samples", type=int, default=None, help="sensitivity samples")
    parser.add_argument("--repeats", type=int, default=None, help="runs per figure (median)")
    parser.add_argument("--seed", type=int, default=20201224)
    parser.add_argument("--skip-ip", action="store_true", help="skip the IP forcing table")
    args = parser.parse_args(argv)
    n = args.n or (8 if args.quick else 22)
    samples = args.samples or (50 if args.quick else 1000)
    repeats = args.repeats or (1 if args.quick else 3)

    problem = make_problem(n, n, args.seed)
    cfg = MatchSettings()
    base = solve(problem, cfg)
    assert base.ok, base.message
    score = problem.score
    t_lsa = median_seconds(lambda: linear_sum_assignment(score, maximize=True), max(repeats, 20))
    t_solve = median_seconds(lambda: solve(problem, cfg), max(repeats, 5))
    ip_cfg = dataclasses.replace(cfg, fast_path=False)
    t_ip = median_seconds(lambda: solve(problem, ip_cfg), repeats)
    pairs = n * n

    rows: list[tuple[str, str, float, str, float]] = []

    def add(name: str, what: str, fn: Callable[[], object], anchor_name: str, anchor: float):
        t = median_seconds(fn, repeats)
        rows.append((name, what, t, anchor_name, t / anchor))

    rows.append(("anchor: linear_sum_assignment", f"{n}x{n}", t_lsa, "-", 1.0))
    rows.append(("anchor: solve (assignment)", f"{n}x{n}", t_solve, "lsa", t_solve / t_lsa))
    rows.append(("anchor: solve (IP, cbc)", f"{n}x{n}", t_ip, "lsa", t_ip / t_lsa))
    add(
        "forcing costs, assignment form", f"{pairs} pairs",
        lambda: forcing_costs(problem, cfg, base), f"{pairs} x lsa", pairs * t_lsa,
    )
    add(
        f"sensitivity, {samples} samples", "spread 0.2",
        lambda: sensitivity(problem, cfg, samples, 0.2, args.seed), "1 solve", t_solve,
    )
    add(
        f"robustness, {samples} samples", "Dirichlet(1)",
        lambda: sensitivity(problem, cfg, samples, seed=args.seed, mode="dirichlet"),
        "1 solve", t_solve,
    )
    add(
        f"robustness, {samples} samples", "+ lists p=0.2",
        lambda: sensitivity(
            problem, cfg, samples, seed=args.seed, mode="dirichlet", willingness_noise=0.2
        ),
        "1 solve", t_solve,
    )
    add("alternatives k=10, Murty", f"{n}x{n}", lambda: alternatives(problem, cfg, 10),
        "1 solve", t_solve)
    conflict = MatchSettings(
        rules=MatchRules(
            locks=((problem.recipients[0], problem.supporters[0]),
                   (problem.recipients[1], problem.supporters[0])),
            max_distance=450.0,
        )
    )
    add("diagnose: two locks + cap", f"{n}x{n}", lambda: diagnose(problem, conflict),
        "1 solve", t_solve)
    add("explain_pairs", f"{n} pairs", lambda: explain_pairs(problem, base), "1 solve", t_solve)
    add("blocking_pairs", f"{n} pairs", lambda: blocking_pairs(problem, base.pairs),
        "1 solve", t_solve)
    if not args.skip_ip:
        spread = MatchSettings(rules=MatchRules(prefecture_spread=max(2, n // 3)))
        spread_base = solve(problem, spread)
        assert spread_base.ok, spread_base.message
        t = median_seconds(lambda: forcing_costs(problem, spread, spread_base), 1)
        rows.append(("forcing costs, IP (spread rule)", f"{pairs} pairs", t,
                     f"{pairs} x IP solve", t / (pairs * t_ip)))
        t = median_seconds(lambda: alternatives(problem, spread, 5), 1)
        rows.append(("alternatives k=5, no-good cuts", f"{n}x{n}", t, "IP solve", t / t_ip))

    print(f"matching analysis benchmarks  n={n}  seed={args.seed}  repeats={repeats}")
    print(f"{'spec':36s} {'size':>12s} {'median s':>10s}  {'anchor':>16s} {'ratio':>9s}")
    for name, what, t, anchor_name, ratio in rows:
        print(f"{name:36s} {what:>12s} {t:10.6f}  {anchor_name:>16s} {ratio:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
