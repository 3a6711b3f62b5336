"""Build-only structure: every family named deterministically, with the right coefficients."""

from __future__ import annotations

import pulp
import pytest
from alloc_strategies import inputs, project, tiny_settings

from allocation import FAMILIES, build, prepare

ROWS = {
    "A": project(
        duration_years=2,
        special_fund_request_wan=200.0,
        special_fund_min_wan=150.0,
        low_income=1,
        other_fund_wan=100.0,
    ),
    "B": project(recipient="r2", requires="A", earliest_start=2022),
    "C": project(recipient="r2", excludes="B", supporter_fund_wan=600.0),
    "D": project(recipient="r1", earliest_start=2023),
}


def _everything(**kw):
    base = dict(
        projects_per_year_min=1,
        projects_per_year_max=2,
        pair_projects_min=1,
        pair_projects_max=1,
        pair_share_max=0.15,
        priority_share_min=0.5,
        supporter_floor_wan=500.0,
        floor_mode="soft",
        lexicographic=True,
        carry_over=True,
        locked_projects=("D",),
    )
    base.update(kw)
    return tiny_settings(**base)


def _coefs(con: pulp.LpConstraint) -> dict[str, float]:
    return {v.name: c for v, c in con.items()}


def test_every_family_appears_with_deterministic_names():
    st = _everything()
    model = build(prepare(inputs(ROWS), st), st)
    missing = [f for f in FAMILIES if f not in model.families and f != "executed"]
    assert missing == []
    names = set(model.constraints)
    for name in (
        "budget[2023]",
        "projects_per_year_min[2022]",
        "projects_per_year_max[2022]",
        "pair_min[r1,2021]",
        "pair_max[r2,2022]",
        "pair_share[r1,2021]",
        "priority_share[2022]",
        "supporter_floor[r2,2023]",
        "requires[B,A,2022]",
        "excludes[B,C]",
        "locked[D]",
        "duration[A]",
        "amount[A,2021]",
        "coverage[r1,2021]",
    ):
        assert name in names, name
    again = build(prepare(inputs(ROWS), st), st)
    assert list(again.constraints) == list(model.constraints)


def test_budget_row_with_carry_over_and_semicontinuous_amount():
    st = _everything()
    model = build(prepare(inputs(ROWS), st), st)
    con = model.constraints["budget[2022]"]
    coefs = _coefs(con)
    # A (index 0) started 2021 or 2022 runs in 2022: 150·x + e; B, C in 2022 at 100.
    assert coefs == {
        "x_0_2021": 150.0,
        "e_0_2021": 1.0,
        "x_0_2022": 150.0,
        "e_0_2022": 1.0,
        "x_1_2022": 100.0,
        "x_2_2022": 100.0,
        "carry_2022": 1.0,
        "carry_2021": -1.0,
    }
    assert con.sense == pulp.LpConstraintEQ and -con.constant == 1000.0
    assert _coefs(model.constraints["amount[A,2021]"]) == {"e_0_2021": 1.0, "x_0_2021": -50.0}


def test_floor_coefficients_are_capped_at_the_floor():
    st = _everything(floor_topup="other_funds")
    model = build(prepare(inputs(ROWS), st), st)
    coefs = _coefs(model.constraints["supporter_floor[r2,2022]"])
    # C carries 600 of supporter funds, capped at the 500 floor; B carries 50.
    assert coefs["x_2_2022"] == 500.0 and coefs["x_1_2022"] == 50.0
    assert coefs["short_1_2022"] == 1.0
    hard = _everything(floor_mode="hard")
    hard_model = build(prepare(inputs(ROWS), hard), hard)
    assert not hard_model.shortfall
    off = _everything(floor_mode="off")
    assert "supporter_floor" not in build(prepare(inputs(ROWS), off), off).families


def test_priority_share_row():
    st = _everything()
    model = build(prepare(inputs(ROWS), st), st)
    coefs = _coefs(model.constraints["priority_share[2021]"])
    # A is a priority project (+0.5 per 万), C is not (-0.5 per 万).
    assert coefs == {"x_0_2021": 75.0, "e_0_2021": 0.5, "x_2_2021": -50.0}


def test_requires_row_is_cumulative():
    st = _everything()
    model = build(prepare(inputs(ROWS), st), st)
    coefs = _coefs(model.constraints["requires[B,A,2023]"])
    assert coefs == {"x_1_2022": 1.0, "x_1_2023": 1.0, "x_0_2021": -1.0, "x_0_2022": -1.0}


def test_omit_and_unknown_family():
    st = _everything()
    pb = prepare(inputs(ROWS), st)
    assert "budget" not in build(pb, st, omit=("budget",)).families
    with pytest.raises(ValueError, match="unknown constraint families"):
        build(pb, st, omit=("budgets",))
