"""Validation of inputs and settings: every problem listed at once, messages checked."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from alloc_strategies import inputs, project, tiny_settings

from allocation import (
    CATEGORIES,
    AllocationInputError,
    AllocationSettings,
    AllocationSettingsError,
    prepare,
)
from allocation.options import field_docs


def test_categories_have_both_labels_and_a_plan_section():
    assert len(CATEGORIES) == 10
    assert CATEGORIES["ecological_protection"].zh == "生态环境保护"
    assert all(c.zh and c.en and c.section.startswith("(") for c in CATEGORIES.values())


def test_every_settings_field_has_a_default_and_a_doc():
    for cls in (
        AllocationSettings,
        type(AllocationSettings().benefit),
        type(AllocationSettings().analysis),
    ):
        docs = field_docs(cls)
        assert all(docs.values()), cls
        for f in dataclasses.fields(cls):
            assert (
                f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            )
    docs = field_docs(AllocationSettings)
    assert "assumption" in docs["annual_budget_wan"].lower()
    assert "500" in docs["supporter_floor_wan"]


def test_min_above_request_and_unknown_dependency_are_reported_together():
    rows = {
        "A": project(special_fund_request_wan=100.0, special_fund_min_wan=150.0),
        "B": project(requires="Z9"),
    }
    with pytest.raises(AllocationInputError) as err:
        prepare(inputs(rows), tiny_settings())
    text = str(err.value)
    assert text.startswith("2 problems in the allocation inputs:")
    assert (
        "projects A, field 'special_fund_min_wan': minimum special fund exceeds the request" in text
    )
    assert "(got 150.0); expected <= special_fund_request_wan (100)" in text
    assert "projects B, field 'requires': unknown project id (got 'Z9')" in text


def test_unpaired_recipient_unknown_category_and_bad_flag():
    rows = {
        "A": project(recipient="s1"),
        "B": project(category="tourism"),
        "C": project(low_income=2),
    }
    with pytest.raises(
        AllocationInputError, match=r"A, field 'recipient': recipient is not paired"
    ):
        prepare(inputs(rows), tiny_settings())
    with pytest.raises(AllocationInputError, match=r"B, field 'category': unknown category"):
        prepare(inputs(rows), tiny_settings())
    with pytest.raises(
        AllocationInputError, match=r"C, field 'low_income': priority flag must be 0"
    ):
        prepare(inputs(rows), tiny_settings())


def test_missing_columns_and_duplicate_ids():
    frame = pd.DataFrame.from_dict({"A": project()}, orient="index").drop(columns=["jobs"])
    bad = dataclasses.replace(inputs({"A": project()}), projects=frame)
    with pytest.raises(AllocationInputError, match="missing columns: jobs"):
        prepare(bad, tiny_settings())
    dup = pd.concat([inputs({"A": project()}).projects] * 2)
    with pytest.raises(AllocationInputError, match="duplicate project id"):
        prepare(dataclasses.replace(inputs({"A": project()}), projects=dup), tiny_settings())


def test_financing_above_cost_and_self_reference():
    rows = {
        "A": project(
            cost_per_year_wan=100.0,
            special_fund_request_wan=100.0,
            supporter_fund_wan=50.0,
            excludes="A",
        )
    }
    with pytest.raises(AllocationInputError, match=r"financing plan .* exceeds the yearly cost"):
        prepare(inputs(rows), tiny_settings())
    with pytest.raises(AllocationInputError, match="cannot refer to itself"):
        prepare(inputs(rows), tiny_settings())


def test_unknown_lock_and_locked_project_that_cannot_run():
    rows = {"A": project(duration_years=3, earliest_start=2022)}
    with pytest.raises(AllocationInputError, match="locked project cannot be funded: cannot start"):
        prepare(inputs(rows), tiny_settings(locked_projects=("A",)))
    with pytest.raises(AllocationInputError, match=r"excluded_projects.*unknown project id"):
        prepare(inputs(rows), tiny_settings(excluded_projects=("Q",)))


def test_supporter_mismatch_start_year_and_dependency_are_left_out_with_reasons():
    rows = {
        "A": project(supporter="s2"),
        "B": project(duration_years=3, earliest_start=2022),
        "C": project(requires="B"),
        "D": project(),
    }
    problem = prepare(inputs(rows), tiny_settings(excluded_projects=("D",)))
    reasons = {k: v.reason for k, v in problem.left_out.items()}
    assert reasons == {
        "A": "supporter_mismatch",
        "B": "start_year",
        "C": "dependency",
        "D": "excluded",
    }
    assert "武汉经济技术开发区 is not paired with 竹溪县" in problem.left_out["A"].detail
    assert problem.projects == {}


def test_executed_rows_are_checked():
    rows = {"A": project(duration_years=2), "B": project(special_fund_request_wan=80.0)}
    ex = pd.DataFrame(
        {
            "project": ["A", "B", "Z"],
            "year": [2021, 2022, 2021],
            "special_fund_wan": [100.0, 500.0, 1.0],
            "supporter_fund_wan": [50.0, 50.0, 0.0],
        }
    )
    with pytest.raises(AllocationInputError) as err:
        prepare(inputs(rows, executed=ex), tiny_settings())
    text = str(err.value)
    assert "executed row 3, field 'project': unknown project id (got 'Z')" in text
    assert "executed B, field 'special_fund_wan': executed special fund outside" in text


def test_settings_reject_bad_values_all_at_once():
    with pytest.raises(AllocationSettingsError) as err:
        AllocationSettings(
            annual_budget_wan=-1.0,
            projects_per_year_min=60,
            floor_mode="strict",
            locked_projects=("A",),
            excluded_projects=("A",),
        )
    text = str(err.value)
    assert text.startswith("4 problems in the allocation settings:")
    assert "annual_budget_wan must be a finite number >= 0, got -1.0" in text
    assert "projects_per_year_min (60) exceeds projects_per_year_max (55)" in text
    assert "floor_mode must be one of soft, hard, off, got 'strict'" in text
    assert "projects both locked and excluded: A" in text


def test_inputs_are_not_mutated():
    inp = inputs({"A": project(requires=""), "B": project()})
    before = inp.projects.copy()
    prepare(inp, tiny_settings())
    pd.testing.assert_frame_equal(inp.projects, before)
