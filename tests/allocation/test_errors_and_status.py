"""The allocation engine on the shared floor: error hierarchy, problems, status, JSON."""

from __future__ import annotations

import json
import math

import pytest
from alloc_strategies import inputs, project, tiny_settings

from allocation import (
    AllocationInputError,
    AllocationSettings,
    AllocationSettingsError,
    InputProblem,
    prepare,
    solve,
)
from solverkit.errors import InputError, Problem
from solverkit.status import Status


def test_input_error_is_the_shared_input_error_with_located_problems():
    rows = {"A": project(category="space"), "B": project(recipient="r9")}
    with pytest.raises(InputError) as info:
        prepare(inputs(rows), tiny_settings())
    err = info.value
    assert isinstance(err, AllocationInputError) and isinstance(err, ValueError)
    assert err.exit_code == 2
    assert str(err).startswith("2 problems in the allocation inputs:")
    assert [(p.file, p.row, p.column) for p in err.problems] == [
        ("projects", "A", "category"),
        ("projects", "B", "recipient"),
    ]
    assert all(isinstance(p, Problem) and p.label == "field" for p in err.problems)
    assert str(err.problems[0]) == (
        "projects A, field 'category': unknown category (got 'space'); expected one of "
        + "industrial_park, industry_chain, agriculture_income, urbanisation_infrastructure, "
        + "ecological_protection, talent_skills, education, health, culture, public_welfare"
    )
    assert err.problems[0].to_dict()["field"] == "category"


def test_input_problem_keeps_its_old_names():
    p = InputProblem("projects", "out of range", "A", "readiness", 2.0, "<= 1")
    assert (p.table, p.field, p.file, p.column) == (
        "projects",
        "readiness",
        "projects",
        "readiness",
    )
    assert str(p) == "projects A, field 'readiness': out of range (got 2.0); expected <= 1"


def test_settings_error_is_the_shared_input_error_with_fields():
    with pytest.raises(InputError) as info:
        AllocationSettings(annual_budget_wan=-1.0, floor_mode="strict")
    err = info.value
    assert isinstance(err, AllocationSettingsError)
    assert str(err) == (
        "2 problems in the allocation settings:\n"
        "  - annual_budget_wan must be a finite number >= 0, got -1.0\n"
        "  - floor_mode must be one of soft, hard, off, got 'strict'"
    )
    assert [(p.column, p.value) for p in err.problems] == [
        ("annual_budget_wan", -1.0),
        ("floor_mode", "strict"),
    ]
    assert AllocationSettings().problems() == []


def test_result_status_is_the_shared_status_and_json_uses_the_one_writer():
    result = solve(inputs({"A": project()}), tiny_settings())
    assert isinstance(result.status, Status)
    assert result.status == Status.OPTIMAL == "optimal"
    data = result.to_dict()
    assert data["status"] == "optimal"
    json.dumps(data, allow_nan=False)  # plain data, no NaN


def test_infeasible_result_status():
    rows = {"A": project(special_fund_request_wan=900.0)}
    result = solve(inputs(rows), tiny_settings(annual_budget_wan=100.0, locked_projects=("A",)))
    assert result.status == Status.INFEASIBLE and not result.ok
    assert result.to_dict()["objective"] is None
    assert not math.isnan(result.seconds)
