"""What the rules cost, why good projects are left out, and why a plan is infeasible.

* :func:`rule_costs` re-solves with each rule relaxed one step (budget +10 %, yearly count range
  widened by 5, pair max +1, pair share +5 points, priority share −5 points, floor off, …) and
  reports the objective gained, in words.
* :func:`best_unfunded` lists the best projects left out (benefit per 万元 of special fund)
  with the rules that keep each out, and optionally the objective lost by forcing it in.
* :func:`diagnose` runs on infeasible rules: a deletion filter over constraint families finds a
  smallest set of rule families that conflict, and bisection finds, for each rule that alone
  resolves the conflict, the smallest relaxation (e.g. the budget that would be needed).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from allocation.model import RELAXABLE
from allocation.options import AllocationSettings
from allocation.problem import AllocationProblem
from allocation.run import Run, run_model, with_options
from allocation.verify import Schedule, start_of, verify
from solverkit.registry import SolveStatus

T = TypeVar("T")

RULE_LABELS = MappingProxyType(
    {
        "budget": "the yearly special-fund budget",
        "projects_per_year_min": "the fewest projects a year",
        "projects_per_year_max": "the most projects a year",
        "projects_per_year": "the projects-per-year range",
        "pair_min": "the fewest projects per pair and year",
        "pair_max": "the most projects per pair and year",
        "pair_share": "the cap on one pair's share of the budget",
        "priority_share": "the least share for the priority kinds",
        "supporter_floor": "the supporter floor (≥ 500 万元 a year)",
        "requires": "the project dependencies (requires)",
        "excludes": "the mutually exclusive projects (excludes)",
        "locked": "the locked projects",
    }
)


def _replace_budget(problem: AllocationProblem, factor: float) -> AllocationProblem:
    budget = {y: (b * factor if y in problem.open_years else b) for y, b in problem.budget.items()}
    return dataclasses.replace(problem, budget=budget)


def _budget_variant(
    problem: AllocationProblem, st: AllocationSettings, factor: float
) -> tuple[AllocationProblem, AllocationSettings]:
    """Budget × ``factor`` in the open years, the pair cap kept at the same 万元 amount."""
    share = min(1.0, st.pair_share_max / factor) if st.pair_share_max < 1.0 else 1.0
    return _replace_budget(problem, factor), dataclasses.replace(st, pair_share_max=share)


def _unlock(problem: AllocationProblem) -> AllocationProblem:
    projects = {k: dataclasses.replace(p, locked=False) for k, p in problem.projects.items()}
    return dataclasses.replace(problem, projects=projects)


def _lock(problem: AllocationProblem, pid: str) -> AllocationProblem:
    projects = dict(problem.projects)
    projects[pid] = dataclasses.replace(projects[pid], locked=True)
    return dataclasses.replace(problem, projects=projects)


@dataclass(frozen=True)
class RuleCost:
    """Objective gained by relaxing one rule one step."""

    rule: str
    change: str
    status: str
    objective: float | None
    gain: float | None
    benefit_gain: float | None
    coverage_gain: int | None
    text: str


def run_parallel(
    jobs: Sequence[tuple[str, Callable[[], T]]],
    workers: int,
    progress: Callable[[str], None] | None = None,
) -> list[T]:
    """Run independent re-solves, ``workers`` at a time, results in the order given.

    The solvers run outside Python's lock (CBC as a subprocess, HiGHS in native code), so
    threads are enough to keep both cores busy. Each solve is single-threaded and seeded, so
    the results do not depend on the order in which they finish.
    """
    if not jobs:
        return []
    say = progress or (lambda message: None)
    results: list[T | None] = [None] * len(jobs)
    if workers <= 1 or len(jobs) == 1:
        for i, (label, job) in enumerate(jobs):
            results[i] = job()
            say(f"re-solve {i + 1}/{len(jobs)} done: {label}")
        return results  # type: ignore[return-value]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(job): i for i, (_, job) in enumerate(jobs)}
        done = 0
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            done += 1
            say(f"re-solve {done}/{len(jobs)} done: {jobs[i][0]}")
    return results  # type: ignore[return-value]


def _relaxations(
    problem: AllocationProblem, st: AllocationSettings, present: set[str]
) -> list[tuple[str, str, AllocationProblem, AllocationSettings, tuple[str, ...]]]:
    a = st.analysis
    out: list[tuple[str, str, AllocationProblem, AllocationSettings, tuple[str, ...]]] = []
    rep = dataclasses.replace
    if "budget" in present and a.budget_step > 0:
        pb, st_b = _budget_variant(problem, st, 1 + a.budget_step)
        out.append(("budget", f"budget +{a.budget_step:.0%} in every open year", pb, st_b, ()))
    if present & {"projects_per_year_min", "projects_per_year_max"} and a.count_step > 0:
        lo = max(0, st.projects_per_year_min - a.count_step)
        hi = st.projects_per_year_max + a.count_step
        out.append(
            (
                "projects_per_year",
                f"projects a year {st.projects_per_year_min}–"
                f"{st.projects_per_year_max} → {lo}–{hi}",
                problem,
                rep(st, projects_per_year_min=lo, projects_per_year_max=hi),
                (),
            )
        )
    if "pair_max" in present and a.pair_step > 0:
        hi = st.pair_projects_max + a.pair_step
        out.append(
            (
                "pair_max",
                f"most projects per pair and year {st.pair_projects_max} → {hi}",
                problem,
                rep(st, pair_projects_max=hi),
                (),
            )
        )
    if "pair_min" in present and a.pair_step > 0:
        lo = max(0, st.pair_projects_min - a.pair_step)
        out.append(
            (
                "pair_min",
                f"fewest projects per pair and year {st.pair_projects_min} → {lo}",
                problem,
                rep(st, pair_projects_min=lo),
                (),
            )
        )
    if "pair_share" in present and a.share_step > 0:
        cap = min(1.0, st.pair_share_max + a.share_step)
        out.append(
            (
                "pair_share",
                f"pair share cap {st.pair_share_max:.0%} → {cap:.0%}",
                problem,
                rep(st, pair_share_max=cap),
                (),
            )
        )
    if "priority_share" in present and a.share_step > 0:
        lo_share = max(0.0, st.priority_share_min - a.share_step)
        out.append(
            (
                "priority_share",
                f"priority share {st.priority_share_min:.0%} → {lo_share:.0%}",
                problem,
                rep(st, priority_share_min=lo_share),
                (),
            )
        )
    if "supporter_floor" in present:
        out.append(
            (
                "supporter_floor",
                f"supporter floor ({st.floor_mode}) off",
                problem,
                rep(st, floor_mode="off"),
                (),
            )
        )
    if "locked" in present:
        out.append(("locked", "locks released", _unlock(problem), rep(st, locked_projects=()), ()))
    for fam in ("requires", "excludes"):
        if fam in present:
            out.append((fam, f"{fam} rules dropped", problem, st, (fam,)))
    return out


def rule_costs(
    problem: AllocationProblem,
    settings: AllocationSettings,
    base: Run,
    progress: Callable[[str], None] | None = None,
) -> list[RuleCost]:
    """Re-solve with each present rule relaxed one step; report objective and benefit gained."""
    if not base.has_solution or base.objective is None:
        return []
    present = {f for f, names in base.model.families.items() if names}
    base_check = verify(problem, settings, base.schedule)
    options = with_options(settings, settings.analysis.resolve_time_limit)
    out: list[RuleCost] = []
    variants = _relaxations(problem, settings, present)
    if progress is not None and variants:
        progress(f"rule costs: {len(variants)} re-solves, each with one rule relaxed a step")
    # Relaxing a rule keeps the base plan feasible: hand it to the solver as a warm start.
    start = {v.name: v.varValue for v in base.model.lp.variables() if v.varValue is not None}
    runs = run_parallel(
        [
            (
                change,
                functools.partial(run_model, pb, st, omit=omit, solver=options, initial=start),
            )
            for _, change, pb, st, omit in variants
        ],
        settings.analysis.workers,
        progress,
    )
    for (rule, change, pb, st, _omit), relaxed in zip(variants, runs, strict=True):
        label = RULE_LABELS.get(rule, rule)
        if not relaxed.has_solution or relaxed.objective is None:
            out.append(
                RuleCost(
                    rule,
                    change,
                    relaxed.status.value,
                    None,
                    None,
                    None,
                    None,
                    f"Relaxing {label} ({change}): the re-solve ended "
                    f"{relaxed.status.value}, no figure.",
                )
            )
            continue
        check = verify(pb, st, relaxed.schedule)
        gain = check.objective - base_check.objective
        bgain = check.benefit - base_check.benefit
        cgain = check.coverage - base_check.coverage
        tol = max(1e-6, settings.solver.gap) * max(1.0, abs(base_check.objective))
        approx = "" if relaxed.status == SolveStatus.OPTIMAL else " (re-solve not proven optimal)"
        if rule == "supporter_floor":
            short0 = sum(base_check.shortfalls.values())
            short1 = sum(check.shortfalls.values())
            text = (
                f"Dropping {label} would change the benefit by {bgain:+,.1f} "
                f"({_pct(bgain, base_check.benefit)}); shortfalls would go from "
                f"{short0:,.1f} to {short1:,.1f} 万元{approx}."
            )
        elif gain <= tol and cgain <= 0:
            text = (
                f"{label.capitalize()} is not binding: relaxing it ({change}) gains nothing "
                f"beyond the solver gap ({gain:+,.1f}){approx}."
            )
        else:
            text = (
                f"Relaxing {label} ({change}) would raise the objective by {gain:,.1f} "
                f"({_pct(gain, base_check.objective)})"
                + (f" and cover {cgain} more pair-years" if cgain > 0 else "")
                + f"{approx}."
            )
        out.append(
            RuleCost(rule, change, relaxed.status.value, check.objective, gain, bgain, cgain, text)
        )
    return out


def _pct(x: float, base: float) -> str:
    return f"{x / abs(base):+.1%}" if abs(base) > 1e-9 else "n/a"


@dataclass(frozen=True)
class Unfunded:
    """A good project left out, and why."""

    id: str
    title: str
    recipient: str
    supporter: str
    category: str
    value: float
    value_per_wan: float
    reasons: tuple[str, ...]
    detail: str
    forced_loss: float | None = None
    """Objective lost when the project is forced in (None = not computed or infeasible)."""


def _blockers(
    problem: AllocationProblem, st: AllocationSettings, schedule: Schedule, pid: str, s: int
) -> list[str]:
    """Rules the schedule would break if ``pid`` were added starting in ``s`` at its minimum."""
    p = problem.projects[pid]
    starts = start_of(problem, schedule)
    found: list[str] = []
    carry = problem.carry_in if st.carry_over else 0.0
    for y in problem.open_years:
        act = [problem.projects[q] for q, ys in schedule.items() if y in ys]
        spend = sum(schedule[q.id][y] for q in act)
        available = problem.budget[y] + carry
        runs = s <= y < s + p.duration
        if runs:
            if spend + p.minimum > available + 1e-6 * max(1.0, available):
                found.append(
                    f"budget ({y}: {available - spend:,.1f} 万元 left, needs {p.minimum:,.1f})"
                )
            n = len(act) if st.count_basis == "active" else sum(1 for q in act if starts[q.id] == y)
            if (st.count_basis == "active" or y == s) and n + 1 > st.projects_per_year_max:
                found.append(f"count cap ({y}: already {n} projects)")
            mine = [q for q in act if q.pair == p.pair]
            if len(mine) + 1 > st.pair_projects_max:
                found.append(f"pair cap ({y}: pair already has {len(mine)})")
            cap = st.pair_share_max * problem.budget[y]
            if st.pair_share_max < 1.0 and sum(
                schedule[q.id][y] for q in mine
            ) + p.minimum > cap + 1e-6 * max(1.0, cap):
                found.append(f"pair share cap ({y})")
            if not p.priority:
                prio = sum(schedule[q.id][y] for q in act if q.priority)
                if prio < st.priority_share_min * (spend + p.minimum) - 1e-6:
                    found.append(f"priority share ({y})")
        carry = max(0.0, available - spend) if st.carry_over else 0.0
    for q in p.requires:
        if q not in schedule:
            found.append(f"dependency (requires {q}, not funded)")
        elif starts[q] > s:
            found.append(f"dependency (requires {q}, which starts {starts[q]})")
    for q in p.excludes:
        if q in schedule:
            found.append(f"excluded by {q} (funded)")
    for q, other in problem.projects.items():
        if pid in other.requires and q in schedule and starts[q] < s:
            found.append(f"dependency ({q} needs it by {starts[q]})")
        if pid in other.excludes and q in schedule and q not in p.excludes:
            found.append(f"excluded by {q} (funded)")
    return found


def best_unfunded(
    problem: AllocationProblem,
    settings: AllocationSettings,
    base: Run,
    progress: Callable[[str], None] | None = None,
) -> list[Unfunded]:
    """The best projects (benefit per 万元 of special fund) not funded, with their reasons."""
    n = settings.analysis.best_unfunded
    if n <= 0 or not base.has_solution:
        return []
    schedule = base.schedule
    cands = []
    for pid in problem.all_ids:
        if pid in schedule:
            continue
        raw = problem.raw.get(pid, {})
        if pid in problem.projects:
            p = problem.projects[pid]
            per_wan = p.value / (p.request * p.duration)
            cands.append((per_wan, pid))
        elif raw and raw.get("value") == raw.get("value"):
            cands.append((-1.0, pid))  # left out: listed after the eligible ones
    cands.sort(key=lambda t: -t[0])
    out: list[Unfunded] = []
    base_check = verify(problem, settings, schedule)
    forced_left = settings.analysis.force_unfunded
    to_force: list[int] = []
    options = with_options(settings, settings.analysis.resolve_time_limit)
    for per_wan, pid in cands[:n]:
        raw = problem.raw[pid]
        if pid in problem.left_out:
            lo = problem.left_out[pid]
            out.append(
                Unfunded(
                    pid,
                    str(raw["title"]),
                    problem.name(str(raw["recipient"])),
                    problem.name(str(raw["supporter"])),
                    str(raw["category"]),
                    float(raw["value"]),
                    float("nan"),
                    (lo.reason,),
                    lo.detail,
                )
            )
            continue
        p = problem.projects[pid]
        per_start = {s: _blockers(problem, settings, schedule, pid, s) for s in p.start_years}
        best_s = min(per_start, key=lambda s: (len(per_start[s]), s))
        found = per_start[best_s]
        if found:
            codes = tuple(dict.fromkeys(f.split(" (")[0] for f in found))
            detail = f"best start {best_s}: " + "; ".join(found)
        else:
            codes = ("benefit",)
            detail = (
                f"fits in {best_s} without breaking a rule; left out for better uses of "
                f"the same funds (within the solver's gap) or by the floor/coverage "
                f"priorities"
            )
        if forced_left > 0:
            forced_left -= 1
            to_force.append(len(out))
        out.append(
            Unfunded(
                pid,
                p.title,
                problem.name(p.recipient),
                problem.name(p.supporter),
                p.category,
                p.value,
                per_wan,
                codes,
                detail,
                None,
            )
        )
    if to_force and progress is not None:
        progress(f"pricing the {len(to_force)} best unfunded projects (each forced in, re-solved)")
    forced_runs = run_parallel(
        [
            (
                f"force {out[i].id}",
                functools.partial(run_model, _lock(problem, out[i].id), settings, solver=options),
            )
            for i in to_force
        ],
        settings.analysis.workers,
        progress,
    )
    for i, forced in zip(to_force, forced_runs, strict=True):
        if forced.has_solution:
            loss = base_check.objective - verify(problem, settings, forced.schedule).objective
            out[i] = dataclasses.replace(out[i], forced_loss=loss)
    return out


@dataclass(frozen=True)
class Relaxation:
    """The smallest change of one rule that makes the plan feasible."""

    rule: str
    setting: str
    current: float
    needed: float
    text: str


@dataclass(frozen=True)
class Diagnosis:
    """Why the rules are infeasible and what would fix them."""

    conflict: tuple[str, ...]
    """A smallest set of rule families that cannot hold together (deletion filter)."""
    resolves_alone: tuple[str, ...]
    """Families whose removal alone makes the plan feasible."""
    relaxations: tuple[Relaxation, ...]
    text: tuple[str, ...]

    def message(self, language: str = "en") -> str:
        """The diagnosis in planners' words, one line per finding (English)."""
        return "\n".join(self.text)

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return {
            "conflict": list(self.conflict),
            "resolves_alone": list(self.resolves_alone),
            "relaxations": [dataclasses.asdict(r) for r in self.relaxations],
            "text": list(self.text),
        }


