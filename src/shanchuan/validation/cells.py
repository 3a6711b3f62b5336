"""Parsing one cell: the text a planner typed, converted to its column's type or refused.

:func:`convert_cell` turns one stripped, non-empty cell into the value of its :class:`Column`
(number, whole number, year, yes/no, id, list of ids, fixed word) or raises :class:`BadCell`
saying why it does not fit. Mistakes planners make in Excel get their own words: full-width
digits, thousands separators, ``%``, ``nan``/``inf`` and spreadsheet error values such as
``#DIV/0!``. :func:`expected_for` is the phrase that follows "expected" in a problem about
the cell.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from shanchuan.schemas import FALSE_WORDS, LIST_SEPARATORS, TRUE_WORDS, YEAR_RANGE, Column
from solverkit.text import did_you_mean

#: Words that parse as floats (or look like placeholders) but are no figure (compared folded).
NOT_A_NUMBER: frozenset[str] = frozenset(
    {
        "nan",
        "-nan",
        "+nan",
        "inf",
        "+inf",
        "-inf",
        "infinity",
        "+infinity",
        "-infinity",
        "none",
        "null",
        "n/a",
        "na",
    }
)
#: Error values a spreadsheet writes into a cell whose formula failed (compared folded).
SPREADSHEET_ERRORS: frozenset[str] = frozenset(
    {
        "#div/0!",
        "#n/a",
        "#value!",
        "#ref!",
        "#name?",
        "#num!",
        "#null!",
        "#spill!",
        "#calc!",
        "#getting_data",
    }
)
_FULLWIDTH_DIGITS = re.compile(r"[０-９．－]")
_COMMA_NUMBER = re.compile(r"^[+-]?[0-9][0-9,]*(\.[0-9]+)?$")
_INT = re.compile(r"^[+-]?[0-9]+$")
_FLOAT = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


class BadCell(Exception):
    """A cell that does not fit its column: ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_missing(value: object) -> bool:
    """Whether a typed cell is empty (``None``, ``pd.NA`` or NaN)."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell_text(value: object) -> str:
    """A raw cell as stripped text; empty cells (``None``, NaN, ``pd.NA``) are ``""``."""
    if is_missing(value):
        return ""
    return str(value).strip()


def parse_number(text: str) -> float:
    """The finite number ``text`` writes; :class:`BadCell` names the mistake otherwise."""
    low = text.casefold()
    if low in NOT_A_NUMBER:
        raise BadCell(f"'{text}' is not a figure")
    if low in SPREADSHEET_ERRORS:
        raise BadCell("spreadsheet error value; fix the formula in Excel and save again")
    if not _FLOAT.match(text):
        if _FULLWIDTH_DIGITS.search(text):
            raise BadCell("not a number: full-width characters; type half-width digits")
        if _COMMA_NUMBER.match(text):
            raise BadCell(
                "not a number: write it without ',' (use '.' for decimals, no thousands separators)"
            )
        if text.endswith("%"):
            raise BadCell("not a number: write it without '%'")
        raise BadCell("not a number")
    value = float(text)
    # '1e999' matches the pattern but overflows to inf.
    if math.isnan(value) or math.isinf(value):
        raise BadCell(f"'{text}' is not a figure")
    return value


def check_bounds(value: float, col: Column) -> None:
    """Raise :class:`BadCell` when ``value`` lies outside the column's ``min``/``max``."""
    lo, hi = col.min, col.max
    if lo is not None and (value < lo or (col.min_exclusive and value == lo)):
        if value < 0 <= lo:
            raise BadCell("negative value")
        raise BadCell("value too small" if hi is None else "value out of range")
    if hi is not None and (value > hi or (col.max_exclusive and value == hi)):
        raise BadCell("value too large" if lo is None else "value out of range")


def split_list(text: str, col: Column) -> tuple[str, ...]:
    """The items of an ``ids``/``codes`` cell, each matching the column's pattern, none twice."""
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    items = [item.strip() for item in text.split(LIST_SEPARATORS[0])]
    items = [item for item in items if item]
    assert col.pattern is not None
    bad = [item for item in items if not re.fullmatch(col.pattern, item)]
    if bad:
        hint = ""
        if any(sep in text for sep in (",", "，", "、", " ")):
            hint = "; separate items with ';'"
        raise BadCell(
            f"invalid item{'s' if len(bad) > 1 else ''} " + ", ".join(f"'{b}'" for b in bad) + hint
        )
    twice = sorted({item for item in items if items.count(item) > 1})
    if twice:
        raise BadCell("listed twice: " + ", ".join(f"'{t}'" for t in twice))
    return tuple(items)


def year_range(col: Column) -> tuple[int, int]:
    """The years a ``year`` column accepts: :data:`YEAR_RANGE` narrowed by its ``min``/``max``."""
    lo = max(YEAR_RANGE[0], int(col.min) if col.min is not None else YEAR_RANGE[0])
    hi = min(YEAR_RANGE[1], int(col.max) if col.max is not None else YEAR_RANGE[1])
    return lo, hi


def convert_cell(text: str, col: Column) -> Any:
    """Convert one non-empty, stripped cell to the column's type; raise :class:`BadCell`."""
    if col.dtype == "str":
        return text
    if col.dtype == "id":
        if col.pattern is not None and not re.fullmatch(col.pattern, text):
            raise BadCell("not a valid id")
        return text
    if col.dtype == "enum":
        if text not in col.choices:
            raise BadCell("unknown value" + did_you_mean(text, col.choices))
        return text
    if col.dtype == "bool":
        low = text.casefold()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        raise BadCell("not a yes/no value")
    if col.dtype in ("ids", "codes"):
        return split_list(text, col)
    if col.dtype == "year":
        if not _INT.match(text):
            raise BadCell("not a year")
        year = int(text)
        lo, hi = year_range(col)
        if not lo <= year <= hi:
            raise BadCell(f"year out of range {lo}..{hi}")
        return year
    value = parse_number(text)
    if col.dtype == "int":
        if not value.is_integer():
            raise BadCell("not a whole number")
        # Beyond 2**53 a float (and a spreadsheet) cannot hold the whole number exactly, and
        # beyond 2**63 it does not fit the table's integer column at all (found by tests/fuzz).
        if abs(value) > 2**53:
            raise BadCell("whole number too large (more than 2**53 = 9007199254740992)")
        check_bounds(value, col)
        return int(value)
    check_bounds(value, col)
    return value


def expected(col: Column) -> str:
    """The column's type in words for a message (no Markdown), with its unit if it tells."""
    text = col.describe_type().replace("`", "")
    # 'years', 'people' and 'jobs' repeat what 'whole number' already says.
    if col.unit and col.unit not in ("years", "people", "jobs"):
        text += f" ({col.unit})"
    return text


def expected_for(col: Column) -> str:
    """What a cell of ``col`` should hold, as the ``expected`` of a problem about it."""
    if col.dtype == "year":
        lo, hi = year_range(col)
        return f"a 4-digit year from {lo} to {hi}"
    if col.dtype == "bool":
        return "1/0, true/false or 是/否"
    if col.dtype == "id" and col.pattern == r"[a-z0-9-]+":
        return "lowercase letters, digits and '-' (e.g. 'yunxi')"
    return expected(col)
