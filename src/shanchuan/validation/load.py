"""Loading every input file of a scenario: read, validate, cross-check, assemble.

:func:`load_inputs` is the driver over the other modules of :mod:`shanchuan.validation`: it
reads each given file (:mod:`~shanchuan.validation.readers`), checks it against its schema
(:mod:`~shanchuan.validation.tables`), checks the files against each other
(:mod:`~shanchuan.validation.references`) and raises one :class:`InputError` holding every
problem of every file; without problems it returns the typed tables as :class:`LoadedData`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shanchuan.errors import InputError, Problem
from shanchuan.schemas import COUNTIES, INPUT_FILES
from shanchuan.validation.readers import Limits, read_table_collect
from shanchuan.validation.references import validate_references
from shanchuan.validation.tables import validate_table
from solverkit.text import did_you_mean

#: Input files that every call of :func:`load_inputs` needs.
REQUIRED_FILES: tuple[str, ...] = ("counties", "sectors")


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
    Limits.from_env()  # a bad size limit in the environment is one problem, not one a file
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
    faulty: set[str] = set()  # files with problems of their own
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
        own = sorted([*found, *more], key=lambda p: p.row or 0)
        problems += own
        if own:
            faulty.add(key)
        tables[key] = typed
    unreadable = [k for k in given if k not in tables]
    resolved, found = validate_references(tables, given, unreadable=unreadable)
    problems += summarise_knock_ons(found, tables, given, faulty, unreadable)
    InputError.collect(problems)
    return _assemble(resolved, given)


#: The tables other files refer to (by county, sector code or project id).
REFERENCED = ("counties", "sectors", "projects")
#: How many of the problems that follow from an earlier one are still listed one by one.
KNOCK_ON_SHOWN = 3


def summarise_knock_ons(
    found: list[Problem],
    tables: Mapping[str, pd.DataFrame],
    given: Mapping[str, str],
    faulty: set[str],
    unreadable: list[str],
) -> list[Problem]:
    """The cross-file problems ``found``, with those that follow from a faulty file summarised.

    A counties file with a header and no rows makes every county named anywhere else
    "unknown": hundreds of lines that all say "fix counties.csv". A cross-file problem is a
    knock-on when it goes away once the referenced files that have problems of their own are
    left out of the check; those are listed :data:`KNOCK_ON_SHOWN` at a time per file, and the
    rest counted ("… and 208 problems that follow from it").
    """
    causes = [k for k in REFERENCED if k in faulty]
    if not causes or not found:
        return found
    _, base = validate_references(
        {k: v for k, v in tables.items() if k not in causes},
        given,
        unreadable=[*unreadable, *causes],
    )
    independent = {str(p) for p in base}
    cause_files = {given[k] for k in causes}
    keep: list[Problem] = []
    follow: dict[str, list[Problem]] = {}
    for p in found:
        if str(p) in independent or p.file in cause_files:
            keep.append(p)
        else:
            follow.setdefault(p.file, []).append(p)
    named = " and ".join(Path(given[k]).name for k in causes)
    for file, items in follow.items():
        keep += items[:KNOCK_ON_SHOWN]
        rest = len(items) - KNOCK_ON_SHOWN
        if rest > 0:
            keep.append(
                Problem(
                    file=file,
                    message=f"… and {rest} more problem{'s' if rest != 1 else ''} like these, "
                    f"that follow from the problems of {named} above",
                    expected=f"{named} fixed first; then run again to see what is left",
                )
            )
    return keep


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
        return None if frame is None else frame.reset_index(drop=True)

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
