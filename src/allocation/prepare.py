"""Validate the inputs against each other and the settings, and build an AllocationProblem.

Every problem found is collected and raised together as one :class:`AllocationInputError`,
each naming the table, the row (project id), the field, the value and what was expected.
Candidates that are valid but cannot be funded (supporter not the pair's, excluded, no start
year that ends within the period, requiring such a project) are kept in
``AllocationProblem.left_out`` with their reason: never dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from allocation.benefit import project_value
from allocation.options import AllocationSettings
from allocation.problem import (
    CATEGORIES,
    EXECUTED_COLUMNS,
    OPTIONAL_COLUMNS,
    PRIORITY_FLAGS,
    PROJECT_COLUMNS,
    AllocationInputError,
    AllocationInputs,
    AllocationProblem,
    InputProblem,
    LeftOut,
    Pair,
    Project,
)

_TOL = 1e-6


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, tuple | list) else False
    except (TypeError, ValueError):
        return False


def _text(value: object) -> str:
    return "" if _missing(value) else str(value).strip()


def _ids(value: object) -> tuple[str, ...]:
    """Parse a ``requires``/``excludes`` cell: a tuple/list of ids or a ';'-separated string."""
    if isinstance(value, tuple | list):
        items = [str(v).strip() for v in value]
    elif _missing(value):
        items = []
    else:
        items = [s.strip() for s in str(value).split(";")]
    return tuple(dict.fromkeys(i for i in items if i))


class _Rows:
    """Collects problems while reading the cells of the project table."""

    def __init__(self) -> None:
        self.problems: list[InputProblem] = []

    def add(
        self,
        table: str,
        message: str,
        row: str | None = None,
        field: str | None = None,
        value: object = None,
        expected: str | None = None,
    ) -> None:
        self.problems.append(InputProblem(table, message, row, field, value, expected))

    def number(
        self,
        pid: str,
        row: Mapping[str, Any],
        col: str,
        *,
        lo: float | None = 0.0,
        hi: float | None = None,
        integer: bool = False,
        expected: str | None = None,
    ) -> float | None:
        raw = row.get(col)
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = math.nan
        exp = expected or (
            ("an integer" if integer else "a number")
            + (f" >= {lo:g}" if lo is not None else "")
            + (f" and <= {hi:g}" if hi is not None else "")
        )
        if not math.isfinite(value):
            self.add("projects", "missing or not a number", pid, col, _show(raw), exp)
            return None
        if integer and value != int(value):
            self.add("projects", "not a whole number", pid, col, _show(raw), exp)
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.add("projects", "out of range", pid, col, _show(raw), exp)
            return None
        return value

    def flag(self, pid: str, row: Mapping[str, Any], col: str) -> bool | None:
        raw = row.get(col)
        if isinstance(raw, bool):
            return raw
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = math.nan
        if value in (0.0, 1.0):
            return value == 1.0
        self.add("projects", "priority flag must be 0 or 1", pid, col, _show(raw), "0 or 1")
        return None


def _show(value: object) -> object:
    if _missing(value):
        return "<empty>"
    if hasattr(value, "item"):
        return value.item()
    return value


def _read_pairs(inputs: AllocationInputs, rows: _Rows) -> dict[str, Pair]:
    pairs_df = inputs.pairs
    missing = [c for c in ("recipient", "supporter") if c not in pairs_df.columns]
    if missing:
        rows.add(
            "pairs",
            f"missing columns: {', '.join(missing)}",
            expected="columns recipient, supporter",
        )
        return {}
    by_recipient: dict[str, list[str]] = {}
    for i, (r, s) in enumerate(zip(pairs_df["recipient"], pairs_df["supporter"], strict=True)):
        rid, sid = _text(r), _text(s)
        for col, cid in (("recipient", rid), ("supporter", sid)):
            if cid not in inputs.names:
                rows.add(
                    "pairs",
                    "county id not among the named counties",
                    f"row {i + 1}",
                    col,
                    cid or "<empty>",
                    "an id of the county table (Annex 2)",
                )
        if sid in by_recipient.get(rid, []):
            rows.add("pairs", "pair listed twice", f"row {i + 1}", None, (rid, sid))
            continue
        by_recipient.setdefault(rid, []).append(sid)
    pairs: dict[str, Pair] = {}
    for rid, sids in by_recipient.items():
        for sid in sids:
            key = rid if len(sids) == 1 else f"{rid}~{sid}"
            pairs[key] = Pair(key, rid, sid)
    return pairs


def _read_executed(
    inputs: AllocationInputs, settings: AllocationSettings, ids: set[str], rows: _Rows
) -> tuple[dict[str, dict[int, tuple[float, float]]], tuple[int, ...]]:
    ex = inputs.executed
    if ex is None or len(ex) == 0:
        return {}, ()
    missing = [c for c in EXECUTED_COLUMNS if c not in ex.columns]
    if missing:
        rows.add(
            "executed",
            f"missing columns: {', '.join(missing)}",
            expected=f"columns {', '.join(EXECUTED_COLUMNS)}",
        )
        return {}, ()
    out: dict[str, dict[int, tuple[float, float]]] = {}
    years_seen: set[int] = set()
    for i, rec in enumerate(ex.to_dict("records")):
        where = f"row {i + 1}"
        pid = _text(rec["project"])
        try:
            year = int(rec["year"])
        except (TypeError, ValueError):
            rows.add("executed", "year is not a whole number", where, "year", _show(rec["year"]))
            continue
        try:
            sf = float(rec["special_fund_wan"])
            sp = float(rec["supporter_fund_wan"])
        except (TypeError, ValueError):
            rows.add("executed", "amounts must be numbers", where, "special_fund_wan")
            continue
        if pid not in ids:
            rows.add(
                "executed", "unknown project id", where, "project", pid, "an id of the project pool"
            )
            continue
        if year not in settings.years:
            rows.add(
                "executed",
                "year outside the planning period",
                where,
                "year",
                year,
                f"{settings.first_year}–{settings.last_year}",
            )
            continue
        if not (math.isfinite(sf) and sf >= 0 and math.isfinite(sp) and sp >= 0):
            rows.add(
                "executed", "amounts must be finite and >= 0", where, "special_fund_wan", (sf, sp)
            )
            continue
        if year in out.get(pid, {}):
            rows.add("executed", "project listed twice for one year", where, "year", year)
            continue
        out.setdefault(pid, {})[year] = (sf, sp)
        years_seen.add(year)
    fixed = tuple(sorted(years_seen))
    expected_prefix = tuple(settings.years[: len(fixed)])
    if fixed and fixed != expected_prefix:
        rows.add(
            "executed",
            "executed years must be the first years of the period, without gaps",
            None,
            "year",
            fixed,
            f"{expected_prefix}",
        )
    return out, fixed


def prepare(
    inputs: AllocationInputs, settings: AllocationSettings | None = None
) -> AllocationProblem:
    """Validate ``inputs`` (never mutated) and return the prepared :class:`AllocationProblem`.

    Raises :class:`AllocationInputError` listing every problem found. The steps, in order:
    the project table's columns and ids (fatal: nothing else can be read without them), the
    pairing, the population, the executed history, every project row, the settings' project
    ids, who can be funded from which years (and why not), the locks, then the problem.
    """
    settings = settings or AllocationSettings()
    rows = _Rows()
    _check_project_columns(inputs.projects, rows)
    ids = [str(i) for i in inputs.projects.index]
    _check_ids(ids, rows)
    pairs = _read_pairs(inputs, rows)
    supporters_of = _supporters_of(pairs)
    _check_population(inputs, rows)
    id_set = set(ids)
    executed, fixed_years = _read_executed(inputs, settings, id_set, rows)
    parsed: dict[str, dict[str, Any]] = {}
    raw: dict[str, dict[str, object]] = {}
    for key, rec in inputs.projects.to_dict("index").items():
        pid = str(key)
        raw[pid], fields = _read_project(pid, rec, inputs, supporters_of, id_set, settings, rows)
        if fields is not None:
            parsed[pid] = fields
    _check_setting_ids(settings, id_set, rows)
    left, pair_of, start_years = _fundability(
        parsed, inputs, supporters_of, executed, fixed_years, settings, rows
    )
    _propagate_dependencies(parsed, left)
    _check_locks_fundable(settings, left, rows)
    if rows.problems:
        raise AllocationInputError(rows.problems)
    projects = _projects(parsed, left, pair_of, start_years, executed, settings)
    budget, spend, carry = _money(settings, executed, fixed_years)
    return AllocationProblem(
        years=settings.years,
        fixed_years=fixed_years,
        budget=budget,
        carry_in=carry,
        pairs=pairs,
        projects=projects,
        left_out=left,
        names=dict(inputs.names),
        population_wan=dict(inputs.population_wan),
        executed_spend=spend,
        shortfall_unit=_shortfall_unit(projects, settings),
        all_ids=tuple(ids),
        raw=raw,
    )


# --------------------------------------------------------------------------------------------
# The project table: columns and ids (fatal), then one row at a time


def _check_project_columns(df: pd.DataFrame, rows: _Rows) -> None:
    """Every required column is present (raises at once: no row can be read otherwise)."""
    cols_missing = [c for c in PROJECT_COLUMNS if c not in df.columns and c not in OPTIONAL_COLUMNS]
    if cols_missing:
        rows.add(
            "projects",
            f"missing columns: {', '.join(cols_missing)}",
            expected=f"columns {', '.join(PROJECT_COLUMNS)}",
        )
        raise AllocationInputError(rows.problems)


def _check_ids(ids: list[str], rows: _Rows) -> None:
    """Project ids are unique and non-empty (raises at once: rows are keyed by id)."""
    seen: set[str] = set()
    for pid in ids:
        if pid in seen:
            rows.add("projects", "duplicate project id", pid, "id", pid, "unique ids")
        seen.add(pid)
        if not pid.strip():
            rows.add("projects", "empty project id", pid, "id", pid, "a non-empty id")
    if rows.problems:
        raise AllocationInputError(rows.problems)


def _supporters_of(pairs: Mapping[str, Pair]) -> dict[str, list[Pair]]:
    """Recipient id -> its pairs (one, or several when a recipient has several supporters)."""
    out: dict[str, list[Pair]] = {}
    for pair in pairs.values():
        out.setdefault(pair.recipient, []).append(pair)
    return out


def _check_population(inputs: AllocationInputs, rows: _Rows) -> None:
    """Every population given is a positive number."""
    for cid, pop in inputs.population_wan.items():
        if not (isinstance(pop, int | float) and math.isfinite(pop) and pop > 0):
            rows.add(
                "population",
                "population must be a positive number",
                str(cid),
                "population_wan",
                pop,
                "> 0 万人",
            )


def _read_project(
    pid: str,
    rec: Mapping[str, Any],
    inputs: AllocationInputs,
    supporters_of: Mapping[str, list[Pair]],
    id_set: set[str],
    settings: AllocationSettings,
    rows: _Rows,
) -> tuple[dict[str, object], dict[str, Any] | None]:
    """One project row: its display fields, and its parsed fields (``None`` if it has problems)."""
    row = {c: rec.get(c, OPTIONAL_COLUMNS.get(c)) for c in PROJECT_COLUMNS}
    n_before = len(rows.problems)
    recipient = _text(row["recipient"])
    supporter_given = _text(row["supporter"])
    category = _text(row["category"])
    _check_counties(pid, recipient, supporter_given, inputs, supporters_of, rows)
    if category not in CATEGORIES:
        rows.add(
            "projects",
            "unknown category",
            pid,
            "category",
            category or "<empty>",
            "one of " + ", ".join(CATEGORIES),
        )
    flags = {f: rows.flag(pid, row, f) for f in PRIORITY_FLAGS}
    num = _read_numbers(pid, row, rows)
    _check_amounts(pid, num, rows)
    requires, excludes = _read_links(pid, row, id_set, rows)
    supporter = _resolve_supporter(pid, recipient, supporter_given, supporters_of, rows)
    raw: dict[str, object] = {
        "title": _text(row["title"]),
        "category": category,
        "recipient": recipient,
        "supporter": supporter,
        "value": math.nan,
    }
    if len(rows.problems) > n_before:
        return raw, None
    priority_flags = tuple(f for f in PRIORITY_FLAGS if flags[f])
    value = project_value(
        people=float(num["people"]),  # type: ignore[arg-type]
        low_income_people=float(num["low"]),  # type: ignore[arg-type]
        jobs=float(num["jobs"]),  # type: ignore[arg-type]
        income_uplift=float(num["uplift"]),  # type: ignore[arg-type]
        priority=bool(priority_flags),
        readiness=float(num["readiness"]),  # type: ignore[arg-type]
        weights=settings.benefit,
    )
    raw["value"] = value
    return raw, dict(
        recipient=recipient,
        supporter=supporter,
        title=_text(row["title"]),
        category=category,
        flags=priority_flags,
        earliest_start=int(num["start"]),  # type: ignore[arg-type]
        duration=int(num["duration"]),  # type: ignore[arg-type]
        cost=float(num["cost"]),  # type: ignore[arg-type]
        request=float(num["request"]),  # type: ignore[arg-type]
        minimum=float(num["minimum"]),  # type: ignore[arg-type]
        supporter_fund=float(num["sup"]),  # type: ignore[arg-type]
        other_fund=float(num["other"]),  # type: ignore[arg-type]
        people=float(num["people"]),  # type: ignore[arg-type]
        low_income_people=float(num["low"]),  # type: ignore[arg-type]
        jobs=float(num["jobs"]),  # type: ignore[arg-type]
        income_uplift=float(num["uplift"]),  # type: ignore[arg-type]
        readiness=float(num["readiness"]),  # type: ignore[arg-type]
        requires=requires,
        excludes=excludes,
        source=_text(row["source"]),
        value=value,
    )


def _check_counties(
    pid: str,
    recipient: str,
    supporter_given: str,
    inputs: AllocationInputs,
    supporters_of: Mapping[str, list[Pair]],
    rows: _Rows,
) -> None:
    """The recipient is a known, paired county; a supporter given is a known county."""
    if recipient not in inputs.names:
        rows.add(
            "projects",
            "recipient is not a known county id",
            pid,
            "recipient",
            recipient or "<empty>",
            "a recipient id of Annex 2",
        )
    elif recipient not in supporters_of:
        rows.add(
            "projects",
            "recipient is not paired with any supporter",
            pid,
            "recipient",
            recipient,
            "a recipient of the pairing",
        )
    if supporter_given and supporter_given not in inputs.names:
        rows.add(
            "projects",
            "supporter is not a known county id",
            pid,
            "supporter",
            supporter_given,
            "a supporter id of Annex 2, or empty",
        )


def _read_numbers(pid: str, row: Mapping[str, Any], rows: _Rows) -> dict[str, float | None]:
    """The numeric cells, each checked against its range (``None`` where it is not valid)."""
    number = rows.number
    return {
        "start": number(
            pid, row, "earliest_start", lo=1900, hi=2200, integer=True, expected="a year"
        ),
        "duration": number(pid, row, "duration_years", lo=1, hi=50, integer=True),
        "cost": number(pid, row, "cost_per_year_wan", lo=0.0),
        "request": number(pid, row, "special_fund_request_wan", lo=0.0),
        "minimum": number(pid, row, "special_fund_min_wan", lo=0.0),
        "sup": number(pid, row, "supporter_fund_wan", lo=0.0),
        "other": number(pid, row, "other_fund_wan", lo=0.0),
        "people": number(pid, row, "people_benefited", lo=0.0),
        "low": number(pid, row, "low_income_benefited", lo=0.0),
        "jobs": number(pid, row, "jobs", lo=0.0),
        "uplift": number(pid, row, "income_uplift_wan", lo=0.0),
        "readiness": number(pid, row, "readiness", lo=0.0, hi=1.0),
    }


def _check_amounts(pid: str, num: Mapping[str, float | None], rows: _Rows) -> None:
    """Cross-checks of one row: request > 0, minimum <= request, plan <= cost, low <= people."""
    request, minimum, cost = num["request"], num["minimum"], num["cost"]
    sup, other, people, low = num["sup"], num["other"], num["people"], num["low"]
    if request is not None and request <= 0:
        rows.add(
            "projects",
            "special-fund request must be positive",
            pid,
            "special_fund_request_wan",
            request,
            "> 0 万元 a year",
        )
    if request is not None and minimum is not None and minimum > request + _TOL:
        rows.add(
            "projects",
            "minimum special fund exceeds the request",
            pid,
            "special_fund_min_wan",
            minimum,
            f"<= special_fund_request_wan ({request:g})",
        )
    if cost is not None and request is not None and sup is not None and other is not None:
        plan = float(request) + float(sup) + float(other)
        if plan > cost * (1 + 1e-9) + _TOL:
            rows.add(
                "projects",
                "financing plan (request + supporter + other) exceeds the yearly cost",
                pid,
                "cost_per_year_wan",
                cost,
                f">= {plan:g}",
            )
    if people is not None and low is not None and low > people + _TOL:
        rows.add(
            "projects",
            "more low-income people than people benefited",
            pid,
            "low_income_benefited",
            low,
            f"<= people_benefited ({people:g})",
        )


def _read_links(
    pid: str, row: Mapping[str, Any], id_set: set[str], rows: _Rows
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``requires`` and ``excludes``: known ids, not the project itself, not both at once."""
    requires, excludes = _ids(row["requires"]), _ids(row["excludes"])
    for col, lst in (("requires", requires), ("excludes", excludes)):
        for other_id in lst:
            if other_id == pid:
                rows.add("projects", "a project cannot refer to itself", pid, col, other_id)
            elif other_id not in id_set:
                rows.add(
                    "projects",
                    "unknown project id",
                    pid,
                    col,
                    other_id,
                    "ids of the project pool",
                )
    both = sorted(set(requires) & set(excludes))
    if both:
        rows.add(
            "projects",
            "project both required and excluded",
            pid,
            "excludes",
            ";".join(both),
            "requires and excludes disjoint",
        )
    return requires, excludes


