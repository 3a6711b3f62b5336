from pathlib import Path

import pytest

from shanchuan import schemas
from shanchuan.schemas import (
    COUNTIES,
    INPUT_FILES,
    PROJECTS,
    SCHEMAS,
    Column,
    Schema,
    schemas_markdown,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data-schemas.md"


def test_committed_docs_equal_generated_text():
    assert DOCS.read_text(encoding="utf-8") == schemas_markdown(), (
        "docs/data-schemas.md is stale: run `python -m shanchuan.schemas docs/data-schemas.md`"
    )


def test_every_schema_and_column_is_documented():
    text = schemas_markdown()
    for schema in SCHEMAS:
        assert f"## {schema.name}\n" in text
        for col in schema.columns:
            assert f"| `{col.name}` |" in text
            assert col.meaning, f"{schema.name}.{col.name} has no meaning"


def test_counties_columns_as_specified():
    assert COUNTIES.key == "id"
    assert COUNTIES.column_names[:4] == ("id", "annex_name", "full_name", "role")
    assert COUNTIES.by_name["role"].choices == ("recipient", "supporter")
    assert COUNTIES.by_name["rural_income_2019_yuan"].nullable
    assert not COUNTIES.by_name["urban_income_2019_yuan"].nullable
    assert COUNTIES.by_name["gdp_2019_yi"].unit == "亿元"
    assert COUNTIES.by_name["annex_order"].unique_within == "role"
    assert COUNTIES.by_name["source"].required and not COUNTIES.by_name["source"].nullable
    lat = COUNTIES.by_name["lat"]
    assert (lat.min, lat.max) == (-90, 90)


def test_projects_categories_and_bounds():
    cat = PROJECTS.by_name["category"]
    assert len(cat.choices) == 10 and "public_welfare" in cat.choices
    dur = PROJECTS.by_name["duration_years"]
    assert (dur.min, dur.max) == (1, 10)
    assert PROJECTS.by_name["requires"].dtype == "ids"


def test_input_file_keys_match_scenario_data_table():
    assert set(INPUT_FILES) == {
        "counties",
        "sectors",
        "sector_links",
        "regions",
        "willingness",
        "distances",
        "incumbent",
        "pairs",
        "projects",
        "executed",
    }
    assert INPUT_FILES["incumbent"] is INPUT_FILES["pairs"]


def test_describe_bounds():
    assert Column("x", "float", meaning="m", min=0).describe_bounds() == "≥ 0"
    assert Column("x", "float", meaning="m", min=0, min_exclusive=True).describe_bounds() == "> 0"
    col = Column("x", "float", meaning="m", min=0, max=1, min_exclusive=True)
    assert col.describe_bounds() == "in (0, 1]"
    assert Column("x", "str", meaning="m").describe_bounds() == ""


def test_inconsistent_column_definitions_are_rejected():
    with pytest.raises(ValueError, match="unknown dtype"):
        Column("x", "text", meaning="m")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'choices' goes with dtype 'enum'"):
        Column("x", "enum", meaning="m")
    with pytest.raises(ValueError, match="needs a pattern"):
        Column("x", "codes", meaning="m")
    with pytest.raises(ValueError, match="key 'nope' is not a column"):
        Schema("s", (Column("x", "str"),), key="nope", description="d")
    with pytest.raises(ValueError, match="duplicate column names"):
        Schema("s", (Column("x", "str"), Column("x", "int")), key=None, description="d")


def test_main_writes_the_docs(tmp_path):
    out = tmp_path / "schemas.md"
    assert schemas.main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == schemas_markdown()


def test_project_schema_agrees_with_the_allocation_engine() -> None:
    from allocation import PROJECT_COLUMNS
    from shanchuan.schemas import PROJECTS

    assert tuple(c.name for c in PROJECTS.columns) == ("id", *PROJECT_COLUMNS)
