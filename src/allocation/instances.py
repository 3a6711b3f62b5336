"""Seeded synthetic project pools for tests, benchmarks and examples (not real data).

``make_pool(PoolSpec(...))`` returns :class:`allocation.AllocationInputs` with ``n_pairs`` pairs
(ids ``r01..``/``s01..``) and ``n_candidates`` projects drawn from fixed distributions sized
after the figures in the data README (about 250 万元 a project, supporter projects of a few
hundred 万元). The same spec always gives the same pool (``numpy.random.default_rng(seed)``):

>>> pool = make_pool(PoolSpec("doc", n_pairs=3, n_candidates=12, seed=5))
>>> len(pool.projects), list(pool.pairs["recipient"])
(12, ['r01', 'r02', 'r03'])
>>> pool.projects.equals(make_pool(PoolSpec("doc", n_pairs=3, n_candidates=12, seed=5)).projects)
True

Named specs: :data:`DEFAULT_LIKE` (the size of the Hubei pool), :data:`POOL_2K`,
:data:`POOL_10K` (scaling benchmarks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocation.problem import CATEGORIES, AllocationInputs

_PRIORITY_BY_CATEGORY = {
    "agriculture_income": "low_income",
    "ecological_protection": "ecological",
    "urbanisation_infrastructure": "infrastructure",
    "industrial_park": "infrastructure",
}


@dataclass(frozen=True)
class PoolSpec:
    """A named, seeded pool: its size, period, share of partial projects and dependencies."""

    name: str
    n_pairs: int = 22
    n_candidates: int = 330
    first_year: int = 2021
    last_year: int = 2025
    partial_share: float = 0.35
    dependency_share: float = 0.03
    seed: int = 1


def make_pool(spec: PoolSpec) -> AllocationInputs:
    """Generate the pool of ``spec`` (deterministic for a given spec)."""
    rng = np.random.default_rng(spec.seed)
    recipients = [f"r{i + 1:02d}" for i in range(spec.n_pairs)]
    supporters = [f"s{i + 1:02d}" for i in range(spec.n_pairs)]
    names = {r: f"受援{i + 1:02d}县" for i, r in enumerate(recipients)}
    names |= {s: f"支援{i + 1:02d}区" for i, s in enumerate(supporters)}
    pairs = pd.DataFrame({"recipient": recipients, "supporter": supporters})
    population = {r: float(rng.uniform(15, 90)) for r in recipients}
    cats = list(CATEGORIES)
    n = spec.n_candidates
    years = spec.last_year - spec.first_year + 1
    rows = []
    ids = [f"P{i + 1:05d}" for i in range(n)]
    for i in range(n):
        k = i % spec.n_pairs
        cat = cats[int(rng.integers(len(cats)))]
        flags = {"low_income": 0, "ecological": 0, "infrastructure": 0}
        if cat in _PRIORITY_BY_CATEGORY:
            flags[_PRIORITY_BY_CATEGORY[cat]] = 1
        if rng.random() < 0.2:
            flags[["low_income", "ecological", "infrastructure"][int(rng.integers(3))]] = 1
        duration = min(years, int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1])))
        request = float(np.clip(round(rng.lognormal(np.log(260), 0.45) / 10) * 10, 80, 800))
        minimum = request
        if rng.random() < spec.partial_share:
            minimum = float(round(request * rng.uniform(0.7, 0.95) / 10) * 10)
        sup = float(np.clip(round(rng.lognormal(np.log(180), 0.45) / 10) * 10, 50, 600))
        other = (
            0.0 if rng.random() < 0.4 else float(round(rng.lognormal(np.log(220), 0.8) / 10) * 10)
        )
        people = float(round(rng.lognormal(np.log(1630), 1.1)))
        low = float(round(people * rng.uniform(0.02, 0.3)))
        start = spec.first_year + int(rng.integers(years))
        rows.append(
            {
                "recipient": recipients[k],
                "supporter": "" if rng.random() < 0.7 else supporters[k],
                "title": f"{names[recipients[k]]}{CATEGORIES[cat].zh}项目{i + 1}",
                "category": cat,
                **flags,
                "earliest_start": start,
                "duration_years": duration,
                "cost_per_year_wan": request + sup + other,
                "special_fund_request_wan": request,
                "special_fund_min_wan": minimum,
                "supporter_fund_wan": sup,
                "other_fund_wan": other,
                "people_benefited": people,
                "low_income_benefited": low,
                "jobs": float(round(rng.lognormal(np.log(54), 0.9))),
                "income_uplift_wan": float(round(rng.lognormal(np.log(340), 0.8))),
                "readiness": float(round(rng.uniform(0.3, 1.0), 2)),
                "requires": "",
                "excludes": "",
                "source": f"synthetic pool {spec.name} seed {spec.seed}",
            }
        )
    # A few dependencies within a pair (on a lower id of the same pair).
    for i in range(spec.n_pairs, n):
        if rng.random() < spec.dependency_share:
            rows[i]["requires"] = ids[i - spec.n_pairs]
        elif rng.random() < spec.dependency_share:
            rows[i]["excludes"] = ids[i - spec.n_pairs]
    projects = pd.DataFrame(rows, index=pd.Index(ids, name="id"))
    return AllocationInputs(projects=projects, pairs=pairs, names=names, population_wan=population)


#: The size of the Hubei pool: 22 pairs, 330 candidates.
DEFAULT_LIKE = PoolSpec("default-like", n_pairs=22, n_candidates=330, seed=2021)
#: 2,000 candidates over 22 pairs (scaling benchmark).
POOL_2K = PoolSpec("pool-2000", n_pairs=22, n_candidates=2000, seed=2022)
#: 10,000 candidates over 22 pairs (scaling benchmark).
POOL_10K = PoolSpec("pool-10000", n_pairs=22, n_candidates=10000, seed=2023)