def _resolve_supporter(
    pid: str,
    recipient: str,
    supporter_given: str,
    supporters_of: Mapping[str, list[Pair]],
    rows: _Rows,
) -> str:
    """The project's supporter: as given, or the recipient's only supporter."""
    if recipient in supporters_of and not supporter_given:
        options = supporters_of[recipient]
        if len(options) > 1:
            rows.add(
                "projects",
                "recipient has several supporters; name the supporter",
                pid,
                "supporter",
                "<empty>",
                " or ".join(p.supporter for p in options),
            )
        else:
            return options[0].supporter
    return supporter_given


# --------------------------------------------------------------------------------------------
# Cross-checks: settings' ids, who can be funded, dependencies, locks


def _check_setting_ids(settings: AllocationSettings, id_set: set[str], rows: _Rows) -> None:
    """Locked and excluded projects are ids of the pool."""
    for col, lst in (
        ("locked_projects", settings.locked_projects),
        ("excluded_projects", settings.excluded_projects),
    ):
        for pid in lst:
            if pid not in id_set:
                rows.add(
                    "settings", "unknown project id", col, None, pid, "ids of the project pool"
                )


def _fundability(
    parsed: Mapping[str, dict[str, Any]],
    inputs: AllocationInputs,
    supporters_of: Mapping[str, list[Pair]],
    executed: Mapping[str, dict[int, tuple[float, float]]],
    fixed_years: tuple[int, ...],
    settings: AllocationSettings,
    rows: _Rows,
) -> tuple[dict[str, LeftOut], dict[str, str], dict[str, tuple[int, ...]]]:
    """Which candidates cannot be funded and why, each one's pair, and its start years."""
    left: dict[str, LeftOut] = {}
    open_years = tuple(y for y in settings.years if y not in fixed_years)
    pair_of: dict[str, str] = {}
    start_years: dict[str, tuple[int, ...]] = {}
    for pid, d in parsed.items():
        why = _not_fundable(pid, d, inputs, supporters_of, settings)
        if why is not None:
            left[pid] = why
        else:
            match = [
                p for p in supporters_of.get(d["recipient"], []) if p.supporter == d["supporter"]
            ]
            pair_of[pid] = match[0].key
        if pid in executed:
            start_years[pid] = _check_executed_project(
                pid, d, executed[pid], fixed_years, settings, left, rows
            )
        else:
            first = (
                max(d["earliest_start"], open_years[0]) if open_years else settings.last_year + 1
            )
            start_years[pid] = tuple(
                s for s in open_years if s >= first and s + d["duration"] - 1 <= settings.last_year
            )
            if not start_years[pid] and pid not in left:
                left[pid] = LeftOut(
                    pid,
                    "start_year",
                    f"cannot start in {first} or later and end by {settings.last_year} "
                    f"({d['duration']} years)",
                )
    return left, pair_of, start_years


