"""Validating input tables against their schemas, each file alone and across files.

Three layers, each collecting every problem rather than stopping at the first:

* :func:`validate_table` checks one file's text cells against its :class:`Schema` and converts
  them to typed columns (header, empty cells, numbers, ranges, enums, years, yes/no, lists,
  unique keys);
* :func:`validate_references` checks the files against each other: counties named in other
  files (given as id, Annex-2 name or full name, and resolved to ids), roles, sector codes,
  project ids, willingness ranks, distance coverage;
* :func:`load_inputs` reads and validates all files of a scenario and raises one
  :class:`InputError` holding every problem of every file.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from shanchuan.errors import InputError, Problem
from shanchuan.readers import ROW, read_table_collect
from shanchuan.schemas import (
    COUNTIES,
    FALSE_WORDS,
    INPUT_FILES,
    LIST_SEPARATORS,
    TRUE_WORDS,
    YEAR_RANGE,
    Column,
    Schema,
)

#: Input files that every call of :func:`load_inputs` needs.
REQUIRED_FILES: tuple[str, ...] = ("counties", "sectors")

_NOT_A_NUMBER = {
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
_SPREADSHEET_ERRORS = {
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
_FULLWIDTH_DIGITS = re.compile(r"[０-９．－]")
_COMMA_NUMBER = re.compile(r"^[+-]?[0-9][0-9,]*(\.[0-9]+)?$")
_INT = re.compile(r"^[+-]?[0-9]+$")
_FLOAT = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most similar to ``word`` (case-insensitively as a fallback), or ``None``."""
    pool = list(dict.fromkeys(choices))
    close = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    if close:
        return close[0]
    lowered = {c.casefold(): c for c in pool}
    hit = difflib.get_close_matches(word.casefold(), list(lowered), n=1, cutoff=cutoff)
    return lowered[hit[0]] if hit else None


def did_you_mean(
    word: str, choices: Iterable[str], *, describe: Mapping[str, str] | None = None
) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or ``""`` if none is close.

    ``describe`` maps a choice to a label shown after it, e.g. an id to its Chinese name.
    """
    best = closest(word, choices)
    if best is None:
        return ""
    label = f" ({describe[best]})" if describe and describe.get(best) else ""
    return f" (did you mean '{best}'{label}?)"


class _Bad(Exception):
    """A cell that does not fit its column: ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _expected(col: Column) -> str:
    text = col.describe_type().replace("`", "")
    if col.unit and col.unit not in ("years", "people", "jobs"):
        text += f" ({col.unit})"
    return text


def _number(text: str) -> float:
    low = text.casefold()
    if low in _NOT_A_NUMBER:
        raise _Bad(f"'{text}' is not a figure")
    if low in _SPREADSHEET_ERRORS:
        raise _Bad("spreadsheet error value; fix the formula in Excel and save again")
    if not _FLOAT.match(text):
        if _FULLWIDTH_DIGITS.search(text):
            raise _Bad("not a number: full-width characters; type half-width digits")
        if _COMMA_NUMBER.match(text):
            raise _Bad(
                "not a number: write it without ',' (use '.' for decimals, no thousands separators)"
            )
        if text.endswith("%"):
            raise _Bad("not a number: write it without '%'")
        raise _Bad("not a number")
    value = float(text)
    if math.isnan(value) or math.isinf(value):
        raise _Bad(f"'{text}' is not a figure")
    return value


def _check_bounds(value: float, col: Column) -> None:
    lo, hi = col.min, col.max
    if lo is not None and (value < lo or (col.min_exclusive and value == lo)):
        if value < 0 <= lo:
            raise _Bad("negative value")
        raise _Bad("value too small" if hi is None else "value out of range")
    if hi is not None and (value > hi or (col.max_exclusive and value == hi)):
        raise _Bad("value too large" if lo is None else "value out of range")


def _split_list(text: str, col: Column) -> tuple[str, ...]:
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
        raise _Bad(
            f"invalid item{'s' if len(bad) > 1 else ''} " + ", ".join(f"'{b}'" for b in bad) + hint
        )
    twice = sorted({item for item in items if items.count(item) > 1})
    if twice:
        raise _Bad("listed twice: " + ", ".join(f"'{t}'" for t in twice))
    return tuple(items)


