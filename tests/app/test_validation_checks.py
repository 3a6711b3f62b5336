"""The schema's declared checks: every kind has its evaluator and its docs, and each one fires."""

import importlib

import pandas as pd
import pytest

import shanchuan.validation as validation
from shanchuan import config
from shanchuan.errors import Problem
from shanchuan.schemas import (
    CHECK_KINDS,
    PROJECTS,
    SCHEMAS,
    WILLINGNESS,
    AtMost,
    Column,
    Differs,
    Disjoint,
    NotListed,
    Schema,
    UniqueTogether,
    schema_markdown,
)
from shanchuan.validation import EVALUATORS, validate_table
from shanchuan.validation.tables import names_a_county
from solverkit import text


def test_every_kind_of_check_has_an_evaluator_and_a_description():
    assert set(EVALUATORS) == set(CHECK_KINDS)
    samples = {
        UniqueTogether: UniqueTogether(("a", "b")),
        AtMost: AtMost("a", "b", message="m"),
        Differs: Differs("a", "b", message="m", expected="e"),
        NotListed: NotListed("a", "b", message="m", expected="e"),
        Disjoint: Disjoint("a", "b", message="m", expected="e"),
    }
    assert set(samples) == set(CHECK_KINDS), "a new kind of check needs a sample here"
    for kind, check in samples.items():
        assert check.describe(), kind
        assert set(check.columns) == {"a", "b"}, kind


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_every_declared_check_is_documented(schema):
    section = schema_markdown(schema)
    for check in schema.checks:
        assert check.describe() in section


def test_projects_declare_their_row_checks():
    kinds = [type(c) for c in PROJECTS.checks]
    assert kinds == [AtMost, AtMost, Disjoint, NotListed, NotListed]
    assert not any(names_a_county(c, PROJECTS) for c in PROJECTS.checks)


def test_willingness_checks_wait_for_county_ids():
    assert WILLINGNESS.unique_together == (("county", "rank"), ("county", "partner"))
    assert all(names_a_county(c, WILLINGNESS) for c in WILLINGNESS.checks)


# ---------------------------------------------------------------------------------------------
# Each kind on a small table (a plain frame: rows are numbered from 2)

LISTS = dict(pattern=r"[a-z]+", nullable=True)


def table(checks, **extra_columns):
    columns = (
        Column("id", "id", meaning="m", pattern=r"[a-z]+"),
        Column("lo", "float", meaning="m", nullable=True),
        Column("hi", "float", meaning="m", nullable=True),
        Column("n", "int", meaning="m", nullable=True),
        Column("k", "int", meaning="m", nullable=True),
        Column("req", "ids", meaning="m", **LISTS),
        Column("exc", "ids", meaning="m", **LISTS),
    )
    return Schema("t", columns, key="id", description="d", checks=checks)


def frame(*rows):
    names = ("id", "lo", "hi", "n", "k", "req", "exc")
    return pd.DataFrame([dict(zip(names, r, strict=True)) for r in rows], dtype=object)


def test_at_most_shows_the_limit_as_its_column_writes_it():
    schema = table(
        (AtMost("lo", "hi", message="lo above hi"), AtMost("k", "n", message="k above n"))
    )
    _, problems = validate_table(
        frame(
            ("a", "5", "4.5", "3", "1234567", "", ""),
            ("b", "1", "2", "3", "", "", ""),
            ("c", "9", "", "", "", "", ""),
        ),
        schema,
        "t.csv",
    )
    assert problems == [
        Problem(
            file="t.csv",
            row=2,
            column="lo",
            message="lo above hi",
            value=5.0,
            expected="at most hi (4.5)",
        ),
        Problem(
            file="t.csv",
            row=2,
            column="k",
            message="k above n",
            value=1234567,
            expected="at most n (3)",
        ),
    ]


def test_differs_not_listed_and_disjoint():
    schema = table(
        (
            Differs("req", "exc", message="same lists", expected="different lists"),
            Disjoint("exc", "req", message="in both:", expected="each id in one list"),
            NotListed("req", "id", message="lists itself", expected="other ids"),
        )
    )
    _, problems = validate_table(
        frame(
            ("a", "", "", "", "", "a;b", "c;b"),
            ("b", "", "", "", "", "x", "x"),
            ("c", "", "", "", "", "", "c"),
        ),
        schema,
        "t.csv",
    )
    assert [(p.row, p.column, p.message, p.value, p.expected) for p in problems] == [
        (2, "exc", "in both: b", "c;b", "each id in one list"),
        (2, "req", "lists itself", "a", "other ids"),
        (3, "req", "same lists", ("x",), "different lists"),
        (3, "exc", "in both: x", "x", "each id in one list"),
    ]


def test_unique_together_with_and_without_its_own_words():
    schema = table(
        (
            UniqueTogether(("n", "k"), message="n {n} has k {k} twice"),
            UniqueTogether(("lo", "hi")),
        )
    )
    _, problems = validate_table(
        frame(
            ("a", "1", "2", "3", "4", "", ""),
            ("b", "1", "2", "3", "4", "", ""),
            ("c", "1", "", "3", "5", "", ""),
        ),
        schema,
        "t.csv",
    )
    assert [str(p) for p in problems] == [
        "t.csv, row 3, column 'k': n 3 has k 4 twice, already on row 2 (got 4); expected "
        "each combination of n, k once",
        "t.csv, row 3, column 'hi': duplicate row (lo=1.0, hi=2.0), already on row 2 (got 2.0); "
        "expected each combination of lo, hi once",
    ]


def test_a_check_with_a_column_left_out_of_the_file_is_skipped():
    schema = table((AtMost("lo", "hi", message="lo above hi"),))
    raw = frame(("a", "5", "4", "", "", "", "")).drop(columns=["hi"])
    _, problems = validate_table(raw, schema, "t.csv")
    assert [p.message for p in problems] == ["missing required column 'hi'"]


def test_checks_that_do_not_fit_the_schema_are_rejected():
    with pytest.raises(ValueError, match="UniqueTogether names 'nope'"):
        table((UniqueTogether(("id", "nope")),))
    with pytest.raises(ValueError, match="AtMost compares numbers only"):
        table((AtMost("id", "lo", message="m"),))
    with pytest.raises(ValueError, match="Disjoint needs list columns"):
        table((Disjoint("req", "id", message="m", expected="e"),))
    with pytest.raises(ValueError, match="NotListed needs list columns"):
        table((NotListed("id", "req", message="m", expected="e"),))
    with pytest.raises(ValueError, match=r"UniqueTogether message names \['x'\], which are not"):
        table((UniqueTogether(("n", "k"), message="n {n} and {x}"),))
    with pytest.raises(ValueError, match="is not a check"):
        table(("id",))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# One home for each rule


def test_the_old_validate_module_is_gone():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("shanchuan.validate")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("shanchuan.readers")


def test_package_exports_exist():
    for name in validation.__all__:
        assert hasattr(validation, name), name


def test_one_did_you_mean():
    assert config.did_you_mean is text.did_you_mean
    assert not hasattr(validation, "did_you_mean")
