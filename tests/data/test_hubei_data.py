"""Facts and consistency of the embedded default data of scenario ``hubei-2021``."""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "shanchuan" / "data" / "hubei-2021"
# The project's shared folder sits beside the repository (also in CI's clean clone).
SHARED = next(
    (p for p in (ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()),
    ROOT.parent / "shared",
)
PLAN = SHARED / "seed" / "plan-2020-38.md"
REFERENCE = SHARED / "data" / "hubei-2021-counties-reference.csv"

# Annex 2 of 鄂政办函〔2020〕38号, in the printed order.
RECIPIENTS = [
    "竹溪县", "五峰县", "宣恩县", "英山县", "竹山县", "来凤县", "郧西县", "鹤峰县", "巴东县",
    "罗田县", "孝昌县", "建始县", "咸丰县", "浠水县", "长阳县", "通山县", "秭归县", "红安县",
    "大悟县", "利川市", "房县", "通城县",
]  # fmt: skip
SUPPORTERS = [
    "武汉东湖新技术开发区", "武汉经济技术开发区", "武汉市武昌区", "武汉市东西湖区", "武汉市江岸区",
    "武汉市江汉区", "武汉市洪山区", "武汉市黄陂区", "仙桃市", "潜江市", "襄阳市襄州区", "大冶市",
    "宜都市", "汉川市", "枣阳市", "天门市", "襄阳市樊城区", "枝江市", "钟祥市", "宜昌市夷陵区",
    "荆州市沙市区", "赤壁市",
]  # fmt: skip
COUNTY_COLUMNS = [
    "id", "annex_name", "full_name", "role", "annex_order", "prefecture", "lat", "lon",
    "gdp_2019_yi", "revenue_2019_yi", "urban_income_2019_yuan", "rural_income_2019_yuan",
    "population_wan", "area_km2", "industries", "resources", "industry_sectors",
    "resource_sectors", "focus_sectors", "source",
]  # fmt: skip
PROJECT_COLUMNS = [
    "id", "recipient", "supporter", "title", "category", "low_income", "ecological",
    "infrastructure", "earliest_start", "duration_years", "cost_per_year_wan",
    "special_fund_request_wan", "special_fund_min_wan", "supporter_fund_wan", "other_fund_wan",
    "people_benefited", "low_income_benefited", "jobs", "income_uplift_wan", "readiness",
    "requires", "excludes", "source",
]  # fmt: skip
CATEGORIES = {
    "industrial_park", "industry_chain", "agriculture_income", "urbanisation_infrastructure",
    "ecological_protection", "talent_skills", "education", "health", "culture", "public_welfare",
}  # fmt: skip
CLUSTERS = {"武汉城市圈", "襄十随神城市群", "宜荆荆恩城市群"}
GROUPS = {"agriculture", "processing", "manufacturing", "energy_resources", "services"}


def _load_script(name: str) -> ModuleType:
    path = ROOT / "scenarios" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_shanchuan_scenarios_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def _text(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False, encoding="utf-8")


def _codes(value: str) -> list[str]:
    return [c for c in value.split(";") if c]


@pytest.fixture(scope="module")
def counties() -> pd.DataFrame:
    return _text("counties.csv")


@pytest.fixture(scope="module")
def sectors() -> pd.DataFrame:
    return _text("sectors.csv")


@pytest.fixture(scope="module")
def links() -> pd.DataFrame:
    return _text("sector_links.csv")


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return _text("regions.csv")


@pytest.fixture(scope="module")
def willingness() -> pd.DataFrame:
    return _text("willingness.csv")


@pytest.fixture(scope="module")
def projects() -> pd.DataFrame:
    return _text("projects.csv")


@pytest.fixture(scope="module")
def gen_projects() -> ModuleType:
    return _load_script("generate_projects")


@pytest.fixture(scope="module")
def gen_willingness() -> ModuleType:
    return _load_script("generate_willingness")


# --- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "counties.csv",
        "sectors.csv",
        "sector_links.csv",
        "regions.csv",
        "willingness.csv",
        "projects.csv",
    ],
)
def test_csv_is_plain_utf8_without_bom_or_crlf(name: str) -> None:
    raw = (DATA / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw
    raw.decode("utf-8")


def test_readme_describes_every_file() -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for name in [
        "counties.csv",
        "sectors.csv",
        "sector_links.csv",
        "regions.csv",
        "willingness.csv",
        "projects.csv",
    ]:
        assert name in text
    for word in ["estimate", "synthetic", "illustrative", "generate_projects.py"]:
        assert word in text


# --- counties --------------------------------------------------------------------------------


def test_counties_columns_and_counts(counties: pd.DataFrame) -> None:
    assert list(counties.columns) == COUNTY_COLUMNS
    assert (counties["role"] == "recipient").sum() == 22
    assert (counties["role"] == "supporter").sum() == 22
    assert len(counties) == 44


@pytest.mark.parametrize(
    ("role", "expected"), [("recipient", RECIPIENTS), ("supporter", SUPPORTERS)]
)
def test_annex_names_in_annex_order(counties: pd.DataFrame, role: str, expected: list[str]) -> None:
    rows = counties[counties["role"] == role]
    assert rows["annex_order"].astype(int).tolist() == list(range(1, 23))
    assert rows["annex_name"].tolist() == expected


def _annex_list(text: str, heading: str) -> list[str]:
    match = re.search(heading + r"\s*\n\s*\n?(.+?)(?:（|\()按照", text, flags=re.S)
    assert match, f"no list after {heading} in the plan text"
    return [name.strip() for name in match.group(1).strip().rstrip("、").split("、")]


def test_hard_coded_lists_equal_the_plan_text() -> None:
    if not PLAN.exists():
        pytest.skip(f"plan text not available at {PLAN}")
    text = PLAN.read_text(encoding="utf-8")
    assert _annex_list(text, "一、受援地名单") == RECIPIENTS
    assert _annex_list(text, "二、支援地名单") == SUPPORTERS


def test_figures_equal_the_shared_reference(counties: pd.DataFrame) -> None:
    if not REFERENCE.exists():
        pytest.skip(f"reference not available at {REFERENCE}")
    ref = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False, encoding="utf-8")
    mine = counties.set_index("annex_name")
    for row in ref.to_dict("records"):
        got = mine.loc[row["annex_name"]]
        for col in ref.columns:
            if col == "annex_name":
                continue
            if col == "notes":
                assert row["notes"] in got["source"], row["annex_name"]
            else:
                assert got[col] == row[col], (row["annex_name"], col)


