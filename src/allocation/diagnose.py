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
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TypeVar

from allocation import rules, wording_zh
from allocation.model import ExtraConstraints
from allocation.options import AllocationSettings
from allocation.problem import AllocationProblem
from allocation.rules import RULE_LABELS, Candidate, Relaxation, Variant
from allocation.run import Run, run_model, with_options
from allocation.schedule import Plan
from allocation.verify import Schedule, verify
from solverkit.progress import OPTIMALITY_TOLERANCE
from solverkit.registry import SolveStatus, StopRule

T = TypeVar("T")

__all__ = [
    "RULE_LABELS",
    "Diagnosis",
    "Relaxation",
    "RuleCost",
    "Unfunded",
    "best_unfunded",
    "diagnose",
    "rule_costs",
    "run_parallel",
]


def _lock(problem: AllocationProblem, pid: str) -> AllocationProblem:
    projects = dict(problem.projects)
    projects[pid] = dataclasses.replace(projects[pid], locked=True)
    return dataclasses.replace(problem, projects=projects)


@dataclass(frozen=True)
class RuleCost:
    """Objective gained by relaxing one rule one step.

    ``gain`` is the difference of the two incumbents; both runs may stop at a relative gap, so
    the true gain lies in ``[gain_low, gain_high]`` (relaxed incumbent minus base bound,
    relaxed bound minus base incumbent). ``established`` is False when the gain is not larger
    than ``tolerance`` (the larger of the two runs' gaps, requested or reached, times the base
    objective) or ``gain_low <= 0``: such a figure is "not established at this gap" and is
    never reported as a gain. ``gain_pct_of_objective`` has the base objective as its base.
    ``method`` says how the figure was established: ``re-solved`` (to the requested gap) or
    ``re-solved, stopped once decided`` (the re-solve ended as soon as the answer was fixed,
    see :func:`decided`; the interval is then wider but just as true).
    """

    rule: str
    change: str
    status: str
    objective: float | None
    gain: float | None
    benefit_gain: float | None
    coverage_gain: int | None
    text: str
    gain_low: float | None = None
    gain_high: float | None = None
    tolerance: float | None = None
    established: bool = False
    gain_pct_of_objective: float | None = None
    method: str = "re-solved"
    text_zh: str = ""
    change_zh: str = ""
    """``change`` in Chinese (``text_zh`` names the step with it)."""


def _gap_of(run: Run, requested: float) -> float:
    """The gap a run is known to within: the larger of the requested and the reached gap."""
    reached = run.gap if run.gap is not None else requested
    if run.status != SolveStatus.OPTIMAL and run.gap is None:
        return 1.0  # no bound: nothing is established
    return max(requested, reached, OPTIMALITY_TOLERANCE)


def gain_interval(
    base: Run, other: Run, base_objective: float, other_objective: float, requested: float
) -> tuple[float, float, float]:
    """``(low, high, tolerance)`` of the true ``other - base`` optimum difference.

    Both optima are known only to their gaps: the base optimum lies in
    ``[base incumbent, base bound]``, the other's in ``[its incumbent, its bound]`` (maximising).
    A missing bound is taken as the incumbent widened by the gap it was asked for.
    """
    scale = max(1.0, abs(base_objective))
    tol = max(_gap_of(base, requested), _gap_of(other, requested)) * scale
    base_bound = base.bound if base.bound is not None else base_objective + tol
    other_bound = other.bound if other.bound is not None else other_objective + tol
    # A bound below its own incumbent is rounding; never let it narrow the interval.
    base_bound = max(base_bound, base_objective)
    other_bound = max(other_bound, other_objective)
    return other_objective - base_bound, other_bound - base_objective, tol


#: An established figure is reported once its interval ``[low, high]`` is at most this share of
#: ``low`` wide (the figure known to within a quarter), or no wider than a solve to the
#: requested gap would leave it; a re-solve stops there.
PRECISION = 0.25


