"""The rule registry: one record per constraint family, complete, and every part exercised."""

from __future__ import annotations

import dataclasses

import pytest
from alloc_strategies import inputs, instances, project, schedules, tiny_settings
from hypothesis import HealthCheck, given, settings

from allocation import FAMILIES, RELAXABLE, RULE_LABELS, AllocationSettings, build, prepare, rules
from allocation.diagnose import _blockers
from allocation.rules import RULES, Labels, Rule, missing_parts, register, rule_labels
from allocation.verify import verify

#: Fields of AllocationSettings that are not rules (listed here on purpose, not imported).
NON_RULE = {"first_year", "last_year", "benefit", "analysis", "solver"}


def test_every_rule_field_is_owned_by_exactly_one_record():
    owners: dict[str, list[str]] = {}
    for rule in RULES.values():
        for f in rule.fields or ():
            owners.setdefault(f, []).append(rule.family)
    settings_fields = {f.name for f in dataclasses.fields(AllocationSettings)}
    assert set(rules.NON_RULE_FIELDS) == NON_RULE
    assert set(owners) == settings_fields - NON_RULE, "a rule field has no record (or vice versa)"
    assert {f: o for f, o in owners.items() if len(o) != 1} == {}


@pytest.mark.parametrize("family", list(RULES))
def test_every_record_has_every_part(family):
    rule = RULES[family]
    assert missing_parts(rule) == []
    assert rule.labels.en and rule.labels.zh
    assert callable(rule.check) and callable(rule.blockers)
    assert rule.rows == rules.BY_PREPARE or callable(rule.rows)
    if rule.relaxable:
        assert rule.cost_step is not None and rule.smallest is not None
        assert rule.cost_step.labels.en and rule.cost_step.labels.zh


def test_an_incomplete_record_fails_the_check():
    half = Rule("half_done", labels=Labels("half a rule", ""), fields=(), check=rules.no_check)
    assert missing_parts(half) == ["labels.zh", "rows", "blockers"]
    with pytest.raises(
        ValueError, match=r"rule 'half_done' is incomplete: labels.zh; rows; blockers"
    ):
        register(half)
    assert "half_done" not in RULES
    no_relax = dataclasses.replace(
        RULES["pair_max"], family="pair_max_again", fields=(), smallest=None
    )
    assert missing_parts(no_relax) == ["smallest (the rule is relaxable)"]
    claims = dataclasses.replace(RULES["pair_max"], family="pair_max_twice")
    with pytest.raises(
        ValueError, match="field 'pair_projects_max' is already owned by rule 'pair_max'"
    ):
        register(claims)
    with pytest.raises(ValueError, match="field 'solver' is not a rule field"):
        register(dataclasses.replace(RULES["coverage"], family="solver_rule", fields=("solver",)))


def test_views_derive_from_the_registry_and_keep_their_order():
    assert tuple(FAMILIES) == (
        "duration",
        "amount",
        "executed",
        "locked",
        "budget",
        "projects_per_year_min",
        "projects_per_year_max",
        "pair_min",
        "pair_max",
        "pair_share",
        "priority_share",
        "supporter_floor",
        "requires",
        "excludes",
        "coverage",
    )
    assert tuple(RELAXABLE) == (
        "budget",
        "projects_per_year_min",
        "projects_per_year_max",
        "pair_min",
        "pair_max",
        "pair_share",
        "priority_share",
        "supporter_floor",
        "requires",
        "excludes",
        "locked",
    )
    assert [r.cost_step.name for r in rules.cost_rules()] == [
        "budget",
        "projects_per_year",
        "projects_per_year",
        "pair_max",
        "pair_min",
        "pair_share",
        "priority_share",
        "supporter_floor",
        "locked",
        "requires",
        "excludes",
    ]
    assert RULE_LABELS["projects_per_year"] == "the projects-per-year range"
    assert RULE_LABELS["supporter_floor"] == "the supporter floor (≥ 500 万元 a year)"
    zh = rule_labels("zh")
    assert set(zh) == set(RULE_LABELS) and all(zh.values())
    assert zh["budget"] == "年度专项资金预算"