def test_supporters_gdp_strictly_descending(counties: pd.DataFrame) -> None:
    sup = counties[counties["role"] == "supporter"].sort_values(
        "annex_order", key=lambda s: s.astype(int)
    )
    gdp = sup["gdp_2019_yi"].astype(float).tolist()
    assert all(a > b for a, b in itertools.pairwise(gdp))


def test_ids_unique_ascii_slugs(counties: pd.DataFrame) -> None:
    assert counties["id"].is_unique
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in counties["id"])
    ids = dict(zip(counties["annex_name"], counties["id"], strict=True))
    assert ids["竹溪县"] == "zhuxi"
    assert ids["五峰县"] == "wufeng"
    assert ids["武汉东湖新技术开发区"] == "wuhan-donghu"
    assert ids["武汉经济技术开发区"] == "wuhan-jingkai"
    assert ids["襄阳市襄州区"] == "xiangyang-xiangzhou"
    assert ids["宜昌市夷陵区"] == "yichang-yiling"
    assert ids["荆州市沙市区"] == "jingzhou-shashi"


def test_rural_income_empty_only_for_central_wuhan_districts(counties: pd.DataFrame) -> None:
    empty = set(counties.loc[counties["rural_income_2019_yuan"] == "", "id"])
    assert empty == {"wuhan-wuchang", "wuhan-jiangan", "wuhan-jianghan"}
    numeric = [
        "lat",
        "lon",
        "gdp_2019_yi",
        "revenue_2019_yi",
        "urban_income_2019_yuan",
        "population_wan",
        "area_km2",
    ]
    assert (counties[numeric].astype(float) > 0).all().all()


def test_every_row_names_its_source_and_estimates(counties: pd.DataFrame) -> None:
    for row in counties.itertuples():
        assert "estimated" in row.source, row.id
        assert "project mapping" in row.source, row.id


def test_sector_columns_use_known_codes(counties: pd.DataFrame, sectors: pd.DataFrame) -> None:
    known = set(sectors["code"])
    used: set[str] = set()
    for row in counties.itertuples():
        industry = _codes(row.industry_sectors)
        resource = _codes(row.resource_sectors)
        focus = _codes(row.focus_sectors)
        assert industry and resource and focus, row.id
        for codes in (industry, resource, focus):
            assert len(codes) == len(set(codes)), row.id
            assert set(codes) <= known, (row.id, set(codes) - known)
        assert set(focus) <= set(industry), row.id
        used |= set(industry) | set(resource)
    assert used == known, f"sectors never used: {known - used}"


