"""Tables of a funding schedule: per project-year, year, pair, category; floor and fairness.

Pure functions of (problem, settings, schedule): they read no solver state, so they describe
any schedule (an optimum, an executed plan, a planner's draft) the same way.
"""

from __future__ import annotations

from typing import Any

from allocation.benefit import gini
from allocation.options import AllocationSettings
from allocation.problem import CATEGORIES, AllocationProblem
from allocation.verify import Schedule, floor_split, start_of


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


def topups_by_project_year(
    problem: AllocationProblem, settings: AllocationSettings | None, schedule: Schedule
) -> dict[tuple[str, int], float]:
    """(project, year) -> the supporter's top-up (万元) the floor split puts on that project.

    The one definition of supporter aid: a project-year carries its planned
    ``supporter_fund_wan`` plus this top-up; the per-year, per-pair and floor tables sum the
    same two parts (:func:`allocation.schedule.floor_split`). Without ``settings`` (no floor
    known) there are no top-ups.
    """
    if settings is None:
        return {}
    out: dict[tuple[str, int], float] = {}
    for k in problem.pairs:
        for y in problem.years:
            mine = [
                problem.projects[pid]
                for pid, ys in schedule.items()
                if y in ys and problem.projects[pid].pair == k
            ]
            for pid, v in floor_split(settings, mine, y).topups.items():
                out[pid, y] = v
    return out


def project_rows(
    problem: AllocationProblem,
    schedule: Schedule,
    settings: AllocationSettings | None = None,
) -> list[dict[str, Any]]:
    """One row per funded project and year, ordered by year, recipient order, project.

    ``supporter_fund_wan`` is the planned supporter funding, ``supporter_topup_wan`` the
    top-up the floor split assigns to the project (needs ``settings``; 0 without), and
    ``supporter_total_wan`` their sum.
    """
    rows: list[dict[str, Any]] = []
    starts = start_of(problem, schedule)
    topups = topups_by_project_year(problem, settings, schedule)
    pair_order = {k: i for i, k in enumerate(problem.pairs)}
    for pid, years in schedule.items():
        p = problem.projects[pid]
        for y, amount in sorted(years.items()):
            rows.append(
                {
                    "id": pid,
                    "year": y,
                    "recipient": problem.name(p.recipient),
                    "supporter": problem.name(p.supporter),
                    "recipient_id": p.recipient,
                    "supporter_id": p.supporter,
                    "category": p.category,
                    "category_zh": CATEGORIES[p.category].zh,
                    "priority": p.priority,
                    "priority_kinds": ";".join(p.flags),
                    "title": p.title,
                    "start_year": starts[pid],
                    "end_year": starts[pid] + p.duration - 1,
                    "special_fund_wan": _r(amount),
                    "supporter_fund_wan": _r(p.supporter_in(y)),
                    "supporter_topup_wan": _r(topups.get((pid, y), 0.0)),
                    "supporter_total_wan": _r(p.supporter_in(y) + topups.get((pid, y), 0.0)),
                    "other_fund_wan": _r(p.other_fund),
                    "requested_wan": _r(p.request),
                    "executed": y in problem.fixed_years,
                    "benefit": _r(p.benefit(amount, True) / p.duration, 2),
                }
            )
    rows.sort(
        key=lambda r: (
            r["year"],
            pair_order.get(problem.projects[r["id"]].pair, 0),
            problem.projects[r["id"]].index,
        )
    )
    return rows


def year_rows(
    problem: AllocationProblem, settings: AllocationSettings, schedule: Schedule
) -> list[dict[str, Any]]:
    """Budget use per year: projects, new starts, funds, available budget, priority share.

    Supporter money in three named parts, the same definition as the project rows: planned
    ``supporter_fund_wan``, floor ``supporter_topup_wan`` and ``supporter_total_wan``.
    """
    starts = start_of(problem, schedule)
    topups = topups_by_project_year(problem, settings, schedule)
    rows = []
    carry = problem.carry_in if settings.carry_over else 0.0
    for y in problem.years:
        act = [pid for pid, ys in schedule.items() if y in ys]
        spend = sum(schedule[pid][y] for pid in act)
        prio = sum(schedule[pid][y] for pid in act if problem.projects[pid].priority)
        fund = sum(problem.projects[pid].supporter_in(y) for pid in act)
        topup = sum(topups.get((pid, y), 0.0) for pid in act)
        fixed = y in problem.fixed_years
        available = problem.budget[y] + (0.0 if fixed else carry)
        if not fixed:
            carry = max(0.0, available - spend) if settings.carry_over else 0.0
        rows.append(
            {
                "year": y,
                "executed": fixed,
                "projects": len(act),
                "new_projects": sum(1 for pid in act if starts[pid] == y),
                "special_fund_wan": _r(spend),
                "budget_wan": _r(problem.budget[y]),
                "available_wan": _r(available),
                "unspent_wan": _r(available - spend),
                "budget_use": _r(spend / available, 6) if available > 0 else None,
                "supporter_fund_wan": _r(fund),
                "supporter_topup_wan": _r(topup),
                "supporter_total_wan": _r(fund + topup),
                "priority_fund_wan": _r(prio),
                "priority_share": _r(prio / spend, 6) if spend > 0 else None,
            }
        )
    return rows