def _not_fundable(
    pid: str,
    d: Mapping[str, Any],
    inputs: AllocationInputs,
    supporters_of: Mapping[str, list[Pair]],
    settings: AllocationSettings,
) -> LeftOut | None:
    """Excluded by the settings, or its supporter is not the recipient's partner."""
    if pid in settings.excluded_projects:
        return LeftOut(pid, "excluded", "excluded by the settings (excluded_projects)")
    if any(p.supporter == d["supporter"] for p in supporters_of.get(d["recipient"], [])):
        return None
    paired = ", ".join(
        inputs.names.get(p.supporter, p.supporter) for p in supporters_of.get(d["recipient"], [])
    )
    return LeftOut(
        pid,
        "supporter_mismatch",
        f"supporter {inputs.names.get(d['supporter'], d['supporter'])} is not paired with "
        f"{inputs.names.get(d['recipient'], d['recipient'])} (paired with {paired})",
    )


def _check_executed_project(
    pid: str,
    d: Mapping[str, Any],
    history: Mapping[int, tuple[float, float]],
    fixed_years: tuple[int, ...],
    settings: AllocationSettings,
    left: Mapping[str, LeftOut],
    rows: _Rows,
) -> tuple[int, ...]:
    """An executed project's history fits its duration and bounds; it keeps its start year."""
    ex_years = sorted(history)
    s0 = ex_years[0]
    runs = [y for y in range(s0, s0 + d["duration"]) if y in fixed_years]
    amounts = {round(a, 6) for a, _ in history.values()}
    if ex_years != runs:
        rows.add(
            "executed",
            "executed years do not follow the project's duration",
            pid,
            "year",
            tuple(ex_years),
            f"{tuple(runs)} (start {s0}, {d['duration']} years)",
        )
    if s0 + d["duration"] - 1 > settings.last_year:
        rows.add(
            "executed",
            "project started too late to end within the period",
            pid,
            "year",
            s0,
            f"<= {settings.last_year - d['duration'] + 1}",
        )
    if len(amounts) > 1:
        rows.add(
            "executed",
            "special fund differs between years",
            pid,
            "special_fund_wan",
            tuple(sorted(amounts)),
            "the same amount each year",
        )
    amount = history[s0][0]
    if not (d["minimum"] - _TOL <= amount <= d["request"] + _TOL):
        rows.add(
            "executed",
            "executed special fund outside the project's bounds",
            pid,
            "special_fund_wan",
            amount,
            f"{d['minimum']:g}..{d['request']:g}",
        )
    if pid in left:
        rows.add(
            "executed",
            f"executed project cannot be funded: {left[pid].detail}",
            pid,
            "project",
            pid,
        )
    return (s0,)