def _convert_cell(text: str, col: Column) -> Any:
    """Convert one non-empty, stripped cell to the column's type; raise ``_Bad`` if it fails."""
    if col.dtype == "str":
        return text
    if col.dtype == "id":
        if col.pattern is not None and not re.fullmatch(col.pattern, text):
            raise _Bad("not a valid id")
        return text
    if col.dtype == "enum":
        if text not in col.choices:
            raise _Bad("unknown value" + did_you_mean(text, col.choices))
        return text
    if col.dtype == "bool":
        low = text.casefold()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        raise _Bad("not a yes/no value")
    if col.dtype in ("ids", "codes"):
        return _split_list(text, col)
    if col.dtype == "year":
        if not _INT.match(text):
            raise _Bad("not a year")
        year = int(text)
        lo = max(YEAR_RANGE[0], int(col.min) if col.min is not None else YEAR_RANGE[0])
        hi = min(YEAR_RANGE[1], int(col.max) if col.max is not None else YEAR_RANGE[1])
        if not lo <= year <= hi:
            raise _Bad(f"year out of range {lo}..{hi}")
        return year
    value = _number(text)
    if col.dtype == "int":
        if not value.is_integer():
            raise _Bad("not a whole number")
        _check_bounds(value, col)
        return int(value)
    _check_bounds(value, col)
    return value


def _expected_for(col: Column) -> str:
    if col.dtype == "year":
        lo = max(YEAR_RANGE[0], int(col.min) if col.min is not None else YEAR_RANGE[0])
        hi = min(YEAR_RANGE[1], int(col.max) if col.max is not None else YEAR_RANGE[1])
        return f"a 4-digit year from {lo} to {hi}"
    if col.dtype == "bool":
        return "1/0, true/false or 是/否"
    if col.dtype == "id" and col.pattern == r"[a-z0-9-]+":
        return "lowercase letters, digits and '-' (e.g. 'yunxi')"
    return _expected(col)


def _row_numbers(df: pd.DataFrame) -> list[int]:
    if df.index.name == ROW:
        return [int(r) for r in df.index]
    return list(range(2, len(df) + 2))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NA:
        return ""
    return str(value).strip()


def _series(values: list[Any], col: Column, index: pd.Index) -> pd.Series:
    if col.dtype == "float":
        return pd.Series(
            [math.nan if v is None else v for v in values], index=index, dtype="float64"
        )
    if col.dtype in ("int", "year"):
        dtype = "Int64" if any(v is None for v in values) else "int64"
        return pd.Series(values, index=index, dtype=dtype)
    if col.dtype == "bool":
        dtype = object if any(v is None for v in values) else bool
        return pd.Series(values, index=index, dtype=dtype)
    if col.dtype in ("ids", "codes"):
        return pd.Series([() if v is None else v for v in values], index=index, dtype=object)
    return pd.Series(values, index=index, dtype=object)


def _header_problems(columns: Sequence[str], schema: Schema, file: str) -> list[Problem]:
    problems: list[Problem] = []
    known = schema.column_names
    missing = [c for c in schema.required_columns if c not in columns]
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
                expected=_expected(schema.by_name[name]),
            )
        )
    return problems


def _duplicates(keys: Sequence[object], rows: Sequence[int]) -> dict[int, int]:
    """Row of each repeated key → row of its first occurrence (keys ``None`` are skipped)."""
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


