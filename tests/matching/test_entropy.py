"""Golden tests of the strength index and the entropy-weight method, computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import make_inputs

from matching import CriteriaSettings, MatchSettings, OptionsError, prepare
from matching.indicators import (
    entropy_weights,
    indicator_table,
    minmax_normalise,
    strength_index,
)


def test_entropy_weights_golden() -> None:
    # A: 1, 2, 3      -> x' = 0, 1/2, 1   -> p = 0, 1/3, 2/3
    # B: 10, 10, 40   -> x' = 0, 0, 1     -> p = 0, 0, 1      -> e = 0 (0 ln 0 = 0)
    # C: 5, 7, NaN    -> x' = 0, 1, NaN   -> p = 0, 1 (n = 2) -> e = 0
    table = pd.DataFrame(
        {"A": [1.0, 2.0, 3.0], "B": [10.0, 10.0, 40.0], "C": [5.0, 7.0, math.nan]},
        index=["u", "v", "w"],
    )
    norm = minmax_normalise(table)
    assert norm["A"].tolist() == [0.0, 0.5, 1.0]
    assert norm["B"].tolist() == [0.0, 0.0, 1.0]
    assert norm.loc["w", "C"] != norm.loc["w", "C"]  # NaN stays NaN

    e_a = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    d_a, d_b, d_c = 1 - e_a, 1.0, 1.0
    total = d_a + d_b + d_c
    w = entropy_weights(norm)
    assert w["A"] == pytest.approx(d_a / total, abs=1e-12)
    assert w["B"] == pytest.approx(d_b / total, abs=1e-12)
    assert w["C"] == pytest.approx(d_c / total, abs=1e-12)
    assert w.sum() == pytest.approx(1.0)

    s = strength_index(norm, w.to_dict())
    wa, wb, wc = d_a / total, d_b / total, d_c / total
    assert s["u"] == pytest.approx(0.0)
    assert s["v"] == pytest.approx(wa * 0.5 + wc * 1.0)
    # w has no C: the weights are renormalised over A and B.
    assert s["w"] == pytest.approx((wa * 1.0 + wb * 1.0) / (wa + wb))


def test_constant_indicator_gets_zero_weight_and_all_constant_gives_equal() -> None:
    table = pd.DataFrame({"A": [1.0, 2.0, 4.0], "K": [3.0, 3.0, 3.0]})
    w = entropy_weights(minmax_normalise(table))
    assert w["K"] == 0.0 and w["A"] == pytest.approx(1.0)
    flat = pd.DataFrame({"K": [3.0, 3.0], "L": [1.0, 1.0]})
    assert entropy_weights(minmax_normalise(flat)).tolist() == [0.5, 0.5]


def test_indicator_table_per_capita_and_missing_population() -> None:
    counties = pd.DataFrame(
        {
            "gdp_2019_yi": [100.0, 50.0],
            "population_wan": [50.0, math.nan],
            "revenue_2019_yi": [5.0, 2.0],
            "urban_income_2019_yuan": [30000, 20000],
            "rural_income_2019_yuan": [12000, math.nan],
        },
        index=["a", "b"],
    )
    t = indicator_table(counties)
    assert t.loc["a", "gdp_per_capita"] == pytest.approx(100e8 / 50e4)  # 20000 yuan
    assert np.isnan(t.loc["b", "gdp_per_capita"])
    assert np.isnan(t.loc["b", "rural_income"])


def test_prepare_strength_index_with_given_weights_by_hand() -> None:
    # Only GDP and rural income, weights 3 : 1. GDP over the six counties of the tiny
    # instance: 100 150 200 2000 900 600 -> min 100, max 2000. Rural income: 11000 12000
    # NaN 24000 20000 19000 -> min 11000, max 24000 (the district rc has none).
    settings = MatchSettings(
        criteria=CriteriaSettings(
            strength_weighting="given", indicator_weights=(("gdp", 3.0), ("rural_income", 1.0))
        )
    )
    p = prepare(make_inputs(), settings)
    s = p.details["strength_index"]
    g = {c: (v - 100) / 1900 for c, v in {"ra": 100, "rb": 150, "rc": 200, "sb": 900}.items()}
    r = {c: (v - 11000) / 13000 for c, v in {"ra": 11000, "rb": 12000, "sb": 20000}.items()}
    assert s["ra"] == pytest.approx(0.0)
    assert s["rb"] == pytest.approx(0.75 * g["rb"] + 0.25 * r["rb"])
    assert s["rc"] == pytest.approx(g["rc"])  # rural income skipped, weights renormalised
    assert s["sb"] == pytest.approx(0.75 * g["sb"] + 0.25 * r["sb"])
    assert s["sa"] == pytest.approx(1.0)
    # pair score (1 - S_r) * S_s
    assert p.criteria["strength"][1, 1] == pytest.approx((1 - s["rb"]) * s["sb"])
    assert p.details["indicator_weights"]["gdp"] == pytest.approx(0.75)
    assert p.details["rural_income_missing"] == ["rc"]


def test_prepare_entropy_weights_match_the_method() -> None:
    p = prepare(make_inputs())
    w = p.details["indicator_weights"]
    assert w.sum() == pytest.approx(1.0)
    assert (w > 0).all()
    s = p.details["strength_index"]
    assert s.between(0, 1).all()
    assert s["sa"] > s["sb"] > s["ra"]  # the big district is strongest, ra weakest


def test_given_weighting_needs_weights() -> None:
    with pytest.raises(OptionsError, match="needs indicator_weights"):
        CriteriaSettings(strength_weighting="given")
    with pytest.raises(OptionsError, match="unknown strength indicators"):
        CriteriaSettings(indicator_weights=(("gdp_total", 1.0),))
    with pytest.raises(OptionsError, match="'entropy' or 'given'"):
        CriteriaSettings(strength_weighting="pca")
