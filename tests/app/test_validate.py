from pathlib import Path

import pandas as pd
import pytest

from shanchuan.errors import InputError, Problem
from shanchuan.schemas import COUNTIES, PROJECTS, SECTORS, WILLINGNESS
from shanchuan.validation import (
    LoadedData,
    load_inputs,
    read_table,
    resolve_county,
    validate_references,
    validate_table,
)

DATA = Path(__file__).resolve().parents[2] / "src" / "shanchuan" / "data" / "hubei-2021"

COUNTY_HEADER = ",".join(COUNTIES.column_names)
# id,annex_name,full_name,role,annex_order,prefecture,lat,lon,gdp,revenue,urban,rural,pop,area,
# industries,resources,industry_sectors,resource_sectors,focus_sectors,source
COUNTY_ROWS = [
    "zhuxi,竹溪县,十堰市竹溪县,recipient,1,十堰市,32.32,109.72,125,4.5,28000,11300,31.5,3310,"
    "茶叶,森林,tea;konjac,forestry,tea,年鉴",
    "wufeng,五峰县,五峰土家族自治县,recipient,2,宜昌市,30.20,110.67,105,4.5,29500,12300,19,"
    "2372,茶叶,森林,tea,forestry,,年鉴",
    "wuchang,武昌区,武汉市武昌区,supporter,1,武汉市,30.55,114.32,1890,90,52000,,128,107,"
    "金融,高校,finance,,finance,年鉴",
    "yichang-yiling,夷陵区,宜昌市夷陵区,supporter,2,宜昌市,30.77,111.33,700,30,39000,20000,"
    "52,3424,化工,水电,chemicals,hydropower,,年鉴",
]
SECTORS_CSV = (
    "code,name_zh,name_en,group,description\n"
    "tea,茶叶,Tea,agriculture,\n"
    "konjac,魔芋,Konjac,agriculture,\n"
    "forestry,林业,Forestry,agriculture,\n"
    "finance,金融,Finance,services,\n"
    "chemicals,化工,Chemicals,manufacturing,\n"
    "hydropower,水电,Hydropower,energy_resources,\n"
)
PROJECT_HEADER = ",".join(PROJECTS.column_names)


def project_row(pid="P1", recipient="zhuxi", supporter="", requires="", excludes="", **over):
    cells = {
        "id": pid,
        "recipient": recipient,
        "supporter": supporter,
        "title": "茶园",
        "category": "agriculture_income",
        "low_income": "1",
        "ecological": "否",
        "infrastructure": "FALSE",
        "earliest_start": "2021",
        "duration_years": "3",
        "cost_per_year_wan": "800",
        "special_fund_request_wan": "300",
        "special_fund_min_wan": "100",
        "supporter_fund_wan": "200",
        "other_fund_wan": "300",
        "people_benefited": "5000",
        "low_income_benefited": "800",
        "jobs": "120",
        "income_uplift_wan": "90",
        "readiness": "0.8",
        "requires": requires,
        "excludes": excludes,
        "source": "申报书",
    }
    cells.update(over)
    return ",".join(cells[c] for c in PROJECTS.column_names)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counties_csv(rows=COUNTY_ROWS, header=COUNTY_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def base_files(tmp_path: Path, counties: str | None = None) -> dict[str, Path]:
    """Valid counties.csv (unless the test wrote one already, or passes ``counties``) and
    sectors.csv."""
    path = tmp_path / "counties.csv"
    if counties is not None or not path.exists():
        write(tmp_path, "counties.csv", counties or counties_csv())
    return {
        "counties": path,
        "sectors": write(tmp_path, "sectors.csv", SECTORS_CSV),
    }


def check(tmp_path: Path, name: str, text: str, schema=COUNTIES):
    """Validate one file alone; return (typed frame, problems)."""
    path = write(tmp_path, name, text)
    return validate_table(read_table(path, schema), schema, str(path))


def replace_cell(row: str, column: str, value: str, schema=COUNTIES) -> str:
    cells = row.split(",")
    cells[schema.column_names.index(column)] = value
    return ",".join(cells)


# ---------------------------------------------------------------------------------------------
# One file


def test_valid_counties_are_typed(tmp_path):
    frame, problems = check(tmp_path, "counties.csv", counties_csv())
    assert problems == []
    assert list(frame.index) == [2, 3, 4, 5]
    assert frame["annex_order"].dtype == "int64"
    assert frame["gdp_2019_yi"].dtype == "float64"
    assert frame.loc[2, "industry_sectors"] == ("tea", "konjac")
    assert frame.loc[3, "focus_sectors"] == ()
    assert pd.isna(frame.loc[4, "rural_income_2019_yuan"])


def test_missing_id(tmp_path):
    rows = [replace_cell(COUNTY_ROWS[0], "id", ""), *COUNTY_ROWS[1:]]
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(InputError, match=r"counties\.csv, row 2, column 'id': missing id"):
        load_inputs(base_files(tmp_path) | {"counties": path})


def test_duplicate_id(tmp_path):
    rows = [
        *COUNTY_ROWS,
        replace_cell(replace_cell(COUNTY_ROWS[0], "annex_name", "另县"), "annex_order", "3"),
    ]
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(
        InputError,
        match=r"counties\.csv, row 6, column 'id': duplicate id, already on row 2 "
        r"\(got 'zhuxi'\)",
    ):
        load_inputs(base_files(tmp_path) | {"counties": path})


def test_invalid_id(tmp_path):
    rows = [replace_cell(COUNTY_ROWS[0], "id", "Zhu Xi"), *COUNTY_ROWS[1:]]
    _, problems = check(tmp_path, "counties.csv", counties_csv(rows))
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'counties.csv'}, row 2, column 'id': not a valid id (got 'Zhu Xi'); "
        "expected lowercase letters, digits and '-' (e.g. 'yunxi')"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12,3", r"not a number: write it without ','"),
        ("十二", r"not a number \(got '十二'\)"),
        ("１２", "not a number: full-width characters; type half-width digits"),
        ("12%", "not a number: write it without '%'"),
        ("1_000", r"not a number \(got '1_000'\)"),
        ("#DIV/0!", "spreadsheet error value; fix the formula in Excel"),
    ],
)
def test_non_numeric_figure(tmp_path, value, message):
    rows = [replace_cell(COUNTY_ROWS[0], "gdp_2019_yi", f'"{value}"'), *COUNTY_ROWS[1:]]
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(InputError, match=r"row 2, column 'gdp_2019_yi': " + message):
        load_inputs(base_files(tmp_path) | {"counties": path})


