"""Checks across files: every reference from one input file into another.

:func:`validate_references` takes the typed tables of :func:`validate_table` and checks them
against each other: counties named in other files (given as id, Annex-2 name or full name, and
resolved to ids by :class:`CountyIndex`) and their roles, willingness partners of the other
role, sector codes, project ids, prefectures of counties.csv in regions.csv, distances covering
every recipient × supporter pair; and, once names are ids, the schema checks that name a county
column (one rank per county, each pair once).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from shanchuan.errors import Problem
from shanchuan.schemas import INPUT_FILES, Column
from shanchuan.validation.cells import cell_text, is_missing
from shanchuan.validation.counties import CountyIndex
from shanchuan.validation.tables import check_problems, row_numbers
from solverkit.text import did_you_mean

#: Input key a reference names → the words for one of its keys in messages.
_KEY_WORDS: Mapping[str, str] = {"sectors": "sector code", "projects": "project id"}


def _key_values(frame: pd.DataFrame, key: str) -> list[str]:
    return [v for v in frame[key] if not is_missing(v)]


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
        rows = row_numbers(frame)
        for col in schema.columns:
            if col.references is None:
                continue
            if col.references == "counties":
                if index is None:
                    if "counties" not in skipped:
                        problems.append(_needs(file, col, "counties"))
                    continue
                resolved, found = _resolve_counties(frame, col, index, file, rows)
                problems += found
                frame[col.name] = pd.Series(resolved, index=frame.index, dtype=object)
                continue
            known = keys_of[col.references]
            if known is None:
                if col.references not in skipped:
                    problems.append(_needs(file, col, col.references))
                continue
            problems += _unknown_keys(frame, col, known, file, rows, name(col.references))
        problems += check_problems(frame, schema, file, rows, resolved=True)
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


def _resolve_counties(
    frame: pd.DataFrame, col: Column, index: CountyIndex, file: str, rows: list[int]
) -> tuple[list[Any], list[Problem]]:
    """The column's county ids (``None`` where empty or unknown) and the problems."""
    resolved: list[Any] = []
    problems: list[Problem] = []
    for row, value in zip(rows, frame[col.name], strict=True):
        if is_missing(value):
            resolved.append(None)
            continue
        got = index.resolve(str(value), col.role, file=file, row=row, column=col.name)
        if isinstance(got, Problem):
            problems.append(got)
            resolved.append(None)
        else:
            resolved.append(got)
    return resolved, problems


def _unknown_keys(
    frame: pd.DataFrame, col: Column, known: set[str], file: str, rows: list[int], other: str
) -> list[Problem]:
    """Sector codes or project ids (single or listed) that ``other`` does not hold."""
    assert col.references is not None
    what = _KEY_WORDS[col.references]
    problems: list[Problem] = []
    hints = _Hints(known)
    for row, value in zip(rows, frame[col.name], strict=True):
        if is_missing(value):
            continue
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if item not in known:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column=col.name,
                        message=f"unknown {what} '{item}'{hints(item)}",
                        value=item,
                        expected=f"a {what} of {other}",
                    )
                )
    return problems


class _Hints:
    """Suggestions ("did you mean") for unknown keys, in bounded time.

    difflib compares a word with every candidate; a pool of thousands of project ids and
    hundreds of unknown ids (a renamed pool, a hostile file) took minutes. So only the first
    :attr:`MAX_HINTS` unknown values of a column get a hint, each against at most
    :attr:`MAX_POOL` candidates (those of a similar length sharing the first character, when
    the pool is larger).
    """

    MAX_HINTS = 20
    MAX_POOL = 400

    def __init__(self, known: set[str]) -> None:
        self.known = sorted(known)
        self.left = self.MAX_HINTS

    def __call__(self, word: str) -> str:
        if self.left <= 0:
            return ""
        self.left -= 1
        pool = self.known
        if len(pool) > self.MAX_POOL:
            pool = [k for k in pool if k[:1] == word[:1] and abs(len(k) - len(word)) <= 2][
                : self.MAX_POOL
            ]
        return did_you_mean(word, pool)


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
        if is_missing(county) or is_missing(partner):
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
        if not is_missing(r) and not is_missing(s)
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
    roles = {cell_text(v) for v in counties["role"]}
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
    for row, pref in zip(row_numbers(counties), counties["prefecture"], strict=True):
        if is_missing(pref) or pref in known:
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