def test_sector_mapping_spot_checks(counties: pd.DataFrame) -> None:
    row = counties.set_index("id")
    assert {"tea", "konjac"} <= set(_codes(row.at["zhuxi", "industry_sectors"]))
    assert "selenium_health_food" in _codes(row.at["hefeng", "resource_sectors"])
    assert "metallurgy" in _codes(row.at["daye", "resource_sectors"])
    assert "hydropower" in _codes(row.at["changyang", "resource_sectors"])
    assert "automotive" in _codes(row.at["wuhan-jingkai", "industry_sectors"])
    assert "aquaculture" in _codes(row.at["qianjiang", "industry_sectors"])


# --- sectors and links -----------------------------------------------------------------------


def test_sectors_table(sectors: pd.DataFrame) -> None:
    assert list(sectors.columns) == ["code", "name_zh", "name_en", "group", "description"]
    assert 25 <= len(sectors) <= 40
    assert sectors["code"].is_unique
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in sectors["code"])
    assert set(sectors["group"]) == GROUPS
    assert (sectors[["name_zh", "name_en", "description"]] != "").all().all()


def test_sector_links(links: pd.DataFrame, sectors: pd.DataFrame) -> None:
    assert list(links.columns) == ["source", "target", "relation", "strength", "rationale"]
    assert 60 <= len(links) <= 120
    known = set(sectors["code"])
    assert set(links["source"]) <= known
    assert set(links["target"]) <= known
    assert (links["source"] != links["target"]).all()
    pairs = [frozenset(p) for p in zip(links["source"], links["target"], strict=True)]
    assert len(pairs) == len(set(pairs)), "duplicate link (either direction)"
    assert set(links["relation"]) == {"upstream", "complement"}
    strength = links["strength"].astype(float)
    assert ((strength > 0) & (strength <= 1)).all()
    assert (links["rationale"].str.len() > 10).all()


def test_known_chains_are_linked(links: pd.DataFrame) -> None:
    upstream = set(
        zip(
            links.loc[links["relation"] == "upstream", "source"],
            links.loc[links["relation"] == "upstream", "target"],
            strict=True,
        )
    )
    for pair in [
        ("auto_parts", "automotive"),
        ("chemicals", "new_materials"),
        ("tcm_herbs", "biomedicine"),
        ("mining", "metallurgy"),
        ("tea", "food_processing"),
        ("food_processing", "digital_ecommerce"),
    ]:
        assert pair in upstream, pair


# --- regions ---------------------------------------------------------------------------------


def test_regions_cover_every_prefecture(regions: pd.DataFrame, counties: pd.DataFrame) -> None:
    assert list(regions.columns) == ["prefecture", "cluster", "cluster_en", "source"]
    assert regions["prefecture"].is_unique
    assert set(counties["prefecture"]) <= set(regions["prefecture"])
    assert set(regions["cluster"]) == CLUSTERS
    assert regions["source"].str.contains("14th five-year plan").all()
    cluster = dict(zip(regions["prefecture"], regions["cluster"], strict=True))
    assert cluster["武汉市"] == cluster["省直管"] == cluster["黄冈市"] == "武汉城市圈"
    assert cluster["十堰市"] == cluster["襄阳市"] == "襄十随神城市群"
    assert cluster["恩施州"] == cluster["宜昌市"] == cluster["荆门市"] == "宜荆荆恩城市群"


# --- willingness -----------------------------------------------------------------------------


def test_willingness_references_opposite_role(
    willingness: pd.DataFrame, counties: pd.DataFrame
) -> None:
    assert list(willingness.columns) == ["county", "rank", "partner", "note"]
    role = dict(zip(counties["id"], counties["role"], strict=True))
    assert set(willingness["county"]) <= set(role)
    assert set(willingness["partner"]) <= set(role)
    assert all(
        role[c] != role[p]
        for c, p in zip(willingness["county"], willingness["partner"], strict=True)
    )
    assert willingness["note"].str.startswith("illustrative, not stated by the county").all()


def test_willingness_lists_are_partial_ranked_and_some_silent(
    willingness: pd.DataFrame, counties: pd.DataFrame
) -> None:
    for county, rows in willingness.groupby("county"):
        ranks = rows["rank"].astype(int).tolist()
        assert ranks == list(range(1, len(ranks) + 1)), county
        assert 1 <= len(ranks) <= 5, county
        assert rows["partner"].is_unique, county
    for role in ("recipient", "supporter"):
        ids = set(counties.loc[counties["role"] == role, "id"])
        stating = ids & set(willingness["county"])
        silent = len(ids - stating) / len(ids)
        assert 0.15 <= silent <= 0.35, (role, silent)