def test_negative_figure(tmp_path):
    rows = [replace_cell(COUNTY_ROWS[1], "revenue_2019_yi", "-4.5"), *COUNTY_ROWS[1:]]
    rows[0] = replace_cell(rows[0], "id", "other")
    rows[0] = replace_cell(rows[0], "annex_name", "另县")
    rows[0] = replace_cell(rows[0], "annex_order", "3")
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(
        InputError,
        match=r"row 2, column 'revenue_2019_yi': negative value \(got '-4\.5'\); "
        r"expected number ≥ 0 \(亿元\)",
    ):
        load_inputs(base_files(tmp_path) | {"counties": path})


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf"])
def test_nan_and_inf(tmp_path, value):
    rows = [replace_cell(COUNTY_ROWS[0], "population_wan", value), *COUNTY_ROWS[1:]]
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(
        InputError, match=rf"row 2, column 'population_wan': '{value}' is not a figure"
    ):
        load_inputs(base_files(tmp_path) | {"counties": path})


def test_zero_population_is_out_of_exclusive_range(tmp_path):
    rows = [replace_cell(COUNTY_ROWS[0], "population_wan", "0"), *COUNTY_ROWS[1:]]
    _, problems = check(tmp_path, "counties.csv", counties_csv(rows))
    assert [(p.row, p.column, p.message, p.expected) for p in problems] == [
        (2, "population_wan", "value too small", "number > 0 (万人)")
    ]


def test_latitude_out_of_range(tmp_path):
    rows = [replace_cell(COUNTY_ROWS[0], "lat", "132.32"), *COUNTY_ROWS[1:]]
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(
        InputError,
        match=r"row 2, column 'lat': value out of range \(got '132\.32'\); "
        r"expected number in \[-90, 90\] \(°\)",
    ):
        load_inputs(base_files(tmp_path) | {"counties": path})


def test_wrong_role(tmp_path):
    rows = [replace_cell(COUNTY_ROWS[0], "role", "recipent"), *COUNTY_ROWS[1:]]
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(
        InputError,
        match=r"row 2, column 'role': unknown value \(did you mean 'recipient'\?\) "
        r"\(got 'recipent'\); expected one of: recipient, supporter",
    ):
        load_inputs(base_files(tmp_path) | {"counties": path})


