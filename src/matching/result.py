"""Typed result of :func:`matching.solve`."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from matching.lagrange import LagrangianReport
from matching.problem import CRITERIA
from matching.verify import Verification
from solverkit.registry import SolveReport

Pair = tuple[str, str]


class MatchStatus(enum.StrEnum):
    """Status of a pairing run, after verification."""

    OPTIMAL = "optimal"
    """Proven optimal (within the requested gap) and verified."""
    FEASIBLE = "feasible"
    """Verified, but the run stopped (time limit) before proving optimality; see ``gap``."""
    INFEASIBLE = "infeasible"
    """The rules admit no pairing."""
    FAILED = "failed"
    """The solver failed, found nothing in time, or its solution did not verify."""


@dataclass(frozen=True)
class ChosenPair:
    """One chosen pair with its figures."""

    recipient_id: str
    supporter_id: str
    recipient: str
    supporter: str
    score: float
    criteria: Mapping[str, float]
    distance: float

    def to_dict(self, distance_unit: str = "km") -> dict[str, object]:
        """JSON-ready form (``distance_km`` or ``distance_min`` by unit)."""
        return {
            "recipient": self.recipient,
            "supporter": self.supporter,
            "recipient_id": self.recipient_id,
            "supporter_id": self.supporter_id,
            "score": round(self.score, 6),
            "criteria": {k: round(v, 6) for k, v in self.criteria.items()},
            f"distance_{distance_unit}": round(self.distance, 3),
        }


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


@dataclass(frozen=True)
class MatchResult:
    """Outcome of :func:`matching.solve`.

    ``objective`` is the weighted-sum objective recomputed by :func:`matching.verify` (the
    solver's own value is in ``solve_report``). With ``objective_mode = 'maxmin'``,
    ``stage_reports`` holds both stages and ``maxmin_level`` the best worst-pair score found in
    stage 1. ``solve_report`` is ``None`` on the fast path (``method = 'assignment'``) and when
    the Lagrangian bound alone proved the pairing (``method = 'lagrangian'``). ``lagrangian``
    holds the relaxation's figures whenever it ran (:mod:`matching.lagrange`).
    """

    status: MatchStatus
    method: str
    objective_mode: str
    objective: float | None
    pairs: tuple[Pair, ...]
    rows: tuple[ChosenPair, ...] = ()
    solve_report: SolveReport | None = None
    stage_reports: tuple[SolveReport, ...] = ()
    maxmin_level: float | None = None
    worst_pair_score: float | None = None
    gap: float | None = None
    verification: Verification | None = None
    timings: Mapping[str, float] = field(default_factory=dict)
    message: str = ""
    distance_unit: str = "km"
    lagrangian: LagrangianReport | None = None

    @property
    def ok(self) -> bool:
        """Whether a verified pairing is available (optimal or feasible)."""
        return self.status in (MatchStatus.OPTIMAL, MatchStatus.FEASIBLE)

    def pairs_frame(self) -> pd.DataFrame:
        """One row per chosen pair: ids, Annex names, score, each criterion, distance."""
        dist_col = f"distance_{self.distance_unit}"
        cols = [
            "recipient_id",
            "recipient",
            "supporter_id",
            "supporter",
            "score",
            *CRITERIA,
            dist_col,
        ]
        records = [
            {
                "recipient_id": p.recipient_id,
                "recipient": p.recipient,
                "supporter_id": p.supporter_id,
                "supporter": p.supporter,
                "score": p.score,
                **{c: p.criteria.get(c, math.nan) for c in CRITERIA},
                dist_col: p.distance,
            }
            for p in self.rows
        ]
        return pd.DataFrame.from_records(records, columns=cols)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (the application layer adds ``provenance``)."""
        rep = self.solve_report
        solver: dict[str, object] = {"method": self.method}
        if rep is not None:
            solver.update(
                name=rep.solver,
                version=rep.solver_version,
                status=rep.solver_status,
                objective=_num(rep.objective),
                bound=_num(rep.bound),
                seconds=round(rep.seconds, 6),
            )
        if self.lagrangian is not None:
            solver["lagrangian"] = {
                k: _num(v) if isinstance(v, float) else v
                for k, v in self.lagrangian.to_dict().items()
            }
        if self.stage_reports:
            solver["stages"] = [
                {
                    "status": r.status.value,
                    "objective": _num(r.objective),
                    "gap": _num(r.gap),
                    "seconds": round(r.seconds, 6),
                }
                for r in self.stage_reports
            ]
        ver = self.verification
        checked: dict[str, object] = {}
        if ver is not None:
            checked = {
                "ok": ver.ok,
                "problems": list(ver.problems),
                "objective": _num(ver.objective),
            }
            if ver.extra_checked:  # only runs with an extra_constraints hook have any
                checked["extra_checked"] = list(ver.extra_checked)
        return {
            "status": self.status.value,
            "objective": _num(self.objective),
            "objective_mode": self.objective_mode,
            "method": self.method,
            "gap": _num(self.gap),
            "maxmin_level": _num(self.maxmin_level),
            "worst_pair_score": _num(self.worst_pair_score),
            "message": self.message,
            "pairs": [p.to_dict(self.distance_unit) for p in self.rows],
            "solver": solver,
            "verification": None if ver is None else checked,
            "timings": {k: round(v, 6) for k, v in self.timings.items()},
        }
