"""Build-only structural checks: one test per constraint family (named ``test_family_<name>``)."""

from __future__ import annotations

import inspect
import sys

import numpy as np
import pulp
import pytest

from matching import InputError, MatchingProblem, MatchRules, MatchSettings, build
from matching import model as model_mod

R = ("r0", "r1", "r2")
S = ("s0", "s1", "s2")
SCORE = np.array([[0.9, 0.2, 0.5], [0.4, 0.8, 0.1], [0.3, 0.6, 0.7]])
DIST = np.array([[100.0, 300.0, 50.0], [250.0, 80.0, 400.0], [120.0, 90.0, 310.0]])


def problem(**changes: object) -> MatchingProblem:
    fields: dict[str, object] = {
        "recipients": R,
        "supporters": S,
        "names": {c: c.upper() for c in R + S},
        "full_names": {},
        "prefecture": {"r0": "A", "r1": "A", "r2": "B", "s0": "X", "s1": "X", "s2": "Y"},
        "criteria": {"strength": SCORE},
        "weights": {"strength": 1.0},
        "distance": DIST,
        "recipient_prefs": {"r0": ("s1", "s0"), "r1": ("s1",), "r2": ("s2", "s1")},
        "supporter_prefs": {"s0": ("r0",), "s1": ("r2", "r0", "r1"), "s2": ("r1",)},
        "incumbent": (("r0", "s0"), ("r1", "s1"), ("r2", "s2")),
    }
    fields.update(changes)
    return MatchingProblem(**fields)  # type: ignore[arg-type]


def built(**rules: object) -> model_mod.MatchModel:
    objective = rules.pop("objective", "weighted_sum")
    return build(problem(), MatchSettings(objective=objective, rules=MatchRules(**rules)))  # type: ignore[arg-type]


def terms(con: pulp.LpConstraint) -> dict[str, float]:
    return {v.name: c for v, c in con.items()}


def rhs(con: pulp.LpConstraint) -> float:
    return -con.constant


def test_family_recipient_demand() -> None:
    m = built(recipient_demand=1)
    assert m.families["recipient_demand"] == [f"recipient_demand[{r}]" for r in R]
    con = m.constraints["recipient_demand[r1]"]
    assert terms(con) == {"x_1_0": 1, "x_1_1": 1, "x_1_2": 1}
    assert con.sense == pulp.LpConstraintEQ and rhs(con) == 1


def test_family_supporter_capacity() -> None:
    m = built()
    con = m.constraints["supporter_capacity[s2]"]
    assert terms(con) == {"x_0_2": 1, "x_1_2": 1, "x_2_2": 1}
    assert con.sense == pulp.LpConstraintLE and rhs(con) == 1
    assert "supporter_capacity" not in built(supporter_capacity=3).families  # never binding


def test_family_lock() -> None:
    m = built(locks=(("r0", "s1"),))
    assert m.families["lock"] == ["lock[r0,s1]"]
    con = m.constraints["lock[r0,s1]"]
    assert terms(con) == {"x_0_1": 1} and con.sense == pulp.LpConstraintEQ and rhs(con) == 1
    assert "lock" not in built().families
    with pytest.raises(InputError, match=r"lock pair \('s0', 'r0'\) must name a recipient"):
        built(locks=(("s0", "r0"),))


def variable_names(m: model_mod.MatchModel) -> set[str]:
    return {v.name for v in m.lp.variables()}


def test_family_forbid() -> None:
    m = built(forbids=(("r2", "s0"), ("r1", "s2")))
    assert m.excluded["forbid"] == [("r2", "s0"), ("r1", "s2")]
    # no variable and no row: the pair is simply absent from the model
    assert ("r1", "s2") not in m.x and ("r2", "s0") not in m.x
    assert variable_names(m) == {f"x_{i}_{j}" for i in range(3) for j in range(3)} - {
        "x_1_2",
        "x_2_0",
    }
    assert terms(m.constraints["recipient_demand[r1]"]) == {"x_1_0": 1, "x_1_1": 1}
    assert terms(m.constraints["supporter_capacity[s0]"]) == {"x_0_0": 1, "x_1_0": 1}
    assert not any(name.startswith("forbid") for name in m.constraints)
    assert "forbid" not in built().excluded and len(built().x) == 9