def test_empty_required_cell_but_empty_rural_income_allowed(tmp_path):
    rows = [replace_cell(COUNTY_ROWS[0], "source", ""), *COUNTY_ROWS[1:]]
    _, problems = check(tmp_path, "counties.csv", counties_csv(rows))
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "source", "empty cell")]


def test_annex_order_unique_within_role(tmp_path):
    rows = [*COUNTY_ROWS[:3], replace_cell(COUNTY_ROWS[3], "annex_order", "1")]
    _, problems = check(tmp_path, "counties.csv", counties_csv(rows))
    assert [(p.row, p.column, p.message) for p in problems] == [
        (5, "annex_order", "duplicate value within role 'supporter', already on row 4")
    ]


def test_header_only_file_where_rows_are_required(tmp_path):
    path = write(tmp_path, "counties.csv", COUNTY_HEADER + "\n")
    with pytest.raises(
        InputError, match=r"counties\.csv, row 2: the file has a header line but no data rows"
    ):
        load_inputs(base_files(tmp_path) | {"counties": path})


def test_header_only_willingness_is_allowed(tmp_path):
    files = base_files(tmp_path) | {
        "willingness": write(tmp_path, "w.csv", "county,rank,partner\n")
    }
    data = load_inputs(files)
    assert data.willingness is not None and data.willingness.empty
    assert list(data.willingness.columns) == ["county", "rank", "partner", "note"]


def test_unknown_column_with_did_you_mean(tmp_path):
    header = COUNTY_HEADER.replace("gdp_2019_yi", "gpd_2019_yi")
    path = write(tmp_path, "counties.csv", counties_csv(header=header))
    with pytest.raises(InputError) as info:
        load_inputs(base_files(tmp_path) | {"counties": path})
    # one problem: the misspelt column explains the missing one
    assert [str(p) for p in info.value.problems] == [
        f"{path}, row 1, column 'gpd_2019_yi': unknown column 'gpd_2019_yi' (did you mean "
        f"'gdp_2019_yi'?); expected columns of counties.csv: {', '.join(COUNTIES.column_names)}"
    ]


def test_missing_required_column(tmp_path):
    cols = list(COUNTIES.column_names)
    i = cols.index("source")
    text = "\n".join(
        ",".join(c for j, c in enumerate(line.split(",")) if j != i)
        for line in [COUNTY_HEADER, *COUNTY_ROWS]
    )
    _, problems = check(tmp_path, "counties.csv", text)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (1, "source", "missing required column 'source'")
    ]


def test_optional_column_may_be_left_out(tmp_path):
    frame, problems = check(
        tmp_path, "w.csv", "county,rank,partner\nzhuxi,1,wuchang\n", schema=WILLINGNESS
    )
    assert problems == []
    assert frame["note"].tolist() == [None]


def test_three_problems_in_one_file_reported_together(tmp_path):
    rows = [
        replace_cell(COUNTY_ROWS[0], "lat", "232"),
        replace_cell(COUNTY_ROWS[1], "role", "donor"),
        COUNTY_ROWS[2],
        replace_cell(COUNTY_ROWS[3], "area_km2", "-5"),
    ]
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(InputError, match=r"^3 problems in the input:") as info:
        load_inputs(base_files(tmp_path) | {"counties": path})
    assert [(p.row, p.column) for p in info.value.problems] == [
        (2, "lat"),
        (3, "role"),
        (5, "area_km2"),
    ]
    assert all(p.file == str(path) for p in info.value.problems)


def test_row_with_unquoted_comma_reported_with_the_other_problems(tmp_path):
    rows = [
        replace_cell(COUNTY_ROWS[0], "gdp_2019_yi", "12,3"),  # splits into one cell too many
        replace_cell(COUNTY_ROWS[1], "lat", "north"),
        *COUNTY_ROWS[2:],
    ]
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(InputError) as info:
        load_inputs(base_files(tmp_path))
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [
        (str(path), 2, None),
        (str(path), 3, "lat"),
    ]
    assert "the row has 21 cells but the header names 20 columns" in str(info.value)


def test_row_numbers_are_spreadsheet_rows_despite_blank_and_multiline_rows(tmp_path):
    rows = [
        COUNTY_ROWS[0].replace("年鉴", '"年鉴\n第二行"'),  # one spreadsheet row, two lines
        "",  # blank row 3
        COUNTY_ROWS[1],
        COUNTY_ROWS[2],
        replace_cell(COUNTY_ROWS[3], "gdp_2019_yi", "x"),  # row 6 (line 7 of the file)
    ]
    path = write(tmp_path, "counties.csv", counties_csv(rows))
    with pytest.raises(InputError, match=r"counties\.csv, row 6, column 'gdp_2019_yi'"):
        load_inputs(base_files(tmp_path) | {"counties": path})


