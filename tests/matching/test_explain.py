"""Explanations of chosen pairs: breakdown sums, reasons in words, ranks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.explain import explain_pairs, top_percent
from matching.options import OptionsError
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
        "产业互补度高（前 12%）；距离近（186 公里）；双方意愿：受援方第 1 选择、支援方第 2 选择"
    )
    assert row["recipient_rank"] == 1 and row["supporter_rank"] == 2
    assert row["score_rank"] == 1


def test_reasons_in_english_and_minutes() -> None:
    frame = explain_pairs(_problem(unit="min"), PAIRS, language="en")
    row = frame.set_index("recipient").loc["zhuxi"]
    assert row["reasons"] == (
        "strong industrial complementarity (top 12%); close (186 min); "
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
    assert row["reasons"] == "stated wishes: no list stated (default score); close (305 km)"


def test_pair_below_average_on_every_criterion() -> None:
    frame = explain_pairs(_problem(), [("zhuxi", "daye")], language="zh")
    assert frame.iloc[0]["leading"] == ()
    assert frame.iloc[0]["reasons"] == "整体最优分配所需（各项均不高于平均）"
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