def test_family_max_distance() -> None:
    m = built(max_distance=300.0)
    assert m.excluded["max_distance"] == [("r1", "s2"), ("r2", "s2")]
    assert "x_2_2" not in variable_names(m) and "x_1_2" not in variable_names(m)
    assert terms(m.constraints["supporter_capacity[s2]"]) == {"x_0_2": 1}
    assert "max_distance" not in built().excluded
    # a locked pair beyond the cap: the lock row has no term left, 0 = 1 (infeasible)
    clash = built(max_distance=300.0, locks=(("r2", "s2"),))
    lock = clash.constraints["lock[r2,s2]"]
    assert terms(lock) == {} and lock.sense == pulp.LpConstraintEQ and rhs(lock) == 1


def test_family_prefecture_spread() -> None:
    m = built(prefecture_spread=1)
    # A has 2 recipients, X has 2 supporters: only (A, X) can exceed 1
    assert m.families["prefecture_spread"] == ["prefecture_spread[A,X]"]
    con = m.constraints["prefecture_spread[A,X]"]
    assert terms(con) == {"x_0_0": 1, "x_0_1": 1, "x_1_0": 1, "x_1_1": 1}
    assert con.sense == pulp.LpConstraintLE and rhs(con) == 1
    assert "prefecture_spread" not in built(prefecture_spread=2).families
    assert "prefecture_spread" not in built().families


def test_family_min_pair_score() -> None:
    m = built(min_pair_score=0.35)
    assert m.excluded["min_pair_score"] == [("r0", "s1"), ("r1", "s2"), ("r2", "s0")]
    assert list(m.x) == [
        ("r0", "s0"),
        ("r0", "s2"),
        ("r1", "s0"),
        ("r1", "s1"),
        ("r2", "s1"),
        ("r2", "s2"),
    ]
    assert m.cells.tolist() == [[0, 0], [0, 2], [1, 0], [1, 1], [2, 1], [2, 2]]
    assert terms(m.lp.objective) == {
        "x_0_0": 0.9,
        "x_0_2": 0.5,
        "x_1_0": 0.4,
        "x_1_1": 0.8,
        "x_2_1": 0.6,
        "x_2_2": 0.7,
    }
    assert "min_pair_score" not in built().excluded


def test_keep_restricts_the_variables() -> None:
    keep = np.ones((3, 3), dtype=bool)
    keep[0, 1] = False
    m = build(problem(), MatchSettings(rules=MatchRules(forbids=(("r2", "s0"),))), keep=keep)
    assert set(m.x) == {(r, s) for r in R for s in S} - {("r0", "s1"), ("r2", "s0")}
    assert m.excluded == {"forbid": [("r2", "s0")]}  # keep is not a rule
    with pytest.raises(ValueError, match=r"keep must have shape \(3, 3\), got \(2, 3\)"):
        build(problem(), MatchSettings(), keep=np.ones((2, 3), dtype=bool))


def test_family_max_changes() -> None:
    m = built(max_changes=1)
    assert m.families["max_changes"] == ["max_changes"]
    con = m.constraints["max_changes"]
    assert terms(con) == {"x_0_0": 1, "x_1_1": 1, "x_2_2": 1}
    assert con.sense == pulp.LpConstraintGE and rhs(con) == 2  # 3 - 1
    assert "max_changes" not in built().families
    no_inc = build(problem(incumbent=()), MatchSettings(rules=MatchRules(max_changes=1)))
    assert "max_changes" not in no_inc.families


def test_family_stability() -> None:
    m = built(stable=True)
    # mutually acceptable: (r0,s0) (r0,s1) (r1,s1) (r2,s1); (r1,s2): r1 does not list s2
    assert m.families["stability"] == [
        "stability[r0,s1]",
        "stability[r0,s0]",
        "stability[r1,s1]",
        "stability[r2,s1]",
    ]
    # (r0, s0): r0 likes s1 at least as much; s0 lists nobody above r0
    assert terms(m.constraints["stability[r0,s0]"]) == {"x_0_1": 1, "x_0_0": 1}
    # (r1, s1): s1 prefers r2 and r0 to r1
    assert terms(m.constraints["stability[r1,s1]"]) == {"x_1_1": 1, "x_2_1": 1, "x_0_1": 1}
    con = m.constraints["stability[r2,s1]"]
    assert terms(con) == {"x_2_2": 1, "x_2_1": 1} and con.sense == pulp.LpConstraintGE
    assert rhs(con) == 1
    assert "stability" not in built().families
    cap2 = build(problem(), MatchSettings(rules=MatchRules(stable=True, supporter_capacity=2)))
    # hospitals/residents form: k * (own side) + others >= k
    assert terms(cap2.constraints["stability[r1,s1]"]) == {"x_1_1": 2, "x_2_1": 1, "x_0_1": 1}
    assert rhs(cap2.constraints["stability[r1,s1]"]) == 2