def test_gbk_counties_file_loads(tmp_path):
    path = write(tmp_path, "counties.csv", counties_csv(), encoding="gbk")
    data = load_inputs(base_files(tmp_path) | {"counties": path})
    assert data.counties.loc["zhuxi", "annex_name"] == "竹溪县"


def test_projects_types_and_cross_column_checks(tmp_path):
    text = (
        "\n".join(
            [
                PROJECT_HEADER,
                project_row("P1", excludes="P2"),
                project_row(
                    "P2",
                    low_income="是",
                    ecological="true",
                    infrastructure="0",
                    special_fund_min_wan="400",
                    low_income_benefited="9000",
                    requires="P2",
                ),
                project_row(
                    "P3",
                    low_income="maybe",
                    earliest_start="2022年",
                    duration_years="11",
                    readiness="1.5",
                    requires="P1",
                    excludes="P1",
                ),
            ]
        )
        + "\n"
    )
    frame, problems = check(tmp_path, "projects.csv", text, schema=PROJECTS)
    assert frame.loc[2, "low_income"] is True or frame.loc[2, "low_income"] == True  # noqa: E712
    assert frame.loc[2, "excludes"] == ("P2",)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (3, "special_fund_min_wan", "minimum special fund is larger than the request"),
        (3, "low_income_benefited", "more low-income beneficiaries than beneficiaries"),
        (3, "requires", "project lists itself"),
        (4, "low_income", "not a yes/no value"),
        (4, "earliest_start", "not a year"),
        (4, "duration_years", "value out of range"),
        (4, "readiness", "value out of range"),
        (4, "excludes", "project both requires and excludes P1"),
    ]


def test_validate_table_accepts_a_plain_frame_numbering_rows_from_2():
    df = pd.DataFrame(
        {
            "code": ["tea", "tea"],
            "name_zh": ["茶", "茶"],
            "name_en": ["T", "T"],
            "group": ["agriculture", "farming"],
            "description": [None, "x"],
        }
    )
    _, problems = validate_table(df, SECTORS, "sectors.csv")
    assert [(p.row, p.column, p.message[:14]) for p in problems] == [
        (3, "group", "unknown value "),
        (3, "code", "duplicate id, "),
    ]


# ---------------------------------------------------------------------------------------------
# Across files


def test_unknown_county_in_willingness_with_did_you_mean(tmp_path):
    text = "county,rank,partner,note\nzhuxi,1,wuchang,\nzhuxi,2,yichang-yilin,\n"
    files = base_files(tmp_path) | {"willingness": write(tmp_path, "willingness.csv", text)}
    with pytest.raises(
        InputError,
        match=r"willingness\.csv, row 3, column 'partner': unknown county 'yichang-yilin' "
        r"\(did you mean 'yichang-yiling' \(夷陵区\)\?\)",
    ):
        load_inputs(files)


def test_willingness_names_resolved_to_ids_and_roles_checked(tmp_path):
    text = (
        "county,rank,partner,note\n"
        "竹溪县,1,武汉市武昌区,\n"  # Annex-2 name and full name: resolved
        "zhuxi,2,五峰县,\n"  # partner of the same role
        "zhuxi,2,yichang-yiling,\n"  # duplicate rank
        "wuchang,1,wuchang,\n"  # ranks itself
        "五峰,1,wuchang,\n"  # unknown, did-you-mean by name
    )
    files = base_files(tmp_path) | {"willingness": write(tmp_path, "willingness.csv", text)}
    with pytest.raises(InputError) as info:
        load_inputs(files)
    got = [(p.row, p.column, p.message) for p in info.value.problems]
    assert got == [
        (
            3,
            "partner",
            "partner 'wufeng' (五峰县) has the same role as 'zhuxi' (竹溪县) (recipient)",
        ),
        (4, "rank", "duplicate rank for county 'zhuxi', already on row 3"),
        (5, "partner", "'wuchang' (武昌区) ranks itself"),
        (6, "county", "unknown county '五峰' (did you mean 'wufeng' (五峰县)?)"),
    ]


def test_willingness_by_name_loads_as_ids(tmp_path):
    text = "county,rank,partner\n竹溪县,1,武汉市武昌区\n夷陵区,1,zhuxi\n"
    files = base_files(tmp_path) | {"willingness": write(tmp_path, "willingness.csv", text)}
    data = load_inputs(files)
    assert data.willingness[["county", "partner"]].values.tolist() == [
        ["zhuxi", "wuchang"],
        ["yichang-yiling", "zhuxi"],
    ]


