"""prepare(): ordering, details, no mutation, collected errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import county_frame, make_inputs, willingness_frame

from matching import InputError, MatchingProblem, MatchSettings, Weights, prepare


def test_ids_names_order_and_details(tiny_inputs) -> None:
    p = prepare(tiny_inputs)
    assert p.recipients == ("ra", "rb", "rc")
    assert p.supporters == ("sa", "sb", "sc")
    assert p.names["ra"] == "甲县" and p.prefecture["sb"] == "PB"
    assert p.recipient_prefs == {"ra": ("sa", "sc"), "rb": ("sb",)}
    assert p.supporter_prefs == {"sa": ("rb", "ra"), "sb": ("rb",)}
    assert p.incumbent == (("ra", "sc"), ("rb", "sb"), ("rc", "sa"))
    for key in (
        "indicators",
        "indicators_normalised",
        "indicator_weights",
        "strength_index",
        "need",
        "distance_source",
        "clusters",
    ):
        assert key in p.details
    assert p.details["clusters"]["sa"] == "wuhan"
    assert p.details["need"]["ra"] == pytest.approx(1 - p.details["strength_index"]["ra"])
    assert sum(p.weights.values()) == pytest.approx(1.0)


def test_annex_order_decides_the_order() -> None:
    frame = county_frame()
    frame.loc[["ra", "rb", "rc"], "annex_order"] = [3, 1, 2]
    p = prepare(make_inputs(counties=frame.iloc[::-1]))
    assert p.recipients == ("rb", "rc", "ra")
    assert p.supporters == ("sa", "sb", "sc")


def test_callers_frames_are_not_mutated(tiny_inputs) -> None:
    before = {k: getattr(tiny_inputs, k).copy(deep=True) for k in ("counties", "willingness")}
    prepare(tiny_inputs)
    for k, frame in before.items():
        pd.testing.assert_frame_equal(getattr(tiny_inputs, k), frame)


def test_weights_are_normalised() -> None:
    p = prepare(make_inputs(), MatchSettings(weights=Weights(2, 0, 0, 2, 0, 0)))
    assert p.weights["strength"] == 0.5 and p.weights["industry"] == 0.0
    np.testing.assert_allclose(p.score, 0.5 * p.criteria["strength"] + 0.5 * p.criteria["distance"])


def test_input_problems_are_collected() -> None:
    frame = county_frame()
    frame.at["ra", "industry_sectors"] = ("tea", "steel")
    frame.at["sb", "focus_sectors"] = ("chips",)
    with pytest.raises(InputError, match=r"2 problems") as info:
        prepare(make_inputs(counties=frame))
    assert "ra: industry_sectors has unknown sector codes ['steel']" in str(info.value)
    assert "sb: focus_sectors has unknown sector codes ['chips']" in str(info.value)
    bad = county_frame()
    bad.loc["sa", "role"] = "donor"
    with pytest.raises(InputError, match="role must be 'recipient' or 'supporter'"):
        prepare(make_inputs(counties=bad))
    with pytest.raises(InputError, match="lacks columns"):
        prepare(make_inputs(counties=county_frame().drop(columns=["gdp_2019_yi"])))


def test_link_problems() -> None:
    links = pd.DataFrame(
        [("tea", "food", "sideways", 1.5)], columns=["source", "target", "relation", "strength"]
    )
    with pytest.raises(InputError, match="upstream/complement") as info:
        prepare(make_inputs(sector_links=links))
    assert "strengths must be numbers in [0, 1]" in str(info.value)


def test_willingness_problems() -> None:
    w = willingness_frame()
    dup = pd.concat([w, pd.DataFrame([("ra", 1, "sb")], columns=w.columns)])
    with pytest.raises(InputError, match="ranks of 'ra' must be distinct"):
        prepare(make_inputs(willingness=dup))
    wrong_side = pd.DataFrame([("ra", 1, "rb"), ("zz", 1, "sa")], columns=w.columns)
    with pytest.raises(InputError, match="2 problems") as info:
        prepare(make_inputs(willingness=wrong_side))
    assert "names ['rb'], which are not supporters" in str(info.value)
    assert "unknown county 'zz'" in str(info.value)


def test_incumbent_with_unknown_county() -> None:
    inc = pd.DataFrame({"recipient": ["ra"], "supporter": ["nowhere"]})
    with pytest.raises(InputError, match="incumbent pair"):
        prepare(make_inputs(incumbent=inc))


def test_problem_validates_direct_construction() -> None:
    with pytest.raises(InputError, match="criterion 'strength' has shape"):
        MatchingProblem(
            recipients=("a",),
            supporters=("b", "c"),
            names={},
            full_names={},
            prefecture={},
            criteria={"strength": np.zeros((1, 1))},
            weights={"strength": 1.0},
            distance=np.zeros((1, 2)),
        )
    with pytest.raises(InputError, match="weights must sum to 1"):
        MatchingProblem(
            recipients=("a",),
            supporters=("b",),
            names={},
            full_names={},
            prefecture={},
            criteria={"strength": np.zeros((1, 1))},
            weights={"strength": 0.5},
            distance=np.zeros((1, 1)),
        )


def test_county_without_any_indicator() -> None:
    frame = county_frame()
    for col in (
        "gdp_2019_yi",
        "revenue_2019_yi",
        "urban_income_2019_yuan",
        "rural_income_2019_yuan",
    ):
        frame.loc["rc", col] = np.nan
    with pytest.raises(InputError, match=r"no strength indicator .* \['rc'\]"):
        prepare(make_inputs(counties=frame))
