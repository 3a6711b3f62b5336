"""Benchmark of the weight calibration (:func:`matching.calibrate`): time and recovered pairs.

Seeded, named specs. Each reference is the optimum under the instance's own weights, either
as is (``exact``) or with a share of its pairs swapped in twos (``perturbed``); the engine is
handed the instance with *equal* weights, so the weights behind the reference are hidden.
Figures: the median calibration time over ``--repeats`` runs, the same as a ratio to one
``matching.solve`` on the same instance (the anchor, measured in the same run), the least
violation and the share of reference pairs the calibrated pairing reproduces.

    python benchmarks/bench_calibrate.py            # Hubei 2021 (22 x 22) and n = 100, 300
    python benchmarks/bench_calibrate.py --quick    # CI smoke run (< 20 s)
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matching import MatchingProblem, calibrate, solve
from matching.instances import make_instance

Pair = tuple[str, str]


@dataclass(frozen=True)
class Spec:
    """One benchmark case: an instance and how its reference is made."""

    name: str
    make: Callable[[], MatchingProblem]
    perturb: float
    """Share of reference pairs swapped in twos (0 = the exact optimum)."""
    seed: int = 20210101


def hubei() -> MatchingProblem:
    import shanchuan
    from shanchuan import stages

    return stages.prepare(shanchuan.load("hubei-2021"), "matching").problem


def median_seconds(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def reference_of(problem: MatchingProblem, perturb: float, seed: int) -> list[Pair]:
    pairs = list(solve(problem).pairs)
    rng = np.random.default_rng(seed)
    k = round(perturb * len(pairs) / 2)
    picks = rng.permutation(len(pairs))[: 2 * k]
    for a, b in zip(picks[0::2], picks[1::2], strict=True):
        (ra, sa), (rb, sb) = pairs[a], pairs[b]
        pairs[a], pairs[b] = (ra, sb), (rb, sa)
    return pairs


def run(spec: Spec, repeats: int) -> dict[str, object]:
    truth = spec.make()
    reference = reference_of(truth, spec.perturb, spec.seed)
    equal = {c: 1.0 / len(truth.criteria) for c in truth.criteria}
    hidden = dataclasses.replace(truth, weights=equal)
    t_anchor, _ = median_seconds(lambda: solve(hidden), max(repeats, 3))
    t_cal, cal = median_seconds(lambda: calibrate(hidden, reference), repeats)
    assert cal is not None
    return {
        "spec": spec.name,
        "n": len(truth.recipients),
        "swapped": spec.perturb,
        "calibrate_s": t_cal,
        "solve_s": t_anchor,
        "ratio": t_cal / t_anchor,
        "violation": cal.violation,  # type: ignore[attr-defined]
        "recovered": cal.recovered_rate,  # type: ignore[attr-defined]
        "unexplained": len(cal.unexplained),  # type: ignore[attr-defined]
    }


def specs(quick: bool) -> list[Spec]:
    if quick:
        return [
            Spec("synthetic-20", lambda: make_instance(20, 1), 0.0),
            Spec("synthetic-20-perturbed", lambda: make_instance(20, 1), 0.2),
        ]
    return [
        Spec("hubei-2021", hubei, 0.0),
        Spec("hubei-2021-perturbed", hubei, 0.2),
        Spec("synthetic-100", lambda: make_instance(100, 1), 0.0),
        Spec("synthetic-100-perturbed", lambda: make_instance(100, 1), 0.1),
        Spec("synthetic-300", lambda: make_instance(300, 1), 0.0),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke mode (CI, < 20 s)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per figure (median)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    head = (
        f"{'spec':<26}{'n':>5}{'swapped':>9}{'calibrate s':>13}{'solve s':>9}{'ratio':>8}"
        f"{'violation':>11}{'recovered':>11}{'unexplained':>13}"
    )
    print(head)
    for spec in specs(args.quick):
        r = run(spec, repeats)
        print(
            f"{r['spec']:<26}{r['n']:>5}{r['swapped']:>9.0%}{r['calibrate_s']:>13.3f}"
            f"{r['solve_s']:>9.3f}{r['ratio']:>8.1f}{r['violation']:>11.4f}"
            f"{r['recovered']:>11.0%}{r['unexplained']:>13}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