def decided(base: Run, base_objective: float, requested: float, *, loss: bool = False) -> StopRule:
    """A stop rule for a re-solve whose only question is the figure of :func:`gain_interval`.

    The re-solve may stop, with its incumbent and bound, as soon as the answer can no longer
    change: either the figure can never be established (the upper end of its interval is
    already within the smallest tolerance it could reach), or it is established and its
    interval is narrow (:data:`PRECISION`). Established means, as in :class:`RuleCost`, a gain
    above the tolerance with a positive lower end; for a loss (``loss``: ``base - other``, a
    project forced in) the lower end itself must be above the tolerance, since the loss shrinks
    as the re-solve improves. Each test stays true as the re-solve's incumbent rises and its
    bound falls, so the early answer is the one a full solve would give, with an interval that
    is wider but just as true.
    """
    scale = max(1.0, abs(base_objective))
    floor = max(_gap_of(base, requested), requested, OPTIMALITY_TOLERANCE) * scale
    base_bound = base.bound if base.bound is not None else base_objective + floor
    base_bound = max(base_bound, base_objective)
    # The narrowest interval a solve to the requested gap would leave (base gap + its own).
    full_width = (base_bound - base_objective) + floor

    def rule(incumbent: float | None, bound: float | None) -> bool:
        if incumbent is None or bound is None:
            return False
        bound = max(bound, incumbent)
        gap = abs(bound - incumbent) / max(1e-9, abs(incumbent))
        tol = max(floor, gap * scale)
        low, high = incumbent - base_bound, bound - base_objective
        if loss:
            low, high = -high, -low
            established = low > tol
        else:
            established = incumbent - base_objective > tol and low > 0
        if high <= floor:
            return True
        return established and high - low <= max(PRECISION * low, full_width)

    return rule


def pinned(
    run: Run, verified_objective: float, *, at_least: float | None = None
) -> tuple[Run, float]:
    """The run and objective a figure is computed from, the same on every rerun.

    A re-solve stopped once decided ends a little after its stop rule fired (CBC obeys a
    signal), so what it returns depends on timing. The incumbent and bound the rule fired on
    do not: the figure is computed from them. The plan returned is still verified, and is at
    least as good as that incumbent, so the interval stays true (if a little wider).
    """
    if run.decided is None:
        return run, verified_objective
    incumbent, bound = run.decided
    if verified_objective < incumbent - 1e-6 * max(1.0, abs(incumbent)):
        return run, verified_objective  # the plan returned is worse than what the rule saw
    if at_least is not None:
        # A relaxation keeps the base plan feasible: its optimum is at least the base's, even
        # when the rule fired on the bound alone, before the solver had matched the base plan.
        incumbent = max(incumbent, at_least)
    gap = None
    if bound is not None:
        gap = abs(bound - incumbent) / max(1e-9, abs(incumbent))
    status = (
        SolveStatus.OPTIMAL
        if gap is not None and gap <= OPTIMALITY_TOLERANCE
        else SolveStatus.FEASIBLE
    )
    pinned_run = dataclasses.replace(run, status=status, objective=incumbent, bound=bound, gap=gap)
    return pinned_run, incumbent


def _method(run: Run) -> str:
    return "re-solved, stopped once decided" if run.decided is not None else "re-solved"


def run_parallel(
    jobs: Sequence[tuple[str, Callable[[], T]]],
    workers: int,
    progress: Callable[[str], None] | None = None,
    slots: threading.Semaphore | None = None,
) -> list[T]:
    """Run independent re-solves, ``workers`` at a time, results in the order given.

    The solvers run outside Python's lock (CBC as a subprocess, HiGHS in native code), so
    threads are enough to keep both cores busy. Each solve is single-threaded and seeded, so
    the results do not depend on the order in which they finish. ``slots`` (shared with
    another ``run_parallel`` running at the same time) caps the solves running at once across
    both, so two analyses can share one pool of cores without either idling at its end.
    """
    if not jobs:
        return []
    if slots is not None:
        gate = slots

        def gated(job: Callable[[], T]) -> Callable[[], T]:
            def run() -> T:
                with gate:
                    return job()

            return run

        jobs = [(label, gated(job)) for label, job in jobs]
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
) -> list[Variant]:
    """One variant per cost step of the present relaxable rules (shared steps once)."""
    out: list[Variant] = []
    done: set[str] = set()
    for rule in rules.cost_rules():
        step = rule.cost_step
        if rule.family not in present or step is None or step.name in done:
            continue
        done.add(step.name)
        variant = step.make(problem, st)
        if variant is not None:
            out.append(variant)
    return out


