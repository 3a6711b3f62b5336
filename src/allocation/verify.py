"""Check a funding schedule against every rule, from the data alone (no solver, no model).

A *schedule* maps project id -> {year: special fund (万元)} for every year the project is funded.
:func:`verify` runs the independent check of every rule of :mod:`allocation.rules` (budgets,
counts, shares, the supporter floor, dependencies, …), evaluates the rows an
``extra_constraints`` hook added, recomputes the objective, and lists every violation. Solver
status and verification are kept apart: a run is trusted only when the solver found a solution
*and* it verifies.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pulp

from allocation import rules
from allocation.model import AllocationModel
from allocation.options import AllocationSettings
from allocation.problem import AllocationProblem
from allocation.schedule import (
    FloorSplit,
    Plan,
    Schedule,
    Violation,
    counts_for_floor,
    floor_split,
    start_of,
    topup_room,
)

__all__ = [
    "FloorSplit",
    "Schedule",
    "Verification",
    "Violation",
    "check_extra",
    "counts_for_floor",
    "floor_split",
    "schedule_values",
    "start_of",
    "topup_room",
    "verify",
]


@dataclass(frozen=True)
class Verification:
    """Outcome of :func:`verify`."""

    violations: tuple[Violation, ...]
    benefit: float
    penalty: float
    objective: float
    """Recomputed objective: benefit minus the soft-floor penalty."""
    shortfalls: Mapping[tuple[str, int], float] = field(default_factory=dict)
    """(pair, year) -> 万元 by which the supporter's counted aid falls short of the floor."""
    coverage: int = 0
    """Number of (pair, open year) with at least one funded project."""
    objective_reported: float | None = None

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.violations

    def rules_broken(self) -> set[str]:
        """The families with at least one violation."""
        return {v.rule for v in self.violations}


def schedule_values(m: AllocationModel, plan: Plan) -> dict[str, float]:
    """The value of every model variable the schedule determines (variable name -> value).

    Starts and amounts come from the schedule itself; the soft-floor shortfall, the carry-over
    and the coverage indicators are recomputed from it, as :func:`verify` computes them.
    """
    pb, schedule = plan.problem, plan.schedule
    values: dict[str, float] = {}
    for (pid, s), var in m.start.items():
        values[var.name] = 1.0 if pid in plan.funded and plan.starts[pid] == s else 0.0
    for (pid, s), var in m.amount.items():
        started = pid in plan.funded and plan.starts[pid] == s
        values[var.name] = schedule[pid][s] - pb.projects[pid].minimum if started else 0.0
    for (k, y), var in m.shortfall.items():
        values[var.name] = plan.floor[k, y].shortfall
    available = plan.available()
    for y, var in m.carry.items():
        values[var.name] = max(0.0, available[y] - plan.spent(plan.active(y), y))
    for (k, y), var in m.covered.items():
        values[var.name] = 1.0 if any(p.pair == k for p in plan.active(y)) else 0.0
    if m.placeholder is not None:
        values[m.placeholder.name] = 0.0
    return values


def check_extra(plan: Plan, m: AllocationModel) -> Iterator[Violation]:
    """Evaluate every row of family ``extra`` on the schedule, from its coefficients.

    Variables the schedule determines take their :func:`schedule_values`; a variable the hook
    created itself (an auxiliary) takes its solution value, and a row that names one without
    a value cannot be verified (a violation).
    """
    names = m.families.get("extra", [])
    if not names:
        return
    values = schedule_values(m, plan)
    for name in names:
        row = m.constraints[name]
        lhs = row.constant
        unknown = []
        for var, coef in row.items():
            value = values.get(var.name, var.varValue)
            if value is None:
                unknown.append(var.name)
                continue
            lhs += coef * value
        if unknown:
            yield Violation(
                "extra", name, f"{name}: no value for {', '.join(unknown)} to check the row with"
            )
            continue
        slack = 1e-6 * max(1.0, abs(row.constant), *(abs(c) for c in row.values()))
        broken = (
            (row.sense == pulp.LpConstraintLE and lhs > slack)
            or (row.sense == pulp.LpConstraintGE and lhs < -slack)
            or (row.sense == pulp.LpConstraintEQ and abs(lhs) > slack)
        )
        if broken:
            sense = {
                pulp.LpConstraintLE: "<=",
                pulp.LpConstraintGE: ">=",
                pulp.LpConstraintEQ: "==",
            }[row.sense]
            yield Violation(
                "extra",
                name,
                f"{name}: the schedule gives {lhs - row.constant:,.4g} {sense} "
                f"{-row.constant:,.4g}, which does not hold",
            )


def verify(
    problem: AllocationProblem,
    settings: AllocationSettings,
    schedule: Schedule,
    *,
    objective: float | None = None,
    model: AllocationModel | None = None,
) -> Verification:
    """Check ``schedule`` against every rule; compare ``objective`` when given.

    With ``model``, the rows its ``extra_constraints`` hook added (family ``extra``) are
    evaluated on the schedule too.
    """
    pb, st = problem, settings
    plan = Plan(pb, st, schedule)
    out: list[Violation] = []
    for rule in rules.RULES.values():
        assert rule.check is not None  # registered records are complete
        out.extend(rule.check(plan))
    if model is not None:
        out.extend(check_extra(plan, model))

    # Supporter floor shortfalls (reported in every mode, penalised in soft mode), coverage.
    open_years = set(pb.open_years)
    shortfalls = {ky: split.shortfall for ky, split in plan.floor.items() if split.shortfall > 0}
    coverage = sum(
        1 for k in pb.pairs for y in pb.open_years if any(p.pair == k for p in plan.active(y))
    )
    scale = st.benefit.scale_by_funded_share
    benefit = sum(
        p.benefit(schedule[pid][plan.starts[pid]], scale) for pid, p in plan.funded.items()
    )
    penalty = 0.0
    if st.floor_mode == "soft":
        penalty = pb.shortfall_unit * sum(g for (_, y), g in shortfalls.items() if y in open_years)
    total = benefit - penalty
    if objective is not None and math.isfinite(objective):
        # One-sided: a solver may carry slack shortfall (objective below the recomputed one),
        # but it must never claim more than the schedule achieves.
        if objective > total + 1e-5 * max(1.0, abs(total)):
            out.append(
                Violation(
                    "objective",
                    "objective",
                    f"reported objective {objective:,.4f} exceeds the recomputed {total:,.4f}",
                )
            )
    return Verification(
        violations=tuple(out),
        benefit=benefit,
        penalty=penalty,
        objective=total,
        shortfalls=shortfalls,
        coverage=coverage,
        objective_reported=objective,
    )
