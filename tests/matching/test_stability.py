"""Stability audit: hand-built cases and an independent count-based brute force."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MatchSettings, MatchStatus, solve
from matching.instances import make_problem
from matching.options import MatchRules
from matching.problem import MatchingProblem
from matching.stability import BLOCKING_COLUMNS, blocking_pairs, is_stable
from matching.verify import blocking_pairs as core_blocking


def _problem(
    recipients: tuple[str, ...],
    supporters: tuple[str, ...],
    r_prefs: dict[str, tuple[str, ...]],
    s_prefs: dict[str, tuple[str, ...]],
) -> MatchingProblem:
    shape = (len(recipients), len(supporters))
    return MatchingProblem(
        recipients=recipients,
        supporters=supporters,
        names={c: c.upper() for c in recipients + supporters},
        full_names={},
        prefecture={},
        criteria={"strength": np.full(shape, 0.5)},
        weights={"strength": 1.0},
        distance=np.full(shape, 100.0),
        recipient_prefs=r_prefs,
        supporter_prefs=s_prefs,
    )


def test_known_blocking_pair() -> None:
    # r1 and s1 rank each other first but are paired elsewhere.
    p = _problem(
        ("r1", "r2"),
        ("s1", "s2"),
        {"r1": ("s1", "s2"), "r2": ("s1", "s2")},
        {"s1": ("r1", "r2"), "s2": ("r1", "r2")},
    )
    frame = blocking_pairs(p, [("r1", "s2"), ("r2", "s1")])
    assert list(frame.columns) == list(BLOCKING_COLUMNS)
    assert frame[["recipient", "supporter"]].values.tolist() == [["r1", "s1"]]
    row = frame.iloc[0]
    assert row["recipient_rank"] == 1 and row["recipient_partner"] == "s2"
    assert row["recipient_partner_rank"] == 2
    assert row["supporter_rank"] == 1 and row["supporter_partner"] == "r2"
    assert row["supporter_partner_rank"] == 2
    assert row["recipient_name"] == "R1"
    assert is_stable(p, [("r1", "s1"), ("r2", "s2")])


def test_county_without_list_is_not_bound() -> None:
    # s1 stated no list: r1 wanting s1 cannot block, however r1 ranks its partner.
    p = _problem(("r1", "r2"), ("s1", "s2"), {"r1": ("s1", "s2")}, {"s2": ("r2",)})
    assert is_stable(p, [("r1", "s2"), ("r2", "s1")])


def test_unlisted_partner_is_worse_than_any_listed() -> None:
    # r1 is paired with s2, which it does not list; s1 lists r1 and is paired with unlisted r2.
    p = _problem(("r1", "r2"), ("s1", "s2"), {"r1": ("s1",)}, {"s1": ("r1",)})
    frame = blocking_pairs(p, [("r1", "s2"), ("r2", "s1")])
    assert frame[["recipient", "supporter"]].values.tolist() == [["r1", "s1"]]
    assert frame.iloc[0]["recipient_partner_rank"] is None
    assert frame.iloc[0]["supporter_partner_rank"] is None


def test_free_slot_counts_as_worse_than_listed() -> None:
    # s2 has a free slot (capacity 2) and lists r1; r1 prefers s2 to its partner s1.
    p = _problem(
        ("r1", "r2"), ("s1", "s2"), {"r1": ("s2", "s1")}, {"s2": ("r2", "r1")}
    )
    rules = MatchRules(supporter_capacity=2)
    frame = blocking_pairs(p, [("r1", "s1"), ("r2", "s2")], rules)
    assert frame[["recipient", "supporter"]].values.tolist() == [["r1", "s2"]]
    assert frame.iloc[0]["supporter_partner"] is None
    # With capacity 1, s2 is full with r2 whom it prefers: no blocking pair.
    assert is_stable(p, [("r1", "s1"), ("r2", "s2")])


def _brute_blocking(
    rec: tuple[str, ...],
    sup: tuple[str, ...],
    r_prefs: dict[str, tuple[str, ...]],
    s_prefs: dict[str, tuple[str, ...]],
    pairs: set[tuple[str, str]],
    demand: int,
    capacity: int,
) -> set[tuple[str, str]]:
    """Count form: (r, s) acceptable blocks unless x[r,s] = 1, or r holds ``demand`` partners
    it ranks above s, or s holds ``capacity`` partners it ranks above r."""
    out = set()
    for r, s in itertools.product(rec, sup):
        if s not in r_prefs.get(r, ()) or r not in s_prefs.get(s, ()):
            continue
        if (r, s) in pairs:
            continue
        better_r = sum(
            1 for (a, b) in pairs
            if a == r and b in r_prefs[r] and r_prefs[r].index(b) < r_prefs[r].index(s)
        )
        better_s = sum(
            1 for (a, b) in pairs
            if b == s and a in s_prefs[s] and s_prefs[s].index(a) < s_prefs[s].index(r)
        )
        if better_r >= demand or better_s >= capacity:
            continue
        out.add((r, s))
    return out


@st.composite
def _instances(draw: st.DrawFn) -> tuple:
    n_r = draw(st.integers(1, 4))
    n_s = draw(st.integers(1, 4))
    capacity = draw(st.integers(1, 2))
    rec = tuple(f"r{i}" for i in range(n_r))
    sup = tuple(f"s{j}" for j in range(n_s))

    def prefs(owners: tuple[str, ...], others: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        out = {}
        for o in owners:
            if draw(st.booleans()) or draw(st.booleans()):
                ranked = draw(st.permutations(others))
                out[o] = tuple(ranked[: draw(st.integers(0, len(others)))])
        return out

    r_prefs, s_prefs = prefs(rec, sup), prefs(sup, rec)
    pairs = set()
    load = dict.fromkeys(sup, 0)
    for r in rec:
        s = draw(st.sampled_from((None, *sup)))
        if s is not None and load[s] < capacity:
            pairs.add((r, s))
            load[s] += 1
    return rec, sup, r_prefs, s_prefs, pairs, capacity


@settings(max_examples=50, deadline=None)
@given(_instances())
def test_matches_count_form_brute_force(inst: tuple) -> None:
    rec, sup, r_prefs, s_prefs, pairs, capacity = inst
    p = _problem(rec, sup, r_prefs, s_prefs)
    rules = MatchRules(supporter_capacity=capacity)
    frame = blocking_pairs(p, pairs, rules)
    got = set(zip(frame["recipient"], frame["supporter"], strict=True))
    assert got == _brute_blocking(rec, sup, r_prefs, s_prefs, pairs, 1, capacity)
    assert is_stable(p, pairs, rules) == (not got)


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 5), st.integers(0, 10**6), st.sampled_from([1, 2]))
def test_solution_with_stable_rule_has_no_blocking_pair(n: int, seed: int, cap: int) -> None:
    problem = make_problem(n, n, seed)
    rules = MatchRules(stable=True, supporter_capacity=cap)
    result = solve(problem, MatchSettings(rules=rules))
    assert result.status == MatchStatus.OPTIMAL  # a stable pairing always exists here
    assert blocking_pairs(problem, result.pairs, rules).empty
    # the unconstrained optimum: the audit agrees with the engine's own check
    free = solve(problem, MatchSettings(rules=MatchRules(supporter_capacity=cap)))
    frame = blocking_pairs(problem, free.pairs, rules)
    expected = core_blocking(problem, MatchSettings(rules=rules), free.pairs)
    assert set(zip(frame["recipient"], frame["supporter"], strict=True)) == set(expected)
    assert len(frame) == len(expected)
