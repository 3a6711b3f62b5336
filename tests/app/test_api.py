"""The Python API: the application layer, and the engines embedded with in-memory frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import allocation
import matching
import shanchuan
from shanchuan import scenario as sc_mod

DATA = sc_mod.builtin_path("hubei-2021").parent
REPO = Path(__file__).resolve().parents[2]


def test_match_through_the_application_layer() -> None:
    outcome = shanchuan.match("hubei-2021", sets=["matching.rules.max_distance=400"])
    assert outcome.status == "optimal"
    frame = outcome.result.pairs_frame()
    assert len(frame) == 22 and (frame["distance_km"] <= 400).all()
    d = outcome.to_dict()
    assert d["provenance"]["changes"][0]["key"] == "matching.rules.max_distance"


def test_printing_a_match_is_one_short_line() -> None:
    outcome = shanchuan.match(progress=lambda line: None)
    objective = f"{outcome.result.objective:.4f}"
    assert repr(outcome) == (
        f"<MatchOutcome optimal: 22 pairs, objective {objective} score points, "
        "analyses explanations; hubei-2021>"
    )
    assert repr(outcome.result) == (
        f"<MatchResult optimal: 22 pairs, objective {objective} score points (assignment)>"
    )
    assert str(outcome) == repr(outcome)
    other = shanchuan.match(sets=["matching.rules.max_distance=400"], progress=lambda line: None)
    changed = shanchuan.compare(outcome, other)
    assert repr(changed).startswith(
        f"<Comparison different: 1 settings differ, {len(changed.pair_changes)} of 22 pairs changed"
    )
    infeasible = shanchuan.match(
        sets=["matching.rules.max_distance=300"], progress=lambda line: None
    )
    assert repr(infeasible) == "<MatchOutcome infeasible: 0 pairs; hubei-2021>"


def test_dir_lists_the_public_api_and_every_name_resolves() -> None:
    names = dir(shanchuan)
    assert names == sorted(shanchuan.__all__)
    for public in ("load", "prepare", "solve", "analyse", "report", "match", "allocate", "run"):
        assert public in names and callable(getattr(shanchuan, public))
    for name in names:
        getattr(shanchuan, name)  # __all__ names nothing that does not exist
    assert shanchuan.SCHEMA_VERSION == "1"


def test_engines_embedded_with_plain_frames_give_the_cli_answer() -> None:
    # Another tool holds its data in memory: no scenario, no files read by the engine.
    counties = pd.read_csv(DATA / "counties.csv", index_col="id")
    sectors = pd.read_csv(DATA / "sectors.csv", index_col="code")
    links = pd.read_csv(DATA / "sector_links.csv")
    regions = pd.read_csv(DATA / "regions.csv")
    willingness = pd.read_csv(DATA / "willingness.csv")
    settings = matching.MatchSettings()
    problem = matching.prepare(
        matching.MatchingInputs(
            counties=counties,
            sectors=sectors,
            sector_links=links,
            regions=regions,
            willingness=willingness,
        ),
        settings,
    )
    result = matching.solve(problem, settings)
    assert result.status == matching.MatchStatus.OPTIMAL
    assert result.verification is not None and result.verification.ok
    via_app = shanchuan.match()
    assert result.objective == pytest.approx(via_app.result.objective, abs=1e-9)
    assert result.pairs == via_app.result.pairs

    projects = pd.read_csv(DATA / "projects.csv", index_col="id", keep_default_na=False)
    pairs = pd.DataFrame(list(result.pairs), columns=["recipient", "supporter"])
    inputs = allocation.AllocationInputs(
        projects=projects,
        pairs=pairs,
        names=dict(counties["annex_name"]),
        population_wan=dict(counties["population_wan"]),
        executed=None,
    )
    quick = allocation.AllocationSettings(
        analysis=allocation.AnalysisSettings(rule_costs=False, force_unfunded=0, best_unfunded=0),
        solver=matching.SolverOptions(gap=0.001),
    )
    plan = allocation.solve(allocation.prepare(inputs, quick), quick)
    # gap 0.001 asked: 'feasible' with its proven gap beside it unless the gap is <= 1e-6
    assert plan.status.ok and plan.solution_status == "verified"
    assert plan.status.value == ("optimal" if plan.gap <= 1e-6 else "feasible")
    assert plan.gap <= 0.001 + 1e-9
    per_year = plan.summary_frames()["per_year"]
    assert (per_year["special_fund_wan"] <= per_year["available_wan"] + 1e-6).all()


def test_run_through_the_application_layer_records_both_stages() -> None:
    run = shanchuan.run(
        sets=["allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0"]
    )
    # Printing a result is a line, not the 80 KB of its dataclass fields.
    plan = run.allocation
    funded = len(plan.result.schedule)
    gap = f", gap {plan.result.gap:.2%}" if plan.result.gap else ""
    assert repr(plan) == (
        f"<AllocationOutcome {plan.status.value}: {funded} projects funded, objective "
        f"{plan.result.objective:,.1f} person-equivalents{gap}, pairs from "
        f"{plan.pairs_source}; hubei-2021>"
    )
    assert repr(plan.result).startswith(f"<AllocationResult {plan.result.status.value}: {funded}")
    assert repr(plan.result).endswith(f"verified ({plan.result.solver})>")
    assert repr(run).startswith(f"<RunOutcome {run.status.value}: pairing optimal: 22 pairs")
    assert len(repr(run)) < 300
    d = run.to_dict()
    # "optimal" only when proven (gap <= 1e-6); a gap-limited plan is "feasible" with its gap.
    alloc = d["allocation"]
    assert alloc["status"] == ("optimal" if (alloc["gap"] or 0) <= 1e-6 else "feasible")
    assert d["status"] == alloc["status"]
    assert d["matching"]["pairs"] and d["allocation"]["projects"]
    assert d["provenance"]["data_files"]["projects"]["sha256"]


def test_same_inputs_give_the_same_plan() -> None:
    sets = [
        "allocation.analysis.rule_costs=false",
        "allocation.analysis.force_unfunded=0",
        "data.pairs=" + repr(str(REPO / "scenarios" / "replan-2023" / "pairs.csv")),
    ]
    first = shanchuan.allocate(sets=sets).to_dict()
    second = shanchuan.allocate(sets=sets).to_dict()
    assert first["projects"] == second["projects"]
    assert first["objective"] == second["objective"]
    assert first["provenance"]["scenario_hash"] == second["provenance"]["scenario_hash"]
