"""Seeded MIPs for the solver tests: hard enough to take time, small enough to check."""

from __future__ import annotations

import random

import pulp


def knapsack(n: int, m: int, seed: int, constant: float = 7.0) -> pulp.LpProblem:
    """A multi-dimensional 0/1 knapsack (maximise), with an objective constant."""
    rng = random.Random(seed)
    lp = pulp.LpProblem(f"mkp_{n}_{m}_{seed}", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat=pulp.LpBinary) for i in range(n)]
    weights = [[rng.randint(5, 60) for _ in range(n)] for _ in range(m)]
    values = [rng.randint(10, 80) + sum(w[i] for w in weights) // m for i in range(n)]
    lp += pulp.lpSum(v * xi for v, xi in zip(values, x, strict=True)) + constant
    for j, w in enumerate(weights):
        lp += pulp.lpSum(wi * xi for wi, xi in zip(w, x, strict=True)) <= sum(w) // 2, f"c{j}"
    return lp
