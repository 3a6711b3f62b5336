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

import pandas as pd

from shanchuan.errors import InputError, Problem
from shanchuan.schemas import COUNTIES, INPUT_FILES
from shanchuan.validation.readers import read_table_collect
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
