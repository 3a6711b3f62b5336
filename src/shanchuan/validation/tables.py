"""One table against its schema: header, cells, uniqueness and the schema's checks, all at once.

:func:`validate_table` converts a file's text cells to typed columns and collects every problem
of the file: unknown and missing columns, a file without rows, empty and malformed cells (see
:mod:`shanchuan.validation.cells`), repeated keys and unique values, and every check the schema
declares (:data:`shanchuan.schemas.CHECK_KINDS`), each applied by its evaluator in
:data:`EVALUATORS`. Checks that name a county column wait until county names are resolved to
ids: :func:`check_problems` with ``resolved=True``, called by
:func:`shanchuan.validation.references.validate_references`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import pandas as pd

from shanchuan.errors import Problem
from shanchuan.schemas import (
    AtMost,
    Check,
    Column,
    Differs,
    Disjoint,
    NotListed,
    Schema,
    UniqueTogether,
)
from shanchuan.validation.cells import (
    BadCell,
    cell_text,
    convert_cell,
    expected,
    expected_for,
    is_missing,
)
from shanchuan.validation.readers import ROW
from solverkit.text import closest


def row_numbers(frame: pd.DataFrame) -> list[int]:
    """Spreadsheet rows of a frame: its index if it came from a reader, else 2, 3, ..."""
    if frame.index.name == ROW:
        return [int(r) for r in frame.index]
    return list(range(2, len(frame) + 2))


def _series(values: list[Any], col: Column, index: pd.Index) -> pd.Series:
    if col.dtype == "float":
        return pd.Series(
            [float("nan") if v is None else v for v in values], index=index, dtype="float64"
        )
    if col.dtype in ("int", "year"):
        dtype = "Int64" if any(v is None for v in values) else "int64"
        return pd.Series(values, index=index, dtype=dtype)
    if col.dtype == "bool":
        nullable = any(v is None for v in values)
        return pd.Series(values, index=index, dtype=object if nullable else bool)
    if col.dtype in ("ids", "codes"):
        return pd.Series([() if v is None else v for v in values], index=index, dtype=object)
    return pd.Series(values, index=index, dtype=object)


def _header_problems(columns: Sequence[str], schema: Schema, file: str) -> list[Problem]:
    problems: list[Problem] = []
    known = schema.column_names
    missing = [c for c in schema.required_columns if c not in columns]
    # A misspelt required column is reported once, as unknown with its suggestion.
    explained: set[str] = set()
    for name in columns:
        if name in schema.by_name:
            continue
        pool = [c for c in known if c not in columns] or list(known)
        best = closest(name, pool)
        hint = f" (did you mean '{best}'?)" if best else ""
        if best:
            explained.add(best)
        problems.append(
            Problem(
                file=file,
                row=1,
                column=name,
                message=f"unknown column '{name}'{hint}",
                expected="columns of " + schema.filename + ": " + ", ".join(known),
            )
        )
    for name in missing:
        if name in explained:
            continue
        problems.append(
            Problem(
                file=file,
                row=1,
                column=name,
                message=f"missing required column '{name}'",
                expected=expected(schema.by_name[name]),
            )
        )
    return problems


def _cell_problems(
    raw: pd.DataFrame, col: Column, schema: Schema, file: str, rows: Sequence[int]
) -> tuple[list[Any], list[Problem]]:
    """The typed values of one column (``None`` where empty or bad) and its cells' problems."""
    values: list[Any] = []
    problems: list[Problem] = []
    for row, cell in zip(rows, raw[col.name], strict=True):
        text = cell_text(cell)
        if not text:
            values.append(None)
            if not col.nullable:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column=col.name,
                        message="missing id" if col.name == schema.key else "empty cell",
                        expected=expected_for(col),
                    )
                )
            continue
        try:
            values.append(convert_cell(text, col))
        except BadCell as bad:
            values.append(None)
            problems.append(
                Problem(
                    file=file,
                    row=row,
                    column=col.name,
                    message=bad.message,
                    value=text,
                    expected=expected_for(col),
                )
            )
    return values, problems


