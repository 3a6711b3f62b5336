"""Check a funding schedule against every rule, from the data alone (no solver, no model).

A *schedule* maps project id -> {year: special fund (万元)} for every year the project is funded.
:func:`verify` recomputes budgets, counts, shares, the supporter floor, dependencies and the
objective, and lists every violation. Solver status and verification are kept apart: a run is
trusted only when the solver found a solution *and* it verifies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from allocation.options import AllocationSettings
from allocation.problem import AllocationProblem, Project

Schedule = Mapping[str, Mapping[int, float]]


@dataclass(frozen=True)
class Violation:
    """One rule broken by a schedule."""

    rule: str
    """Constraint family, e.g. ``budget``, ``duration``, ``locked``."""
    subject: str
    """Readable constraint name, e.g. ``budget[2023]``."""
    message: str


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


def counts_for_floor(p: Project, settings: AllocationSettings) -> bool:
    """Whether ``p``'s supporter funds count toward the floor (``floor_counts``)."""
    return settings.floor_counts == "all" or p.priority


def topup_room(p: Project, settings: AllocationSettings) -> float:
    """Top-up (万元 a year) the supporter can put into ``p`` beyond its ``supporter_fund_wan``."""
    if settings.floor_topup == "other_funds":
        return p.other_fund
    if settings.floor_topup == "unlimited":
        return settings.supporter_floor_wan
    return 0.0


@dataclass(frozen=True)
class FloorSplit:
    """How a supporter reaches the floor in one year: planned funds, top-ups, shortfall."""

    planned: float
    """Sum of ``supporter_fund_wan`` of the pair's funded projects counted toward the floor."""
    topups: Mapping[str, float]
    """project id -> top-up (万元), priority kinds first, then by benefit."""
    shortfall: float

    @property
    def aid(self) -> float:
        """The supporter's counted aid: planned plus top-ups."""
        return self.planned + sum(self.topups.values())


def floor_split(settings: AllocationSettings, active: list[Project], year: int) -> FloorSplit:
    """Spread the floor over the pair's active projects ``active``, priority kinds first."""
    counted = [p for p in active if counts_for_floor(p, settings)]
    planned = sum(p.supporter_in(year) for p in counted)
    need = max(0.0, settings.supporter_floor_wan - planned)
    topups: dict[str, float] = {}
    for p in sorted(counted, key=lambda q: (not q.priority, -q.value, q.index)):
        if need <= 0:
            break
        put = min(need, topup_room(p, settings))
        if put > 0:
            topups[p.id] = put
            need -= put
    short = need if need > _tol(settings.supporter_floor_wan) else 0.0
    return FloorSplit(planned, topups, short)


def _tol(x: float) -> float:
    return 1e-6 * max(1.0, abs(x))


def start_of(problem: AllocationProblem, schedule: Schedule) -> dict[str, int]:
    """Start year of every scheduled project (its first funded year)."""
    return {pid: min(years) for pid, years in schedule.items() if years}


