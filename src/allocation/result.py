"""The typed outcome of :func:`allocation.solve`, its JSON form and its CSV frames."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from allocation.diagnose import Diagnosis, RuleCost, Unfunded
from allocation.options import AllocationSettings
from allocation.problem import AllocationProblem
from allocation.report import (
    category_rows,
    fairness,
    floor_rows,
    pair_rows,
    project_rows,
    year_rows,
)
from allocation.run import Stage
from allocation.verify import Verification
from solverkit.jsonio import to_jsonable
from solverkit.registry import SolveStatus
from solverkit.status import Status


@dataclass(frozen=True)
class AllocationResult:
    """A solved (or unsolvable) allocation.

    ``status`` is the solver's verdict in the shared vocabulary :class:`solverkit.status.Status`
    (``optimal`` only when every stage was proven optimal; a time-limited run is ``feasible``;
    a run that ended without a solution, or unbounded, is ``failed``); ``solution_status`` is
    the independent verification of the schedule (``verified``, ``violations`` or ``none``).
    """

    problem: AllocationProblem
    settings: AllocationSettings
    status: Status
    solver: str
    solver_version: str
    solver_status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    build_seconds: float
    stages: tuple[Stage, ...]
    schedule: dict[str, dict[int, float]]
    """project id -> {year: special fund 万元} for every funded year."""
    coverage: int | None
    verification: Verification | None
    rule_costs: tuple[RuleCost, ...] = ()
    unfunded: tuple[Unfunded, ...] = ()
    diagnosis: Diagnosis | None = None

    def __repr__(self) -> str:
        # Short on purpose: the problem and the schedule printed in full run to megabytes.
        parts = [f"{len(self.schedule)} projects funded"]
        if self.objective is not None:
            parts.append(f"objective {self.objective:,.1f} person-equivalents")
        if self.gap:
            parts.append(f"gap {self.gap:.2%}")
        parts.append(self.solution_status)
        return f"<AllocationResult {self.status.value}: {', '.join(parts)} ({self.solver})>"

    @property
    def solution_status(self) -> str:
        """``verified`` (no rule broken), ``violations`` or ``none`` (no solution)."""
        if self.verification is None:
            return "none"
        return "verified" if self.verification.ok else "violations"

    @property
    def ok(self) -> bool:
        """True when the solver found a solution and it verified."""
        return self.solution_status == "verified" and self.status.ok

    def objective_decomposition(self) -> dict[str, Any] | None:
        """The objective as benefit − penalty, each with its unit (recomputed by verify).

        Benefit is in person-equivalents (:func:`allocation.benefit.project_value`); the
        penalty is the supporter-floor shortfall (万元) times ``shortfall_unit``
        person-equivalents per 万元, so all three share one unit.
        """
        ver = self.verification
        if ver is None:
            return None
        unit = self.problem.shortfall_unit
        # Only open-year shortfalls in soft mode are penalised (verify): derive them from it.
        shortfall = ver.penalty / unit if unit > 0 else 0.0
        return {
            "unit": "person-equivalents",
            "unit_zh": "人当量",
            "benefit": ver.benefit,
            "penalty": ver.penalty,
            "objective": ver.objective,
            "penalised_shortfall_wan": shortfall,
            "penalty_per_wan": self.problem.shortfall_unit,
            "penalty_per_wan_unit": "person-equivalents per 万元 of shortfall",
            "text": (
                f"objective {ver.objective:,.1f} = benefit {ver.benefit:,.1f} − penalty "
                f"{ver.penalty:,.1f} person-equivalents (shortfall {shortfall:,.1f} 万元 × "
                f"{self.problem.shortfall_unit:,.2f} per 万元)"
            ),
            "text_zh": (
                f"目标值 {ver.objective:,.1f} = 效益 {ver.benefit:,.1f} − 罚项 "
                f"{ver.penalty:,.1f}（人当量；缺口 {shortfall:,.1f} 万元 × 每万元 "
                f"{self.problem.shortfall_unit:,.2f}）"
            ),
        }

    def projects_frame(self) -> pd.DataFrame:
        """One row per funded project and year (CSV export)."""
        rows = project_rows(self.problem, self.schedule, self.settings)
        return pd.DataFrame(rows, columns=_PROJECT_COLUMNS if not rows else None)

    def summary_frames(self) -> dict[str, pd.DataFrame]:
        """Name -> table (per_year, per_pair, per_category, floor, fairness, …)."""
        pb, st, sc = self.problem, self.settings, self.schedule
        fair = fairness(pb, sc)
        return {
            "per_year": pd.DataFrame(year_rows(pb, st, sc)),
            "per_pair": pd.DataFrame(pair_rows(pb, st, sc)),
            "per_category": pd.DataFrame(category_rows(pb, sc)),
            "floor": pd.DataFrame(floor_rows(pb, st, sc)),
            "fairness": pd.DataFrame(fair["per_recipient"]),
            "rule_costs": pd.DataFrame(
                [asdict(r) for r in self.rule_costs],
                columns=[f for f in RuleCost.__dataclass_fields__],
            ),
            "unfunded": pd.DataFrame(
                [_unfunded_dict(u) for u in self.unfunded], columns=[*Unfunded.__dataclass_fields__]
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``status``, ``objective``, ``projects``, ``summary`` and details."""
        pb, st, sc = self.problem, self.settings, self.schedule
        ver = self.verification
        floor = floor_rows(pb, st, sc)
        return to_jsonable(
            {
                "status": self.status.value,
                "solution_status": self.solution_status,
                "objective": self.objective,
                "bound": self.bound,
                "gap": self.gap,
                "solver": {
                    "name": self.solver,
                    "version": self.solver_version,
                    "status": self.solver_status,
                    "seconds": self.seconds,
                    "build_seconds": self.build_seconds,
                    "stages": [{**asdict(s), "status": s.status.value} for s in self.stages],
                },
                "projects": project_rows(pb, sc, st),
                "summary": {
                    "per_year": year_rows(pb, st, sc),
                    "per_pair": pair_rows(pb, st, sc),
                    "per_category": category_rows(pb, sc),
                    "fairness": fairness(pb, sc),
                    "shortfalls": [r for r in floor if r["shortfall_wan"] > 0],
                    "coverage": self.coverage,
                    "benefit": ver.benefit if ver else None,
                    "penalty": ver.penalty if ver else None,
                    "objective_decomposition": self.objective_decomposition(),
                    "rule_costs": [asdict(r) for r in self.rule_costs],
                    "best_unfunded": [_unfunded_dict(u) for u in self.unfunded],
                    "left_out": [asdict(v) for v in pb.left_out.values()],
                },
                "verification": None
                if ver is None
                else {
                    "ok": ver.ok,
                    "objective_recomputed": ver.objective,
                    "violations": [asdict(v) for v in ver.violations],
                },
                "diagnosis": None if self.diagnosis is None else asdict(self.diagnosis),
            }
        )

    def explain(self) -> list[str]:
        """Planner-facing sentences: status, shortfalls, rule costs, diagnosis."""
        lines = [f"Solver: {self.status.value}; solution: {self.solution_status}."]
        if self.verification:
            for v in self.verification.violations:
                lines.append(f"Violation {v.subject}: {v.message}")
            for (k, y), g in sorted(self.verification.shortfalls.items()):
                pair = self.problem.pairs[k]
                lines.append(
                    f"{self.problem.name(pair.supporter)} → "
                    f"{self.problem.name(pair.recipient)} {y}: supporter aid "
                    f"{g:,.1f} 万元 short of the floor."
                )
        lines.extend(r.text for r in self.rule_costs)
        for u in self.unfunded:
            lines.append(f"Unfunded {u.id} ({u.recipient}, {u.category}): {u.detail}")
        if self.diagnosis:
            lines.extend(self.diagnosis.text)
        return lines


_PROJECT_COLUMNS = [
    "id",
    "year",
    "recipient",
    "supporter",
    "recipient_id",
    "supporter_id",
    "category",
    "category_zh",
    "priority",
    "priority_kinds",
    "title",
    "start_year",
    "end_year",
    "special_fund_wan",
    "supporter_fund_wan",
    "supporter_topup_wan",
    "supporter_total_wan",
    "other_fund_wan",
    "requested_wan",
    "executed",
    "benefit",
]


def _unfunded_dict(u: Unfunded) -> dict[str, Any]:
    d = asdict(u)
    d["reasons"] = ";".join(u.reasons)
    return d


def status_of(solver_status: SolveStatus) -> Status:
    """The registry's verdict in the shared vocabulary (no solution or unbounded: ``failed``)."""
    try:
        return Status(solver_status.value)
    except ValueError:
        return Status.FAILED
