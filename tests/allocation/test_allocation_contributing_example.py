"""The worked example of docs/adding-an-allocation-rule.md, executed from the page itself.

The code block is read out of the markdown file and run, so the guide and the engine cannot
drift apart: the one record it registers must be honoured by the model, checked by verify,
priced by the rule costs, named among the reasons a project was left out, and diagnosed.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from alloc_strategies import inputs, project, tiny_settings

from allocation import FAMILIES, RELAXABLE, build, prepare, rules, solve, verify
from allocation.options import AnalysisSettings
from allocation.rules import missing_parts
from solverkit.status import Status

DOC = Path(__file__).resolve().parents[2] / "docs" / "adding-an-allocation-rule.md"


def _example_code() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1, "the guide should hold exactly one python block (the example)"
    return blocks[0]


@pytest.fixture()
def category_cap():
    namespace: dict[str, object] = {"__name__": "contributing_example"}
    exec(compile(_example_code(), str(DOC), "exec"), namespace)
    try:
        yield namespace["CATEGORY_CAP"]
    finally:
        rules.unregister("category_cap")


ROWS = {
    "E1": project(category="education", earliest_start=2022, people_benefited=3000.0),
    "E2": project(category="education", earliest_start=2022, people_benefited=2000.0),
    "H1": project(category="health", earliest_start=2022, people_benefited=500.0),
    "F1": project(recipient="r2", category="education", earliest_start=2022),
}
ANALYSIS = AnalysisSettings(rule_costs=True, best_unfunded=5, force_unfunded=0, workers=1)
SETTINGS = tiny_settings(last_year=2022, annual_budget_wan=5000.0, analysis=ANALYSIS)


def test_without_the_rule_both_education_projects_are_funded():
    result = solve(inputs(ROWS), SETTINGS)
    assert {"E1", "E2"} <= set(result.schedule)
    assert "category_cap" not in FAMILIES


def test_the_one_record_is_complete_and_registered(category_cap):
    assert missing_parts(category_cap) == []
    assert FAMILIES[-1] == "category_cap" and "category_cap" in RELAXABLE
    assert rules.rule_labels("zh")["category_cap"] == "每个受援县每年同类项目不超过 1 个"


def test_model_verify_and_rule_costs_honour_it(category_cap):
    problem = prepare(inputs(ROWS), SETTINGS)
    model = build(problem, SETTINGS)
    assert model.families["category_cap"] == ["category_cap[r1,education,2022]"]

    result = solve(problem, SETTINGS)
    assert result.status == Status.OPTIMAL and result.ok
    assert "E1" in result.schedule and "E2" not in result.schedule

    both = dict(result.schedule) | {"E2": {2022: 100.0}}
    check = verify(problem, SETTINGS, both)
    assert [(v.rule, v.subject, v.message) for v in check.violations] == [
        (
            "category_cap",
            "category_cap[r1,education,2022]",
            "r1 2022: 2 education projects, more than 1",
        )
    ]

    cost = next(c for c in result.rule_costs if c.rule == "category_cap")
    assert cost.change == "category_cap rules dropped" and cost.gain > 0
    assert cost.text.startswith(
        "Relaxing the cap of 1 projects of one category per recipient and year "
        "(category_cap rules dropped) would raise the objective by"
    )
    e2 = next(u for u in result.unfunded if u.id == "E2")
    assert e2.reasons == ("category cap",)
    assert e2.detail == "best start 2022: category cap (2022: already 1 education)"


def test_the_diagnosis_names_it(category_cap):
    st = dataclasses.replace(
        SETTINGS,
        locked_projects=("E1", "E2"),
        analysis=dataclasses.replace(ANALYSIS, diagnose=True),
    )
    result = solve(inputs(ROWS), st)
    assert result.status == Status.INFEASIBLE
    diagnosis = result.diagnosis
    assert set(diagnosis.conflict) == {"category_cap", "locked"}
    assert "category_cap" in diagnosis.resolves_alone
    assert "Raise K (now 1) in the category cap, or drop the rule." in diagnosis.text