def verify(
    problem: AllocationProblem,
    settings: AllocationSettings,
    schedule: Schedule,
    *,
    objective: float | None = None,
) -> Verification:
    """Check ``schedule`` against every rule; compare ``objective`` when given."""
    out: list[Violation] = []
    pb, st = problem, settings
    starts = start_of(pb, schedule)
    open_years = pb.open_years

    def bad(rule: str, subject: str, message: str) -> None:
        out.append(Violation(rule, subject, message))

    # Per project: known, whole duration, allowed start, constant amount within bounds.
    funded: dict[str, Project] = {}
    for pid, years in schedule.items():
        if not years:
            continue
        if pid not in pb.projects:
            why = pb.left_out[pid].detail if pid in pb.left_out else "unknown project id"
            bad("eligible", f"eligible[{pid}]", f"{pid} is funded but cannot be: {why}")
            continue
        p = pb.projects[pid]
        funded[pid] = p
        s = starts[pid]
        if sorted(years) != list(p.years_if_started(s)):
            bad(
                "duration",
                f"duration[{pid}]",
                f"{pid} is funded in {sorted(years)} but must run {p.duration} consecutive "
                f"years from its start {s}",
            )
        if s not in p.start_years:
            bad(
                "duration",
                f"duration[{pid}]",
                f"{pid} starts in {s}; allowed start years {list(p.start_years)}",
            )
        amounts = list(years.values())
        if max(amounts) - min(amounts) > _tol(max(amounts)):
            bad(
                "amount",
                f"amount[{pid}]",
                f"{pid} gets different amounts in different years {amounts}",
            )
        for y, a in years.items():
            if not (p.minimum - _tol(p.minimum) <= a <= p.request + _tol(p.request)):
                bad(
                    "amount",
                    f"amount[{pid},{y}]",
                    f"{pid} gets {a:g} 万元 in {y}, outside {p.minimum:g}..{p.request:g}",
                )

    def active(y: int) -> list[Project]:
        return [p for pid, p in funded.items() if y in schedule[pid]]

    def spent(ps: list[Project], y: int) -> float:
        return sum(schedule[p.id][y] for p in ps)

    # Executed years: exactly the executed projects, at their executed amounts.
    for y in pb.fixed_years:
        want = {
            p.id
            for p in pb.projects.values()
            if p.executed_start is not None and y in p.years_if_started(p.executed_start)
        }
        have = {p.id for p in active(y)}
        if want != have:
            bad(
                "executed",
                f"executed[{y}]",
                f"{y} is executed: funded {sorted(have)} but executed {sorted(want)}",
            )
    for p in pb.projects.values():
        if p.executed_start is not None and p.id in funded:
            if starts[p.id] != p.executed_start:
                bad("executed", f"executed[{p.id}]", f"{p.id} was executed from {p.executed_start}")
            a = schedule[p.id][starts[p.id]]
            if p.executed_amount is not None and abs(a - p.executed_amount) > _tol(a):
                bad(
                    "executed",
                    f"executed_amount[{p.id}]",
                    f"{p.id} was executed at {p.executed_amount:g} 万元 a year, scheduled {a:g}",
                )

    # Budget (with carry-over recomputed), counts, pair rules, priority share.
    carry = pb.carry_in if st.carry_over else 0.0
    for y in open_years:
        ps = active(y)
        spend = spent(ps, y)
        available = pb.budget[y] + carry
        if spend > available + _tol(available):
            bad(
                "budget",
                f"budget[{y}]",
                f"{y}: {spend:,.2f} 万元 of special funds exceed the {available:,.2f} available",
            )
        carry = max(0.0, available - spend) if st.carry_over else 0.0
        n = len(ps) if st.count_basis == "active" else sum(1 for p in ps if starts[p.id] == y)
        if n < st.projects_per_year_min:
            bad(
                "projects_per_year_min",
                f"projects_per_year_min[{y}]",
                f"{y}: {n} projects, fewer than {st.projects_per_year_min}",
            )
        if n > st.projects_per_year_max:
            bad(
                "projects_per_year_max",
                f"projects_per_year_max[{y}]",
                f"{y}: {n} projects, more than {st.projects_per_year_max}",
            )
        prio = sum(schedule[p.id][y] for p in ps if p.priority)
        if prio < st.priority_share_min * spend - _tol(spend):
            bad(
                "priority_share",
                f"priority_share[{y}]",
                f"{y}: priority kinds get {prio:,.2f} of {spend:,.2f} 万元, under "
                f"{st.priority_share_min:.0%}",
            )
        for k in pb.pairs:
            mine = [p for p in ps if p.pair == k]
            if len(mine) < st.pair_projects_min:
                bad(
                    "pair_min",
                    f"pair_min[{k},{y}]",
                    f"{k} {y}: {len(mine)} projects, fewer than {st.pair_projects_min}",
                )
            if len(mine) > st.pair_projects_max:
                bad(
                    "pair_max",
                    f"pair_max[{k},{y}]",
                    f"{k} {y}: {len(mine)} projects, more than {st.pair_projects_max}",
                )
            cap = st.pair_share_max * pb.budget[y]
            if st.pair_share_max < 1.0 and spent(mine, y) > cap + _tol(cap):
                bad(
                    "pair_share",
                    f"pair_share[{k},{y}]",
                    f"{k} {y}: {spent(mine, y):,.2f} 万元 exceed the pair cap {cap:,.2f}",
                )

    # Supporter floor: hard mode breaks, soft/off report shortfalls.
    shortfalls: dict[tuple[str, int], float] = {}
    coverage = 0
    for k in pb.pairs:
        for y in pb.years:
            mine = [p for p in active(y) if p.pair == k]
            if y in open_years and mine:
                coverage += 1
            split = floor_split(st, mine, y)
            if split.shortfall > 0:
                shortfalls[k, y] = split.shortfall
                if st.floor_mode == "hard" and y in open_years:
                    bad(
                        "supporter_floor",
                        f"supporter_floor[{k},{y}]",
                        f"{k} {y}: supporter aid {split.aid:,.2f} 万元 is under the floor "
                        f"{st.supporter_floor_wan:,.2f}",
                    )

    # Settings: locks and exclusions; data: requires / excludes.
    for pid in st.locked_projects:
        if pid not in funded:
            bad("locked", f"locked[{pid}]", f"locked project {pid} is not funded")
    for pid in st.excluded_projects:
        if schedule.get(pid):
            bad("excluded", f"excluded[{pid}]", f"excluded project {pid} is funded")
    seen_excludes: set[tuple[str, ...]] = set()
    for pid, p in funded.items():
        for q in p.requires:
            if q not in funded:
                bad("requires", f"requires[{pid},{q}]", f"{pid} requires {q}, which is not funded")
            elif starts[q] > starts[pid]:
                bad(
                    "requires",
                    f"requires[{pid},{q}]",
                    f"{pid} starts {starts[pid]} before its required {q} ({starts[q]})",
                )
        for q in p.excludes:
            key = tuple(sorted((pid, q)))
            if q in funded and key not in seen_excludes:
                seen_excludes.add(key)
                bad(
                    "excludes",
                    f"excludes[{key[0]},{key[1]}]",
                    f"{key[0]} and {key[1]} exclude each other but both are funded",
                )

    scale = st.benefit.scale_by_funded_share
    benefit = sum(p.benefit(schedule[pid][starts[pid]], scale) for pid, p in funded.items())
    soft_years = set(open_years)
    penalty = 0.0
    if st.floor_mode == "soft":
        penalty = pb.shortfall_unit * sum(g for (_, y), g in shortfalls.items() if y in soft_years)
    total = benefit - penalty
    if objective is not None and math.isfinite(objective):
        # One-sided: a solver may carry slack shortfall (objective below the recomputed one),
        # but it must never claim more than the schedule achieves.
        if objective > total + 1e-5 * max(1.0, abs(total)):
            bad(
                "objective",
                "objective",
                f"reported objective {objective:,.4f} exceeds the recomputed {total:,.4f}",
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
