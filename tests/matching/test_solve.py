"""solve(): regression optimum, independent solvers, rule invariances, statuses and outputs."""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import json

import numpy as np
import pytest
from conftest import SOLVERS, make_inputs
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

from matching import (
    CRITERIA,
    InputError,
    MatchingProblem,
    MatchRules,
    MatchSettings,
    MatchStatus,
    SolverOptions,
    prepare,
    solve,
)
from matching.instances import make_problem
from solverkit.registry import SolveStatus

solve_mod = importlib.import_module("matching.solve")  # the package re-exports solve()

REGRESSION = np.array(
    [
        [0.62, 0.15, 0.48, 0.90, 0.33],
        [0.71, 0.84, 0.22, 0.57, 0.40],
        [0.18, 0.66, 0.95, 0.29, 0.51],
        [0.88, 0.37, 0.61, 0.73, 0.26],
        [0.45, 0.79, 0.34, 0.12, 0.20],
    ]
)
#: Known optima of REGRESSION (also recomputed by enumeration below).
KNOWN_SUM, KNOWN_SUM_PERM = 3.92, (3, 4, 2, 0, 1)
KNOWN_WORST, KNOWN_MAXMIN_SUM, KNOWN_MAXMIN_PERM = 0.51, 3.52, (3, 0, 4, 2, 1)


def matrix_problem(score: np.ndarray, **changes: object) -> MatchingProblem:
    n_r, n_s = score.shape
    r = tuple(f"r{i}" for i in range(n_r))
    s = tuple(f"s{j}" for j in range(n_s))
    fields: dict[str, object] = {
        "recipients": r,
        "supporters": s,
        "names": {},
        "full_names": {},
        "prefecture": {},
        "criteria": {"strength": score},
        "weights": {"strength": 1.0},
        "distance": np.full(score.shape, 100.0),
    }
    fields.update(changes)
    return MatchingProblem(**fields)  # type: ignore[arg-type]


def ip(solver: str, **kw: object) -> MatchSettings:
    return MatchSettings(fast_path=False, solver=SolverOptions(name=solver), **kw)  # type: ignore[arg-type]


def test_regression_optimum_is_the_enumerated_one() -> None:
    perms = list(itertools.permutations(range(5)))
    sums = {p: sum(REGRESSION[i, p[i]] for i in range(5)) for p in perms}
    best = max(perms, key=sums.__getitem__)
    assert best == KNOWN_SUM_PERM and sums[best] == pytest.approx(KNOWN_SUM)
    worst = {p: min(REGRESSION[i, p[i]] for i in range(5)) for p in perms}
    t = max(worst.values())
    assert t == pytest.approx(KNOWN_WORST)
    stage2 = max((p for p in perms if worst[p] >= t - 1e-9), key=sums.__getitem__)
    assert stage2 == KNOWN_MAXMIN_PERM and sums[stage2] == pytest.approx(KNOWN_MAXMIN_SUM)


@pytest.mark.parametrize("fast", [True, False])
def test_regression_weighted_sum(solver: str, fast: bool) -> None:
    result = solve(matrix_problem(REGRESSION), ip(solver) if not fast else MatchSettings())
    assert result.status == MatchStatus.OPTIMAL
    assert result.method == ("assignment" if fast else solver)
    assert result.objective == pytest.approx(KNOWN_SUM, abs=1e-9)
    assert result.pairs == tuple((f"r{i}", f"s{j}") for i, j in enumerate(KNOWN_SUM_PERM))
    assert result.objective_mode == "weighted_sum" and result.gap == 0.0


def test_regression_maxmin_reports_both_stages(solver: str) -> None:
    result = solve(matrix_problem(REGRESSION), ip(solver, objective="maxmin"))
    assert result.status == MatchStatus.OPTIMAL, result.message
    assert result.method == solver and result.objective_mode == "maxmin"
    assert len(result.stage_reports) == 2
    assert result.stage_reports[0].objective == pytest.approx(KNOWN_WORST, abs=1e-6)
    assert result.maxmin_level == pytest.approx(KNOWN_WORST, abs=1e-6)
    assert result.worst_pair_score == pytest.approx(KNOWN_WORST)
    assert result.objective == pytest.approx(KNOWN_MAXMIN_SUM, abs=1e-9)
    assert result.pairs == tuple((f"r{i}", f"s{j}") for i, j in enumerate(KNOWN_MAXMIN_PERM))
    stages = result.to_dict()["solver"]["stages"]
    assert [s["status"] for s in stages] == ["optimal", "optimal"]