def _duplicates(keys: Sequence[object], rows: Sequence[int]) -> dict[int, int]:
    """Row of each repeated key → row of its first occurrence (keys with a ``None`` skipped)."""
    first: dict[object, int] = {}
    out: dict[int, int] = {}
    for key, row in zip(keys, rows, strict=True):
        if key is None or (isinstance(key, tuple) and any(k is None for k in key)):
            continue
        if key in first:
            out[row] = first[key]
        else:
            first[key] = row
    return out


def _cells(frame: pd.DataFrame, name: str) -> list[Any]:
    return [None if is_missing(v) else v for v in frame[name]]


def _unique_column_problems(
    frame: pd.DataFrame, schema: Schema, file: str, rows: Sequence[int]
) -> list[Problem]:
    """Repeated keys, repeated values of ``unique`` columns and within ``unique_within``."""
    problems: list[Problem] = []
    position = {row: i for i, row in enumerate(rows)}
    for col in schema.columns:
        if col.name not in frame:
            continue
        values = _cells(frame, col.name)
        if col.name == schema.key or col.unique:
            what = "duplicate id" if col.name == schema.key else "duplicate value"
            for row, first in _duplicates(values, rows).items():
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column=col.name,
                        message=f"{what}, already on row {first}",
                        value=values[position[row]],
                        expected="each value once",
                    )
                )
        if col.unique_within and col.unique_within in frame:
            groups = _cells(frame, col.unique_within)
            for row, first in _duplicates(list(zip(groups, values, strict=True)), rows).items():
                i = position[row]
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column=col.name,
                        message=f"duplicate value within {col.unique_within} '{groups[i]}', "
                        f"already on row {first}",
                        value=values[i],
                        expected=f"each value once per {col.unique_within}",
                    )
                )
    return problems


# ---------------------------------------------------------------------------------------------
# One evaluator per kind of check: (check, typed frame, schema, file, rows) -> problems


def _filled(
    frame: pd.DataFrame, rows: Sequence[int], a: str, b: str
) -> Iterator[tuple[int, Any, Any]]:
    """``(row, a, b)`` for the rows where both cells are filled."""
    for row, x, y in zip(rows, frame[a], frame[b], strict=True):
        if not is_missing(x) and not is_missing(y):
            yield row, x, y


def _unique_together(
    check: UniqueTogether, frame: pd.DataFrame, schema: Schema, file: str, rows: Sequence[int]
) -> list[Problem]:
    group = check.columns
    combos = list(zip(*(_cells(frame, name) for name in group), strict=True))
    position = {row: i for i, row in enumerate(rows)}
    problems = []
    for row, first in _duplicates(combos, rows).items():
        combo = combos[position[row]]
        if check.message is None:
            label = ", ".join(f"{n}={v}" for n, v in zip(group, combo, strict=True))
            what = f"duplicate row ({label})"
        else:
            what = check.message.format(**dict(zip(group, combo, strict=True)))
        problems.append(
            Problem(
                file=file,
                row=row,
                column=group[-1],
                message=f"{what}, already on row {first}",
                value=combo[-1],
                expected="each combination of " + ", ".join(group) + " once",
            )
        )
    return problems


def _shown(value: Any, col: Column) -> str:
    # Whole numbers as written; other figures without a trailing '.0' ('300', '12.5').
    return str(value) if col.dtype in ("int", "year") else f"{value:g}"


def _at_most(
    check: AtMost, frame: pd.DataFrame, schema: Schema, file: str, rows: Sequence[int]
) -> list[Problem]:
    return [
        Problem(
            file=file,
            row=row,
            column=check.column,
            message=check.message,
            value=value,
            expected=f"at most {check.limit} ({_shown(limit, schema.by_name[check.limit])})",
        )
        for row, value, limit in _filled(frame, rows, check.column, check.limit)
        if value > limit
    ]


def _differs(
    check: Differs, frame: pd.DataFrame, schema: Schema, file: str, rows: Sequence[int]
) -> list[Problem]:
    return [
        Problem(
            file=file,
            row=row,
            column=check.column,
            message=check.message,
            value=value,
            expected=check.expected,
        )
        for row, other, value in _filled(frame, rows, check.other, check.column)
        if value == other
    ]