def _feasible(problem: AllocationProblem, st: AllocationSettings, omit: tuple[str, ...]) -> bool:
    run = run_model(
        problem,
        st,
        omit=omit,
        feasibility_only=True,
        solver=with_options(st, st.analysis.resolve_time_limit),
    )
    return run.has_solution


def _bisect_float(ok: Callable[[float], bool], bad: float, good: float, steps: int) -> float:
    for _ in range(steps):
        mid = (bad + good) / 2
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


def _bisect_int(ok: Callable[[int], bool], bad: int, good: int) -> int:
    while abs(good - bad) > 1:
        mid = (bad + good) // 2
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


@dataclass(frozen=True)
class _NumericRule:
    """A rule relaxed by moving one setting until the plan is feasible (bisection)."""

    family: str
    setting: str
    lower: bool
    """True: relax by lowering the setting (toward 0); False: by raising it."""
    share: bool = False
    """A share in [0, 1] (bisected as a float, shown in %); otherwise a whole number."""
    companion: str | None = None
    """A ``*_min`` setting kept at or below the raised ``*_max``."""


_NUMERIC_RULES: Mapping[str, _NumericRule] = MappingProxyType(
    {
        r.family: r
        for r in (
            _NumericRule("projects_per_year_min", "projects_per_year_min", lower=True),
            _NumericRule(
                "projects_per_year_max",
                "projects_per_year_max",
                lower=False,
                companion="projects_per_year_min",
            ),
            _NumericRule("pair_min", "pair_projects_min", lower=True),
            _NumericRule(
                "pair_max", "pair_projects_max", lower=False, companion="pair_projects_min"
            ),
            _NumericRule("pair_share", "pair_share_max", lower=False, share=True),
            _NumericRule("priority_share", "priority_share_min", lower=True, share=True),
        )
    }
)


