"""Explanations of chosen pairs: breakdown sums, reasons in words, ranks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.explain import QUARTER, Context, Spread, explain_pairs, reason_text, top_percent
from matching.options import MatchRules, MatchSettings, OptionsError
from matching.problem import MatchingProblem

REC = ("zhuxi", "fangxian", "yunxi")
SUP = ("yidu", "daye", "hanyang")
NAMES = {
    "zhuxi": "竹溪县", "fangxian": "房县", "yunxi": "郧西县",
    "yidu": "宜都市", "daye": "大冶市", "hanyang": "汉阳区",
}


def _problem(unit: str = "km") -> MatchingProblem:
    industry = np.array([[0.9, 0.2, 0.1], [0.3, 0.4, 0.2], [0.1, 0.2, 0.3]])
    distance_c = np.array([[0.8, 0.2, 0.2], [0.2, 0.3, 0.2], [0.2, 0.2, 0.3]])
    willingness = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.0, 0.0, 0.5]])
    strength = np.full((3, 3), 0.5)
    km = np.array([[186.4, 500.0, 480.0], [420.0, 390.0, 410.0], [300.0, 310.0, 305.0]])
    return MatchingProblem(
        recipients=REC,
        supporters=SUP,
        names=NAMES,
        full_names={},
        prefecture={},
        criteria={
            "strength": strength, "industry": industry, "distance": distance_c,
            "willingness": willingness,
        },
        weights={"strength": 0.4, "industry": 0.3, "distance": 0.2, "willingness": 0.1},
        distance=km,
        distance_unit=unit,
        recipient_prefs={"zhuxi": ("yidu", "daye")},
        supporter_prefs={"yidu": ("fangxian", "zhuxi")},
    )


PAIRS = [("zhuxi", "yidu"), ("fangxian", "daye"), ("yunxi", "hanyang")]


def test_reasons_in_chinese() -> None:
    frame = explain_pairs(_problem(), PAIRS, language="zh")
    row = frame.set_index("recipient").loc["zhuxi"]
    assert row["recipient_name"] == "竹溪县" and row["supporter_name"] == "宜都市"
    # industry advantage 0.3*(0.9-0.3)=0.18 > distance 0.2*(0.8-0.29)≈0.10 > willingness.
    assert row["leading"] == ("industry", "distance", "willingness")
    assert row["reasons"] == (
        "产业互补度高（前 12%）；距离近（186 公里，最近的 12%）；"
        "双方意愿：受援方列为第 1 选择，支援方列为第 2 选择"
    )
    assert row["recipient_rank"] == 1 and row["supporter_rank"] == 2
    assert row["score_rank"] == 1


def test_reasons_in_english_and_minutes() -> None:
    frame = explain_pairs(_problem(unit="min"), PAIRS, language="en")
    row = frame.set_index("recipient").loc["zhuxi"]
    assert row["reasons"] == (
        "strong industrial complementarity (top 12%); close (186 min, closest 12%); "
        "stated wishes: recipient's 1st choice, supporter's 2nd choice"
    )


def test_unlisted_ranks_are_none_and_no_lead_is_worded() -> None:
    frame = explain_pairs(_problem(), PAIRS, language="en").set_index("recipient")
    assert frame.loc["fangxian", "recipient_rank"] is None  # fangxian stated no list
    assert frame.loc["fangxian", "supporter_rank"] is None  # daye stated no list
    # fangxian–daye: industry 0.4 > mean, so industry leads.
    assert frame.loc["fangxian", "leading"][0] == "industry"
    # yunxi–hanyang: willingness 0.1*(0.5-1/3) > distance 0.2*(0.3-2.6/9); industry = mean.
    row = frame.loc["yunxi"]
    assert row["leading"] == ("willingness", "distance")
    # 305 km is the 3rd shortest of 9 distances (top 34%): neither near nor far.
    assert row["reasons"] == (
        "stated wishes: recipient stated no list, supporter stated no list; "
        "middling distance (305 km; median 390 km)"
    )


def test_pair_below_average_on_every_criterion() -> None:
    frame = explain_pairs(_problem(), [("zhuxi", "daye")], language="zh")
    assert frame.iloc[0]["leading"] == ()
    # 500 km is the farthest of the 9 pairs: named as the weakest criterion.
    assert frame.iloc[0]["weakest"] == "distance"
    assert frame.iloc[0]["weakest_percent"] == 12
    assert frame.iloc[0]["reasons"] == (
        "整体最优分配所需（各项均不高于平均）；短板：距离远（500 公里，最远的 12%）"
    )
    assert frame.iloc[0]["score_rank"] == 2


def test_bad_language_is_rejected() -> None:
    with pytest.raises(OptionsError, match="language must be one of zh, en, got 'fr'"):
        explain_pairs(_problem(), PAIRS, language="fr")
    with pytest.raises(OptionsError, match="reasons must be at least 1"):
        explain_pairs(_problem(), PAIRS, reasons=0)


def test_top_percent_rounds_up() -> None:
    values = np.arange(100, dtype=float)
    assert top_percent(values, 99.0) == 1
    assert top_percent(values, 90.0) == 10
    assert top_percent(values, 0.0) == 100


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5), st.integers(2, 5), st.integers(0, 2**31 - 1))
def test_breakdown_sums_to_score(n_r: int, n_s: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rec = tuple(f"r{i}" for i in range(n_r))
    sup = tuple(f"s{j}" for j in range(n_s))
    raw = rng.random(3)
    weights = dict(zip(("strength", "industry", "plan"), raw / raw.sum(), strict=True))
    p = MatchingProblem(
        recipients=rec, supporters=sup, names={}, full_names={}, prefecture={},
        criteria={c: rng.random((n_r, n_s)) for c in weights},
        weights=weights, distance=rng.random((n_r, n_s)) * 500,
    )
    pairs = [(r, sup[i % n_s]) for i, r in enumerate(rec)]
    frame = explain_pairs(p, pairs, language="en")
    contrib = frame[[f"{c}_contribution" for c in weights]].sum(axis=1).to_numpy()
    np.testing.assert_allclose(contrib, frame["score"].to_numpy(), atol=1e-12)
    for _, row in frame.iterrows():
        i, j = p.r_index(row["recipient"]), p.s_index(row["supporter"])
        assert row["score"] == pytest.approx(p.score[i, j])
        assert row["score_rank"] == 1 + int(np.sum(p.score[i] > p.score[i, j] + 1e-12))
        assert len(row["leading"]) <= 3


@pytest.mark.parametrize(
    ("pair", "zh", "en", "stated"),
    [
        (("zhuxi", "yidu"), "受援方列为第 1 选择，支援方列为第 2 选择",
         "recipient's 1st choice, supporter's 2nd choice", ("rank", "rank")),
        (("zhuxi", "hanyang"), "受援方列了 2 个其他意向、未列此县，支援方未提交意向名单",
         "recipient listed 2 others, not this one, supporter stated no list", ("others", "none")),
        (("fangxian", "yidu"), "受援方未提交意向名单，支援方列为第 1 选择",
         "recipient stated no list, supporter's 1st choice", ("none", "rank")),
        (("yunxi", "yidu"), "受援方未提交意向名单，支援方列了 2 个其他意向、未列此县",
         "recipient stated no list, supporter listed 2 others, not this one", ("none", "others")),
    ],
)
def test_willingness_says_what_each_side_stated(
    pair: tuple[str, str], zh: str, en: str, stated: tuple[str, str]
) -> None:
    p = _problem()
    assert reason_text(p, "willingness", *pair, "zh") == "双方意愿：" + zh
    assert reason_text(p, "willingness", *pair, "en") == "stated wishes: " + en
    row = explain_pairs(p, [pair], language="en").iloc[0]
    assert (row["recipient_stated"], row["supporter_stated"]) == stated


def test_zhuxi_stated_a_list_on_the_hubei_data() -> None:
    # The issue: "双方意愿：均未列明" was printed for 竹溪县, which lists 天门市 at rank 1.
    shanchuan = pytest.importorskip("shanchuan")
    import matching
    from shanchuan import stages

    loaded = shanchuan.load()
    st_ = loaded.settings("matching")
    problem = matching.prepare(stages.matching_inputs(loaded.data("matching"), st_), st_.matching)
    assert problem.recipient_prefs["zhuxi"]  # it did state a list
    result = matching.solve(problem, st_.matching)
    for lang, word in (("zh", "均未列明"), ("en", "no list stated (default score)")):
        frame = explain_pairs(problem, result, language=lang, reasons=6).set_index("recipient")
        assert not frame["reasons"].str.contains(word, regex=False).any()
    frame = explain_pairs(problem, result, language="zh", reasons=6).set_index("recipient")
    partner = dict(result.pairs)["zhuxi"]
    expected = reason_text(problem, "willingness", "zhuxi", partner, "zh")
    n_listed = len(problem.recipient_prefs["zhuxi"])
    if partner in problem.recipient_prefs["zhuxi"]:
        assert "受援方列为第" in expected
    else:
        assert f"受援方列了 {n_listed} 个其他意向、未列此县" in expected
    assert frame.loc["zhuxi", "recipient_stated"] in ("rank", "others")
    for _, row in frame.iterrows():  # every side's statement matches the lists
        listed = problem.recipient_prefs.get(row.name, ())
        want = "rank" if row["supporter"] in listed else ("others" if listed else "none")
        assert row["recipient_stated"] == want


def test_spread_ranks_against_the_distribution() -> None:
    values = np.arange(1.0, 101.0)  # 1..100
    up = Spread(values)
    assert (up.best(100.0), up.worst(100.0)) == (1, 100)
    assert (up.best(1.0), up.worst(1.0)) == (100, 1)
    assert up.best(76.0) == 25 and up.worst(25.0) == 25
    down = Spread(values, lower_is_better=True)
    assert (down.best(1.0), down.worst(1.0)) == (1, 100)
    assert down.worst(96.0) == 5 and down.best(25.0) == 25


def test_near_and_far_are_relative_to_the_allowed_pairs() -> None:
    # 230 km at the median of the distances is "middling", not "near" (the issue).
    rng = np.random.default_rng(3)
    km = np.sort(rng.uniform(50.0, 600.0, size=400)).reshape(20, 20)
    km[10, 0] = float(np.median(km))
    km[0, 0], km[19, 19] = 30.0, 700.0
    rec = tuple(f"r{i}" for i in range(20))
    sup = tuple(f"s{j}" for j in range(20))
    p = MatchingProblem(
        recipients=rec, supporters=sup, names={}, full_names={}, prefecture={},
        criteria={"distance": 1.0 - km / 700.0}, weights={"distance": 1.0}, distance=km,
    )
    mid = reason_text(p, "distance", "r10", "s0", "zh")
    assert mid.startswith("距离中等（") and "中位数" in mid
    assert reason_text(p, "distance", "r0", "s0", "en") == "close (30 km, closest 1%)"
    assert reason_text(p, "distance", "r19", "s19", "en") == "far (700 km, farthest 1%)"
    assert reason_text(p, "distance", "r19", "s19", "zh") == "距离远（700 公里，最远的 1%）"
    # with a 650 km cap the 700 km pair is not allowed; a 600-ish pair is now the farthest
    capped = MatchSettings(rules=MatchRules(max_distance=650.0))
    frame = explain_pairs(p, [("r19", "s18")], language="en", settings=capped)
    assert frame.iloc[0]["weakest"] == "distance"
    far = f"weakest: far ({km[19, 18]:.0f} km, farthest 1%)"
    assert frame.iloc[0]["reasons"].endswith(far)
    ctx = Context(p)
    assert ctx.spread("distance_raw").values.size == 400


def test_weakest_is_named_only_in_the_bottom_quarter() -> None:
    frame = explain_pairs(_problem(), PAIRS, language="zh").set_index("recipient")
    for _, row in frame.iterrows():
        if row["weakest"] is None:
            assert "短板" not in row["reasons"]
        else:
            assert row["weakest_percent"] <= QUARTER
            assert row["weakest"] not in row["leading"]
            assert "短板：" in row["reasons"]