def _not_listed(
    check: NotListed, frame: pd.DataFrame, schema: Schema, file: str, rows: Sequence[int]
) -> list[Problem]:
    return [
        Problem(
            file=file,
            row=row,
            column=check.column,
            message=check.message,
            value=item,
            expected=check.expected,
        )
        for row, item, items in _filled(frame, rows, check.item, check.column)
        if item in items
    ]


def _disjoint(
    check: Disjoint, frame: pd.DataFrame, schema: Schema, file: str, rows: Sequence[int]
) -> list[Problem]:
    problems = []
    for row, other, items in _filled(frame, rows, check.other, check.column):
        both = sorted(set(other) & set(items))
        if both:
            problems.append(
                Problem(
                    file=file,
                    row=row,
                    column=check.column,
                    message=f"{check.message} " + ", ".join(both),
                    value=";".join(items),
                    expected=check.expected,
                )
            )
    return problems


Evaluator = Callable[[Any, pd.DataFrame, Schema, str, Sequence[int]], list[Problem]]

#: Kind of check → the function that applies it to a typed frame.
EVALUATORS: Mapping[type, Evaluator] = MappingProxyType(
    {
        UniqueTogether: _unique_together,
        AtMost: _at_most,
        Differs: _differs,
        NotListed: _not_listed,
        Disjoint: _disjoint,
    }
)


def names_a_county(check: Check, schema: Schema) -> bool:
    """Whether ``check`` reads a county column (and so waits for names resolved to ids)."""
    return any(schema.by_name[name].references == "counties" for name in check.columns)


def check_problems(
    frame: pd.DataFrame, schema: Schema, file: str, rows: Sequence[int], *, resolved: bool
) -> list[Problem]:
    """Apply the schema's checks, in order: those naming a county column iff ``resolved``.

    A check is skipped when one of its columns is not in ``frame``.
    """
    problems: list[Problem] = []
    for check in schema.checks:
        if names_a_county(check, schema) != resolved:
            continue
        if any(name not in frame for name in check.columns):
            continue
        problems += EVALUATORS[type(check)](check, frame, schema, file, rows)
    return problems


def validate_table(
    df: pd.DataFrame, schema: Schema, file: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check one table against ``schema`` and convert it to typed columns.

    ``df`` is usually the output of :func:`shanchuan.validation.read_table` (text cells, index
    = spreadsheet row); any frame works, rows then being numbered from 2. Returns the typed
    frame — same index, schema columns in schema order, optional missing columns filled with
    empty values — and every problem found, by row. Cells that could not be converted are
    empty in the returned frame. Types: ``float`` → float64 (NaN = empty); ``int``/``year`` →
    int64 (Int64 if a cell is empty); ``bool`` → bool; ``ids``/``codes`` → tuples (``()`` =
    empty); text, ids and enums → ``str`` or ``None``.

    Checks that name a county column (e.g. one rank per county in willingness.csv) are applied
    by :func:`shanchuan.validation.validate_references`, after names are resolved.
    """
    problems: list[Problem] = []
    columns = [str(c).strip() for c in df.columns]
    raw = df.copy()
    raw.columns = pd.Index(columns, dtype=object)
    rows = row_numbers(df)
    problems += _header_problems(columns, schema, file)
    if schema.rows_required and len(df) == 0:
        problems.append(
            Problem(
                file=file,
                row=2,
                message="the file has a header line but no data rows",
                expected=f"at least one row of {schema.name}",
            )
        )
    index = pd.Index(rows, name=ROW, dtype="int64")
    typed: dict[str, pd.Series] = {}
    for col in schema.columns:
        # A column named twice in the header (reported by the reader) is not read.
        present = col.name in raw.columns and not isinstance(raw[col.name], pd.DataFrame)
        if not present:
            typed[col.name] = _series([None] * len(rows), col, index)
            continue
        values, found = _cell_problems(raw, col, schema, file, rows)
        problems += found
        typed[col.name] = _series(values, col, index)
    frame = pd.DataFrame(typed, index=index)
    problems += _unique_column_problems(frame, schema, file, rows)
    problems += check_problems(frame, schema, file, rows, resolved=False)
    problems.sort(key=lambda p: p.row if p.row is not None else 0)
    return frame, problems