def _propagate_dependencies(parsed: Mapping[str, dict[str, Any]], left: dict[str, LeftOut]) -> None:
    """A project requiring one that cannot be funded cannot be funded either (to a fixpoint)."""
    changed = True
    while changed:
        changed = False
        for pid, d in parsed.items():
            if pid in left:
                continue
            for req in d["requires"]:
                if req in left or req not in parsed:
                    why = left[req].detail if req in left else "it is invalid"
                    left[pid] = LeftOut(
                        pid, "dependency", f"requires {req}, which cannot be funded ({why})"
                    )
                    changed = True
                    break


def _check_locks_fundable(
    settings: AllocationSettings, left: Mapping[str, LeftOut], rows: _Rows
) -> None:
    """A locked project must be fundable."""
    for pid in settings.locked_projects:
        if pid in left:
            rows.add(
                "settings",
                f"locked project cannot be funded: {left[pid].detail}",
                "locked_projects",
                None,
                pid,
            )


# --------------------------------------------------------------------------------------------
# The prepared problem


def _projects(
    parsed: Mapping[str, dict[str, Any]],
    left: Mapping[str, LeftOut],
    pair_of: Mapping[str, str],
    start_years: Mapping[str, tuple[int, ...]],
    executed: Mapping[str, dict[int, tuple[float, float]]],
    settings: AllocationSettings,
) -> dict[str, Project]:
    """The fundable candidates, in input order, with their pair, start years and history."""
    projects: dict[str, Project] = {}
    for index, (pid, d) in enumerate((k, v) for k, v in parsed.items() if k not in left):
        ex = executed.get(pid)
        projects[pid] = Project(
            id=pid,
            index=index,
            pair=pair_of[pid],
            start_years=start_years[pid],
            locked=pid in settings.locked_projects,
            executed_start=min(ex) if ex else None,
            executed_amount=ex[min(ex)][0] if ex else None,
            supporter_by_year={y: sp for y, (_, sp) in ex.items()} if ex else {},
            **d,
        )
    return projects


def _money(
    settings: AllocationSettings,
    executed: Mapping[str, dict[int, tuple[float, float]]],
    fixed_years: tuple[int, ...],
) -> tuple[dict[int, float], dict[int, float], float]:
    """Budget per year, special funds spent in the executed years, carry into the open years."""
    budget = {y: settings.budget(y) for y in settings.years}
    spend = {y: 0.0 for y in fixed_years}
    for ex in executed.values():
        for y, (sf, _) in ex.items():
            spend[y] += sf
    carry = 0.0
    if settings.carry_over:
        for y in fixed_years:
            carry = max(0.0, carry + budget[y] - spend[y])
    return budget, spend, carry


def _shortfall_unit(projects: Mapping[str, Project], settings: AllocationSettings) -> float:
    """Penalty per 万元 of floor shortfall: ``shortfall_penalty`` × the best benefit per 万元."""
    ratios = [p.value / (p.request * p.duration) for p in projects.values()]
    best = max(ratios) if ratios and max(ratios) > 0 else 1.0
    return settings.shortfall_penalty * best