def rule_costs(
    problem: AllocationProblem,
    settings: AllocationSettings,
    base: Run,
    progress: Callable[[str], None] | None = None,
    *,
    slots: threading.Semaphore | None = None,
) -> list[RuleCost]:
    """Re-solve with each present rule relaxed one step; report objective and benefit gained.

    Each re-solve starts from the base plan (still feasible) and stops once its figure is
    decided (:func:`decided`). ``slots``: see :func:`run_parallel`.
    """
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
    extra = base.model.extra_constraints
    stop = (
        decided(base, base_check.objective, settings.solver.gap)
        if settings.analysis.stop_when_decided
        else None
    )
    runs = run_parallel(
        [
            (
                v.change,
                functools.partial(
                    run_model,
                    v.problem,
                    v.settings,
                    omit=v.omit,
                    solver=options,
                    initial=start,
                    extra_constraints=extra,
                    known_coverage=base.coverage,
                    # Dropping the floor is reported by its benefit and shortfalls, which only
                    # a re-solve to the gap fixes.
                    stop=None if v.rule == "supporter_floor" else stop,
                ),
            )
            for v in variants
        ],
        settings.analysis.workers,
        progress,
        slots,
    )
    for variant, relaxed in zip(variants, runs, strict=True):
        rule, change, pb, st = variant.rule, variant.change, variant.problem, variant.settings
        label = RULE_LABELS.get(rule, rule)
        label_zh = rules.rule_labels("zh").get(rule, rule)  # the Chinese texts name it in Chinese
        change_zh = wording_zh.change(change)
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
                    text_zh=f"放宽{label_zh}（{change_zh}）：重新求解结果为 "
                    f"{relaxed.status.value}，无数值。",
                    change_zh=change_zh,
                )
            )
            continue
        check = verify(pb, st, relaxed.schedule)
        relaxed, objective = pinned(relaxed, check.objective, at_least=base_check.objective)
        gain = objective - base_check.objective
        # The benefit and coverage split is known only for the plan returned, which a stopped
        # re-solve reached by timing: reported only for re-solves that ran to the gap.
        exact = relaxed.decided is None
        bgain = check.benefit - base_check.benefit if exact else None
        cgain = check.coverage - base_check.coverage if exact else None
        low, high, tol = gain_interval(
            base, relaxed, base_check.objective, objective, settings.solver.gap
        )
        established = gain > tol and low > 0
        pct = gain / abs(base_check.objective) if abs(base_check.objective) > 1e-9 else None
        if rule == "supporter_floor":
            short0 = sum(base_check.shortfalls.values())
            short1 = sum(check.shortfalls.values())
            bgain = check.benefit - base_check.benefit  # never stopped early (see above)
            text = (
                f"Dropping {label} would change the benefit by {bgain:+,.1f} "
                f"({_pct(bgain, base_check.benefit)} of the benefit); shortfalls would go from "
                f"{short0:,.1f} to {short1:,.1f} 万元."
            )
            text_zh = (
                f"取消{label_zh}：效益变化 {bgain:+,.1f}"
                f"（占效益 {_pct(bgain, base_check.benefit)}），"
                f"缺口由 {short0:,.1f} 万元变为 {short1:,.1f} 万元。"
            )
        elif not established:
            text = (
                f"Relaxing {label} ({change}): a gain of {gain:+,.1f} is not established at "
                f"this gap (the runs are known to ±{tol:,.1f}; true gain between "
                f"{max(low, 0.0):,.1f} and {high:,.1f})."
            )
            text_zh = (
                f"放宽{label_zh}（{change_zh}）：增益 {gain:+,.1f} 在当前间隙下不能确立"
                f"（精度 ±{tol:,.1f}，真实增益介于 {max(low, 0.0):,.1f} 与 {high:,.1f} 之间）。"
            )
        else:
            text = (
                f"Relaxing {label} ({change}) would raise the objective by {gain:,.1f} "
                f"({_pct(gain, base_check.objective)} of the objective; at least {low:,.1f})"
                + (f" and cover {cgain} more pair-years" if cgain is not None and cgain > 0 else "")
                + "."
            )
            text_zh = (
                f"放宽{label_zh}（{change_zh}）可使目标值提高 {gain:,.1f}"
                f"（占目标值 {_pct(gain, base_check.objective)}，至少 {low:,.1f}）"
                + (f"，并多覆盖 {cgain} 个结对年度" if cgain is not None and cgain > 0 else "")
                + "。"
            )
        out.append(
            RuleCost(
                rule,
                change,
                relaxed.status.value,
                objective,
                gain,
                bgain,
                cgain,
                text,
                gain_low=low,
                gain_high=high,
                tolerance=tol,
                established=established,
                gain_pct_of_objective=pct,
                method=_method(relaxed),
                text_zh=text_zh,
                change_zh=change_zh,
            )
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
    forced_loss_low: float | None = None
    forced_loss_high: float | None = None
    forced_established: bool = False
    """False when the loss is within the runs' gaps: "not established at this gap"."""
    detail_zh: str = ""
    """``detail`` in Chinese."""


def _blockers(
    problem: AllocationProblem, st: AllocationSettings, schedule: Schedule, pid: str, s: int
) -> list[str]:
    """Rules the schedule would break if ``pid`` were added starting in ``s`` at its minimum.

    Each rule's ``blockers`` part answers, year by year where the project would run, then once
    for the whole plan.
    """
    plan = Plan(problem, st, schedule)
    c = Candidate(plan, problem.projects[pid], s, plan.available())
    parts = [r.blockers for r in rules.RULES.values() if r.blockers is not None]
    found: list[str] = []
    for y in problem.open_years:
        if c.runs(y):
            for blockers in parts:
                found.extend(blockers(c, y))
    for blockers in parts:
        found.extend(blockers(c, None))
    return found


def why_unfunded(
    problem: AllocationProblem, settings: AllocationSettings, schedule: Schedule, pid: str
) -> tuple[tuple[str, ...], str]:
    """Why eligible project ``pid`` is not in ``schedule``: the rule codes and the detail.

    The codes are those of its best start year (fewest rules in the way); ``("benefit",)``
    when it fits without breaking a rule (left out for better uses of the same funds).
    """
    codes, detail, _ = _why(problem, settings, schedule, pid)
    return codes, detail


def _why(
    problem: AllocationProblem, settings: AllocationSettings, schedule: Schedule, pid: str
) -> tuple[tuple[str, ...], str, str]:
    """:func:`why_unfunded` with the detail in Chinese as well."""
    p = problem.projects[pid]
    per_start = {s: _blockers(problem, settings, schedule, pid, s) for s in p.start_years}
    best_s = min(per_start, key=lambda s: (len(per_start[s]), s))
    found = per_start[best_s]
    if found:
        return (
            tuple(dict.fromkeys(f.split(" (")[0] for f in found)),
            f"best start {best_s}: " + "; ".join(found),
            f"最佳开工年份 {best_s}：" + "；".join(wording_zh.blocker(f) for f in found),
        )
    return (
        ("benefit",),
        f"fits in {best_s} without breaking a rule; left out for better uses of "
        f"the same funds (within the solver's gap) or by the floor/coverage "
        f"priorities",
        f"{best_s} 年开工不违反任何规则；因同等资金有更好用途（在求解间隙内）"
        f"或帮扶下限、覆盖优先而未入选",
    )


def best_unfunded(
    problem: AllocationProblem,
    settings: AllocationSettings,
    base: Run,
    progress: Callable[[str], None] | None = None,
    *,
    slots: threading.Semaphore | None = None,
) -> list[Unfunded]:
    """The best projects (benefit per 万元 of special fund) not funded, with their reasons.

    The forced-in re-solves stop once their price is decided (:func:`decided`); ``slots``: see
    :func:`run_parallel`.
    """
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
                    float(raw["value"]),  # type: ignore[arg-type]
                    float("nan"),
                    (lo.reason,),
                    lo.detail,
                    detail_zh=wording_zh.left_out(lo.detail),
                )
            )
            continue
        p = problem.projects[pid]
        codes, detail, detail_zh = _why(problem, settings, schedule, pid)
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
                detail_zh=detail_zh,
            )
        )
    if to_force and progress is not None:
        progress(f"pricing the {len(to_force)} best unfunded projects (each forced in, re-solved)")
    forced_stop = (
        decided(base, base_check.objective, settings.solver.gap, loss=True)
        if settings.analysis.stop_when_decided
        else None
    )
    forced_runs = run_parallel(
        [
            (
                f"force {out[i].id}",
                functools.partial(
                    run_model,
                    _lock(problem, out[i].id),
                    settings,
                    solver=options,
                    extra_constraints=base.model.extra_constraints,
                    stop=forced_stop,
                ),
            )
            for i in to_force
        ],
        settings.analysis.workers,
        progress,
        slots,
    )
    for i, forced in zip(to_force, forced_runs, strict=True):
        if forced.has_solution:
            forced, forced_objective = pinned(
                forced, verify(problem, settings, forced.schedule).objective
            )
            loss = base_check.objective - forced_objective
            # loss = base - forced: the negated gain interval of the forced run.
            low, high, tol = gain_interval(
                base, forced, base_check.objective, forced_objective, settings.solver.gap
            )
            out[i] = dataclasses.replace(
                out[i],
                forced_loss=loss,
                forced_loss_low=max(0.0, -high),
                forced_loss_high=-low,
                forced_established=loss > tol and -high > 0,
            )
    return out