def _unique_problems(
    frame: pd.DataFrame, schema: Schema, file: str, rows: Sequence[int], *, resolved: bool
) -> list[Problem]:
    problems: list[Problem] = []

    def cells(name: str) -> list[Any]:
        return [None if _missing(v) else v for v in frame[name]]

    for col in schema.columns:
        if col.name not in frame or resolved:
            continue
        values = cells(col.name)
        if col.name == schema.key or col.unique:
            what = "duplicate id" if col.name == schema.key else "duplicate value"
            for row, first in _duplicates(values, rows).items():
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column=col.name,
                        message=f"{what}, already on row {first}",
                        value=values[list(rows).index(row)],
                        expected="each value once",
                    )
                )
        if col.unique_within and col.unique_within in frame:
            groups = cells(col.unique_within)
            for row, first in _duplicates(list(zip(groups, values, strict=True)), rows).items():
                i = list(rows).index(row)
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
    for group in schema.unique_together:
        if any(name not in frame for name in group):
            continue
        # Combinations with a county reference are compared after names are resolved to ids.
        if any(_is_county_ref(schema, name) for name in group) != resolved:
            continue
        combos = list(zip(*(cells(name) for name in group), strict=True))
        for row, first in _duplicates(combos, rows).items():
            i = list(rows).index(row)
            label = ", ".join(f"{n}={v}" for n, v in zip(group, combos[i], strict=True))
            message = (
                f"duplicate rank for county '{combos[i][0]}', already on row {first}"
                if group == ("county", "rank")
                else f"duplicate row ({label}), already on row {first}"
            )
            problems.append(
                Problem(
                    file=file,
                    row=row,
                    column=group[-1],
                    message=message,
                    value=combos[i][-1],
                    expected="each combination of " + ", ".join(group) + " once",
                )
            )
    return problems


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _is_county_ref(schema: Schema, name: str) -> bool:
    col = schema.by_name.get(name)
    return col is not None and col.references == "counties"


def _row_checks(
    frame: pd.DataFrame, schema: Schema, file: str, rows: Sequence[int]
) -> list[Problem]:
    """Checks within one row that involve two columns."""
    problems: list[Problem] = []

    def pairs(a: str, b: str) -> Iterable[tuple[int, Any, Any]]:
        if a in frame and b in frame:
            for row, x, y in zip(rows, frame[a], frame[b], strict=True):
                if not _missing(x) and not _missing(y):
                    yield row, x, y

    if schema.name == "projects":
        for row, lo, hi in pairs("special_fund_min_wan", "special_fund_request_wan"):
            if lo > hi:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column="special_fund_min_wan",
                        message="minimum special fund is larger than the request",
                        value=lo,
                        expected=f"at most special_fund_request_wan ({hi:g})",
                    )
                )
        for row, part, whole in pairs("low_income_benefited", "people_benefited"):
            if part > whole:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column="low_income_benefited",
                        message="more low-income beneficiaries than beneficiaries",
                        value=part,
                        expected=f"at most people_benefited ({whole})",
                    )
                )
        for row, req, exc in pairs("requires", "excludes"):
            both = sorted(set(req) & set(exc))
            if both:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column="excludes",
                        message="project both requires and excludes " + ", ".join(both),
                        value=";".join(exc),
                        expected="a project in at most one of the two lists",
                    )
                )
        for name in ("requires", "excludes"):
            for row, pid, items in pairs("id", name):
                if pid in items:
                    problems.append(
                        Problem(
                            file=file,
                            row=row,
                            column=name,
                            message="project lists itself",
                            value=pid,
                            expected="other projects' ids",
                        )
                    )
    if schema.name == "sector_links":
        for row, src, dst in pairs("source", "target"):
            if src == dst:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column="target",
                        message="a sector linked to itself",
                        value=dst,
                        expected="a different sector than 'source'",
                    )
                )
    return problems