def test_willingness_generator_deterministic_and_reproduces_file(
    gen_willingness: ModuleType,
) -> None:
    inputs = gen_willingness.load_inputs(DATA)
    first = gen_willingness.generate_willingness(*inputs, seed=2021)
    second = gen_willingness.generate_willingness(*inputs, seed=2021)
    pd.testing.assert_frame_equal(first, second)
    committed = (DATA / "willingness.csv").read_text(encoding="utf-8")
    assert gen_willingness.to_csv_text(first) == committed
    other = gen_willingness.generate_willingness(*inputs, seed=7)
    assert not other.equals(first)


def test_willingness_generator_rejects_bad_share(gen_willingness: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"silent_share must be in \[0, 1\), got 1.5"):
        gen_willingness.generate_willingness(*gen_willingness.load_inputs(DATA), 1, 1.5)


def test_willingness_prefers_near_fitting_partners(gen_willingness: ModuleType) -> None:
    scores = gen_willingness.preference_scores(*gen_willingness.load_inputs(DATA))
    rec = scores["recipient"]
    # 长阳 (宜昌市) is 36 km from 夷陵区 with hydropower/tourism overlap; 江岸区 is far, unrelated.
    assert rec.at["changyang", "yichang-yiling"] > rec.at["changyang", "wuhan-jiangan"]
    assert ((rec >= 0) & (rec <= 1)).all().all()


# --- projects --------------------------------------------------------------------------------


def test_projects_columns_and_size(projects: pd.DataFrame, counties: pd.DataFrame) -> None:
    assert list(projects.columns) == PROJECT_COLUMNS
    assert 250 <= len(projects) <= 450
    assert projects["id"].is_unique
    recipients = set(counties.loc[counties["role"] == "recipient", "id"])
    assert set(projects["recipient"]) == recipients
    assert (projects["supporter"] == "").all()
    assert (projects["source"] == "synthetic: scenarios/generate_projects.py --seed 2021").all()
    for row in projects.itertuples():
        assert re.fullmatch(rf"P2021-{row.recipient}-\d{{2,}}", row.id), row.id
    per_year = projects.groupby("earliest_start").size()
    assert (per_year >= 44).all(), "each year needs real choice around the ~50-a-year target"


def test_projects_values(projects: pd.DataFrame) -> None:
    num = projects.drop(
        columns=[
            "id",
            "recipient",
            "supporter",
            "title",
            "category",
            "requires",
            "excludes",
            "source",
        ]
    ).astype(float)
    assert set(projects["category"]) == CATEGORIES
    for flag in ["low_income", "ecological", "infrastructure"]:
        assert set(num[flag]) <= {0.0, 1.0}
    assert num["earliest_start"].between(2021, 2025).all()
    assert num["duration_years"].between(1, 3).all()
    assert (num["earliest_start"] + num["duration_years"] - 1 <= 2025).all()
    assert (num["duration_years"] <= 2).mean() > 0.75
    total = num["special_fund_request_wan"] + num["supporter_fund_wan"] + num["other_fund_wan"]
    assert (num["cost_per_year_wan"] == total).all()
    assert (num["special_fund_min_wan"] <= num["special_fund_request_wan"]).all()
    assert (num["special_fund_min_wan"] >= 0.6 * num["special_fund_request_wan"] - 10).all()
    partial = (num["special_fund_min_wan"] < num["special_fund_request_wan"]).mean()
    assert 0.1 < partial < 0.5
    assert 200 <= num["special_fund_request_wan"].median() <= 300
    assert num["supporter_fund_wan"].between(50, 600).all()
    assert 100 <= num["supporter_fund_wan"].median() <= 300
    assert (num["low_income_benefited"] <= num["people_benefited"]).all()
    assert (
        (num[["people_benefited", "jobs", "income_uplift_wan", "other_fund_wan"]] >= 0).all().all()
    )
    assert num["readiness"].between(0.3, 1.0).all()
    assert (
        num.loc[projects["category"] == "urbanisation_infrastructure", "infrastructure"].eq(1).all()
    )
    assert num.loc[projects["category"] == "ecological_protection", "ecological"].eq(1).all()
    assert num.loc[projects["category"] == "public_welfare", "low_income"].eq(1).all()


