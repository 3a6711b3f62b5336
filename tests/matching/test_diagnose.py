"""Infeasibility diagnosis: constructed conflicts, exact relaxation thresholds, invariants."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import random_problem, random_rules

from matching import MatchRules, MatchSettings, MatchStatus, solve
from matching.diagnose import Diagnosis, RuleItem, _without, diagnose, rule_items
from matching.instances import make_problem
from matching.problem import MatchingProblem


def _feasible(problem: MatchingProblem, rules: MatchRules) -> bool:
    result = solve(problem, MatchSettings(rules=rules))
    assert result.status in (MatchStatus.OPTIMAL, MatchStatus.INFEASIBLE)
    return result.ok


def _labels(items: tuple[RuleItem, ...], language: str = "en") -> list[str]:
    return [i.label(language) for i in items]


def test_two_locks_on_one_supporter() -> None:
    problem = make_problem(4, 4, 1)
    rules = MatchRules(
        locks=(("r0", "s2"), ("r3", "s2")),
        forbids=(("r1", "s0"),),
        max_distance=10_000.0,
    )
    diag = diagnose(problem, MatchSettings(rules=rules))
    assert not diag.feasible and not diag.structural
    assert _labels(diag.conflict) == ["lock R0–S2", "lock R3–S2", "supporter capacity 1"]
    assert _labels(diag.conflict, "zh") == ["锁定 R0–S2", "锁定 R3–S2", "每个支援方最多 1 个受援方"]
    # the repair keeps the capacity and the first lock, and drops the second lock
    assert _labels(diag.repair) == ["lock R3–S2"]
    assert _feasible(problem, _without(problem, rules, diag.repair))
    for item in diag.repair:
        back = [i for i in diag.repair if i is not item]
        assert not _feasible(problem, _without(problem, rules, back))
    (cap,) = [r for r in diag.relaxations if r.group == "supporter_capacity"]
    assert cap.value == 2 and cap.text("en") == "raise the supporter capacity from 1 to 2"
    assert diag.methods == ("assignment",)


def test_lock_beyond_the_distance_cap() -> None:
    problem = make_problem(5, 5, 2)
    # lock the farthest pair; the cap sits between it and the second farthest
    i, j = divmod(int(problem.distance.argmax()), 5)
    lock = (problem.recipients[i], problem.supporters[j])
    far = float(problem.distance[i, j])
    second = float(sorted(problem.distance.ravel())[-2])
    cap = (far + second) / 2
    rules = MatchRules(locks=(lock,), max_distance=cap)
    assert _feasible(problem, dataclasses.replace(rules, locks=()))
    diag = diagnose(problem, MatchSettings(rules=rules))
    assert [i.group for i in diag.conflict] == ["locks", "max_distance"]
    assert diag.conflict[0].pair == lock
    assert _labels(diag.repair) == [f"lock {problem.name(lock[0])}–{problem.name(lock[1])}"]
    (relax,) = [r for r in diag.relaxations if r.group == "max_distance"]
    value = relax.value
    assert value == far
    assert _feasible(problem, dataclasses.replace(rules, max_distance=value))
    assert not _feasible(problem, dataclasses.replace(rules, max_distance=value - 1e-6))
    assert relax.text("en") == (
        f"raise the distance cap from {cap:g} km to {math.ceil(far)} km"
    )
    assert relax.text("zh").startswith("将最大距离由")


def test_min_score_relaxation_is_exact() -> None:
    problem = make_problem(5, 5, 4)
    rules = MatchRules(min_pair_score=0.7)
    assert not _feasible(problem, rules)
    diag = diagnose(problem, MatchSettings(rules=rules))
    assert _labels(diag.conflict) == ["min pair score 0.7"]
    (relax,) = [r for r in diag.relaxations if r.group == "min_pair_score"]
    assert relax.value is not None and relax.value < 0.7
    assert _feasible(problem, MatchRules(min_pair_score=relax.value))
    assert not _feasible(problem, MatchRules(min_pair_score=relax.value + 1e-9))
    assert relax.text("en").startswith("lower the min pair score from 0.7 to ")


def test_changes_versus_forbidden_incumbent_needs_the_ip() -> None:
    problem = make_problem(4, 4, 6)
    inc = problem.incumbent
    rules = MatchRules(max_changes=0, forbids=(inc[1], inc[2]))
    diag = diagnose(problem, MatchSettings(rules=rules))
    assert [i.group for i in diag.conflict] == ["forbids", "max_changes"]
    (relax,) = [r for r in diag.relaxations if r.group == "max_changes"]
    assert relax.value == 2
    assert relax.text("en") == "allow 2 changes from the incumbent instead of 0"
    assert relax.text("zh") == "将允许调整由 0 对增加到 2 对"
    assert "cbc" in diag.methods or "ip" in diag.methods
    # the deletion filter drops the first forbid (the second still conflicts) and keeps the second
    assert _labels(diag.conflict) == [
        f"forbid {problem.name(inc[2][0])}–{problem.name(inc[2][1])}",
        "at most 0 changes from the incumbent",
    ]


def test_feasible_rules_and_messages() -> None:
    problem = make_problem(3, 3, 0)
    diag = diagnose(problem, MatchSettings())
    assert diag.feasible and diag.conflict == () and diag.repair == ()
    assert diag.message("en") == "The rules can all be met; nothing to diagnose."
    assert diag.message("zh") == "规则可以同时满足，无需诊断。"
    bad = diagnose(problem, MatchSettings(rules=MatchRules(locks=(("r0", "s0"), ("r1", "s0")))))
    text = bad.message("en")
    assert text.startswith("The rules cannot all be met.\nConflicting rules: lock R0–S0; ")
    assert "Dropping these restores feasibility: lock R1–S0." in text
    assert "raise the supporter capacity from 1 to 2" in text
    assert bad.message("zh").startswith("规则无法同时满足。\n相互冲突的规则：锁定 R0–S0；")
    data = json.loads(json.dumps(bad.to_dict(), ensure_ascii=False))
    assert data["feasible"] is False and len(data["conflict"]) == 3
    with pytest.raises(ValueError, match="language must be one of zh, en"):
        bad.message("de")


def test_structural_infeasibility() -> None:
    problem = make_problem(2, 2, 0)
    diag = diagnose(problem, MatchSettings(rules=MatchRules(recipient_demand=3)))
    assert diag.structural and diag.conflict == ()
    assert "more supporters than there are" in diag.message("en")


def test_rule_items_cover_every_group() -> None:
    problem = make_problem(3, 3, 0)
    rules = MatchRules(
        locks=(("r0", "s0"),), forbids=(("r1", "s1"),), max_distance=300.0,
        prefecture_spread=1, min_pair_score=0.2, max_changes=1, stable=True,
    )
    groups = [i.group for i in rule_items(problem, rules)]
    assert groups == [
        "locks", "forbids", "max_distance", "prefecture_spread", "min_pair_score",
        "max_changes", "stable", "supporter_capacity",
    ]
    lifted = _without(problem, rules, rule_items(problem, rules))
    assert lifted == MatchRules(supporter_capacity=3)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[MatchingProblem, MatchRules]:
    problem = draw(random_problem(min_n=2, max_n=4))
    return problem, draw(random_rules(problem))


@settings(max_examples=30, deadline=None)
@given(_cases())
def test_conflict_is_irreducible_and_repair_restores(case: tuple) -> None:
    problem, rules = case
    diag: Diagnosis = diagnose(problem, MatchSettings(rules=rules))
    assert diag.feasible == _feasible(problem, rules)
    if diag.feasible or diag.structural:
        return
    items = rule_items(problem, rules)
    others = [i for i in items if i not in diag.conflict]
    assert not _feasible(problem, _without(problem, rules, others))
    for item in diag.conflict:
        assert _feasible(problem, _without(problem, rules, [*others, item]))
    assert _feasible(problem, _without(problem, rules, diag.repair))
    for item in diag.repair:
        back = [i for i in diag.repair if i is not item]
        assert not _feasible(problem, _without(problem, rules, back))
    for relax in diag.relaxations:
        if relax.value is not None:
            assert _feasible(problem, dataclasses.replace(rules, **{relax.group: relax.value}))
