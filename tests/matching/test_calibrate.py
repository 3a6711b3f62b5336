"""Weight calibration (:func:`matching.calibrate`): known weights are recovered as far as the
pairing can tell, partial references, fixed weights, refused references, seeded folds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matching import CalibrationError, MatchRules, MatchSettings, calibrate, solve
from matching.instances import make_problem
from matching.problem import MatchingProblem


def _optimum(problem: MatchingProblem, weights: dict[str, float]) -> float:
    """The best pairing's value under ``weights`` (scipy's assignment solver, independent)."""
    score = sum(w * np.asarray(problem.criteria[c]) for c, w in weights.items())
    rows, cols = linear_sum_assignment(score, maximize=True)
    return float(score[rows, cols].sum())


def _value(problem: MatchingProblem, weights: dict[str, float], pairs) -> float:
    return float(
        sum(
            w * problem.criteria[c][problem.r_index(r), problem.s_index(s)]
            for r, s in pairs
            for c, w in weights.items()
        )
    )


def _lsa_pairs(problem: MatchingProblem) -> list[tuple[str, str]]:
    rows, cols = linear_sum_assignment(problem.score, maximize=True)
    return [(problem.recipients[i], problem.supporters[j]) for i, j in zip(rows, cols, strict=True)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 7), extra=st.integers(0, 2), seed=st.integers(0, 2**31 - 1))
def test_recovered_weights_make_the_reference_optimal(n: int, extra: int, seed: int) -> None:
    # the reference is the optimum under random weights (make_problem draws them)
    truth = make_problem(n, n + extra, seed, prefs=False, incumbent=False)
    reference = _lsa_pairs(truth)
    # the engine sees equal weights, not the ones the reference was made with
    equal = {c: 1.0 / len(truth.criteria) for c in truth.criteria}
    problem = dataclasses.replace(truth, weights=equal)
    cal = calibrate(problem, reference)
    assert cal.violation <= 1e-7
    assert abs(sum(cal.weights.values()) - 1.0) < 1e-9
    assert min(cal.weights.values()) >= 0.0
    best = _optimum(problem, dict(cal.weights))
    assert _value(problem, dict(cal.weights), reference) >= best - 1e-6
    assert not cal.unexplained
    assert set(cal.reproduced) == set(reference) or cal.margin <= 1e-9  # ties only


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(3, 7),
    extra=st.integers(0, 2),
    seed=st.integers(0, 2**31 - 1),
    keep=st.integers(1, 6),
)
def test_partial_reference_is_part_of_an_optimum(n: int, extra: int, seed: int, keep: int) -> None:
    truth = make_problem(n, n + extra, seed, prefs=False, incumbent=False)
    reference = _lsa_pairs(truth)[: min(keep, n - 1)]
    equal = {c: 1.0 / len(truth.criteria) for c in truth.criteria}
    cal = calibrate(dataclasses.replace(truth, weights=equal), reference)
    # the completion heuristic found weights with zero gap: the reference, completed, is
    # optimal under them, and the calibrated pairing keeps an optimum's value
    assert cal.violation <= 1e-7
    w = dict(cal.weights)
    assert _value(truth, w, cal.pairing) >= _optimum(truth, w) - 1e-6
    assert set(cal.reproduced) == set(reference) or cal.margin <= 1e-9  # ties only


def test_a_pairing_no_weighting_explains_is_named() -> None:
    problem = make_problem(6, 6, 11, prefs=False, incumbent=False)
    ref = _lsa_pairs(problem)
    # pair each recipient with the supporter scoring worst on every criterion's sum: a
    # pairing that is the optimum of -sum c_k, which no non-negative weighting can favour
    total = sum(np.asarray(m) for m in problem.criteria.values())
    rows, cols = linear_sum_assignment(total, maximize=False)
    worst = [
        (problem.recipients[i], problem.supporters[j]) for i, j in zip(rows, cols, strict=True)
    ]
    assert worst != ref
    cal = calibrate(problem, worst)
    assert cal.violation > 1e-6
    assert cal.unexplained
    for u in cal.unexplained:
        assert (u.recipient, u.supporter) in set(worst)
        assert u.competitor != u.supporter
        assert u.beaten_on  # a competitor better on nothing would not beat it
    frames = cal.tables()
    assert len(frames["unexplained"]) == len(cal.unexplained)
    assert frames["reference"]["explained"].sum() == len(worst) - len(cal.unexplained)


def test_fixed_weights_are_held() -> None:
    problem = make_problem(6, 6, 5, prefs=False, incumbent=False)
    reference = _lsa_pairs(problem)
    cal = calibrate(problem, reference, fixed={"distance": 0.4, "plan": 0.0})
    assert cal.weights["distance"] == pytest.approx(0.4, abs=1e-9)
    assert cal.weights["plan"] == pytest.approx(0.0, abs=1e-12)
    assert sum(cal.weights.values()) == pytest.approx(1.0)
    assert cal.tables()["weights"].set_index("criterion").loc["distance", "fixed"]


def test_bad_fixed_weights_are_refused() -> None:
    problem = make_problem(4, 4, 1, prefs=False, incumbent=False)
    ref = _lsa_pairs(problem)
    with pytest.raises(CalibrationError, match="unknown criterion 'speed'"):
        calibrate(problem, ref, fixed={"speed": 0.1})
    with pytest.raises(CalibrationError, match=r"sum to 1\.2, more than 1"):
        calibrate(problem, ref, fixed={"distance": 0.6, "plan": 0.6})


def test_a_reference_breaking_a_hard_rule_is_refused_with_the_rule_named() -> None:
    problem = make_problem(4, 4, 2, prefs=False, incumbent=False)
    ref = _lsa_pairs(problem)
    r, s = ref[0]
    forbid = MatchSettings(rules=MatchRules(forbids=((r, s),)))
    with pytest.raises(CalibrationError, match=r"breaks the rule forbid"):
        calibrate(problem, ref, settings=forbid)
    near = float(problem.distance[problem.r_index(r), problem.s_index(s)]) - 1.0
    capped = MatchSettings(rules=MatchRules(max_distance=near))
    with pytest.raises(CalibrationError, match=r"breaks the rule max_distance"):
        calibrate(problem, ref, settings=capped)
    with pytest.raises(CalibrationError, match=r"unknown recipient 'nowhere'"):
        calibrate(problem, [("nowhere", s)])
    other = next(x for x in problem.supporters if x != s)
    locked = MatchSettings(rules=MatchRules(locks=((r, other),)))
    with pytest.raises(CalibrationError, match=r"lock \(r\d, s\d\) is broken by the reference"):
        calibrate(problem, ref, settings=locked)


def test_locks_and_forbids_shape_the_pair_set() -> None:
    problem = make_problem(6, 6, 8, prefs=False, incumbent=False)
    ref = _lsa_pairs(problem)
    r, s = ref[0]
    competitor = next(x for x in problem.supporters if x != s)
    rules = MatchRules(locks=(ref[1],), forbids=((r, competitor),))
    cal = calibrate(problem, ref, settings=MatchSettings(rules=rules))
    assert cal.violation <= 1e-7
    assert ref[1] in cal.pairing  # the lock holds in the re-solve
    assert (r, competitor) not in cal.pairing


def test_folds_and_bootstrap_are_deterministic_under_a_seed() -> None:
    problem = make_problem(8, 8, 4, prefs=False, incumbent=False)
    ref = _lsa_pairs(problem)
    a = calibrate(problem, ref, folds=3, bootstrap=8, seed=7)
    b = calibrate(problem, ref, folds=3, bootstrap=8, seed=7)
    assert a.to_dict() | {"seconds": 0} == b.to_dict() | {"seconds": 0}
    assert [f.held_out for f in a.folds] == [f.held_out for f in b.folds]
    held = sorted(p for f in a.folds for p in f.held_out)
    assert held == sorted(ref)  # every reference pair held out exactly once
    total, exact, same = a.held_out_agreement()
    assert total == len(ref) and 0 <= exact <= same <= total
    for c, (lo, hi) in a.ranges.items():
        assert 0.0 <= lo <= hi <= 1.0, c
    c = calibrate(problem, ref, folds=3, seed=8)
    assert [f.held_out for f in c.folds] != [f.held_out for f in a.folds]


def test_folds_out_of_range_are_refused() -> None:
    problem = make_problem(4, 4, 3, prefs=False, incumbent=False)
    with pytest.raises(CalibrationError, match=r"folds must be 0 \(off\) or 2\.\.4"):
        calibrate(problem, _lsa_pairs(problem), folds=9)


def test_the_result_is_json_able_and_the_problem_untouched() -> None:
    import json

    problem = make_problem(5, 6, 9, prefs=False, incumbent=False)
    before = dict(problem.weights)
    cal = calibrate(problem, _lsa_pairs(problem), bootstrap=3)
    assert dict(problem.weights) == before
    text = json.dumps(cal.to_dict())
    assert '"recovered_rate": 1.0' in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        cal.violation = 1.0  # type: ignore[misc]


def test_the_calibrated_solve_uses_the_engine() -> None:
    problem = make_problem(6, 6, 12, prefs=False, incumbent=False)
    ref = _lsa_pairs(problem)
    cal = calibrate(problem, ref)
    again = solve(dataclasses.replace(problem, weights=dict(cal.weights)))
    assert sorted(again.pairs) == sorted(cal.pairing)
    assert cal.status == "optimal"


def test_agreement_counts_and_explains_each_disagreement() -> None:
    from matching import agreement

    problem = make_problem(6, 6, 21, prefs=False, incumbent=False)
    best = _lsa_pairs(problem)
    same = agreement(problem, best, best)
    assert (same.exact, same.same_prefecture, same.disagreements) == (6, 6, ())
    (r0, s0), (r1, s1) = best[0], best[1]
    swapped = [(r0, s1), (r1, s0), *best[2:]]
    found = agreement(problem, best, swapped)
    assert found.exact == 4 and len(found.disagreements) == 2
    for d in found.disagreements:
        i = problem.r_index(d.recipient)
        gap = (
            problem.score[i, problem.s_index(d.chosen)]
            - problem.score[i, problem.s_index(d.reference)]
        )
        assert d.gap == pytest.approx(gap)
        assert set(d.favour_chosen).isdisjoint(d.favour_reference)
    # the swap costs the pairing: the two gaps cannot both favour the reference
    assert sum(d.gap for d in found.disagreements) >= -1e-12
    with pytest.raises(CalibrationError, match="unknown supporter 'x'"):
        agreement(problem, best, [(r0, "x")])


def test_a_reference_of_locked_pairs_only_is_refused() -> None:
    problem = make_problem(4, 4, 6, prefs=False, incumbent=False)
    ref = _lsa_pairs(problem)
    rules = MatchSettings(rules=MatchRules(locks=tuple(ref[:2])))
    with pytest.raises(CalibrationError, match="every reference pair is locked"):
        calibrate(problem, ref[:2], settings=rules)
    # locked pairs beside informative ones are fine, also in folds whose training part is locked
    cal = calibrate(problem, ref, settings=rules, folds=2, seed=1)
    assert cal.violation <= 1e-7 and set(ref[:2]) <= set(cal.pairing)
