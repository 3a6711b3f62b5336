"""A CBC warm start must never turn into a false "optimal" (CBC 2.10 mipstart defect).

On the default pool, CBC 2.10 given the coverage stage's plan as a MIP start for the benefit
stage fails its root LP and then declares the start optimal. The registry detects this in
CBC's log and re-solves without the start.
"""

from __future__ import annotations

import importlib

import pandas as pd

import allocation
from shanchuan import pipeline
from solverkit.registry import SolverOptions, SolveStatus, solve_model

model_mod = importlib.import_module("allocation.model")


def test_bogus_cbc_mip_start_is_detected_and_resolved_cold() -> None:
    sc = pipeline.load_scenario(None)
    data, _ = pipeline.load_data(sc, pipeline.ALLOCATE_FILES)
    settings = pipeline.resolve_settings(sc, data).allocation
    pairs = pipeline.match(sc, analyses=pipeline.Analyses(explain=False)).result.pairs
    counties = data.counties
    problem = allocation.prepare(
        allocation.AllocationInputs(
            projects=data.projects,
            pairs=pd.DataFrame(list(pairs), columns=["recipient", "supporter"]),
            names=dict(counties["annex_name"]),
            population_wan=dict(counties["population_wan"]),
            executed=None,
        ),
        settings,
    )
    m = model_mod.build(problem, settings, objective="coverage")
    options = SolverOptions(gap=0.001)
    first = solve_model(m.lp, options)
    assert first.status == SolveStatus.OPTIMAL
    m.add("coverage", "coverage_total", m.coverage >= round(first.objective))
    m.lp.setObjective(model_mod.anchored(m, m.benefit - m.penalty))
    cold = solve_model(m.lp, options)
    warm = solve_model(m.lp, options, first.values)
    # proven within the requested 0.1 %: 'feasible' with its gap unless the gap is <= 1e-6
    assert warm.has_solution and warm.gap is not None and warm.gap <= 0.001 + 1e-9
    # both within the 0.1 % gap of each other, never the start's far worse objective
    assert abs(warm.objective - cold.objective) <= 0.002 * abs(cold.objective)
    assert warm.bound >= cold.objective * (1 - 0.002)