def _relax_numeric(
    rule: _NumericRule, problem: AllocationProblem, st: AllocationSettings, steps: int
) -> Relaxation:
    current = getattr(st, rule.setting)

    def variant(x: float) -> AllocationSettings:
        changes: dict[str, float] = {rule.setting: x}
        if rule.companion is not None:
            changes[rule.companion] = min(getattr(st, rule.companion), x)
        return dataclasses.replace(st, **changes)

    def ok(x: float) -> bool:
        return _feasible(problem, variant(x), ())

    if rule.share:
        v: float = _bisect_float(ok, current, 0.0 if rule.lower else 1.0, steps)
        shown = f"{current:.1%} to {v:.1%}"
    else:
        limit = 0 if rule.lower else max(len(problem.projects), current + 1)
        v = _bisect_int(ok, current, limit)
        shown = f"{current} to {v}"
    verb = "Lower" if rule.lower else "Raise"
    return Relaxation(rule.family, rule.setting, current, v, f"{verb} {rule.setting} from {shown}.")


def diagnose(problem: AllocationProblem, settings: AllocationSettings) -> Diagnosis:
    """Name the rules in conflict and the smallest relaxation of each that would resolve it."""
    st = settings
    probe = run_model(
        problem, st, feasibility_only=True, solver=with_options(st, st.analysis.resolve_time_limit)
    )
    present = [f for f in RELAXABLE if probe.model.families.get(f)]
    if probe.has_solution:
        return Diagnosis((), (), (), ("The rules are feasible together; nothing to relax.",))
    alone = tuple(f for f in present if _feasible(problem, st, (f,)))
    removed: list[str] = []
    for f in present:
        if not _feasible(problem, st, (*removed, f)):
            removed.append(f)
    conflict = tuple(f for f in present if f not in removed)
    if _feasible(problem, st, tuple(removed)):
        conflict = tuple(present)  # filter inconclusive (time limits): report all
    steps = st.analysis.bisection_steps
    rep = dataclasses.replace
    relax: list[Relaxation] = []
    open_budget = max((problem.budget[y] for y in problem.open_years), default=0.0)
    for f in alone:
        if f == "budget":
            need_total = sum(p.request for p in problem.projects.values()) + 1.0
            top = max(1.0, need_total / max(open_budget, 1e-9))
            factor = _bisect_float(
                lambda x: _feasible(*_budget_variant(problem, st, x), ()), 1.0, top, steps
            )
            relax.append(
                Relaxation(
                    "budget",
                    "annual_budget_wan",
                    open_budget,
                    open_budget * factor,
                    f"A budget of about {open_budget * factor:,.0f} 万元 a year "
                    f"(now {open_budget:,.0f}, ×{factor:.3f}) would make the plan feasible.",
                )
            )
        elif f in _NUMERIC_RULES:
            relax.append(_relax_numeric(_NUMERIC_RULES[f], problem, st, steps))
        elif f == "supporter_floor":
            v = _bisect_float(
                lambda x: _feasible(problem, rep(st, supporter_floor_wan=x), ()),
                st.supporter_floor_wan,
                0.0,
                steps,
            )
            relax.append(
                Relaxation(
                    f,
                    "supporter_floor_wan",
                    st.supporter_floor_wan,
                    v,
                    f"The hard supporter floor can be met only up to about "
                    f"{v:,.1f} 万元 a year (plan: {st.supporter_floor_wan:,.0f}); "
                    f"use floor_mode = 'soft' to report the shortfalls instead.",
                )
            )
        elif f == "locked":
            relax.append(
                Relaxation(
                    f,
                    "locked_projects",
                    float(len(st.locked_projects)),
                    0.0,
                    "Release some locked projects: " + ", ".join(st.locked_projects) + ".",
                )
            )
        else:
            relax.append(Relaxation(f, f, 1.0, 0.0, f"Drop or edit the {f} rules of the pool."))
    text = [
        "The rules cannot all hold. Rules in conflict: "
        + ", ".join(RULE_LABELS.get(f, f) for f in conflict)
        + "."
    ]
    if alone:
        text.append(
            "Relaxing any one of these alone resolves it: "
            + ", ".join(RULE_LABELS.get(f, f) for f in alone)
            + "."
        )
    else:
        text.append("No single rule resolves it alone; relax several of the conflicting rules.")
    text.extend(r.text for r in relax)
    return Diagnosis(conflict, alone, tuple(relax), tuple(text))
