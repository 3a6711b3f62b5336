"""Facts about a funding schedule that the rules' checks share (no solver, no model).

A *schedule* maps project id -> {year: special fund (万元)} for every year the project is funded.
:class:`Plan` reads one schedule against a prepared problem once (funded projects, start years,
projects active in a year, money spent) so that every rule's independent check in
:mod:`allocation.rules` works from the same facts.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

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
    short = need if need > tol(settings.supporter_floor_wan) else 0.0
    return FloorSplit(planned, topups, short)


def tol(x: float) -> float:
    """The tolerance of a comparison with ``x`` (relative 1e-6, at least 1e-6)."""
    return 1e-6 * max(1.0, abs(x))


def start_of(problem: AllocationProblem, schedule: Schedule) -> dict[str, int]:
    """Start year of every scheduled project (its first funded year)."""
    return {pid: min(years) for pid, years in schedule.items() if years}


@dataclass(frozen=True)
class Plan:
    """One schedule read against a problem and its settings: what every rule's check needs."""

    problem: AllocationProblem
    settings: AllocationSettings
    schedule: Schedule

    @functools.cached_property
    def starts(self) -> dict[str, int]:
        """Start year of every scheduled project."""
        return start_of(self.problem, self.schedule)

    @functools.cached_property
    def funded(self) -> dict[str, Project]:
        """The scheduled projects the model may fund (unknown or left-out ids excluded)."""
        return {
            pid: self.problem.projects[pid]
            for pid, years in self.schedule.items()
            if years and pid in self.problem.projects
        }

    @functools.cached_property
    def _by_year(self) -> dict[int, list[Project]]:
        out: dict[int, list[Project]] = {}
        for pid, p in self.funded.items():
            for y in self.schedule[pid]:
                out.setdefault(y, []).append(p)
        return out

    def active(self, year: int) -> list[Project]:
        """The funded projects active in ``year`` (in schedule order)."""
        return list(self._by_year.get(year, ()))

    def spent(self, projects: list[Project], year: int) -> float:
        """Special funds of ``projects`` in ``year`` (万元)."""
        return sum(self.schedule[p.id][year] for p in projects)

    def count(self, year: int) -> int:
        """The yearly project count of ``count_basis`` (active, or new starts)."""
        ps = self.active(year)
        if self.settings.count_basis == "active":
            return len(ps)
        return sum(1 for p in ps if self.starts[p.id] == year)

    def available(self) -> dict[int, float]:
        """Budget available in each open year, unspent money carried over when allowed."""
        pb, st = self.problem, self.settings
        carry = pb.carry_in if st.carry_over else 0.0
        out: dict[int, float] = {}
        for y in pb.open_years:
            out[y] = pb.budget[y] + carry
            spend = self.spent(self.active(y), y)
            carry = max(0.0, out[y] - spend) if st.carry_over else 0.0
        return out

    @functools.cached_property
    def floor(self) -> dict[tuple[str, int], FloorSplit]:
        """(pair, year) -> how the supporter reaches the floor, over every year."""
        return {
            (k, y): floor_split(self.settings, [p for p in self.active(y) if p.pair == k], y)
            for k in self.problem.pairs
            for y in self.problem.years
        }