def test_unknown_sector_code(tmp_path):
    rows = [replace_cell(COUNTY_ROWS[0], "industry_sectors", "tea;konjak"), *COUNTY_ROWS[1:]]
    files = base_files(tmp_path, counties_csv(rows))
    with pytest.raises(
        InputError,
        match=r"row 2, column 'industry_sectors': unknown sector code 'konjak' "
        r"\(did you mean 'konjac'\?\)",
    ):
        load_inputs(files)


def test_sector_list_separated_by_commas(tmp_path):
    rows = [replace_cell(COUNTY_ROWS[0], "industry_sectors", '"tea, konjac"'), *COUNTY_ROWS[1:]]
    _, problems = check(tmp_path, "counties.csv", counties_csv(rows))
    assert [p.message for p in problems] == ["invalid item 'tea, konjac'; separate items with ';'"]


def test_pairs_roles_and_project_references(tmp_path):
    pairs = "recipient,supporter\nzhuxi,wuchang\nwuchang,zhuxi\n"
    projects = (
        "\n".join(
            [
                PROJECT_HEADER,
                project_row("P1", recipient="五峰县", supporter="夷陵区", requires="P9"),
                project_row("P2", recipient="zhuxi", excludes="P1"),
            ]
        )
        + "\n"
    )
    executed = "project,year,special_fund_wan,supporter_fund_wan\nP1,2021,300,200\nP7,2021,1,1\n"
    files = base_files(tmp_path) | {
        "incumbent": write(tmp_path, "incumbent.csv", pairs),
        "projects": write(tmp_path, "projects.csv", projects),
        "executed": write(tmp_path, "executed.csv", executed),
    }
    with pytest.raises(InputError) as info:
        load_inputs(files)
    got = [(Path(p.file).name, p.row, p.column, p.message) for p in info.value.problems]
    assert got == [
        ("incumbent.csv", 3, "recipient", "'wuchang' (武昌区) is a supporter county"),
        ("incumbent.csv", 3, "supporter", "'zhuxi' (竹溪县) is a recipient county"),
        ("projects.csv", 2, "requires", "unknown project id 'P9'"),
        ("executed.csv", 3, "project", "unknown project id 'P7'"),
    ]


def test_distances_become_a_matrix(tmp_path):
    text = (
        "recipient,supporter,value\nzhuxi,wuchang,480\nzhuxi,yichang-yiling,260\n"
        "五峰县,wuchang,350\nwufeng,yichang-yiling,90\n"
    )
    data = load_inputs(base_files(tmp_path) | {"distances": write(tmp_path, "d.csv", text)})
    assert list(data.distances.index) == ["zhuxi", "wufeng"]
    assert list(data.distances.columns) == ["wuchang", "yichang-yiling"]
    assert data.distances.loc["wufeng", "wuchang"] == 350.0


def test_distances_with_unknown_and_missing_pairs(tmp_path):
    text = (
        "recipient,supporter,value\nzhuxi,wuchang,480\nzhuxi,wuchang,481\n"
        "zhuxi,hongshan,10\nwuchang,zhuxi,5\n"
    )
    files = base_files(tmp_path) | {"distances": write(tmp_path, "distances.csv", text)}
    with pytest.raises(InputError) as info:
        load_inputs(files)
    got = [(p.row, p.column, p.message) for p in info.value.problems]
    assert got == [
        (3, "supporter", "duplicate row (recipient=zhuxi, supporter=wuchang), already on row 2"),
        (4, "supporter", "unknown county 'hongshan'"),
        (5, "recipient", "'wuchang' (武昌区) is a supporter county"),
        (5, "supporter", "'zhuxi' (竹溪县) is a recipient county"),
        (
            None,
            None,
            "no distance for 3 recipient × supporter pairs: zhuxi–yichang-yiling, "
            "wufeng–wuchang, wufeng–yichang-yiling",
        ),
    ]


def test_prefecture_missing_from_regions(tmp_path):
    regions = (
        "prefecture,cluster,source\n十堰市,鄂西北,纲要\n宜昌市,宜荆荆,纲要\n武汉,武汉城市圈,纲要\n"
    )
    files = base_files(tmp_path) | {"regions": write(tmp_path, "regions.csv", regions)}
    with pytest.raises(
        InputError,
        match=r"row 4, column 'prefecture': prefecture '武汉市' is not in .*regions\.csv "
        r"\(did you mean '武汉'\?\)",
    ):
        load_inputs(files)


