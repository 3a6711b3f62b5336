"""Criteria: ranges, hand-computed values and monotonicity."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from conftest import county_frame, link_frame, make_inputs, sector_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import CRITERIA, CriteriaSettings, MatchSettings, prepare
from matching import criteria as crit

CODES = list(sector_frame().index)


def test_every_criterion_is_in_unit_interval(tiny_inputs) -> None:
    p = prepare(tiny_inputs)
    assert set(p.criteria) == set(CRITERIA)
    for name, m in p.criteria.items():
        assert m.shape == (3, 3), name
        assert np.all((m >= 0) & (m <= 1)), name


def test_parse_sectors_accepts_tuples_strings_and_missing() -> None:
    assert crit.parse_sectors(("a", "b", "a")) == ("a", "b")
    assert crit.parse_sectors(" a; b ;;c") == ("a", "b", "c")
    assert crit.parse_sectors(float("nan")) == ()
    assert crit.parse_sectors(None) == ()
    with pytest.raises(TypeError, match="tuple or a ';'-separated string"):
        crit.parse_sectors(3)


def test_semicolon_strings_give_the_same_problem() -> None:
    frame = county_frame()
    as_text = frame.copy()
    for col in ("industry_sectors", "resource_sectors", "focus_sectors"):
        as_text[col] = [";".join(v) for v in frame[col]]
    a = prepare(make_inputs(counties=frame))
    b = prepare(make_inputs(counties=as_text))
    for c in CRITERIA:
        np.testing.assert_array_equal(a.criteria[c], b.criteria[c])


def test_industry_fit_by_hand() -> None:
    # recipient sectors {tea, tourism}; supporter {food, logistics}:
    # tea -> food upstream 0.8; tourism ~ logistics complement 0.5 -> (0.8 + 0.5) / 2
    fit = crit.industry_fit([("tea", "tourism")], [("food", "logistics"), ()], CODES, link_frame())
    assert fit[0, 0] == pytest.approx(0.65)
    assert fit[0, 1] == 0.0  # supporter without sectors
    # downstream counts too: recipient food is covered by supporter tea (0.8)
    assert crit.industry_fit([("food",)], [("tea",)], CODES, link_frame())[0, 0] == pytest.approx(
        0.8
    )
    # shared sector scores 1
    assert crit.industry_fit([("herbs",)], [("herbs",)], CODES, link_frame())[0, 0] == 1.0


def test_resource_fit_uses_links_from_the_resource_only() -> None:
    links = link_frame()
    # herbs supplies pharma (0.9): a pharma supporter can process the herbs
    assert crit.resource_fit([("herbs",)], [("pharma",)], CODES, links)[0, 0] == pytest.approx(0.9)
    # food does not supply tea: a tea supporter does not use a food "resource"
    assert crit.resource_fit([("food",)], [("tea",)], CODES, links)[0, 0] == 0.0
    # complement links count both ways
    assert crit.resource_fit([("logistics",)], [("tourism",)], CODES, links)[0, 0] == 0.5
    assert crit.resource_fit([()], [("tea",)], CODES, links)[0, 0] == 0.0


def test_willingness_borda_by_hand() -> None:
    w = crit.willingness(
        ["r1", "r2", "r3"],
        ["s1", "s2"],
        {"r1": ("s2", "s1"), "r2": ("s1",)},
        {"s1": ("r2", "r1", "r3")},
        unlisted=0.1,
        no_list=0.5,
    )
    # r1 ranks s2 first (1), s1 second (1 - 1/2); s1 ranks r1 second (1 - 1/3); s2 has no list
    assert w[0, 0] == pytest.approx((0.5 + (1 - 1 / 3)) / 2)
    assert w[0, 1] == pytest.approx((1.0 + 0.5) / 2)
    assert w[1, 0] == pytest.approx((1.0 + 1.0) / 2)
    assert w[1, 1] == pytest.approx((0.1 + 0.5) / 2)  # r2 did not list s2
    assert w[2, 0] == pytest.approx((0.5 + (1 - 2 / 3)) / 2)  # r3 has no list


def test_plan_alignment_by_hand_and_fallbacks() -> None:
    m = crit.plan_alignment(
        ["west", None],
        ["west", "east"],
        [("tea", "food"), ()],
        [("food",), ("tea", "food")],
        cluster_share=0.4,
    )
    assert m[0, 0] == pytest.approx(0.4 * 1 + 0.6 * 0.5)
    assert m[0, 1] == pytest.approx(0.6 * 1.0)
    assert m[1, 0] == 0.0  # unknown cluster never matches; no focus sectors
    no_regions = crit.plan_alignment([None], [None], [("tea",)], [("tea",)], cluster_share=0.4)
    assert no_regions[0, 0] == 1.0  # the whole weight goes to the focus overlap
    no_focus = crit.plan_alignment(["a"], ["a"], [()], [("tea",)], cluster_share=0.4)
    assert no_focus[0, 0] == 1.0


def test_strength_need_product_rewards_assortative_pairing() -> None:
    strength = {"r1": 0.1, "r2": 0.3, "s1": 0.9, "s2": 0.5}
    m = crit.strength_need(strength, ["r1", "r2"], ["s1", "s2"])
    assert m[0, 0] == pytest.approx(0.9 * 0.9)
    assortative = m[0, 0] + m[1, 1]  # neediest with strongest
    crossed = m[0, 1] + m[1, 0]
    assert assortative > crossed
    # a plain sum would not tell them apart
    need = np.array([0.9, 0.7])
    power = np.array([0.9, 0.5])
    plain = need[:, None] + power[None, :]
    assert plain[0, 0] + plain[1, 1] == pytest.approx(plain[0, 1] + plain[1, 0])


@settings(max_examples=40, deadline=None)
@given(
    need=st.lists(st.floats(0, 1), min_size=4, max_size=4),
    power=st.lists(st.floats(0, 1), min_size=4, max_size=4),
)
def test_strength_need_optimum_is_assortative(need: list[float], power: list[float]) -> None:
    rs, ss = [f"r{i}" for i in range(4)], [f"s{i}" for i in range(4)]
    strength = {r: 1 - n for r, n in zip(rs, need, strict=True)}
    strength |= dict(zip(ss, power, strict=True))
    m = crit.strength_need(strength, rs, ss)
    best = max(sum(m[i, p[i]] for i in range(4)) for p in itertools.permutations(range(4)))
    order_r = np.argsort(need)
    order_s = np.argsort(power)
    assortative = sum(m[order_r[k], order_s[k]] for k in range(4))
    assert assortative == pytest.approx(best, abs=1e-12)


def test_monotone_in_supporter_gdp_with_given_weights() -> None:
    settings = MatchSettings(
        criteria=CriteriaSettings(strength_weighting="given", indicator_weights=(("gdp", 1.0),))
    )
    base = county_frame()
    richer = base.copy()
    richer.loc["sc", "gdp_2019_yi"] = 1500.0
    a = prepare(make_inputs(counties=base), settings).criteria["strength"]
    b = prepare(make_inputs(counties=richer), settings).criteria["strength"]
    assert np.all(b[:, 2] >= a[:, 2]) and np.any(b[:, 2] > a[:, 2])


def test_monotone_in_shared_sectors_and_distance() -> None:
    base = county_frame()
    more = base.copy()
    more.at["sb", "industry_sectors"] = ("pharma", "tea")
    a = prepare(make_inputs(counties=base)).criteria["industry"]
    b = prepare(make_inputs(counties=more)).criteria["industry"]
    assert np.all(b[:, 1] >= a[:, 1]) and b[0, 1] > a[0, 1]
    p = prepare(make_inputs())
    order = np.argsort(p.distance.ravel())
    score = p.criteria["distance"].ravel()[order]
    assert np.all(np.diff(score) <= 0)


def test_willingness_settings_reach_the_matrix() -> None:
    low = prepare(make_inputs(), MatchSettings(criteria=CriteriaSettings(willingness_no_list=0.0)))
    high = prepare(make_inputs(), MatchSettings(criteria=CriteriaSettings(willingness_no_list=1.0)))
    # rc and sc have no list: their pair scores 0 and 1
    assert low.criteria["willingness"][2, 2] == 0.0
    assert high.criteria["willingness"][2, 2] == 1.0


def test_empty_links_frame_still_counts_shared_sectors() -> None:
    p = prepare(make_inputs(sector_links=pd.DataFrame()))
    assert p.criteria["industry"][2, 2] == pytest.approx(1.0)  # machinery shared
    assert p.criteria["industry"][0, 0] == 0.0  # no links, nothing shared