def validate_table(
    df: pd.DataFrame, schema: Schema, file: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check one table against ``schema`` and convert it to typed columns.

    ``df`` is usually the output of :func:`shanchuan.readers.read_table` (text cells, index =
    spreadsheet row); any frame works, rows then being numbered from 2. Returns the typed
    frame — same index, schema columns in schema order, optional missing columns filled with
    empty values — and every problem found. Cells that could not be converted are empty in the
    returned frame. Types: ``float`` → float64 (NaN = empty); ``int``/``year`` → int64 (Int64
    if a cell is empty); ``bool`` → bool; ``ids``/``codes`` → tuples (``()`` = empty); text,
    ids and enums → ``str`` or ``None``.

    Uniqueness of combinations that include a county reference (e.g. one rank per county in
    willingness.csv) is checked by :func:`validate_references`, after names are resolved.
    """
    problems: list[Problem] = []
    columns = [str(c).strip() for c in df.columns]
    raw = df.copy()
    raw.columns = pd.Index(columns, dtype=object)
    rows = _row_numbers(df)
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
        values: list[Any] = []
        present = col.name in raw.columns and not isinstance(raw[col.name], pd.DataFrame)
        if not present:
            typed[col.name] = _series([None] * len(rows), col, index)
            continue
        for row, cell in zip(rows, raw[col.name], strict=True):
            text = _text(cell)
            if not text:
                values.append(None)
                if not col.nullable:
                    message = "missing id" if col.name == schema.key else "empty cell"
                    problems.append(
                        Problem(
                            file=file,
                            row=row,
                            column=col.name,
                            message=message,
                            expected=_expected_for(col),
                        )
                    )
                continue
            try:
                values.append(_convert_cell(text, col))
            except _Bad as bad:
                values.append(None)
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column=col.name,
                        message=bad.message,
                        value=text,
                        expected=_expected_for(col),
                    )
                )
        typed[col.name] = _series(values, col, index)
    frame = pd.DataFrame(typed, index=index)
    problems += _unique_problems(frame, schema, file, rows, resolved=False)
    problems += _row_checks(frame, schema, file, rows)
    problems.sort(key=lambda p: p.row if p.row is not None else 0)
    return frame, problems


# ---------------------------------------------------------------------------------------------
# Counties referred to by name or id


@dataclass(frozen=True)
class CountyIndex:
    """Lookup of counties by id, Annex-2 name or full name (built from counties.csv)."""

    roles: Mapping[str, str]
    names: Mapping[str, str]
    """id → Annex-2 name."""
    by_name: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Annex-2 name or full name → ids carrying it."""

    @classmethod
    def from_frame(cls, counties: pd.DataFrame) -> CountyIndex:
        """Build from a counties frame indexed by id, or with an ``id`` column."""
        ids = counties["id"] if "id" in counties.columns else pd.Series(counties.index)
        ids_list = [_text(v) for v in ids]

        def column(name: str) -> list[str]:
            if name not in counties.columns:
                return [""] * len(ids_list)
            return [_text(v) for v in counties[name]]

        roles = dict(zip(ids_list, column("role"), strict=True))
        annex = column("annex_name")
        by_name: dict[str, list[str]] = {}
        for cid, a, f in zip(ids_list, annex, column("full_name"), strict=True):
            if not cid:
                continue
            for name in dict.fromkeys((a, f)):
                if name and name != cid:
                    by_name.setdefault(name, []).append(cid)
        return cls(
            roles={k: v for k, v in roles.items() if k},
            names={cid: a for cid, a in zip(ids_list, annex, strict=True) if cid},
            by_name={k: tuple(dict.fromkeys(v)) for k, v in by_name.items()},
        )

    def label(self, cid: str) -> str:
        """``'yunxi' (郧西县)``."""
        name = self.names.get(cid)
        return f"'{cid}' ({name})" if name else f"'{cid}'"

    def resolve(
        self,
        value: str,
        role: str | None = None,
        *,
        file: str,
        row: int | None = None,
        column: str | None = None,
    ) -> str | Problem:
        """The id ``value`` denotes, or a :class:`Problem` saying why there is none."""
        text = value.strip()
        expected = f"a {role or 'county'} of counties.csv, by id, Annex-2 name or full name"
        if text in self.roles:
            candidates: tuple[str, ...] = (text,)
        else:
            candidates = self.by_name.get(text, ())
        if not candidates:
            pool = [c for c in self.roles if role is None or self.roles[c] == role]
            labels = {c: self.names.get(c, "") for c in pool}
            names = {n: ids[0] for n, ids in self.by_name.items() if ids[0] in labels}
            describe = {**labels, **{n: f"id '{i}'" for n, i in names.items()}}
            # A short form such as '武昌' for '武汉市武昌区': suggest the one name containing it.
            containing = {i for n, i in names.items() if len(text) >= 2 and text in n}
            if len(containing) == 1:
                cid = containing.pop()
                hint = f" (did you mean {self.label(cid)}?)"
            else:
                hint = did_you_mean(text, [*pool, *names], describe=describe)
            return Problem(
                file=file,
                row=row,
                column=column,
                message=f"unknown county '{text}'{hint}",
                value=value,
                expected=expected,
            )
        if len(candidates) > 1:
            return Problem(
                file=file,
                row=row,
                column=column,
                message=f"'{text}' names several counties: "
                + ", ".join(self.label(c) for c in candidates),
                value=value,
                expected="the county's id",
            )
        cid = candidates[0]
        if role is not None and self.roles.get(cid) != role:
            return Problem(
                file=file,
                row=row,
                column=column,
                message=f"{self.label(cid)} is a {self.roles.get(cid)} county",
                value=value,
                expected=f"a {role} county",
            )
        return cid


def resolve_county(
    name_or_id: str,
    counties: pd.DataFrame,
    role: str | None = None,
    *,
    file: str = "scenario",
    row: int | None = None,
    column: str | None = None,
) -> str | Problem:
    """The id of the county given by id, Annex-2 name or full name, or a :class:`Problem`.

    ``counties`` is a counties frame (indexed by id, or with an ``id`` column). With ``role``
    (``'recipient'``/``'supporter'``) a county of the other role is a problem. ``file``,
    ``row`` and ``column`` locate the reference in the returned problem (e.g. the scenario file
    and the key holding a lock). Unknown names come with a did-you-mean over ids and names.
    """
    if role is not None and role not in ("recipient", "supporter"):
        raise ValueError(f"role must be 'recipient', 'supporter' or None, got {role!r}")
    return CountyIndex.from_frame(counties).resolve(
        name_or_id, role, file=file, row=row, column=column
    )


# ---------------------------------------------------------------------------------------------
# Checks across files


def _key_values(frame: pd.DataFrame, key: str) -> list[str]:
    return [v for v in frame[key] if not _missing(v)]


def validate_references(
    tables: Mapping[str, pd.DataFrame],
    files: Mapping[str, str] | None = None,
    *,
    unreadable: Iterable[str] = (),
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Check the typed tables against each other; resolve county names to ids.

    ``tables`` maps input keys (see :data:`shanchuan.schemas.INPUT_FILES`) to frames returned
    by :func:`validate_table`; ``files`` maps the same keys to the file names used in problems
    (default: the schema's file name). Returns copies of the tables with every county reference
    replaced by its id, and the problems: unknown counties (with did-you-mean), counties of the
    wrong role, a willingness partner of the county's own role, duplicate ranks, unknown sector
    codes and project ids, prefectures missing from regions.csv, distances for unknown pairs or
    missing pairs. A table whose referenced table is not given is a problem too, except for the
    input keys in ``unreadable`` (given, but already reported as unreadable): references to
    them are not checked.
    """
    files = dict(files or {})
    skipped = set(unreadable)
    problems: list[Problem] = []
    out = {key: frame.copy() for key, frame in tables.items()}

    def name(key: str) -> str:
        return files.get(key, INPUT_FILES[key].filename)

    counties = out.get("counties")
    index = CountyIndex.from_frame(counties) if counties is not None else None
    keys_of = {
        "sectors": set(_key_values(out["sectors"], "code")) if "sectors" in out else None,
        "projects": set(_key_values(out["projects"], "id")) if "projects" in out else None,
    }
    for key, frame in out.items():
        schema = INPUT_FILES[key]
        file = name(key)
        rows = (
            [int(r) for r in frame.index]
            if frame.index.name == ROW
            else list(range(2, len(frame) + 2))
        )
        for col in schema.columns:
            if col.references is None:
                continue
            if col.references == "counties":
                if index is None:
                    if "counties" not in skipped:
                        problems.append(_needs(file, col, "counties"))
                    continue
                resolved: list[Any] = []
                for row, value in zip(rows, frame[col.name], strict=True):
                    if _missing(value):
                        resolved.append(None)
                        continue
                    got = index.resolve(str(value), col.role, file=file, row=row, column=col.name)
                    if isinstance(got, Problem):
                        problems.append(got)
                        resolved.append(None)
                    else:
                        resolved.append(got)
                frame[col.name] = pd.Series(resolved, index=frame.index, dtype=object)
                continue
            known = keys_of[col.references]
            if known is None:
                if col.references not in skipped:
                    problems.append(_needs(file, col, col.references))
                continue
            what = "sector code" if col.references == "sectors" else "project id"
            for row, value in zip(rows, frame[col.name], strict=True):
                if _missing(value):
                    continue
                items = value if isinstance(value, tuple) else (value,)
                for item in items:
                    if item not in known:
                        problems.append(
                            Problem(
                                file=file,
                                row=row,
                                column=col.name,
                                message=f"unknown {what} '{item}'{did_you_mean(item, known)}",
                                value=item,
                                expected=f"a {what} of {name(col.references)}",
                            )
                        )
        problems += _unique_problems(frame, schema, file, rows, resolved=True)
    if index is not None:
        problems += _willingness_roles(
            out.get("willingness"), index, name("willingness") if "willingness" in out else ""
        )
        if "distances" in out:
            problems += _distance_coverage(out["distances"], index, name("distances"))
    if counties is not None:
        problems += _counties_checks(
            counties,
            out.get("regions"),
            name("counties"),
            name("regions") if "regions" in out else "",
        )
    order = {name(key): i for i, key in enumerate(out)}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.row is None, p.row or 0))
    return out, problems


def _needs(file: str, col: Column, other: str) -> Problem:
    return Problem(
        file=file,
        column=col.name,
        message=f"column '{col.name}' refers to {other}.csv, which was not given",
        expected=f"the {other} file too",
    )


def _willingness_roles(frame: pd.DataFrame | None, index: CountyIndex, file: str) -> list[Problem]:
    if frame is None:
        return []
    problems: list[Problem] = []
    for row, county, partner in zip(frame.index, frame["county"], frame["partner"], strict=True):
        if _missing(county) or _missing(partner):
            continue
        if county == partner:
            problems.append(
                Problem(
                    file=file,
                    row=int(row),
                    column="partner",
                    message=f"{index.label(partner)} ranks itself",
                    expected="a county of the other role",
                )
            )
        elif index.roles.get(county) == index.roles.get(partner):
            problems.append(
                Problem(
                    file=file,
                    row=int(row),
                    column="partner",
                    message=f"partner {index.label(partner)} has the same role as "
                    f"{index.label(county)} ({index.roles.get(county)})",
                    expected="a county of the other role",
                )
            )
    return problems


def _distance_coverage(frame: pd.DataFrame, index: CountyIndex, file: str) -> list[Problem]:
    recipients = [c for c, r in index.roles.items() if r == "recipient"]
    supporters = [c for c, r in index.roles.items() if r == "supporter"]
    given = {
        (r, s)
        for r, s in zip(frame["recipient"], frame["supporter"], strict=True)
        if not _missing(r) and not _missing(s)
    }
    missing = [(r, s) for r in recipients for s in supporters if (r, s) not in given]
    if not missing or len(frame) == 0:
        return []
    shown = ", ".join(f"{r}–{s}" for r, s in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return [
        Problem(
            file=file,
            message=f"no distance for {len(missing)} recipient × supporter pair"
            f"{'s' if len(missing) > 1 else ''}: {shown}{more}",
            expected=f"one row for each of the {len(recipients)} × {len(supporters)} = "
            f"{len(recipients) * len(supporters)} pairs",
        )
    ]


def _counties_checks(
    counties: pd.DataFrame, regions: pd.DataFrame | None, file: str, regions_file: str
) -> list[Problem]:
    problems: list[Problem] = []
    roles = {_text(v) for v in counties["role"]}
    for role in ("recipient", "supporter"):
        if len(counties) and role not in roles:
            problems.append(
                Problem(
                    file=file,
                    column="role",
                    message=f"no {role} county",
                    expected="at least one recipient and one supporter",
                )
            )
    if regions is None:
        return problems
    known = set(_key_values(regions, "prefecture"))
    rows = list(counties.index) if counties.index.name == ROW else list(range(2, len(counties) + 2))
    for row, pref in zip(rows, counties["prefecture"], strict=True):
        if _missing(pref) or pref in known:
            continue
        problems.append(
            Problem(
                file=file,
                row=int(row),
                column="prefecture",
                message=f"prefecture '{pref}' is not in {regions_file}{did_you_mean(pref, known)}",
                value=pref,
                expected=f"a prefecture of {regions_file}",
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------
# Loading every file of a scenario


@dataclass(frozen=True)
class LoadedData:
    """Every input of a scenario, validated and typed.

    ``counties`` is indexed by id, ``sectors`` by code, ``projects`` by id; the other frames
    have a plain 0-based index. County references everywhere are ids. ``distances`` is a
    recipient × supporter matrix (index = recipient ids, columns = supporter ids, in the order
    of counties.csv). ``files`` maps each given input key to the path as given.
    """

    counties: pd.DataFrame
    sectors: pd.DataFrame
    sector_links: pd.DataFrame | None = None
    regions: pd.DataFrame | None = None
    willingness: pd.DataFrame | None = None
    distances: pd.DataFrame | None = None
    incumbent: pd.DataFrame | None = None
    pairs: pd.DataFrame | None = None
    projects: pd.DataFrame | None = None
    executed: pd.DataFrame | None = None
    files: Mapping[str, str] = field(default_factory=dict)


def load_inputs(files: Mapping[str, str | os.PathLike[str] | None]) -> LoadedData:
    """Read, validate and cross-check the given input files; raise one error for all problems.

    ``files`` maps input keys (``counties``, ``sectors``, ``sector_links``, ``regions``,
    ``willingness``, ``distances``, ``incumbent``, ``pairs``, ``projects``, ``executed``) to
    paths; ``None`` or ``""`` means not given. ``counties`` and ``sectors`` are always needed.
    Raises :class:`InputError` listing every problem of every file.
    """
    problems: list[Problem] = []
    given: dict[str, str] = {}
    for key, path in files.items():
        if key not in INPUT_FILES:
            problems.append(
                Problem(
                    file="input files",
                    column=key,
                    message=f"unknown input file key '{key}'{did_you_mean(key, INPUT_FILES)}",
                    expected="one of " + ", ".join(INPUT_FILES),
                )
            )
        elif path is not None and str(path) != "":
            given[key] = str(path)
    for key in REQUIRED_FILES:
        if key not in given and key in INPUT_FILES:
            problems.append(
                Problem(
                    file=INPUT_FILES[key].filename,
                    message=f"the {key} file is required but was not given",
                    expected=f"a path to {INPUT_FILES[key].filename}",
                )
            )
    tables: dict[str, pd.DataFrame] = {}
    for key, path in given.items():
        schema = INPUT_FILES[key]
        try:
            raw, found = read_table_collect(path, schema)
        except InputError as exc:
            problems += exc.problems
            continue
        if raw is None:
            problems += found
            continue
        typed, more = validate_table(raw, schema, path)
        problems += sorted([*found, *more], key=lambda p: p.row or 0)
        tables[key] = typed
    resolved, found = validate_references(
        tables, given, unreadable=[k for k in given if k not in tables]
    )
    problems += found
    InputError.collect(problems)
    return _assemble(resolved, given)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reset_index(drop=True)


def _assemble(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str]) -> LoadedData:
    counties = tables["counties"].set_index(COUNTIES.key, drop=True)
    counties.index = counties.index.astype(object)
    sectors = tables["sectors"].set_index("code", drop=True)
    projects = tables.get("projects")
    distances = tables.get("distances")
    matrix = None
    if distances is not None:
        recipients = [c for c in counties.index if counties.at[c, "role"] == "recipient"]
        supporters = [c for c in counties.index if counties.at[c, "role"] == "supporter"]
        matrix = distances.pivot(index="recipient", columns="supporter", values="value")
        matrix = matrix.reindex(index=recipients, columns=supporters).astype("float64")
        matrix.index.name = "recipient"
        matrix.columns.name = "supporter"

    def plain(key: str) -> pd.DataFrame | None:
        frame = tables.get(key)
        return None if frame is None else _plain(frame)

    return LoadedData(
        counties=counties,
        sectors=sectors,
        sector_links=plain("sector_links"),
        regions=plain("regions"),
        willingness=plain("willingness"),
        distances=matrix,
        incumbent=plain("incumbent"),
        pairs=plain("pairs"),
        projects=None if projects is None else projects.set_index("id", drop=True),
        executed=plain("executed"),
        files=dict(files),
    )
