"""Hand-built instances with known optima, re-planning, analyses, outputs, verification."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest
from alloc_strategies import QUIET, inputs, project, tiny_settings

from allocation import AllocationInputs, diagnose, prepare, solve, verify
from allocation.options import AnalysisSettings
from allocation.run import Stage, _finish, run_model
from solverkit.registry import SolveReport, SolveStatus

# Values: people 1000 + 3·100 + 20·10 + 5·50 = 1750 (×1.5 if priority), readiness 1.
KNAPSACK = {
    "A": project(special_fund_request_wan=600.0, people_benefited=3000.0),
    "B": project(special_fund_request_wan=500.0),
    "C": project(special_fund_request_wan=500.0, recipient="r2"),
}


def test_budget_knapsack_picks_the_best_pair_of_projects():
    st = tiny_settings(last_year=2021)
    result = solve(prepare(inputs(KNAPSACK), st), st)
    assert result.status == SolveStatus.OPTIMAL and result.solution_status == "verified"
    # A alone (3750) beats B + C (1750 + 1750); A + B does not fit in 1000.
    assert set(result.schedule) == {"A"}
    assert result.objective == pytest.approx(3750.0)


def test_multi_year_project_is_funded_through_its_whole_duration():
    rows = {
        "A": project(duration_years=3, special_fund_request_wan=400.0, special_fund_min_wan=300.0)
    }
    st = tiny_settings(annual_budget_wan=350.0)
    result = solve(prepare(inputs(rows), st), st)
    assert result.schedule == {"A": {2021: 350.0, 2022: 350.0, 2023: 350.0}}
    # benefit scaled by the funded share (350 + 50) / (400 + 50)
    assert result.objective == pytest.approx(1750.0 * 400.0 / 450.0)


def test_rolling_replan_keeps_executed_years():
    rows = {
        "A": project(duration_years=2, special_fund_request_wan=300.0, special_fund_min_wan=200.0),
        "B": project(people_benefited=9000.0),
    }
    ex = pd.DataFrame(
        {
            "project": ["A"],
            "year": [2021],
            "special_fund_wan": [250.0],
            "supporter_fund_wan": [80.0],
        }
    )
    st = tiny_settings()
    problem = prepare(inputs(rows, executed=ex), st)
    assert problem.fixed_years == (2021,) and problem.open_years == (2022, 2023)
    result = solve(problem, st)
    assert result.schedule["A"] == {2021: 250.0, 2022: 250.0}
    assert min(result.schedule["B"]) >= 2022
    assert result.solution_status == "verified"


def test_carry_over_funds_a_project_bigger_than_one_year():
    rows = {"A": project(special_fund_request_wan=150.0, earliest_start=2022)}
    st = tiny_settings(annual_budget_wan=100.0)
    assert solve(prepare(inputs(rows), st), st).schedule == {}
    carried = dataclasses.replace(st, carry_over=True)
    result = solve(prepare(inputs(rows), carried), carried)
    assert result.schedule == {"A": {2022: 150.0}} or result.schedule == {"A": {2023: 150.0}}
    assert result.solution_status == "verified"


def test_lexicographic_covers_every_pair_before_benefit():
    rows = {
        "A": project(special_fund_request_wan=500.0, people_benefited=9000.0),
        "B": project(special_fund_request_wan=500.0, people_benefited=8000.0),
        "C": project(special_fund_request_wan=500.0, recipient="r2"),
    }
    st = tiny_settings(last_year=2021, lexicographic=False)
    assert set(solve(prepare(inputs(rows), st), st).schedule) == {"A", "B"}
    lex = dataclasses.replace(st, lexicographic=True)
    result = solve(prepare(inputs(rows), lex), lex)
    assert set(result.schedule) == {"A", "C"} and result.coverage == 2
    assert [s.name for s in result.stages] == ["coverage", "benefit"]


def test_soft_floor_reports_shortfall_and_hard_floor_is_infeasible():
    rows = {"A": project(supporter_fund_wan=100.0, other_fund_wan=100.0)}
    soft = tiny_settings(last_year=2021, supporter_floor_wan=500.0, floor_mode="soft")
    result = solve(prepare(inputs(rows), soft), soft)
    assert result.verification.shortfalls == {("r1", 2021): 300.0, ("r2", 2021): 500.0}
    short = {(r["pair"], r["year"]): r for r in result.to_dict()["summary"]["shortfalls"]}
    assert short["r1", 2021]["topups"] == "A:100"
    assert short["r1", 2021]["supporter_aid_wan"] == 200.0
    hard = dataclasses.replace(
        soft, floor_mode="hard", analysis=dataclasses.replace(QUIET, diagnose=True)
    )
    failed = solve(prepare(inputs(rows), hard), hard)
    assert failed.status == SolveStatus.INFEASIBLE and failed.solution_status == "none"
    assert failed.diagnosis is not None and failed.diagnosis.conflict == ("supporter_floor",)
    assert any("floor_mode = 'soft'" in t for t in failed.diagnosis.text)


def test_diagnosis_finds_the_budget_that_would_be_needed():
    rows = {
        "A": project(special_fund_request_wan=300.0),
        "B": project(special_fund_request_wan=300.0),
    }
    st = tiny_settings(last_year=2021, annual_budget_wan=500.0, locked_projects=("A", "B"))
    diag = diagnose(prepare(inputs(rows), st), st)
    assert set(diag.conflict) == {"budget", "locked"}
    assert set(diag.resolves_alone) == {"budget", "locked"}
    budget = next(r for r in diag.relaxations if r.rule == "budget")
    assert budget.needed == pytest.approx(600.0, rel=2e-3)
    assert "A budget of about 600 万元 a year" in budget.text


def test_diagnosis_of_a_count_floor():
    rows = {"A": project(), "B": project(recipient="r2")}
    st = tiny_settings(last_year=2021, projects_per_year_min=3, projects_per_year_max=4)
    diag = diagnose(prepare(inputs(rows), st), st)
    assert diag.conflict == ("projects_per_year_min",)
    assert diag.relaxations[0].needed == 2
    assert "Lower projects_per_year_min from 3 to 2." in diag.text


def test_rule_costs_and_unfunded_reasons():
    rows = {
        **KNAPSACK,
        "D": project(supporter="s2"),
        "E": project(duration_years=3, earliest_start=2022),
    }
    analysis = AnalysisSettings(best_unfunded=5, force_unfunded=1)
    st = tiny_settings(last_year=2021, analysis=analysis)
    result = solve(prepare(inputs(rows), st), st)
    costs = {c.rule: c for c in result.rule_costs}
    assert costs["budget"].gain == pytest.approx(1750.0)  # +10 % = 1100 funds A + B
    assert "would raise the objective by 1,750.0 (+46.7% of the objective" in costs["budget"].text
    b = costs["budget"]
    # Both runs are proven here, so the interval is the point (up to the gap's slack).
    assert b.established and b.method == "re-solved"
    assert b.gain_low <= b.gain <= b.gain_high
    assert b.gain_low > 0 and b.gain_pct_of_objective == pytest.approx(1750.0 / 3750.0)
    for c in result.rule_costs:
        if c.gain is not None and c.gain <= c.tolerance:
            assert not c.established and "not established at this gap" in c.text
    unfunded = {u.id: u for u in result.unfunded}
    assert list(unfunded) == ["B", "C", "D", "E"]
    assert unfunded["B"].reasons == ("budget",)
    assert "budget (2021: 400.0 万元 left, needs 500.0)" in unfunded["B"].detail
    assert unfunded["B"].forced_loss == pytest.approx(250.0)  # B + C = 3500 vs 3750
    assert unfunded["B"].forced_established
    assert unfunded["B"].forced_loss_low <= 250.0 + 1e-6 <= unfunded["B"].forced_loss_high + 2e-6
    assert unfunded["C"].forced_loss is None  # only the best one is priced
    assert unfunded["D"].reasons == ("supporter_mismatch",)
    assert unfunded["E"].reasons == ("start_year",)


def test_to_dict_is_json_ready_and_names_counties():
    analysis = AnalysisSettings(best_unfunded=3, force_unfunded=0, rule_costs=False)
    st = tiny_settings(analysis=analysis)
    result = solve(prepare(inputs({**KNAPSACK, "Z": project(duration_years=2)}), st), st)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["status"] == "optimal" and data["solution_status"] == "verified"
    row = data["projects"][0]
    for key in (
        "id",
        "year",
        "recipient",
        "supporter",
        "recipient_id",
        "supporter_id",
        "category",
        "special_fund_wan",
        "supporter_fund_wan",
        "title",
    ):
        assert key in row
    assert {r["recipient"] for r in data["projects"]} <= {"竹溪县", "五峰县"}
    summary = data["summary"]
    for key in (
        "per_year",
        "per_pair",
        "per_category",
        "fairness",
        "shortfalls",
        "rule_costs",
        "best_unfunded",
    ):
        assert key in summary
    assert summary["fairness"]["yuan_per_head"]["gini"] is not None
    frames = result.summary_frames()
    assert set(frames) == {
        "per_year",
        "per_pair",
        "per_category",
        "floor",
        "fairness",
        "rule_costs",
        "unfunded",
    }
    assert len(result.projects_frame()) == len(data["projects"])


def test_verification_catches_corrupted_schedules():
    rows = {
        "A": project(duration_years=2, special_fund_request_wan=300.0, special_fund_min_wan=200.0),
        "B": project(excludes="A"),
        "C": project(special_fund_request_wan=200.0),
    }
    st = tiny_settings(annual_budget_wan=400.0, excluded_projects=())
    problem = prepare(inputs(rows), st)
    good = {"A": {2021: 250.0, 2022: 250.0}}
    assert verify(problem, st, good).ok
    cases = {
        "duration": {"A": {2021: 250.0}},
        "amount": {"A": {2021: 250.0, 2022: 300.0}},
        "budget": {"A": {2021: 250.0, 2022: 250.0}, "C": {2021: 200.0}},
        "excludes": {"A": {2021: 250.0, 2022: 250.0}, "B": {2021: 100.0}},
        "eligible": {"Q": {2021: 10.0}},
    }
    for rule, schedule in cases.items():
        assert rule in verify(problem, st, schedule).rules_broken(), rule
    lying = verify(problem, st, good, objective=1e9)
    assert lying.rules_broken() == {"objective"}
    locked = dataclasses.replace(st, locked_projects=("B",))
    assert "locked" in verify(prepare(inputs(rows), locked), locked, good).rules_broken()


def test_a_time_limited_stage_is_never_optimal():
    def report(status: SolveStatus, obj: float) -> SolveReport:
        return SolveReport(status, "cbc", "v", status.value, obj, obj, 0.0, 0.1, {})

    st = tiny_settings(lexicographic=True)
    model = run_model(prepare(inputs(KNAPSACK), st), st).model
    stages = [
        Stage.of("coverage", report(SolveStatus.FEASIBLE, 2.0)),
        Stage.of("benefit", report(SolveStatus.OPTIMAL, 1.0)),
    ]
    run = _finish(report(SolveStatus.OPTIMAL, 1.0), stages, model, 0.0, 2)
    assert run.status == SolveStatus.FEASIBLE


def test_empty_pool_solves_to_an_empty_plan():
    empty = AllocationInputs(
        inputs({"A": project()}).projects.iloc[:0],
        inputs({}).pairs,
        {"r1": "竹溪县", "r2": "五峰县", "s1": "a", "s2": "b"},
    )
    st = tiny_settings(lexicographic=True)
    result = solve(prepare(empty, st), st)
    assert result.status == SolveStatus.OPTIMAL and result.schedule == {}
    assert result.objective == 0.0


def test_lexicographic_without_any_coverable_pair_year_still_minimises_the_shortfall():
    # Found by hypothesis: every candidate excluded, soft floor, lexicographic. The coverage
    # stage is void; the one solve must still carry the shortfall penalty in its objective.
    st = tiny_settings(
        last_year=2021,
        lexicographic=True,
        supporter_floor_wan=200.0,
        floor_mode="soft",
        shortfall_penalty=0.5,
        excluded_projects=("P0",),
    )
    result = solve(inputs({"P0": project()}), st)
    assert result.ok, result.verification
    assert result.objective == pytest.approx(result.verification.objective)
    assert result.objective == pytest.approx(-200.0)
