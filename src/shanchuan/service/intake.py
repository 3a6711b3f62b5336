r"""A request body → a scenario on the server, loaded and checked as ``shanchuan check`` does.

A body is a scenario in the structure of the TOML/JSON scenario files, with its data tables
inline, or a built-in scenario's name, plus override-set names and ``set`` entries::

    {"scenario": "hubei-2021", "overrides": ["near"],
     "set": ["matching.rules.max_distance=400"]}
    {"scenario": {"scenario": {"extends": "hubei-2021"},
                  "data": {"projects": {"csv": "id,recipient,...\\n..."}},
                  "allocation": {"annual_budget_wan": 12000}}}

An inline table is ``{"records": [{column: value, ...}, ...]}`` or ``{"csv": "text"}``. A
request never names a path on the server's disk: a string under ``data``, a ``data.*`` key in
``set`` or an ``extends`` that is not a built-in name is refused (422) with the key named. The
inline tables are written as CSV into the job's private folder beside a ``scenario.json``, and
that folder is loaded with :func:`shanchuan.load`, so the tables go through the same schema
checks, and the problems carry the same messages, as the CLI's; :func:`scrub` then names each
table by its key instead of the folder's path.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shanchuan import scenario as scenario_mod
from shanchuan.errors import InputError, Problem, ShanchuanError

#: Where a request's problems are filed when they concern the body itself.
REQUEST = "request"

#: The solver keys whose ``time_limit`` the server caps.
SOLVER_KEYS = ("matching.solver.time_limit", "allocation.solver.time_limit")

#: What ``fast`` adds, as the CLI's ``--fast`` does.
FAST_SETS = ("allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0")


@dataclass
class Intake:
    """A request's scenario written into its private folder, ready for :func:`shanchuan.load`."""

    workdir: Path
    scenario_path: Path
    overrides: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    """Absolute path → the name a problem shows (``data.counties``, ``request``)."""

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def _problem(
    column: str, message: str, value: object = None, expected: str | None = None
) -> Problem:
    return Problem(
        file=REQUEST, column=column, message=message, value=value, expected=expected, label="key"
    )


def _path_refused(key: str, value: object) -> Problem:
    return _problem(
        key,
        "a path on the server's disk is not accepted",
        value=value,
        expected='the table inline: {"records": [...]} or {"csv": "..."}',
    )


def _builtin(name: object, key: str, problems: list[Problem]) -> str | None:
    names = scenario_mod.builtin_scenarios()
    if isinstance(name, str) and name in names:
        # Absolute: a bare name would first be looked up in the server's working folder.
        return str(scenario_mod.builtin_path(name))
    problems.append(
        _problem(
            key,
            "not a built-in scenario (a request cannot name a file on the server)",
            value=name,
            expected="one of: " + ", ".join(names),
        )
    )
    return None