@dataclass(frozen=True)
class Diagnosis:
    """Why the rules are infeasible and what would fix them."""

    conflict: tuple[str, ...]
    """A smallest set of rule families that cannot hold together (deletion filter)."""
    resolves_alone: tuple[str, ...]
    """Families whose removal alone makes the plan feasible."""
    relaxations: tuple[Relaxation, ...]
    text: tuple[str, ...]
    text_zh: tuple[str, ...] = ()
    """``text`` in Chinese, line for line."""

    def message(self, language: str = "en") -> str:
        """The diagnosis in planners' words, one line per finding, in ``language`` (zh/en)."""
        return "\n".join(self.lines(language))

    def lines(self, language: str = "en") -> tuple[str, ...]:
        """The diagnosis's findings in ``language`` (``zh``, else English)."""
        return self.text_zh if language == "zh" and self.text_zh else self.text

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return {
            "conflict": list(self.conflict),
            "resolves_alone": list(self.resolves_alone),
            "relaxations": [dataclasses.asdict(r) for r in self.relaxations],
            "text": list(self.text),
            "text_zh": list(self.text_zh),
        }


def _probe(extra: ExtraConstraints | None) -> rules.Probe:
    def feasible(problem: AllocationProblem, st: AllocationSettings, omit: tuple[str, ...]) -> bool:
        run = run_model(
            problem,
            st,
            omit=omit,
            feasibility_only=True,
            solver=with_options(st, st.analysis.resolve_time_limit),
            extra_constraints=extra,
        )
        return run.has_solution

    return feasible