def floor_rows(
    problem: AllocationProblem, settings: AllocationSettings, schedule: Schedule
) -> list[dict[str, Any]]:
    """Supporter aid per pair and year against the floor, top-ups spread priority kinds first."""
    rows = []
    for k, pair in problem.pairs.items():
        for y in problem.years:
            mine = [
                problem.projects[pid]
                for pid, ys in schedule.items()
                if y in ys and problem.projects[pid].pair == k
            ]
            split = floor_split(settings, mine, y)
            rows.append(
                {
                    "pair": k,
                    "recipient": problem.name(pair.recipient),
                    "supporter": problem.name(pair.supporter),
                    "year": y,
                    "projects": len(mine),
                    "planned_supporter_wan": _r(sum(p.supporter_in(y) for p in mine)),
                    "counted_supporter_wan": _r(split.planned),
                    "topup_wan": _r(sum(split.topups.values())),
                    "topups": ";".join(f"{pid}:{v:g}" for pid, v in split.topups.items()),
                    "supporter_aid_wan": _r(split.aid),
                    "priority_aid_wan": _r(
                        sum(
                            p.supporter_in(y) + split.topups.get(p.id, 0.0)
                            for p in mine
                            if p.priority
                        )
                    ),
                    "floor_wan": _r(settings.supporter_floor_wan),
                    "shortfall_wan": _r(split.shortfall),
                }
            )
    return rows


def pair_rows(
    problem: AllocationProblem, settings: AllocationSettings, schedule: Schedule
) -> list[dict[str, Any]]:
    """Per pair over the period: projects, special funds, supporter money, coverage, shortfall.

    Supporter money has the parts of the project rows: ``supporter_fund_wan`` (planned, every
    funded project), ``supporter_topup_wan`` and ``supporter_total_wan`` (their sum).
    ``supporter_aid_wan`` is the aid counted toward the floor (total minus the planned funds
    of projects the floor does not count, ``floor_counts = "priority"``); it equals the total
    when every project counts. ``floor_total_wan`` is the floor over the open and executed
    years, ``years_below_floor`` the years with a shortfall.
    """
    floor = floor_rows(problem, settings, schedule)
    topups = topups_by_project_year(problem, settings, schedule)
    rows = []
    for k, pair in problem.pairs.items():
        mine = [pid for pid in schedule if problem.projects[pid].pair == k]
        fl = [r for r in floor if r["pair"] == k]
        fund = sum(problem.projects[pid].supporter_in(y) for pid in mine for y in schedule[pid])
        topup = sum(topups.get((pid, y), 0.0) for pid in mine for y in schedule[pid])
        rows.append(
            {
                "pair": k,
                "recipient": problem.name(pair.recipient),
                "supporter": problem.name(pair.supporter),
                "recipient_id": pair.recipient,
                "supporter_id": pair.supporter,
                "projects": len(mine),
                "priority_projects": sum(1 for pid in mine if problem.projects[pid].priority),
                "special_fund_wan": _r(sum(sum(schedule[pid].values()) for pid in mine)),
                "supporter_fund_wan": _r(fund),
                "supporter_topup_wan": _r(topup),
                "supporter_total_wan": _r(fund + topup),
                "supporter_aid_wan": _r(sum(r["supporter_aid_wan"] for r in fl)),
                "floor_total_wan": _r(settings.supporter_floor_wan * len(fl)),
                "years_below_floor": sum(1 for r in fl if r["shortfall_wan"] > 0),
                "years_covered": sum(1 for r in fl if r["projects"] > 0),
                "shortfall_wan": _r(sum(r["shortfall_wan"] for r in fl)),
                "candidates": len(problem.pair_projects(k)),
            }
        )
    return rows


def category_rows(problem: AllocationProblem, schedule: Schedule) -> list[dict[str, Any]]:
    """Per category: projects and special funds over the period."""
    total = sum(sum(ys.values()) for ys in schedule.values())
    rows = []
    for code, cat in CATEGORIES.items():
        mine = [pid for pid in schedule if problem.projects[pid].category == code]
        funds = sum(sum(schedule[pid].values()) for pid in mine)
        rows.append(
            {
                "category": code,
                "category_zh": cat.zh,
                "category_en": cat.en,
                "plan_section": cat.section,
                "projects": len(mine),
                "candidates": sum(1 for p in problem.projects.values() if p.category == code),
                "special_fund_wan": _r(funds),
                "share": _r(funds / total, 6) if total > 0 else None,
            }
        )
    return rows


def fairness(problem: AllocationProblem, schedule: Schedule) -> dict[str, Any]:
    """Special funds per recipient and per head (元 per person = 万元 per 万人): min, max, Gini."""
    recipients = list(dict.fromkeys(pair.recipient for pair in problem.pairs.values()))
    totals = {r: 0.0 for r in recipients}
    for pid, ys in schedule.items():
        totals[problem.projects[pid].recipient] += sum(ys.values())
    per_head = {
        r: totals[r] / problem.population_wan[r]
        for r in recipients
        if problem.population_wan.get(r)
    }
    rows = [
        {
            "recipient": problem.name(r),
            "recipient_id": r,
            "special_fund_wan": _r(totals[r]),
            "population_wan": problem.population_wan.get(r),
            "yuan_per_head": _r(per_head[r], 2) if r in per_head else None,
        }
        for r in recipients
    ]

    def stats(values: dict[str, float]) -> dict[str, Any]:
        if not values:
            return {
                "min": None,
                "max": None,
                "gini": None,
                "min_recipient": None,
                "max_recipient": None,
            }
        lo = min(values, key=lambda r: values[r])
        hi = max(values, key=lambda r: values[r])
        return {
            "min": _r(values[lo]),
            "max": _r(values[hi]),
            "gini": _r(gini(values.values()), 6),
            "min_recipient": problem.name(lo),
            "max_recipient": problem.name(hi),
        }

    missing = [problem.name(r) for r in recipients if r not in per_head]
    return {
        "per_recipient": rows,
        "special_fund_wan": stats(totals),
        "yuan_per_head": stats(per_head),
        "population_missing": missing,
    }
