"""Small hand-built fixtures of the pairing engine (importable by every matching test).

``tiny_inputs`` is a 3 × 3 instance in plain frames, with coordinates of real county seats,
a small sector taxonomy, city clusters, partial willingness lists and an incumbent pairing.
``solver`` runs a test once per solver available on this machine.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from matching import MatchingInputs, available_solvers

SOLVERS = available_solvers()


def county_frame() -> pd.DataFrame:
    """Three recipients and three supporters; ``rc`` is a district without rural income."""
    rows = [
        # id, name, role, order, prefecture, lat, lon, gdp, revenue, urban, rural, pop,
        # industry, resource, focus
        (
            "ra",
            "甲县",
            "recipient",
            1,
            "PA",
            32.32,
            109.72,
            100.0,
            5.0,
            30000,
            11000,
            35.0,
            ("tea", "tourism"),
            ("tea", "herbs"),
            ("food",),
        ),
        (
            "rb",
            "乙县",
            "recipient",
            2,
            "PB",
            30.20,
            110.67,
            150.0,
            8.0,
            32000,
            12000,
            40.0,
            ("herbs",),
            ("herbs",),
            ("pharma", "tourism"),
        ),
        (
            "rc",
            "丙区",
            "recipient",
            3,
            "PA",
            31.00,
            112.00,
            200.0,
            9.0,
            34000,
            math.nan,
            50.0,
            ("machinery",),
            (),
            (),
        ),
        (
            "sa",
            "子区",
            "supporter",
            1,
            "PW",
            30.58,
            114.30,
            2000.0,
            120.0,
            55000,
            24000,
            100.0,
            ("food", "logistics"),
            (),
            ("logistics",),
        ),
        (
            "sb",
            "丑区",
            "supporter",
            2,
            "PB",
            30.70,
            111.28,
            900.0,
            40.0,
            45000,
            20000,
            60.0,
            ("pharma",),
            (),
            (),
        ),
        (
            "sc",
            "寅市",
            "supporter",
            3,
            "PX",
            32.01,
            112.12,
            600.0,
            20.0,
            40000,
            19000,
            90.0,
            ("machinery", "tourism"),
            ("tea",),
            (),
        ),
    ]
    cols = [
        "id",
        "annex_name",
        "role",
        "annex_order",
        "prefecture",
        "lat",
        "lon",
        "gdp_2019_yi",
        "revenue_2019_yi",
        "urban_income_2019_yuan",
        "rural_income_2019_yuan",
        "population_wan",
        "industry_sectors",
        "resource_sectors",
        "focus_sectors",
    ]
    frame = pd.DataFrame(rows, columns=cols).set_index("id")
    frame["full_name"] = frame["annex_name"]
    frame["area_km2"] = 1000.0
    frame["industries"] = ""
    frame["resources"] = ""
    return frame


def sector_frame() -> pd.DataFrame:
    codes = ["tea", "food", "tourism", "logistics", "herbs", "pharma", "machinery"]
    return pd.DataFrame(
        {"name_zh": codes, "name_en": codes, "group": ["g"] * len(codes)},
        index=pd.Index(codes, name="code"),
    )


def link_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("tea", "food", "upstream", 0.8),
            ("herbs", "pharma", "upstream", 0.9),
            ("tourism", "logistics", "complement", 0.5),
            ("machinery", "logistics", "upstream", 0.3),
        ],
        columns=["source", "target", "relation", "strength"],
    )


def region_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"prefecture": ["PA", "PB", "PW", "PX"], "cluster": ["west", "west", "wuhan", "west"]}
    )


def willingness_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("ra", 1, "sa"),
            ("ra", 2, "sc"),
            ("rb", 1, "sb"),
            ("sa", 1, "rb"),
            ("sa", 2, "ra"),
            ("sb", 1, "rb"),
        ],
        columns=["county", "rank", "partner"],
    )


def make_inputs(**changes: object) -> MatchingInputs:
    """The tiny instance, with any field replaced by keyword."""
    fields: dict[str, object] = {
        "counties": county_frame(),
        "sectors": sector_frame(),
        "sector_links": link_frame(),
        "regions": region_frame(),
        "willingness": willingness_frame(),
        "incumbent": pd.DataFrame(
            {"recipient": ["ra", "rb", "rc"], "supporter": ["sc", "sb", "sa"]}
        ),
    }
    fields.update(changes)
    return MatchingInputs(**fields)  # type: ignore[arg-type]


@pytest.fixture
def tiny_inputs() -> MatchingInputs:
    return make_inputs()


@pytest.fixture(params=SOLVERS)
def solver(request: pytest.FixtureRequest) -> str:
    return request.param
