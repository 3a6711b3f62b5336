"""verify(): every rule is checked, and the objective is recomputed without the solver."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from matching import MatchingProblem, MatchRules, MatchSettings, solve, verify
from matching.instances import make_problem
from matching.verify import blocking_pairs

P = make_problem(4, 4, 7, n_prefectures=2)
GOOD = tuple((f"r{i}", f"s{i}") for i in range(4))


def rules(**kw: object) -> MatchSettings:
    return MatchSettings(rules=MatchRules(**kw))  # type: ignore[arg-type]


def test_a_valid_pairing_and_its_objective() -> None:
    v = verify(P, MatchSettings(), GOOD)
    assert v.ok and v.problems == ()
    assert v.objective == pytest.approx(sum(P.score[i, i] for i in range(4)))
    assert v.worst_score == pytest.approx(min(P.score[i, i] for i in range(4)))


def test_objective_subtracts_change_penalty() -> None:
    v = verify(P, rules(change_penalty=0.25), GOOD)
    kept = sum(1 for pair in P.incumbent if pair in GOOD)
    assert v.changes == 4 - kept
    assert v.objective == pytest.approx(sum(P.score[i, i] for i in range(4)) - 0.25 * (4 - kept))


@pytest.mark.parametrize(
    ("pairs", "settings_", "message"),
    [
        (
            GOOD[:3],
            MatchSettings(),
            r"exactly 1 supporter\(s\); \(recipient, count\): \[\('r3', 0\)\]",
        ),
        (
            (*GOOD[:3], ("r3", "s0")),
            MatchSettings(),
            r"supporters over capacity 1; \(supporter, count\): \[\('s0', 2\)\]",
        ),
        ((*GOOD, GOOD[0]), MatchSettings(), "pairs listed more than once"),
        ((*GOOD[:3], ("r3", "zz")), MatchSettings(), "outside the problem"),
        (GOOD, rules(locks=(("r0", "s1"),)), r"locked pairs not chosen: \[\('r0', 's1'\)\]"),
        (GOOD, rules(forbids=(("r2", "s2"),)), r"forbidden pairs chosen: \[\('r2', 's2'\)\]"),
        (GOOD, rules(max_distance=1.0), "beyond max_distance 1 km"),
        (GOOD, rules(min_pair_score=0.99), "below min_pair_score 0.99"),
        (GOOD, rules(max_changes=0), "incumbent pairs given up, more than max_changes = 0"),
    ],
)
def test_broken_pairings_are_caught(pairs, settings_: MatchSettings, message: str) -> None:
    v = verify(P, settings_, pairs)
    assert not v.ok
    assert any(re.search(message, p) for p in v.problems), v.problems


def test_prefecture_spread_is_checked() -> None:
    pref = {"r0": "A", "r1": "A", "r2": "B", "r3": "B", "s0": "X", "s1": "X", "s2": "Y", "s3": "Y"}
    p = dataclasses.replace(P, prefecture=pref)
    v = verify(p, rules(prefecture_spread=1), GOOD)  # r0, r1 both served from X
    assert not v.ok
    assert "one supporter prefecture: [(('A', 'X'), 2), (('B', 'Y'), 2)]" in v.problems[0]
    spread = (("r0", "s0"), ("r1", "s2"), ("r2", "s1"), ("r3", "s3"))
    assert verify(p, rules(prefecture_spread=1), spread).ok


def test_blocking_pair_is_caught() -> None:
    p = MatchingProblem(
        recipients=("a", "b"),
        supporters=("x", "y"),
        names={},
        full_names={},
        prefecture={},
        criteria={"strength": P.score[:2, :2]},
        weights={"strength": 1.0},
        distance=P.distance[:2, :2],
        recipient_prefs={"a": ("x", "y"), "b": ("x",)},
        supporter_prefs={"x": ("a", "b"), "y": ("a",)},
    )
    unstable = (("a", "y"), ("b", "x"))  # a and x prefer each other
    assert blocking_pairs(p, rules(stable=True), unstable) == [("a", "x")]
    v = verify(p, rules(stable=True), unstable)
    assert not v.ok and "blocking pairs" in v.problems[0]
    assert verify(p, rules(stable=True), (("a", "x"), ("b", "y"))).ok
    assert verify(p, MatchSettings(), unstable).ok  # stability only checked when asked


def test_solve_results_always_verify() -> None:
    result = solve(P, rules(prefecture_spread=2, min_pair_score=0.1))
    assert result.verification is not None
    again = verify(P, rules(prefecture_spread=2, min_pair_score=0.1), result.pairs)
    assert again.ok == result.verification.ok
    assert math.isclose(again.objective, result.objective)


def test_distinct_unknown_pairs_are_not_called_duplicates() -> None:
    v = verify(P, MatchSettings(), (*GOOD[:2], ("x", "s2"), ("y", "s2")))
    assert not v.ok
    assert not any("more than once" in p for p in v.problems), v.problems
    assert any("outside the problem" in p for p in v.problems)


@pytest.mark.parametrize("kind", ["swap", "duplicate", "drop", "unknown", "repeat"])
def test_corrupted_fast_path_solution_is_caught_at_scale(kind: str) -> None:
    # The vectorised verify must catch a wrong pairing of the size the fast path returns.
    from matching.instances import make_instance

    problem = make_instance(300, 11)
    result = solve(problem, MatchSettings())
    assert result.ok and verify(problem, MatchSettings(), result.pairs).ok
    pairs = list(result.pairs)
    if kind == "swap":  # r0 takes r1's supporter: one supporter twice, one unused
        pairs[0] = (pairs[0][0], pairs[1][1])
    elif kind == "duplicate":
        pairs.append(pairs[5])
    elif kind == "drop":
        del pairs[17]
    elif kind == "unknown":
        pairs[3] = (pairs[3][0], "nowhere")
    else:  # the same pair twice and another recipient missing
        pairs[8] = pairs[9]
    v = verify(problem, MatchSettings(), pairs)
    assert not v.ok and v.problems


def test_solve_reports_failed_when_the_route_returns_a_wrong_pairing(monkeypatch) -> None:
    from matching import fastpath
    from matching.instances import make_instance
    from matching.result import MatchStatus

    problem = make_instance(120, 5)
    real = fastpath.solve_assignment

    def corrupt(*args, **kwargs):
        out = real(*args, **kwargs)
        bad = (out.pairs[0][0], out.pairs[1][1]), *out.pairs[1:]
        return dataclasses.replace(out, pairs=bad)

    monkeypatch.setattr(fastpath, "solve_assignment", corrupt)
    result = solve(problem, MatchSettings())
    assert result.status == MatchStatus.FAILED
    assert "failed verification" in result.message and "over capacity" in result.message
    assert result.objective_breakdown == {}
