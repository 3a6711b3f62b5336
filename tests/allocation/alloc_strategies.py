"""Tiny hand-built fixtures and hypothesis strategies for random small allocation instances."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from allocation import AllocationInputs, AllocationProblem, AllocationSettings, verify
from allocation.options import AnalysisSettings
from solverkit.registry import SolverOptions

NAMES = {"r1": "竹溪县", "r2": "五峰县", "s1": "武汉东湖新技术开发区", "s2": "武汉经济技术开发区"}
PAIRS = pd.DataFrame({"recipient": ["r1", "r2"], "supporter": ["s1", "s2"]})
POPULATION = {"r1": 31.5, "r2": 19.0}

QUIET = AnalysisSettings(rule_costs=False, best_unfunded=0, force_unfunded=0, diagnose=False)


def project(**kw: Any) -> dict[str, Any]:
    """One project row with sensible defaults (override any column)."""
    row: dict[str, Any] = {
        "recipient": "r1",
        "supporter": "",
        "title": "test project",
        "category": "agriculture_income",
        "low_income": 0,
        "ecological": 0,
        "infrastructure": 0,
        "earliest_start": 2021,
        "duration_years": 1,
        "cost_per_year_wan": 0.0,
        "special_fund_request_wan": 100.0,
        "special_fund_min_wan": None,
        "supporter_fund_wan": 50.0,
        "other_fund_wan": 0.0,
        "people_benefited": 1000.0,
        "low_income_benefited": 100.0,
        "jobs": 10.0,
        "income_uplift_wan": 50.0,
        "readiness": 1.0,
        "requires": "",
        "excludes": "",
        "source": "test",
    }
    row.update(kw)
    if row["special_fund_min_wan"] is None:
        row["special_fund_min_wan"] = row["special_fund_request_wan"]
    if not row["cost_per_year_wan"]:
        row["cost_per_year_wan"] = (
            row["special_fund_request_wan"] + row["supporter_fund_wan"] + row["other_fund_wan"]
        )
    return row


def inputs(
    rows: dict[str, dict[str, Any]], executed: pd.DataFrame | None = None
) -> AllocationInputs:
    """Inputs with the two test pairs and the given project rows (id -> row)."""
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "id"
    return AllocationInputs(frame, PAIRS.copy(), NAMES, POPULATION, executed)


def tiny_settings(**kw: Any) -> AllocationSettings:
    """Permissive settings over 2021–2023 with analyses off and an exact solver."""
    base: dict[str, Any] = dict(
        first_year=2021,
        last_year=2023,
        annual_budget_wan=1000.0,
        projects_per_year_min=0,
        projects_per_year_max=10,
        pair_projects_min=0,
        pair_projects_max=10,
        pair_share_max=1.0,
        priority_share_min=0.0,
        supporter_floor_wan=0.0,
        lexicographic=False,
        analysis=QUIET,
        solver=SolverOptions(gap=0.0, time_limit=20),
    )
    base.update(kw)
    return AllocationSettings(**base)


@st.composite
def instances(
    draw: st.DrawFn, *, partial: bool = False, max_projects: int = 5
) -> tuple[AllocationInputs, AllocationSettings]:
    """A random valid small instance (2 pairs, 1–3 years) and random settings."""
    n_years = draw(st.integers(1, 3))
    last = 2020 + n_years
    n = draw(st.integers(1, max_projects))
    rows: dict[str, dict[str, Any]] = {}
    ids = [f"P{i}" for i in range(n)]
    for i, pid in enumerate(ids):
        request = float(draw(st.integers(5, 40)) * 10)
        minimum = request
        if partial and draw(st.booleans()):
            minimum = float(draw(st.integers(1, int(request // 10))) * 10)
        kinds = draw(st.sampled_from(["none", "low_income", "ecological", "infrastructure"]))
        requires = ""
        excludes = ""
        if i > 0 and draw(st.integers(0, 5)) == 0:
            requires = ids[draw(st.integers(0, i - 1))]
        elif i > 0 and draw(st.integers(0, 5)) == 0:
            excludes = ids[draw(st.integers(0, i - 1))]
        offset = draw(st.integers(0, n_years - 1))
        rows[pid] = project(
            recipient=draw(st.sampled_from(["r1", "r2"])),
            category=draw(st.sampled_from(["agriculture_income", "education", "health"])),
            low_income=int(kinds == "low_income"),
            ecological=int(kinds == "ecological"),
            infrastructure=int(kinds == "infrastructure"),
            earliest_start=2021 + offset,
            duration_years=draw(st.integers(1, n_years - offset)),
            special_fund_request_wan=request,
            special_fund_min_wan=minimum,
            supporter_fund_wan=float(draw(st.integers(0, 30)) * 10),
            other_fund_wan=float(draw(st.integers(0, 20)) * 10),
            people_benefited=float(draw(st.integers(0, 5000))),
            low_income_benefited=0.0,
            jobs=float(draw(st.integers(0, 50))),
            income_uplift_wan=float(draw(st.integers(0, 300))),
            readiness=draw(st.sampled_from([0.0, 0.5, 1.0])),
            requires=requires,
            excludes=excludes,
        )
    lo = draw(st.sampled_from([0, 0, 0, 0, 1, 2]))
    plo = draw(st.sampled_from([0, 0, 0, 0, 0, 1]))
    locked = {draw(st.sampled_from(ids))} if draw(st.integers(0, 3)) == 0 else set()
    # Everything a locked project needs, transitively: excluding any of it makes the lock
    # impossible, which prepare refuses (a hard input error, not an instance to solve).
    needed: set[str] = set()
    todo = list(locked)
    while todo:
        for q in rows[todo.pop()]["requires"].split(";"):
            if q and q not in needed:
                needed.add(q)
                todo.append(q)
    excluded = tuple(
        p for p in draw(st.lists(st.sampled_from(ids), max_size=1)) if p not in locked | needed
    )
    settings = tiny_settings(
        last_year=last,
        annual_budget_wan=float(draw(st.integers(0, 12)) * 100 + 300),
        carry_over=draw(st.booleans()),
        projects_per_year_min=lo,
        projects_per_year_max=lo + draw(st.integers(1, 3)),
        count_basis=draw(st.sampled_from(["active", "new"])),
        pair_projects_min=plo,
        pair_projects_max=plo + draw(st.integers(0, 2)),
        pair_share_max=draw(st.sampled_from([0.5, 1.0, 1.0])),
        priority_share_min=draw(st.sampled_from([0.0, 0.0, 0.3, 0.6])),
        supporter_floor_wan=draw(st.sampled_from([0.0, 200.0, 500.0])),
        floor_mode=draw(st.sampled_from(["soft", "soft", "soft", "off", "hard"])),
        floor_topup=draw(st.sampled_from(["none", "other_funds", "unlimited"])),
        floor_counts=draw(st.sampled_from(["all", "priority"])),
        shortfall_penalty=draw(st.sampled_from([0.5, 10.0])),
        lexicographic=draw(st.booleans()),
        locked_projects=tuple(sorted(locked)),
        excluded_projects=excluded,
    )
    return inputs(rows), settings


def schedules(problem: AllocationProblem) -> Iterator[dict[str, dict[int, float]]]:
    """Every all-or-nothing schedule: each project unfunded or started in one allowed year."""
    projects = list(problem.projects.values())
    choices = [[None, *p.start_years] for p in projects]
    for combo in itertools.product(*choices):
        yield {
            p.id: {y: p.request for y in p.years_if_started(s)}
            for p, s in zip(projects, combo, strict=True)
            if s is not None
        }


def brute_force(
    problem: AllocationProblem, settings: AllocationSettings
) -> tuple[float, int] | None:
    """Best (objective, coverage) over all schedules (lexicographic when the settings say so)."""
    best: tuple[float, int] | None = None
    for schedule in schedules(problem):
        check = verify(problem, settings, schedule)
        if not check.ok:
            continue
        key = (check.coverage, check.objective) if settings.lexicographic else (check.objective,)
        if best is None or key > _key(best, settings):
            best = (check.objective, check.coverage)
    return best


def _key(best: tuple[float, int], settings: AllocationSettings) -> tuple[float, ...]:
    return (best[1], best[0]) if settings.lexicographic else (best[0],)


def with_solver(settings: AllocationSettings, name: str) -> AllocationSettings:
    """``settings`` solved by the registry solver ``name``."""
    return dataclasses.replace(settings, solver=dataclasses.replace(settings.solver, name=name))
