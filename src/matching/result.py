"""Typed result of :func:`matching.solve`."""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from matching.lagrange import LagrangianReport
from matching.options import MatchSettings
from matching.problem import CRITERIA, MatchingProblem
from matching.verify import Verification
from solverkit.registry import SolveReport

Pair = tuple[str, str]

#: The unit of every pairing objective: the sum over chosen pairs of the weighted pair score
#: (each pair's score is in [0, 1]), plus the rules' terms (the change penalty).
OBJECTIVE_UNIT = "score points"

#: What to say wherever objectives of different weightings sit side by side: the score scale
#: itself changes with the weights, so only the pairs can be compared.
NOT_COMPARABLE = {
    "zh": "不同权重下的目标值不可比较，请比较配对结果",
    "en": "objectives under different weights are not comparable; compare pairs",
}


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
    objective_breakdown: Mapping[str, float] = field(default_factory=dict)
    """Each weighted criterion's part of ``objective`` (``w_c * sum of criterion c over the
    chosen pairs``) and each rule term's (``change_penalty``), in score points; they sum to
    ``objective``. Empty without a verified pairing."""
    weights: Mapping[str, float] = field(default_factory=dict)
    """The criterion weights the objective was computed with (objectives under different
    weights are not comparable: :data:`NOT_COMPARABLE`)."""
    problem: MatchingProblem | None = field(default=None, compare=False, repr=False)
    """The problem solved (for :attr:`rows` and the explanations)."""
    settings: MatchSettings | None = field(default=None, compare=False, repr=False)
    """The settings solved under (the explanations rank pairs among the allowed ones)."""

    def __repr__(self) -> str:
        # Short on purpose: the full result (problem, pairs, reports) printed runs to 80 KB.
        parts = [f"{len(self.pairs)} pairs"]
        if self.objective is not None:
            parts.append(f"objective {self.objective:.4f} score points")
        if self.gap:
            parts.append(f"gap {self.gap:.2%}")
        return f"<MatchResult {self.status.value}: {', '.join(parts)} ({self.method})>"

    @functools.cached_property
    def rows(self) -> tuple[ChosenPair, ...]:
        """The figures of each chosen pair, in recipient order (built on first use)."""
        if self.problem is None:
            return ()
        from matching.solve import chosen_rows  # solve imports this module

        return chosen_rows(self.problem, self.pairs)

    @property
    def objective_shares(self) -> dict[str, float]:
        """Each part of :attr:`objective_breakdown` as a share of ``objective`` (sum 1)."""
        total = self.objective
        if not self.objective_breakdown or not total:
            return {}
        return {k: v / total for k, v in self.objective_breakdown.items()}

    def comparable(self, other: MatchResult) -> bool:
        """Whether the two objectives are on one scale (same weights, same objective mode)."""
        keys = set(self.weights) | set(other.weights)
        same = all(
            abs(self.weights.get(k, 0.0) - other.weights.get(k, 0.0)) <= 1e-12 for k in keys
        )
        return same and self.objective_mode == other.objective_mode

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
            "objective_unit": OBJECTIVE_UNIT,
            "objective_breakdown": {k: round(v, 9) for k, v in self.objective_breakdown.items()},
            "objective_shares": {k: round(v, 9) for k, v in self.objective_shares.items()},
            "weights": {k: round(v, 9) for k, v in self.weights.items()},
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
