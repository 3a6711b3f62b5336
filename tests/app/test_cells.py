"""One cell at a time: shanchuan.validation.cells parses what planners type in Excel."""

import pytest

from shanchuan.schemas import COUNTIES, PROJECTS, SECTORS, Column
from shanchuan.validation.cells import BadCell, cell_text, convert_cell, expected_for

GDP = COUNTIES.by_name["gdp_2019_yi"]
POPULATION = COUNTIES.by_name["population_wan"]
DURATION = PROJECTS.by_name["duration_years"]
START = PROJECTS.by_name["earliest_start"]
LOW_INCOME = PROJECTS.by_name["low_income"]
REQUIRES = PROJECTS.by_name["requires"]
GROUP = SECTORS.by_name["group"]


@pytest.mark.parametrize(
    ("text", "col", "value"),
    [
        ("12.5", GDP, 12.5),
        ("1e3", GDP, 1000.0),
        (".5", GDP, 0.5),
        ("3", DURATION, 3),
        ("3.0", DURATION, 3),
        ("2021", START, 2021),
        ("是", LOW_INCOME, True),
        ("FALSE", LOW_INCOME, False),
        ("P1；P2; P3", REQUIRES, ("P1", "P2", "P3")),
        ("services", GROUP, "services"),
    ],
)
def test_cells_that_fit(text, col, value):
    got = convert_cell(text, col)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "col", "message"),
    [
        ("１２", GDP, "not a number: full-width characters; type half-width digits"),
        ("1,000", GDP, "not a number: write it without ',' (use '.' for decimals, no thousands separators)"),
        ("12%", GDP, "not a number: write it without '%'"),
        ("十二", GDP, "not a number"),
        ("#DIV/0!", GDP, "spreadsheet error value; fix the formula in Excel and save again"),
        ("NaN", GDP, "'NaN' is not a figure"),
        ("1e999", GDP, "'1e999' is not a figure"),
        ("-1", GDP, "negative value"),
        ("0", POPULATION, "value too small"),
        ("11", DURATION, "value out of range"),
        ("2.5", DURATION, "not a whole number"),
        ("1e30", PROJECTS.by_name["people_benefited"], "whole number too large (more than 2**53 = 9007199254740992)"),
        ("2021.0", START, "not a year"),
        ("1999", START, "year out of range 2000..2100"),
        ("yes", LOW_INCOME, "not a yes/no value"),
        ("P1,P2", REQUIRES, "invalid item 'P1,P2'; separate items with ';'"),
        ("P1;P1", REQUIRES, "listed twice: 'P1'"),
        ("Services", GROUP, "unknown value (did you mean 'services'?)"),
    ],
)
def test_cells_that_do_not_fit_say_why(text, col, message):
    with pytest.raises(BadCell) as info:
        convert_cell(text, col)
    assert info.value.message == message


def test_expected_phrases():
    assert expected_for(START) == "a 4-digit year from 2000 to 2100"
    assert expected_for(LOW_INCOME) == "1/0, true/false or 是/否"
    assert expected_for(COUNTIES.by_name["id"]) == "lowercase letters, digits and '-' (e.g. 'yunxi')"
    assert expected_for(GDP) == "number ≥ 0 (亿元)"
    assert expected_for(DURATION) == "whole number in [1, 10]"
    narrowed = Column("y", "year", meaning="m", min=2020, max=2030)
    assert expected_for(narrowed) == "a 4-digit year from 2020 to 2030"


@pytest.mark.parametrize(("raw", "text"), [(None, ""), (float("nan"), ""), ("  a ", "a"), (3, "3")])
def test_cell_text(raw, text):
    assert cell_text(raw) == text