def independent_milp(score: np.ndarray) -> float:
    """The assignment IP written directly for scipy.optimize.milp (no PuLP, no engine)."""
    n_r, n_s = score.shape
    a_rows = np.zeros((n_r, n_r * n_s))
    a_cols = np.zeros((n_s, n_r * n_s))
    for i in range(n_r):
        for j in range(n_s):
            a_rows[i, i * n_s + j] = 1
            a_cols[j, i * n_s + j] = 1
    res = milp(
        -score.ravel(),
        constraints=[LinearConstraint(a_rows, 1, 1), LinearConstraint(a_cols, 0, 1)],
        integrality=np.ones(n_r * n_s),
        bounds=Bounds(0, 1),
    )
    assert res.status == 0
    return -float(res.fun)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pure_instances_match_lsa_and_independent_milp(solver: str, seed: int) -> None:
    p = make_problem(9, 11 if seed == 3 else 9, seed)
    rows, cols = linear_sum_assignment(p.score, maximize=True)
    lsa = float(p.score[rows, cols].sum())
    assert independent_milp(np.asarray(p.score)) == pytest.approx(lsa, abs=1e-9)
    via_ip = solve(p, ip(solver))
    via_fast = solve(p, MatchSettings())
    assert via_fast.method == "assignment"
    assert via_ip.objective == pytest.approx(lsa, abs=1e-7)
    assert via_fast.objective == pytest.approx(lsa, abs=1e-9)


def test_lock_in_optimum_and_forbid_outside_leave_objective(solver: str) -> None:
    p = make_problem(7, 7, 11)
    base = solve(p, ip(solver))
    chosen = set(base.pairs)
    outside = next((r, s) for r in p.recipients for s in p.supporters if (r, s) not in chosen)
    for rules in (
        MatchRules(locks=(base.pairs[3],)),
        MatchRules(forbids=(outside,)),
        MatchRules(locks=(base.pairs[0],), forbids=(outside,)),
    ):
        again = solve(p, ip(solver, rules=rules))
        assert again.status == MatchStatus.OPTIMAL
        assert again.objective == pytest.approx(base.objective, abs=1e-7)


def test_forbidding_a_chosen_pair_cannot_improve(solver: str) -> None:
    p = make_problem(6, 6, 5)
    base = solve(p, ip(solver))
    worse = solve(p, ip(solver, rules=MatchRules(forbids=(base.pairs[0],))))
    assert worse.objective <= base.objective + 1e-9
    assert base.pairs[0] not in worse.pairs


def _blocking(p: MatchingProblem, pairs: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    partner = dict(pairs)
    holder = {s: r for r, s in pairs}
    out = []
    for r, r_list in p.recipient_prefs.items():
        for s in r_list:
            s_list = p.supporter_prefs.get(s, ())
            if r not in s_list or partner.get(r) == s:
                continue
            mine, theirs = partner.get(r), holder.get(s)
            r_wants = mine not in r_list or r_list.index(s) < r_list.index(mine)
            s_wants = (
                theirs is None or theirs not in s_list or s_list.index(r) < s_list.index(theirs)
            )
            if r_wants and s_wants:
                out.append((r, s))
    return out


@pytest.mark.parametrize("seed", [0, 4, 8])
def test_stable_option_leaves_no_blocking_pair(solver: str, seed: int) -> None:
    p = make_problem(7, 7, seed)
    free = solve(p, ip(solver))
    stable = solve(p, ip(solver, rules=MatchRules(stable=True)))
    assert stable.status == MatchStatus.OPTIMAL
    assert _blocking(p, stable.pairs) == []
    assert stable.objective <= free.objective + 1e-9


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 7), seed=st.integers(0, 10_000))
def test_stability_alone_is_always_feasible(n: int, seed: int) -> None:
    # Lists completed by "unlisted ranks last" always admit a stable complete matching.
    p = make_problem(n, n, seed)
    result = solve(p, MatchSettings(rules=MatchRules(stable=True)))
    assert result.status == MatchStatus.OPTIMAL
    assert _blocking(p, result.pairs) == []


def test_unequal_counts_need_capacity(solver: str) -> None:
    p = make_problem(5, 3, 2)
    assert solve(p, ip(solver)).status == MatchStatus.INFEASIBLE
    assert solve(p, MatchSettings()).status == MatchStatus.INFEASIBLE
    ok = solve(p, ip(solver, rules=MatchRules(supporter_capacity=2)))
    assert ok.status == MatchStatus.OPTIMAL and len(ok.pairs) == 5
    wide = solve(make_problem(3, 5, 2), ip(solver))
    assert wide.status == MatchStatus.OPTIMAL and len({s for _, s in wide.pairs}) == 3