def test_family_maxmin_floor() -> None:
    m = built(objective="maxmin")
    assert m.worst is not None and m.stage == "maxmin_stage1"
    con = m.constraints["maxmin_floor[r1]"]
    assert terms(con) == {"worst_pair_score": 1, "x_1_0": -0.4, "x_1_1": -0.8, "x_1_2": -0.1}
    assert con.sense == pulp.LpConstraintLE and rhs(con) == 0
    assert terms(m.lp.objective) == {"worst_pair_score": 1}
    model_mod.start_second_stage(m, 0.5)
    level = m.constraints["maxmin_level"]
    assert terms(level) == {"worst_pair_score": 1} and rhs(level) == pytest.approx(0.5 - 1e-6)
    assert m.stage == "maxmin_stage2" and len(terms(m.lp.objective)) == 9
    many = build(
        problem(supporters=S, criteria={"strength": SCORE}),
        MatchSettings(
            objective="maxmin", rules=MatchRules(recipient_demand=2, supporter_capacity=2)
        ),
    )
    per_pair = many.constraints["maxmin_floor[r0,s2]"]
    assert terms(per_pair) == {"worst_pair_score": 1, "x_0_2": 1} and rhs(per_pair) == 1.5
    assert "maxmin_floor" not in built().families


def test_weighted_objective_with_change_penalty() -> None:
    m = built(change_penalty=0.25)
    obj = terms(m.lp.objective)
    assert obj["x_0_0"] == pytest.approx(0.9 + 0.25)
    assert obj["x_0_1"] == pytest.approx(0.2)
    assert m.lp.objective.constant == pytest.approx(-0.75)
    assert m.lp.sense == pulp.LpMaximize


def test_families_follow_the_fixed_order() -> None:
    m = built(
        locks=(("r0", "s0"),),
        forbids=(("r1", "s0"),),
        max_distance=300.0,
        prefecture_spread=1,
        min_pair_score=0.35,
        max_changes=2,
        stable=True,
    )
    assert list(m.families) == [f for f in model_mod.FAMILIES if f in m.families]
    assert len(m.families) == len(model_mod.FAMILIES) - 1  # all but maxmin_floor
    assert list(m.excluded) == list(model_mod.EXCLUSIONS)
    assert len(m.lp.constraints) == len(m.constraints)
    assert all(name.isascii() for name in m.lp.constraints)
    gone = {"x_1_0", "x_1_2", "x_2_2", "x_0_1", "x_2_0"}  # forbid, distance, min score
    assert variable_names(m) == {f"x_{i}_{j}" for i in range(3) for j in range(3)} - gone


def test_every_constraint_family_has_a_structural_test() -> None:
    adders = {
        name[len("add_") :]
        for name, fn in inspect.getmembers(model_mod, inspect.isfunction)
        if name.startswith("add_") and fn.__module__ == model_mod.__name__
    }
    assert adders == set(model_mod.FAMILIES) == set(model_mod.ADDERS)
    excluders = {
        name[len("exclude_") :]
        for name, fn in inspect.getmembers(model_mod, inspect.isfunction)
        if name.startswith("exclude_") and fn.__module__ == model_mod.__name__
    }
    assert excluders == set(model_mod.EXCLUSIONS) == set(model_mod.EXCLUDERS)
    adders |= excluders
    tests = {
        name[len("test_family_") :]
        for name, _ in inspect.getmembers(sys.modules[__name__], inspect.isfunction)
        if name.startswith("test_family_")
    }
    missing = adders - tests
    assert not missing, f"constraint families without a structural test: {sorted(missing)}"