def test_project_titles_belong_to_their_recipient(
    projects: pd.DataFrame, counties: pd.DataFrame
) -> None:
    name = dict(zip(counties["id"], counties["annex_name"], strict=True))
    for row in projects.itertuples():
        assert row.title.startswith(name[row.recipient]), row.id
    assert projects.groupby("recipient")["title"].apply(lambda t: t.is_unique).all()
    titles = projects.groupby("recipient")["title"].apply(" ".join)
    assert "茶叶" in titles["zhuxi"]
    assert "黑木耳" in titles["fangxian"] or "香菇" in titles["fangxian"]
    assert "天河" in titles["yunxi"] or "七夕" in titles["yunxi"]


def test_project_links_stay_within_recipient(projects: pd.DataFrame) -> None:
    by_id = projects.set_index("id")
    n_requires = n_excludes = 0
    for row in projects.itertuples():
        for other in _codes(row.requires):
            n_requires += 1
            assert other in by_id.index, (row.id, other)
            first = by_id.loc[other]
            assert first["recipient"] == row.recipient
            assert int(first["earliest_start"]) + int(first["duration_years"]) <= int(
                row.earliest_start
            ), (row.id, other)
            assert row.title.endswith("(二期)") and first["title"].endswith("(一期)")
        for other in _codes(row.excludes):
            n_excludes += 1
            assert other != row.id
            assert by_id.at[other, "recipient"] == row.recipient
            assert row.id in _codes(by_id.at[other, "excludes"]), "excludes must be symmetric"
    assert n_requires >= 5
    assert n_excludes >= 4


def test_project_generator_reproduces_committed_file(gen_projects: ModuleType) -> None:
    frame = gen_projects.generate_projects(gen_projects.load_counties(DATA), None, 2021)
    assert gen_projects.to_csv_text(frame) == (DATA / "projects.csv").read_text(encoding="utf-8")


def test_project_generator_deterministic_and_seed_sensitive(gen_projects: ModuleType) -> None:
    counties = gen_projects.load_counties(DATA)
    a = gen_projects.generate_projects(counties, None, 11, per_pair_per_year=1.0)
    b = gen_projects.generate_projects(counties, None, 11, per_pair_per_year=1.0)
    c = gen_projects.generate_projects(counties, None, 12, per_pair_per_year=1.0)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_project_generator_scales_and_fills_pairs(gen_projects: ModuleType) -> None:
    counties = gen_projects.load_counties(DATA)
    rec = counties.loc[counties["role"] == "recipient", "id"].tolist()
    sup = counties.loc[counties["role"] == "supporter", "id"].tolist()
    pairs = pd.DataFrame({"recipient": rec, "supporter": sup})
    big = gen_projects.generate_projects(counties, pairs, 5, per_pair_per_year=20.0)
    assert 1800 <= len(big) <= 2700
    assert big["id"].is_unique
    assert dict(zip(big["recipient"], big["supporter"], strict=True)) == dict(
        zip(rec, sup, strict=True)
    )
    assert big.groupby("recipient")["title"].apply(lambda t: t.is_unique).all()


def test_project_generator_rejects_unknown_pair_recipient(gen_projects: ModuleType) -> None:
    counties = gen_projects.load_counties(DATA)
    pairs = pd.DataFrame({"recipient": ["atlantis"], "supporter": ["wuhan-donghu"]})
    with pytest.raises(ValueError, match="pairs name recipients not in counties: atlantis"):
        gen_projects.generate_projects(counties, pairs, 1)
    with pytest.raises(ValueError, match="per_pair_per_year must be > 0, got 0"):
        gen_projects.generate_projects(counties, None, 1, per_pair_per_year=0)


def test_parse_themes_handles_brackets_and_containers(gen_projects: ModuleType) -> None:
    themes = gen_projects.parse_themes(
        "茶叶(35万亩茶园;宜红茶/容美茶);开发区(纺织/汽车零部件)", "森林"
    )
    got = [(t.label, t.site, t.kind) for t in themes]
    assert got == [
        ("茶叶", "宜红茶", "agri"),
        ("茶叶", "容美茶", "agri"),
        ("纺织", "纺织", "manufacturing"),
        ("汽车零部件", "汽车零部件", "manufacturing"),
        ("森林", "森林", "forest"),
    ]


# --- the project's own validator accepts the files -------------------------------------------


def test_default_data_passes_input_validation() -> None:
    from shanchuan.validation import load_inputs

    keys = ["counties", "sectors", "sector_links", "regions", "willingness", "projects"]
    data = load_inputs({k: DATA / f"{k}.csv" for k in keys})
    assert len(data.counties) == 44
    assert data.projects is not None and len(data.projects) == len(_text("projects.csv"))