def test_infeasible_rules_are_reported(solver: str) -> None:
    p = make_problem(4, 4, 3)
    rules = MatchRules(locks=(("r0", "s0"),), forbids=(("r1", "s0"),), max_distance=1.0)
    result = solve(p, ip(solver, rules=rules))
    assert result.status == MatchStatus.INFEASIBLE and result.pairs == ()
    assert result.message == "the rules admit no pairing"
    assert result.to_dict()["status"] == "infeasible"


def test_rules_naming_unknown_counties_raise() -> None:
    p = make_problem(3, 3, 0)
    with pytest.raises(InputError, match=r"forbid pair \('r0', 'nowhere'\)"):
        solve(p, MatchSettings(rules=MatchRules(forbids=(("r0", "nowhere"),))))


def test_time_limited_run_is_feasible_never_optimal(monkeypatch: pytest.MonkeyPatch) -> None:
    real = solve_mod.solve_model

    def stopped_early(lp, options):
        report = real(lp, options)
        return dataclasses.replace(report, status=SolveStatus.FEASIBLE, gap=0.03)

    monkeypatch.setattr(solve_mod, "solve_model", stopped_early)
    result = solve(make_problem(5, 5, 1), MatchSettings(fast_path=False))
    assert result.status == MatchStatus.FEASIBLE
    assert result.gap == 0.03 and "time limit" in result.message
    maxmin = solve(make_problem(5, 5, 1), MatchSettings(objective="maxmin"))
    assert maxmin.status == MatchStatus.FEASIBLE


def test_wrong_solver_answer_is_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = solve_mod.solve_model

    def lying(lp, options):
        report = real(lp, options)
        values = dict(report.values)
        values["x_0_0"], values["x_0_1"] = 1.0, 1.0  # r0 gets two supporters
        return dataclasses.replace(report, values=values)

    monkeypatch.setattr(solve_mod, "solve_model", lying)
    result = solve(make_problem(4, 4, 1), MatchSettings(fast_path=False))
    assert result.status == MatchStatus.FAILED
    assert "failed verification" in result.message and "exactly 1 supporter" in result.message


def test_objective_disagreement_is_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = solve_mod.solve_model

    def off(lp, options):
        report = real(lp, options)
        return dataclasses.replace(report, objective=report.objective + 0.5)

    monkeypatch.setattr(solve_mod, "solve_model", off)
    result = solve(make_problem(4, 4, 1), MatchSettings(fast_path=False))
    assert result.status == MatchStatus.FAILED and "disagrees" in result.message


def test_solver_without_solution_is_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = solve_mod.solve_model

    def nothing(lp, options):
        report = real(lp, options)
        return dataclasses.replace(
            report,
            status=SolveStatus.NOT_SOLVED,
            objective=None,
            values={},
            solver_status="Stopped",
        )

    monkeypatch.setattr(solve_mod, "solve_model", nothing)
    result = solve(make_problem(4, 4, 1), MatchSettings(fast_path=False))
    assert result.status == MatchStatus.FAILED
    assert result.message == "the solver stopped without a solution (Stopped)"


def test_outputs_from_prepared_inputs(solver: str) -> None:
    p = prepare(make_inputs())
    result = solve(p, ip(solver))
    assert result.ok
    frame = result.pairs_frame()
    assert list(frame.columns) == [
        "recipient_id",
        "recipient",
        "supporter_id",
        "supporter",
        "score",
        *CRITERIA,
        "distance_km",
    ]
    assert frame["recipient_id"].tolist() == ["ra", "rb", "rc"]
    assert frame["recipient"].tolist() == ["甲县", "乙县", "丙区"]
    assert frame["score"].sum() == pytest.approx(result.objective)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert {"status", "objective", "objective_mode", "method", "gap", "pairs", "solver"} <= set(
        data
    )
    first = data["pairs"][0]
    assert set(first) == {
        "recipient",
        "supporter",
        "recipient_id",
        "supporter_id",
        "score",
        "criteria",
        "distance_km",
    }
    assert set(first["criteria"]) == set(CRITERIA)
    assert data["solver"]["name"] == solver and data["verification"]["ok"] is True
    assert set(result.timings) >= {"build", "solve", "verify", "total"}


def test_default_size_instance_every_route_agrees() -> None:
    p = make_problem(22, 22, 2021)
    reference = solve(p, MatchSettings())
    assert reference.method == "assignment" and reference.solve_report is None
    for name in SOLVERS:
        result = solve(p, ip(name))
        assert result.status == MatchStatus.OPTIMAL
        assert result.objective == pytest.approx(reference.objective, abs=1e-7)


def test_solvers_fixture_covers_every_available_solver() -> None:
    from solverkit.registry import available_solvers

    assert available_solvers() == SOLVERS