def _toml_value(value: Any) -> str:
    """A JSON value as a TOML literal, for a ``set`` entry given as ``{key: value}``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(type(value).__name__)


def set_items(sets: Sequence[str] | Mapping[str, Any], problems: list[Problem]) -> list[str]:
    """``set`` as ``key=value`` strings; refuses ``data.*`` path keys."""
    items: list[str] = []
    if isinstance(sets, Mapping):
        for key, value in sets.items():
            try:
                items.append(f"{key}={_toml_value(value)}")
            except TypeError:
                problems.append(_problem(f"set.{key}", "not a setting value", value=value))
    else:
        items = [str(s) for s in sets]
    for item in items:
        key = item.partition("=")[0].strip()
        if key in scenario_mod.PATH_KEYS:
            problems.append(_path_refused(f"set: {key}", item.partition("=")[2].strip()))
    return items


def _count_rows(table: Mapping[str, Any]) -> int:
    if "records" in table:
        return len(table["records"])
    text = str(table["csv"]).strip("\n")
    return max(0, text.count("\n"))  # lines after the header


def _write_table(table: Mapping[str, Any], path: Path) -> None:
    if "csv" in table:
        path.write_text(str(table["csv"]), encoding="utf-8")
        return
    records = table["records"]
    columns: list[str] = []
    for record in records:
        for key in record:
            if key not in columns:
                columns.append(str(key))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record.get(c) is None else _cell(record.get(c)) for c in columns])
    path.write_text(out.getvalue(), encoding="utf-8")


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _inline_tables(
    data: Any,
    where: str,
    workdir: Path,
    prefix: str,
    max_rows: int,
    problems: list[Problem],
    labels: dict[str, str],
) -> dict[str, Any]:
    """Write a ``[data]`` table's inline tables; return the table with file names in their place."""
    if not isinstance(data, Mapping):
        problems.append(_problem(where, "must be a table of data tables", value=data))
        return {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{where}.{key}"
        if key not in scenario_mod.DATA_FILE_KEYS:
            out[key] = value  # distance_unit, or an unknown key the loader names
            continue
        if isinstance(value, str):
            problems.append(_path_refused(dotted, value))
            continue
        ok = (
            isinstance(value, Mapping)
            and len(value) == 1
            and (
                (
                    "records" in value
                    and isinstance(value["records"], list)
                    and all(isinstance(r, Mapping) for r in value["records"])
                )
                or ("csv" in value and isinstance(value["csv"], str))
            )
        )
        if not ok:
            problems.append(
                _problem(
                    dotted,
                    "not an inline table",
                    value=_short(value),
                    expected='{"records": [{column: value, ...}, ...]} or {"csv": "..."}',
                )
            )
            continue
        rows = _count_rows(value)
        if rows > max_rows:
            problems.append(
                _problem(dotted, f"{rows} rows; this server accepts at most {max_rows} per table")
            )
            continue
        name = f"{prefix}{key}.csv"
        path = workdir / name
        _write_table(value, path)
        labels[str(path)] = dotted
        out[key] = name
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def build(
    scenario: str | Mapping[str, Any],
    overrides: Sequence[str],
    sets: Sequence[str] | Mapping[str, Any],
    *,
    fast: bool = False,
    max_rows: int,
) -> Intake:
    """Write the request's scenario into a new private folder; every problem at once."""
    problems: list[Problem] = []
    workdir = Path(tempfile.mkdtemp(prefix="shanchuan-job-")).resolve()
    intake = Intake(workdir, workdir / "scenario.json")
    try:
        items = set_items(sets, problems)
        if fast:
            items += FAST_SETS
        if isinstance(scenario, str):
            builtin = _builtin(scenario, "scenario", problems)
            if builtin is not None:
                intake.scenario_path = Path(builtin)
        else:
            body = dict(scenario)
            info = body.get("scenario", {})
            if isinstance(info, Mapping) and info.get("extends"):
                info = dict(info)
                info["extends"] = _builtin(info["extends"], "scenario.extends", problems) or ""
                body["scenario"] = info
            if "data" in body:
                body["data"] = _inline_tables(
                    body["data"], "data", workdir, "", max_rows, problems, intake.labels
                )
            sets_table = body.get("overrides", {})
            if isinstance(sets_table, Mapping):
                body["overrides"] = {}
                for name, table in sets_table.items():
                    if isinstance(table, Mapping) and "data" in table:
                        table = dict(table)
                        table["data"] = _inline_tables(
                            table["data"],
                            f"overrides.{name}.data",
                            workdir,
                            f"overrides-{_safe(name)}-",
                            max_rows,
                            problems,
                            intake.labels,
                        )
                    body["overrides"][name] = table
            _no_path_left(body, set(intake.labels), workdir, problems)
            intake.scenario_path.write_text(
                json.dumps(body, ensure_ascii=False, default=str), encoding="utf-8"
            )
        intake.labels[str(intake.scenario_path)] = (
            REQUEST if not isinstance(scenario, str) else (f"builtin:{scenario}")
        )
        intake.overrides = tuple(overrides)
        intake.sets = tuple(items)
        if problems:
            raise InputError(problems)
    except BaseException:
        intake.cleanup()
        raise
    return intake


def _no_path_left(
    body: Mapping[str, Any], written: set[str], workdir: Path, problems: list[Problem]
) -> None:
    """Refuse any path the structured checks above did not see (e.g. a literal dotted key).

    The loader flattens ``{"data.counties": ...}`` exactly as ``{"data": {"counties": ...}}``,
    so the final word is the flattened table: every path key must name a table this request
    wrote, every ``extends`` a built-in scenario.
    """
    from shanchuan import config

    builtins = {str(scenario_mod.builtin_path(n)) for n in scenario_mod.builtin_scenarios()}
    tables: list[tuple[str, Mapping[str, Any]]] = [
        ("", {k: v for k, v in body.items() if k != "overrides"})
    ]
    sets_table = body.get("overrides")
    if isinstance(sets_table, Mapping):
        tables += [
            (f"overrides.{name}.", t) for name, t in sets_table.items() if isinstance(t, Mapping)
        ]
    for prefix, table in tables:
        flat = config.flatten(table)
        for key, value in flat.items():
            if key in scenario_mod.PATH_KEYS:
                if not (isinstance(value, str) and str(workdir / value) in written):
                    if not any(p.column == prefix + key for p in problems):
                        problems.append(_path_refused(prefix + key, value))
            elif key == "scenario.extends" and value and value not in builtins:
                if not any(p.column == prefix + key for p in problems):
                    problems.append(
                        _problem(
                            prefix + key,
                            "not a built-in scenario (a request cannot name a file on the server)",
                            value=value,
                        )
                    )


def _safe(name: object) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(name))[:40]