# A small pool on which every relaxable family has rows and some plans are feasible.
ROWS = {
    "A": project(
        duration_years=2, special_fund_request_wan=300.0, low_income=1, supporter_fund_wan=300.0
    ),
    "B": project(
        recipient="r2", requires="A", special_fund_request_wan=200.0, supporter_fund_wan=200.0
    ),
    "C": project(recipient="r2", excludes="B", supporter_fund_wan=400.0, earliest_start=2022),
    "D": project(recipient="r1", special_fund_request_wan=100.0, ecological=1),
    "E": project(
        recipient="r2",
        special_fund_request_wan=150.0,
        earliest_start=2022,
        supporter_fund_wan=200.0,
    ),
}
SETTINGS = tiny_settings(
    last_year=2022,
    annual_budget_wan=800.0,
    projects_per_year_min=2,
    projects_per_year_max=3,
    pair_projects_min=1,
    pair_projects_max=2,
    pair_share_max=0.55,
    priority_share_min=0.3,
    supporter_floor_wan=200.0,
    floor_mode="hard",
    floor_topup="none",
    locked_projects=("D",),
)


def _plans(problem, settings, omit=()):
    """Keys of every all-or-nothing plan the rules admit (the omitted families ignored)."""
    out = set()
    for schedule in schedules(problem):
        broken = verify(problem, settings, schedule).rules_broken() - set(omit)
        if not broken:
            out.add(tuple(sorted((p, min(ys)) for p, ys in schedule.items())))
    return out


@pytest.fixture(scope="module")
def pool():
    problem = prepare(inputs(ROWS), SETTINGS)
    model = build(problem, SETTINGS)
    present = {f for f, names in model.families.items() if names}
    assert set(RELAXABLE) <= present, set(RELAXABLE) - present
    base = _plans(problem, SETTINGS)
    assert base, "the test pool should admit some plans"
    return problem, base


@pytest.mark.parametrize("family", list(RELAXABLE))
def test_each_cost_step_admits_a_superset_of_plans(pool, family):
    problem, base = pool
    variant = RULES[family].cost_step.make(problem, SETTINGS)
    assert variant is not None
    assert (variant.problem, variant.settings, variant.omit) != (problem, SETTINGS, ())
    relaxed = _plans(variant.problem, variant.settings, variant.omit)
    assert base <= relaxed


@pytest.mark.parametrize("family", list(RELAXABLE))
def test_each_smallest_relaxation_only_probes_relaxed_rules(pool, family):
    problem, base = pool
    probed = []

    def probe(pb, st, omit):
        plans = _plans(pb, st, omit)
        assert base <= plans, f"{family}: a probe of the diagnosis tightened the rules"
        probed.append(st)
        return bool(plans)

    relaxation = RULES[family].smallest(problem, SETTINGS, probe, 4)
    assert relaxation.rule == family and relaxation.text
    if family in (
        "budget",
        "supporter_floor",
        "pair_share",
        "priority_share",
        "projects_per_year_min",
        "projects_per_year_max",
        "pair_max",
    ):
        assert probed, f"{family}: the diagnosis never probed a relaxation"


def test_blockers_name_the_rules_a_candidate_would_break():
    st = dataclasses.replace(
        SETTINGS,
        annual_budget_wan=500.0,
        projects_per_year_max=2,
        pair_projects_max=1,
        pair_share_max=0.5,
        priority_share_min=0.8,
        locked_projects=(),
    )
    problem = prepare(inputs(ROWS), st)
    full = {"B": {2022: 200.0}, "E": {2022: 150.0}, "D": {2022: 100.0}}
    assert _blockers(problem, st, full, "C", 2022) == [
        "budget (2022: 50.0 万元 left, needs 100.0)",
        "count cap (2022: already 3 projects)",
        "pair cap (2022: pair already has 2)",
        "pair share cap (2022)",
        "priority share (2022)",
        "excluded by B (funded)",
    ]
    assert _blockers(problem, st, {"D": {2021: 100.0}}, "B", 2021) == [
        "priority share (2021)",
        "dependency (requires A, not funded)",
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(partial=True, max_projects=4))
def test_no_blocker_means_the_candidate_fits(case):
    """The blockers and the checks agree: a candidate no rule blocks verifies when added."""
    inp, st = case
    problem = prepare(inp, st)
    for schedule in schedules(problem):
        if not verify(problem, st, schedule).ok:
            continue
        for pid, p in problem.projects.items():
            if pid in schedule:
                continue
            for s in p.start_years:
                if _blockers(problem, st, schedule, pid, s):
                    continue
                added = dict(schedule) | {pid: {y: p.minimum for y in p.years_if_started(s)}}
                broken = verify(problem, st, added).rules_broken()
                assert not broken, (pid, s, broken)
