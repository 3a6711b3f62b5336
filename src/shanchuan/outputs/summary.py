"""What every spreadsheet-bound output shares: the status rows and cells free of Python reprs.

``status.csv`` (and the workbook's 概况 sheet) carry one row per engine of the outcome: its
status (``optimal`` only at a proven gap ≤ 1e-6, else ``feasible`` with its gap), the gap,
the objective and its unit, the solver and the time — the figures the JSON and the manifest
already hold, where a spreadsheet reader sees them.

:func:`plain_frame` turns the cells a table may hold as Python objects (tuples of criteria,
tuples of pairs, ``NaN``) into the text a planner reads (``industry;plan``, an empty cell),
so no ``('industry', 'plan')`` or ``nan`` reaches a CSV file or a workbook.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: The table name of the status rows (``status.csv``).
STATUS_TABLE = "status"

#: The unit of each engine's objective.
OBJECTIVE_UNITS: Mapping[str, str] = {
    "matching": "score points",
    "allocation": "person-equivalents",
}


def proven_status(status: Any, gap: Any) -> str:
    """``optimal`` only when the gap is proven ≤ 1e-6 (or unknown for an exact method)."""
    from solverkit.progress import OPTIMALITY_TOLERANCE

    text = str(getattr(status, "value", status))
    if text == "optimal" and isinstance(gap, int | float) and gap > OPTIMALITY_TOLERANCE:
        return "feasible"
    return text


def engine_parts(outcome: Any) -> list[tuple[str, Any]]:
    """``(engine, outcome part)`` for each engine an outcome ran (a run: the pairing first)."""
    if not (hasattr(outcome, "to_dict") and hasattr(outcome, "status")):
        return []  # tables only (a stand-in of the Outcome interface): no engine to report
    if hasattr(outcome, "allocation"):
        parts: list[tuple[str, Any]] = []
        if getattr(outcome, "match", None) is not None:
            parts.append(("matching", outcome.match))
        parts.append(("allocation", outcome.allocation))
        return parts
    if hasattr(outcome, "pairs_source"):
        return [("allocation", outcome)]
    if hasattr(outcome, "analyses"):
        return [("matching", outcome)]
    return []


def status_rows(outcome: Any) -> list[dict[str, Any]]:
    """One row per engine: engine, status, gap, objective, unit, solver, seconds, verified."""
    rows = []
    for engine, part in engine_parts(outcome):
        d = part.to_dict()
        solver = d.get("solver") or {}
        if engine == "allocation":
            name = str(solver.get("name", ""))
            if solver.get("version"):
                name += f" ({solver['version']})"
            seconds = solver.get("seconds")
            verified = d.get("solution_status") == "verified"
        else:
            prov_solver = (d.get("provenance") or {}).get("solver") or {}
            name = str(prov_solver.get("name") or solver.get("method") or d.get("method") or "")
            seconds = (d.get("timings") or {}).get("total")
            verified = bool((d.get("verification") or {}).get("ok"))
        rows.append(
            {
                "engine": engine,
                "status": proven_status(part.status, d.get("gap")),
                "gap": d.get("gap"),
                "objective": d.get("objective"),
                "objective_unit": OBJECTIVE_UNITS[engine],
                "solver": name,
                "seconds": seconds,
                "verified": verified,
            }
        )
    return rows


def status_frame(outcome: Any) -> pd.DataFrame:
    """:func:`status_rows` as a table."""
    import pandas as pd

    from shanchuan.outputs.columns import OUTPUT_TABLES

    return pd.DataFrame(status_rows(outcome), columns=list(OUTPUT_TABLES[STATUS_TABLE][1]))


def plain(value: Any) -> Any:
    """A cell as a planner reads it: sequences joined by ``;`` (pairs by ``–``), NaN empty."""
    if isinstance(value, tuple | list | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return ";".join(
            "–".join(str(x) for x in v) if isinstance(v, tuple | list) else str(plain(v))
            for v in items
        )
    if isinstance(value, dict):
        return ";".join(f"{k}:{plain(v)}" for k, v in value.items())
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every object column's cells made :func:`plain` (numbers untouched)."""
    import pandas as pd

    out = None
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if series.map(lambda v: isinstance(v, tuple | list | set | frozenset | dict)).any():
            if out is None:
                out = frame.copy()
            out[col] = series.map(plain).astype(object)
    return frame if out is None else out


def with_status(outcome: Any) -> dict[str, pd.DataFrame]:
    """The outcome's tables (made plain) after ``status.csv``."""
    tables = {f"{STATUS_TABLE}.csv": status_frame(outcome)} if engine_parts(outcome) else {}
    tables.update({name: plain_frame(frame) for name, frame in outcome.tables().items()})
    return tables