def scrub_text(text: str, intake: Intake | None) -> str:
    """``text`` with the job folder's paths and the package's install path replaced by names."""
    if intake is not None:
        for path, label in sorted(intake.labels.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(path, label)
        text = text.replace(str(intake.workdir) + "/", "").replace(str(intake.workdir), "")
    root = str(scenario_mod.builtin_path("x").parent.parent)
    return text.replace(root + "/", "builtin:")


def scrub(problems: Sequence[Problem], intake: Intake | None) -> list[dict[str, object]]:
    """Problems as plain dicts for the 422 body, naming tables by key and not by server path."""
    out = []
    for p in problems:
        d = p.to_dict()
        for k in ("file", "message", "expected", "value"):
            if isinstance(d.get(k), str):
                d[k] = scrub_text(str(d[k]), intake)
        if d.get("file") == "--set":
            d["file"] = "set"
        out.append(d)
    return out


def error_problems(exc: ShanchuanError) -> list[Problem]:
    """A front-end error's problems (one made from its message when it has none)."""
    if exc.problems:
        return list(exc.problems)
    return [Problem(file=REQUEST, message=str(exc))]


def check(
    intake: Intake, kind: str, *, max_solve_seconds: float
) -> tuple[tuple[str, ...], dict[str, float]]:
    """Load and check the scenario as ``shanchuan check`` does.

    Returns the job's ``set`` items and the solver time limit of each engine (for the ETA).

    Raises :class:`InputError` (every problem at once). A solver ``time_limit`` over the
    server's cap is refused when the request asked for it, and capped (a logged change, kept in
    the provenance) when it comes from the built-in scenario.
    """
    from shanchuan import checks, pipeline
    from shanchuan.errors import InputError as _InputError

    sets = list(intake.sets)
    loaded = pipeline.load(intake.scenario_path, overrides=intake.overrides, sets=sets)
    problems: list[Problem] = []
    for key in SOLVER_KEYS:
        engine = key.split(".")[0]
        limit = getattr(loaded.scenario.settings, engine).solver.time_limit
        if limit <= max_solve_seconds:
            continue
        origin = loaded.scenario.origins.get(key, "")
        if not origin or origin.startswith(str(scenario_mod.builtin_path("x").parent.parent)):
            sets.append(f"{key}={max_solve_seconds}")
        else:
            problems.append(
                _problem(
                    key,
                    f"over this server's limit of {max_solve_seconds:g} s per solve",
                    value=limit,
                    expected=f"at most {max_solve_seconds:g}",
                )
            )
    if problems:
        raise _InputError(problems)
    if len(sets) != len(intake.sets):
        loaded = pipeline.load(intake.scenario_path, overrides=intake.overrides, sets=sets)
    checks.check(loaded, write=lambda *args: None)
    if kind != "match" and not loaded.scenario.settings.data.projects:
        raise _InputError(
            _problem(
                "data.projects",
                "allocation needs a candidate project table",
                expected="an inline table under [data], or a built-in scenario",
            )
        )
    settings = loaded.scenario.settings
    limits = {
        "matching": settings.matching.solver.time_limit,
        "allocation": settings.allocation.solver.time_limit,
    }
    return tuple(sets), limits