def diagnose(
    problem: AllocationProblem,
    settings: AllocationSettings,
    *,
    extra_constraints: ExtraConstraints | None = None,
) -> Diagnosis:
    """Name the rules in conflict and the smallest relaxation of each that would resolve it.

    ``extra_constraints`` (the hook of :func:`allocation.solve`) is kept in every re-solve.
    """
    st = settings
    feasible = _probe(extra_constraints)
    probe = run_model(
        problem,
        st,
        feasibility_only=True,
        solver=with_options(st, st.analysis.resolve_time_limit),
        extra_constraints=extra_constraints,
    )
    present = [f for f in rules.relaxable() if probe.model.families.get(f)]
    if probe.has_solution:
        return Diagnosis(
            (),
            (),
            (),
            ("The rules are feasible together; nothing to relax.",),
            ("这些规则可以同时满足，无需放宽。",),
        )
    alone = tuple(f for f in present if feasible(problem, st, (f,)))
    removed: list[str] = []
    for f in present:
        if not feasible(problem, st, (*removed, f)):
            removed.append(f)
    conflict = tuple(f for f in present if f not in removed)
    if feasible(problem, st, tuple(removed)):
        conflict = tuple(present)  # filter inconclusive (time limits): report all
    steps = st.analysis.bisection_steps
    relax: list[Relaxation] = []
    for f in alone:
        smallest = rules.RULES[f].smallest
        assert smallest is not None  # registered relaxable rules have one
        relax.append(smallest(problem, st, feasible, steps))
    en, zh = rules.rule_labels("en"), rules.rule_labels("zh")
    text = [
        "The rules cannot all hold. Rules in conflict: "
        + ", ".join(en.get(f, f) for f in conflict)
        + "."
    ]
    text_zh = [
        "规则无法同时满足。相互冲突的规则：" + "、".join(zh.get(f, f) for f in conflict) + "。"
    ]
    if alone:
        text.append(
            "Relaxing any one of these alone resolves it: "
            + ", ".join(en.get(f, f) for f in alone)
            + "."
        )
        text_zh.append(
            "单独放宽其中任何一条即可解决：" + "、".join(zh.get(f, f) for f in alone) + "。"
        )
    else:
        text.append("No single rule resolves it alone; relax several of the conflicting rules.")
        text_zh.append("没有哪一条规则单独放宽即可解决；需同时放宽几条相互冲突的规则。")
    text.extend(r.text for r in relax)
    text_zh.extend(wording_zh.relaxation(r.text) for r in relax)
    return Diagnosis(conflict, alone, tuple(relax), tuple(text), tuple(text_zh))