def test_problems_of_all_files_in_one_error(tmp_path):
    files = {
        "counties": write(
            tmp_path,
            "counties.csv",
            counties_csv([replace_cell(COUNTY_ROWS[0], "lon", "east"), *COUNTY_ROWS[1:]]),
        ),
        "sectors": write(tmp_path, "sectors.csv", "code;name_zh;name_en;group\n"),
        "projects": tmp_path / "projects.xlsx",
    }
    with pytest.raises(InputError) as info:
        load_inputs(files)
    names = [Path(p.file).name for p in info.value.problems]
    assert names == ["counties.csv", "sectors.csv", "projects.xlsx"]


def test_unknown_input_key_and_missing_required_files():
    with pytest.raises(InputError) as info:
        load_inputs({"countys": "c.csv", "regions": None})
    assert [p.message for p in info.value.problems] == [
        "unknown input file key 'countys' (did you mean 'counties'?)",
        "the counties file is required but was not given",
        "the sectors file is required but was not given",
    ]


def test_reference_to_a_file_not_given():
    tables = {
        "willingness": pd.DataFrame(
            {"county": ["a"], "rank": [1], "partner": ["b"], "note": [None]}
        )
    }
    _, problems = validate_references(tables)
    assert [str(p) for p in problems] == [
        "willingness.csv, column 'county': column 'county' refers to counties.csv, which was "
        "not given; expected the counties file too",
        "willingness.csv, column 'partner': column 'partner' refers to counties.csv, which was "
        "not given; expected the counties file too",
    ]


def test_loaded_data_is_typed_and_indexed(tmp_path):
    projects = "\n".join([PROJECT_HEADER, project_row("P1", requires="P2"), project_row("P2")])
    data = load_inputs(base_files(tmp_path) | {"projects": write(tmp_path, "p.csv", projects)})
    assert isinstance(data, LoadedData)
    assert list(data.counties.index) == ["zhuxi", "wufeng", "wuchang", "yichang-yiling"]
    assert list(data.sectors.index)[:2] == ["tea", "konjac"]
    assert data.projects.loc["P1", "requires"] == ("P2",)
    assert data.projects.loc["P2", "requires"] == ()
    assert data.projects["duration_years"].dtype == "int64"
    assert bool(data.projects.loc["P1", "low_income"]) is True
    assert data.files["projects"] == str(tmp_path / "p.csv")


# ---------------------------------------------------------------------------------------------
# resolve_county


@pytest.fixture
def counties(tmp_path):
    return load_inputs(base_files(tmp_path)).counties


def test_resolve_county_by_id_annex_name_and_full_name(counties):
    assert resolve_county("zhuxi", counties) == "zhuxi"
    assert resolve_county("竹溪县", counties) == "zhuxi"
    assert resolve_county("宜昌市夷陵区", counties, role="supporter") == "yichang-yiling"


def test_resolve_county_problems(counties):
    wrong = resolve_county(
        "武昌区", counties, role="recipient", file="my.toml", column="matching.lock"
    )
    assert isinstance(wrong, Problem)
    assert str(wrong) == (
        "my.toml, column 'matching.lock': 'wuchang' (武昌区) is a supporter county "
        "(got '武昌区'); expected a recipient county"
    )
    short = resolve_county("夷陵", counties)
    assert isinstance(short, Problem)
    assert short.message == "unknown county '夷陵' (did you mean 'yichang-yiling' (夷陵区)?)"
    unknown = resolve_county("zhuxii", counties)
    assert isinstance(unknown, Problem)
    assert unknown.message == "unknown county 'zhuxii' (did you mean 'zhuxi' (竹溪县)?)"
    with pytest.raises(ValueError, match="role must be"):
        resolve_county("zhuxi", counties, role="donor")


# ---------------------------------------------------------------------------------------------
# The shipped data


def test_default_hubei_2021_files_load_without_problems():
    keys = (
        "counties",
        "sectors",
        "sector_links",
        "regions",
        "willingness",
        "projects",
        "distances",
        "incumbent",
        "pairs",
        "executed",
    )
    files = {k: DATA / f"{k}.csv" for k in keys if (DATA / f"{k}.csv").exists()}
    assert {"counties", "sectors", "sector_links", "regions"} <= set(files)
    data = load_inputs(files)
    roles = data.counties["role"].value_counts()
    assert roles["recipient"] == 22 and roles["supporter"] == 22
