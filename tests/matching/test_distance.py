"""Distance matrix: geodesics, the user's matrix, units and the nearness score."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import county_frame, make_inputs

from matching import CriteriaSettings, InputError, MatchSettings, prepare
from matching.distance import distance_matrix, distance_score, geodesic_matrix


def test_geodesic_one_degree_of_longitude_at_the_equator() -> None:
    d = geodesic_matrix([(0.0, 0.0)], [(0.0, 1.0), (0.0, 0.0)])
    assert d[0, 0] == pytest.approx(111.3195, abs=1e-3)  # WGS-84 semi-major axis × π / 180
    assert d[0, 1] == 0.0


def test_prepare_uses_geodesics_between_seats() -> None:
    p = prepare(make_inputs())
    frame = county_frame()
    expected = geodesic_matrix(
        [tuple(frame.loc["ra", ["lat", "lon"]])], [tuple(frame.loc["sa", ["lat", "lon"]])]
    )[0, 0]
    assert p.distance[0, 0] == pytest.approx(expected)
    assert 400 < p.distance[0, 0] < 500  # Zhuxi–Wuhan is about 450 km as the crow flies
    assert p.details["distance_source"]["source"] == "geodesic"


def test_user_matrix_takes_precedence_and_gaps_fall_back_in_km() -> None:
    user = pd.DataFrame({"sa": [1.0, np.nan], "sb": [2.0, 3.0]}, index=["ra", "rb"])
    p = prepare(make_inputs(distance=user))
    assert p.distance[0, 0] == 1.0 and p.distance[0, 1] == 2.0 and p.distance[1, 1] == 3.0
    assert p.distance[1, 0] > 100  # geodesic fallback
    note = p.details["distance_source"]
    assert note["source"] == "user+geodesic" and note["geodesic_pairs"] == 9 - 3


def test_minutes_need_every_pair() -> None:
    user = pd.DataFrame({"sa": [60.0]}, index=["ra"])
    with pytest.raises(InputError, match="travel-time matrix misses 8 pair"):
        prepare(make_inputs(distance=user, distance_unit="min"))
    full = pd.DataFrame(
        np.arange(9, dtype=float).reshape(3, 3) * 30 + 30,
        index=["ra", "rb", "rc"],
        columns=["sa", "sb", "sc"],
    )
    settings = MatchSettings(criteria=CriteriaSettings(distance_scale=120.0))
    p = prepare(make_inputs(distance=full, distance_unit="min"), settings)
    assert p.distance_unit == "min"
    assert p.criteria["distance"][0, 0] == pytest.approx(math.exp(-30 / 120))


def test_bad_user_matrices_are_reported() -> None:
    with pytest.raises(InputError, match="not recipients"):
        prepare(make_inputs(distance=pd.DataFrame({"sa": [1.0]}, index=["sb"])))
    with pytest.raises(InputError, match="negative entries"):
        prepare(make_inputs(distance=pd.DataFrame({"sa": [-1.0]}, index=["ra"])))
    with pytest.raises(InputError, match="'km' or 'min'"):
        distance_matrix(county_frame(), ["ra"], ["sa"], None, "miles")


def test_missing_coordinates_without_matrix() -> None:
    frame = county_frame()
    frame.loc["rb", "lat"] = np.nan
    with pytest.raises(InputError, match=r"without lat/lon.*\['rb'\]"):
        prepare(make_inputs(counties=frame))


def test_distance_score() -> None:
    s = distance_score(np.array([0.0, 250.0, 500.0]), 250.0)
    assert s.tolist() == pytest.approx([1.0, math.exp(-1), math.exp(-2)])
