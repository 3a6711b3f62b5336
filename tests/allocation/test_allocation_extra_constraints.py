"""The ``extra_constraints`` hook: rows of the caller's own, built, re-solved and verified."""

from __future__ import annotations

import dataclasses

import pulp
from alloc_strategies import inputs, project, tiny_settings

from allocation import AllocationModel, prepare, solve, verify
from allocation.options import AnalysisSettings
from solverkit.status import Status

ROWS = {
    f"P{i}": project(
        recipient="r1" if i % 2 else "r2",
        category="industrial_park",
        infrastructure=1,
        earliest_start=2022,
        special_fund_request_wan=100.0,
        people_benefited=1000.0 + i,
    )
    for i in range(6)
} | {"Q": project(category="education", earliest_start=2021)}
SETTINGS = tiny_settings(last_year=2022, annual_budget_wan=2000.0)


def at_most_3_parks_in_2022(m: AllocationModel) -> None:
    """At most 3 industrial-park projects funded in 2022."""
    parks = [p for p in m.problem.projects.values() if p.category == "industrial_park"]
    active = pulp.lpSum(m.active(p, 2022) for p in parks if m.could_run(p, 2022))
    m.add("extra", "parks_2022", active <= 3)


def _parks_2022(schedule):
    return sum(1 for pid, ys in schedule.items() if pid.startswith("P") and 2022 in ys)


def test_without_the_hook_more_parks_are_funded():
    result = solve(inputs(ROWS), SETTINGS)
    assert result.ok and _parks_2022(result.schedule) == 6


def test_hook_is_honoured_by_the_model_and_checked_by_verify():
    result = solve(inputs(ROWS), SETTINGS, extra_constraints=at_most_3_parks_in_2022)
    assert result.status == Status.OPTIMAL and result.ok
    assert _parks_2022(result.schedule) == 3
    m = result_model = _model_of(result)
    assert m.families["extra"] == ["parks_2022"]
    # The check is the verifier's own: a schedule with four parks in 2022 breaks the row.
    problem = result.problem
    four = dict(result.schedule)
    extra_park = next(pid for pid in ROWS if pid.startswith("P") and pid not in four)
    four[extra_park] = {y: 100.0 for y in problem.projects[extra_park].years_if_started(2022)}
    check = verify(problem, SETTINGS, four, model=result_model)
    assert [(v.rule, v.subject) for v in check.violations] == [("extra", "parks_2022")]
    assert (
        "parks_2022: the schedule gives 4 <= 3, which does not hold" in check.violations[0].message
    )
    assert verify(problem, SETTINGS, result.schedule, model=result_model).ok


def _model_of(result):
    # The result keeps no model; rebuild the same one (the hook is deterministic).
    from allocation import build

    return build(result.problem, result.settings, extra_constraints=at_most_3_parks_in_2022)


def test_rule_cost_and_forced_re_solves_keep_the_hook():
    calls: list[int] = []

    def hook(m: AllocationModel) -> None:
        at_most_3_parks_in_2022(m)
        calls.append(len(m.families["extra"]))

    analysis = AnalysisSettings(rule_costs=True, best_unfunded=3, force_unfunded=2, workers=1)
    st = dataclasses.replace(SETTINGS, analysis=analysis)
    result = solve(inputs(ROWS), st, extra_constraints=hook)
    assert result.ok and _parks_2022(result.schedule) == 3
    assert len(result.rule_costs) >= 1
    forced = [u for u in result.unfunded if u.forced_loss is not None]
    assert forced, "the test should price some forced project"
    # One build for the plan, one per rule-cost re-solve, one per forced project: all hooked.
    assert len(calls) == 1 + len(result.rule_costs) + len(forced) and set(calls) == {1}


def test_an_impossible_hook_makes_the_plan_infeasible():
    def impossible(m: AllocationModel) -> None:
        m.add("extra", "too_many", pulp.lpSum(m.start.values()) >= len(m.problem.projects) + 1)

    st = dataclasses.replace(SETTINGS, analysis=AnalysisSettings(diagnose=True, workers=1))
    result = solve(inputs(ROWS), st, extra_constraints=impossible)
    assert result.status == Status.INFEASIBLE and not result.ok
    assert result.diagnosis is not None
    assert result.diagnosis.text[-1] == (
        "No single rule resolves it alone; relax several of the conflicting rules."
    )
    assert prepare(inputs(ROWS), st).projects  # the pool itself is fine
