r"""Every allocation rule as ONE record: settings, model rows, check, relaxations, blockers, labels.

A constraint family is taught to the engine in one place, a :class:`Rule` in :data:`RULES`:

``fields``
    The :class:`~allocation.options.AllocationSettings` fields the rule owns (each rule field
    is owned by exactly one record; ``()`` for rules of the data, e.g. ``requires``).
``rows``
    The ``add_*`` function of :mod:`allocation.model` that writes its rows (math in its
    docstring), or :data:`BY_PREPARE` for rules :func:`allocation.prepare` enforces by leaving
    candidates out (they get no variable).
``check``
    Its independent check of a schedule (:class:`~allocation.schedule.Plan` in, violations
    out); :func:`allocation.verify` is a loop over these.
``blockers``
    Why adding one unfunded project would break it ("why was this project left out").
``cost_step`` / ``smallest``
    For rules a planner may relax: the one-step relaxation the rule costs re-solve with, and
    the smallest relaxation the diagnosis searches when the rules are infeasible.
``labels``
    Its name in planners' words, in English and Chinese.

The lists :data:`FAMILIES` (build order), :data:`RELAXABLE` (diagnosis order) and the label
table :data:`RULE_LABELS` are live views of the registry. A rule added with :func:`register`
appears in all of them and is built, verified, priced and diagnosed like the others:

>>> FAMILIES[:3]
('duration', 'amount', 'executed')
>>> RULE_LABELS["budget"], rule_labels("zh")["budget"]
('the yearly special-fund budget', '年度专项资金预算')
>>> missing_parts(Rule("half_done", labels=Labels("a rule", "")))
['labels.zh', 'fields', 'rows', 'check', 'blockers']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, overload

from allocation import model as mdl
from allocation.model import AllocationModel
from allocation.options import AllocationSettings
from allocation.problem import AllocationProblem, Project
from allocation.schedule import Plan, Violation, tol

#: ``rows`` of a rule that :func:`allocation.prepare` enforces (left-out candidates).
BY_PREPARE: Literal["prepare"] = "prepare"

#: Fields of :class:`AllocationSettings` that are not rules (the period, the objective's
#: weights, the analyses, the solver); every other field is owned by exactly one record.
NON_RULE_FIELDS: tuple[str, ...] = ("first_year", "last_year", "benefit", "analysis", "solver")

#: ``feasible(problem, settings, omit)``: whether the rules admit a plan (a re-solve).
Probe = Callable[[AllocationProblem, AllocationSettings, tuple[str, ...]], bool]


@dataclass(frozen=True)
class Labels:
    """A rule's name in planners' words."""

    en: str
    zh: str

    def get(self, language: str) -> str:
        """The label in ``language`` (``en`` or ``zh``)."""
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Variant:
    """A re-solve of the rule costs: the rule relaxed one step."""

    rule: str
    """Name of the rule-cost row (a rule's family, or a shared step such as the count range)."""
    change: str
    problem: AllocationProblem
    settings: AllocationSettings
    omit: tuple[str, ...] = ()


@dataclass(frozen=True)
class CostStep:
    """How the rule costs relax a rule one step.

    ``make`` returns the relaxed variant, or ``None`` when the analysis step is 0. Rules that
    share a step (the yearly count range widens both ends at once) share the object; the rule
    costs re-solve it once.
    """

    name: str
    labels: Labels
    make: Callable[[AllocationProblem, AllocationSettings], Variant | None]


@dataclass(frozen=True)
class Relaxation:
    """The smallest change of one rule that makes the plan feasible."""

    rule: str
    setting: str
    current: float
    needed: float
    text: str


@dataclass(frozen=True)
class Candidate:
    """An unfunded project tried in a schedule, starting in ``start`` at its minimum."""

    plan: Plan
    project: Project
    start: int
    available: Mapping[int, float]
    """Budget available in each open year under the schedule (carry-over recomputed)."""

    def runs(self, year: int) -> bool:
        """Whether the candidate would be funded in ``year``."""
        return self.start <= year < self.start + self.project.duration


Rows = Callable[[AllocationModel], None] | Literal["prepare"]
Check = Callable[[Plan], Iterable[Violation]]
Blockers = Callable[[Candidate, int | None], list[str]]
Smallest = Callable[[AllocationProblem, AllocationSettings, Probe, int], Relaxation]


@dataclass(frozen=True)
class Rule:
    """One constraint family and everything the engine does with it (see the module doc).

    ``blockers(candidate, year)`` is called once per open year the candidate would run
    (``year``) and once for the whole plan (``year=None``); it returns the reasons, e.g.
    ``"pair cap (2023: pair already has 5)"`` (the text before `` (`` is the reason's code).
    ``cost_rank`` / ``diagnosis_rank`` place the rule in the rule-cost report and in the
    diagnosis' deletion filter (ties: registration order).
    """

    family: str
    labels: Labels | None = None
    fields: tuple[str, ...] | None = None
    rows: Rows | None = None
    check: Check | None = None
    blockers: Blockers | None = None
    relaxable: bool = False
    cost_step: CostStep | None = None
    smallest: Smallest | None = None
    reads: tuple[str, ...] = ()
    """Settings fields the rule reads but another record owns (documentation only)."""
    cost_rank: int = 1000
    diagnosis_rank: int = 1000


def missing_parts(rule: Rule) -> list[str]:
    """The parts ``rule`` lacks or gets wrong (empty when the record is complete)."""
    out: list[str] = []
    if rule.labels is None:
        out.append("labels")
    else:
        out.extend(f"labels.{lang}" for lang in ("en", "zh") if not getattr(rule.labels, lang))
    if rule.fields is None:
        out.append("fields")
    else:
        known = {f.name for f in fields(AllocationSettings)}
        out.extend(
            f"fields: {f!r} is not a field of AllocationSettings"
            for f in rule.fields
            if f not in known
        )
    if rule.rows is None or not (rule.rows == BY_PREPARE or callable(rule.rows)):
        out.append("rows")
    if not callable(rule.check):
        out.append("check")
    if not callable(rule.blockers):
        out.append("blockers")
    if rule.relaxable:
        if rule.cost_step is None:
            out.append("cost_step (the rule is relaxable)")
        if rule.smallest is None:
            out.append("smallest (the rule is relaxable)")
        if rule.rows == BY_PREPARE:
            out.append("rows (a relaxable rule needs model rows)")
    elif rule.cost_step is not None or rule.smallest is not None:
        out.append("relaxable (cost_step or smallest given for a rule that is not relaxable)")
    return out


#: family -> record, in build order (live; :func:`register` adds to it).
RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add ``rule`` to the registry after checking that it is complete and claims new fields."""
    problems = missing_parts(rule)
    if rule.family in RULES or rule.family in ("extra", "objective"):
        problems.append(f"family {rule.family!r} is already registered")
    owners = {f: r.family for r in RULES.values() for f in r.fields or ()}
    for f in rule.fields or ():
        if f in owners:
            problems.append(f"field {f!r} is already owned by rule {owners[f]!r}")
        if f in NON_RULE_FIELDS:
            problems.append(f"field {f!r} is not a rule field")
    if problems:
        raise ValueError(f"rule {rule.family!r} is incomplete: " + "; ".join(problems))
    RULES[rule.family] = rule
    return rule


def unregister(family: str) -> None:
    """Remove a rule added with :func:`register` (tests, experiments)."""
    del RULES[family]


def _ranked(rules: Iterable[Rule], key: Callable[[Rule], int]) -> list[Rule]:
    order = {f: i for i, f in enumerate(RULES)}
    return sorted(rules, key=lambda r: (key(r), order[r.family]))


def families() -> tuple[str, ...]:
    """Families with model rows, in build order."""
    return tuple(f for f, r in RULES.items() if r.rows != BY_PREPARE)


def relaxable() -> tuple[str, ...]:
    """Families a planner may relax, in the diagnosis' order."""
    return tuple(
        r.family
        for r in _ranked((r for r in RULES.values() if r.relaxable), lambda r: r.diagnosis_rank)
    )


def cost_rules() -> list[Rule]:
    """Relaxable rules in the rule-cost report's order."""
    return _ranked((r for r in RULES.values() if r.relaxable), lambda r: r.cost_rank)


def rule_labels(language: str = "en") -> dict[str, str]:
    """Rule (and shared cost step) -> label in ``language``."""
    out: dict[str, str] = {}
    for r in RULES.values():
        if r.labels is not None:
            out[r.family] = r.labels.get(language)
        if r.cost_step is not None:
            out.setdefault(r.cost_step.name, r.cost_step.labels.get(language))
    return out


class _Families(Sequence[str]):
    """A live tuple-like view of the registry (``tuple(FAMILIES)`` for a snapshot)."""

    def __init__(self, source: Callable[[], tuple[str, ...]], doc: str) -> None:
        self._source = source
        self.__doc__ = doc

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[str, ...]: ...
    def __getitem__(self, i: int | slice) -> str | tuple[str, ...]:
        return self._source()[i]

    def __len__(self) -> int:
        return len(self._source())

    def __iter__(self) -> Iterator[str]:
        return iter(self._source())

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) else other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(self._source())


class _Labels(Mapping[str, str]):
    """A live mapping view of the English labels."""

    def __getitem__(self, key: str) -> str:
        return rule_labels("en")[key]

    def __iter__(self) -> Iterator[str]:
        return iter(rule_labels("en"))

    def __len__(self) -> int:
        return len(rule_labels("en"))


#: Constraint families in build order (``omit`` in :func:`allocation.build` takes these names).
FAMILIES: Sequence[str] = _Families(families, "Constraint families in build order.")
#: Families a planner may relax (the others define the decision itself), diagnosis order.
RELAXABLE: Sequence[str] = _Families(relaxable, "Relaxable families, diagnosis order.")
#: Rule -> English label (Chinese: ``rule_labels("zh")``).
RULE_LABELS: Mapping[str, str] = _Labels()


# --------------------------------------------------------------------------------------------
# Shared pieces of the records below


def never_blocks(c: Candidate, year: int | None) -> list[str]:
    """Adding one project cannot break this rule (a lower bound, or a rule of funded ones)."""
    return []


def no_check(plan: Plan) -> Iterable[Violation]:
    """Nothing to check on a schedule (an objective stage, not a rule a plan can break)."""
    return ()


def bisect_float(ok: Callable[[float], bool], bad: float, good: float, steps: int) -> float:
    """The value nearest ``bad`` found in ``steps`` halvings for which ``ok`` holds."""
    for _ in range(steps):
        mid = (bad + good) / 2
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


def bisect_int(ok: Callable[[int], bool], bad: int, good: int) -> int:
    """The whole number nearest ``bad`` for which ``ok`` holds (``ok(good)`` assumed)."""
    while abs(good - bad) > 1:
        mid = (bad + good) // 2
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


def drop_rule(family: str, labels: Labels) -> CostStep:
    """The cost step that drops the rows of ``family`` (a rule without a setting to move)."""
    return CostStep(
        family,
        labels,
        lambda pb, st: Variant(family, f"{family} rules dropped", pb, st, (family,)),
    )


def data_smallest(family: str) -> Smallest:
    """The diagnosis of a rule without a setting to move: drop or edit its rules."""

    def smallest(
        problem: AllocationProblem, st: AllocationSettings, probe: Probe, steps: int
    ) -> Relaxation:
        return Relaxation(family, family, 1.0, 0.0, f"Drop or edit the {family} rules of the pool.")

    smallest.__doc__ = f"The {family} rules have no setting to move: drop or edit them."
    return smallest


# --------------------------------------------------------------------------------------------
# Candidates and the decision itself (not relaxable)


def check_eligible(plan: Plan) -> Iterator[Violation]:
    """Every funded id is a candidate the model may fund."""
    pb = plan.problem
    for pid, years in plan.schedule.items():
        if years and pid not in pb.projects:
            why = pb.left_out[pid].detail if pid in pb.left_out else "unknown project id"
            yield Violation("eligible", f"eligible[{pid}]", f"{pid} is funded but cannot be: {why}")


def check_duration(plan: Plan) -> Iterator[Violation]:
    """Each funded project runs its whole duration from an allowed start year."""
    for pid, p in plan.funded.items():
        years, s = plan.schedule[pid], plan.starts[pid]
        if sorted(years) != list(p.years_if_started(s)):
            yield Violation(
                "duration",
                f"duration[{pid}]",
                f"{pid} is funded in {sorted(years)} but must run {p.duration} consecutive "
                f"years from its start {s}",
            )
        if s not in p.start_years:
            yield Violation(
                "duration",
                f"duration[{pid}]",
                f"{pid} starts in {s}; allowed start years {list(p.start_years)}",
            )


def check_amount(plan: Plan) -> Iterator[Violation]:
    """Each funded project gets the same amount every year, within its minimum and request."""
    for pid, p in plan.funded.items():
        years = plan.schedule[pid]
        amounts = list(years.values())
        if max(amounts) - min(amounts) > tol(max(amounts)):
            yield Violation(
                "amount",
                f"amount[{pid}]",
                f"{pid} gets different amounts in different years {amounts}",
            )
        for y, a in years.items():
            if not (p.minimum - tol(p.minimum) <= a <= p.request + tol(p.request)):
                yield Violation(
                    "amount",
                    f"amount[{pid},{y}]",
                    f"{pid} gets {a:g} 万元 in {y}, outside {p.minimum:g}..{p.request:g}",
                )


def check_executed(plan: Plan) -> Iterator[Violation]:
    """Executed years fund exactly the executed projects, at their executed start and amount."""
    pb, schedule, starts = plan.problem, plan.schedule, plan.starts
    for y in pb.fixed_years:
        want = {
            p.id
            for p in pb.projects.values()
            if p.executed_start is not None and y in p.years_if_started(p.executed_start)
        }
        have = {p.id for p in plan.active(y)}
        if want != have:
            yield Violation(
                "executed",
                f"executed[{y}]",
                f"{y} is executed: funded {sorted(have)} but executed {sorted(want)}",
            )
    for p in pb.projects.values():
        if p.executed_start is not None and p.id in plan.funded:
            if starts[p.id] != p.executed_start:
                yield Violation(
                    "executed", f"executed[{p.id}]", f"{p.id} was executed from {p.executed_start}"
                )
            a = schedule[p.id][starts[p.id]]
            if p.executed_amount is not None and abs(a - p.executed_amount) > tol(a):
                yield Violation(
                    "executed",
                    f"executed_amount[{p.id}]",
                    f"{p.id} was executed at {p.executed_amount:g} 万元 a year, scheduled {a:g}",
                )


def check_excluded(plan: Plan) -> Iterator[Violation]:
    """No project of ``excluded_projects`` is funded."""
    for pid in plan.settings.excluded_projects:
        if plan.schedule.get(pid):
            yield Violation("excluded", f"excluded[{pid}]", f"excluded project {pid} is funded")


# --------------------------------------------------------------------------------------------
# Locks


def _unlock(problem: AllocationProblem) -> AllocationProblem:
    projects = {k: dataclasses.replace(p, locked=False) for k, p in problem.projects.items()}
    return dataclasses.replace(problem, projects=projects)


def check_locked(plan: Plan) -> Iterator[Violation]:
    """Every locked project is funded."""
    for pid in plan.settings.locked_projects:
        if pid not in plan.funded:
            yield Violation("locked", f"locked[{pid}]", f"locked project {pid} is not funded")


def smallest_locked(
    problem: AllocationProblem, st: AllocationSettings, probe: Probe, steps: int
) -> Relaxation:
    """Release the locks (which ones is the planner's call)."""
    return Relaxation(
        "locked",
        "locked_projects",
        float(len(st.locked_projects)),
        0.0,
        "Release some locked projects: " + ", ".join(st.locked_projects) + ".",
    )


LOCKS_RELEASED = CostStep(
    "locked",
    Labels("the locked projects", "锁定项目"),
    lambda pb, st: Variant(
        "locked", "locks released", _unlock(pb), dataclasses.replace(st, locked_projects=())
    ),
)


# --------------------------------------------------------------------------------------------
# Budget


def replace_budget(problem: AllocationProblem, factor: float) -> AllocationProblem:
    """``problem`` with the budget of every open year × ``factor``."""
    budget = {y: (b * factor if y in problem.open_years else b) for y, b in problem.budget.items()}
    return dataclasses.replace(problem, budget=budget)


def budget_variant(
    problem: AllocationProblem, st: AllocationSettings, factor: float
) -> tuple[AllocationProblem, AllocationSettings]:
    """Budget × ``factor`` in the open years, the pair cap kept at the same 万元 amount."""
    share = min(1.0, st.pair_share_max / factor) if st.pair_share_max < 1.0 else 1.0
    return replace_budget(problem, factor), dataclasses.replace(st, pair_share_max=share)


def check_budget(plan: Plan) -> Iterator[Violation]:
    """Each open year spends at most its budget (plus the carry-over, when allowed)."""
    for y, available in plan.available().items():
        spend = plan.spent(plan.active(y), y)
        if spend > available + tol(available):
            yield Violation(
                "budget",
                f"budget[{y}]",
                f"{y}: {spend:,.2f} 万元 of special funds exceed the {available:,.2f} available",
            )


def _budget_with(c: Candidate) -> dict[int, tuple[float, float]]:
    """Open year -> (money available, money spent) with the candidate added at its minimum.

    With carry-over, money the candidate spends early is missing from every later year.
    """
    pb, st = c.plan.problem, c.plan.settings
    carry = pb.carry_in if st.carry_over else 0.0
    out: dict[int, tuple[float, float]] = {}
    for y in pb.open_years:
        available = pb.budget[y] + carry
        spend = c.plan.spent(c.plan.active(y), y) + (c.project.minimum if c.runs(y) else 0.0)
        out[y] = (available, spend)
        carry = max(0.0, available - spend) if st.carry_over else 0.0
    return out


def blocks_budget(c: Candidate, year: int | None) -> list[str]:
    """The year's money left is less than the candidate's minimum.

    Per year the candidate runs, against the money left once its earlier years are paid; for
    the whole plan (``year=None``), a later year the carry-over no longer covers.
    """
    budget = _budget_with(c)
    if year is not None:
        available, spend = budget[year]
        if spend > available + 1e-6 * max(1.0, available):
            left = available - (spend - c.project.minimum)
            return [f"budget ({year}: {left:,.1f} 万元 left, needs {c.project.minimum:,.1f})"]
        return []
    short = [
        (y, spend - available)
        for y, (available, spend) in budget.items()
        if not c.runs(y) and spend > available + 1e-6 * max(1.0, available)
    ]
    if short:
        y, gap = short[0]
        return [f"budget ({y}: the carry-over would fall {gap:,.1f} 万元 short)"]
    return []


def _budget_step(pb: AllocationProblem, st: AllocationSettings) -> Variant | None:
    step = st.analysis.budget_step
    if step <= 0:
        return None
    pb_b, st_b = budget_variant(pb, st, 1 + step)
    return Variant("budget", f"budget +{step:.0%} in every open year", pb_b, st_b)


def smallest_budget(
    problem: AllocationProblem, st: AllocationSettings, probe: Probe, steps: int
) -> Relaxation:
    """Bisect the budget factor between 1 and enough for every request."""
    open_budget = max((problem.budget[y] for y in problem.open_years), default=0.0)
    need_total = sum(p.request for p in problem.projects.values()) + 1.0
    top = max(1.0, need_total / max(open_budget, 1e-9))
    factor = bisect_float(lambda x: probe(*budget_variant(problem, st, x), ()), 1.0, top, steps)
    return Relaxation(
        "budget",
        "annual_budget_wan",
        open_budget,
        open_budget * factor,
        f"A budget of about {open_budget * factor:,.0f} 万元 a year "
        f"(now {open_budget:,.0f}, ×{factor:.3f}) would make the plan feasible.",
    )


# --------------------------------------------------------------------------------------------
# Numeric ranges (counts and shares): one setting moved until the plan is feasible


def numeric_smallest(
    family: str, setting: str, *, lower: bool, share: bool = False, companion: str | None = None
) -> Smallest:
    """Bisect ``setting`` toward 0 (``lower``) or up; ``companion`` (a ``*_min``) follows it."""

    def smallest(
        problem: AllocationProblem, st: AllocationSettings, probe: Probe, steps: int
    ) -> Relaxation:
        current = getattr(st, setting)

        def variant(x: float) -> AllocationSettings:
            changes: dict[str, Any] = {setting: x}
            if companion is not None:
                changes[companion] = min(getattr(st, companion), x)
            return dataclasses.replace(st, **changes)

        def ok(x: float) -> bool:
            return probe(problem, variant(x), ())

        if share:
            v: float = bisect_float(ok, current, 0.0 if lower else 1.0, steps)
            shown = f"{current:.1%} to {v:.1%}"
        else:
            limit = 0 if lower else max(len(problem.projects), current + 1)
            v = bisect_int(ok, current, limit)
            shown = f"{current} to {v}"
        verb = "Lower" if lower else "Raise"
        return Relaxation(family, setting, current, v, f"{verb} {setting} from {shown}.")

    smallest.__doc__ = f"{'Lower' if lower else 'Raise'} {setting} by bisection."
    return smallest


def _count_step(pb: AllocationProblem, st: AllocationSettings) -> Variant | None:
    a = st.analysis
    if a.count_step <= 0:
        return None
    lo = max(0, st.projects_per_year_min - a.count_step)
    hi = st.projects_per_year_max + a.count_step
    return Variant(
        "projects_per_year",
        f"projects a year {st.projects_per_year_min}–{st.projects_per_year_max} → {lo}–{hi}",
        pb,
        dataclasses.replace(st, projects_per_year_min=lo, projects_per_year_max=hi),
    )


#: Both ends of the yearly count range widen in one re-solve.
COUNT_RANGE = CostStep(
    "projects_per_year", Labels("the projects-per-year range", "每年项目数区间"), _count_step
)


def check_projects_per_year_min(plan: Plan) -> Iterator[Violation]:
    """At least ``projects_per_year_min`` projects (active, or new starts) each open year."""
    lo = plan.settings.projects_per_year_min
    for y in plan.problem.open_years:
        n = plan.count(y)
        if n < lo:
            yield Violation(
                "projects_per_year_min",
                f"projects_per_year_min[{y}]",
                f"{y}: {n} projects, fewer than {lo}",
            )


def check_projects_per_year_max(plan: Plan) -> Iterator[Violation]:
    """At most ``projects_per_year_max`` projects each open year."""
    hi = plan.settings.projects_per_year_max
    for y in plan.problem.open_years:
        n = plan.count(y)
        if n > hi:
            yield Violation(
                "projects_per_year_max",
                f"projects_per_year_max[{y}]",
                f"{y}: {n} projects, more than {hi}",
            )


def blocks_projects_per_year_max(c: Candidate, year: int | None) -> list[str]:
    """The year already has the most projects (new starts count in the start year only)."""
    if year is None:
        return []
    st = c.plan.settings
    n = c.plan.count(year)
    if (st.count_basis == "active" or year == c.start) and n + 1 > st.projects_per_year_max:
        return [f"count cap ({year}: already {n} projects)"]
    return []


def _pair_step_max(pb: AllocationProblem, st: AllocationSettings) -> Variant | None:
    if st.analysis.pair_step <= 0:
        return None
    hi = st.pair_projects_max + st.analysis.pair_step
    return Variant(
        "pair_max",
        f"most projects per pair and year {st.pair_projects_max} → {hi}",
        pb,
        dataclasses.replace(st, pair_projects_max=hi),
    )


def _pair_step_min(pb: AllocationProblem, st: AllocationSettings) -> Variant | None:
    if st.analysis.pair_step <= 0:
        return None
    lo = max(0, st.pair_projects_min - st.analysis.pair_step)
    return Variant(
        "pair_min",
        f"fewest projects per pair and year {st.pair_projects_min} → {lo}",
        pb,
        dataclasses.replace(st, pair_projects_min=lo),
    )


def _pair_members(plan: Plan, k: str, y: int) -> list[Project]:
    return [p for p in plan.active(y) if p.pair == k]


def check_pair_min(plan: Plan) -> Iterator[Violation]:
    """Each pair has at least ``pair_projects_min`` projects each open year."""
    lo = plan.settings.pair_projects_min
    for y in plan.problem.open_years:
        for k in plan.problem.pairs:
            n = len(_pair_members(plan, k, y))
            if n < lo:
                yield Violation(
                    "pair_min", f"pair_min[{k},{y}]", f"{k} {y}: {n} projects, fewer than {lo}"
                )


def check_pair_max(plan: Plan) -> Iterator[Violation]:
    """Each pair has at most ``pair_projects_max`` projects each open year."""
    hi = plan.settings.pair_projects_max
    for y in plan.problem.open_years:
        for k in plan.problem.pairs:
            n = len(_pair_members(plan, k, y))
            if n > hi:
                yield Violation(
                    "pair_max", f"pair_max[{k},{y}]", f"{k} {y}: {n} projects, more than {hi}"
                )


def blocks_pair_max(c: Candidate, year: int | None) -> list[str]:
    """The candidate's pair already has the most projects that year."""
    if year is None:
        return []
    mine = _pair_members(c.plan, c.project.pair, year)
    if len(mine) + 1 > c.plan.settings.pair_projects_max:
        return [f"pair cap ({year}: pair already has {len(mine)})"]
    return []


def _share_step_pair(pb: AllocationProblem, st: AllocationSettings) -> Variant | None:
    if st.analysis.share_step <= 0:
        return None
    cap = min(1.0, st.pair_share_max + st.analysis.share_step)
    return Variant(
        "pair_share",
        f"pair share cap {st.pair_share_max:.0%} → {cap:.0%}",
        pb,
        dataclasses.replace(st, pair_share_max=cap),
    )


def check_pair_share(plan: Plan) -> Iterator[Violation]:
    """Each pair's special funds stay within ``pair_share_max`` of the year's budget."""
    st, pb = plan.settings, plan.problem
    if st.pair_share_max >= 1.0:
        return
    for y in pb.open_years:
        cap = st.pair_share_max * pb.budget[y]
        for k in pb.pairs:
            spent = plan.spent(_pair_members(plan, k, y), y)
            if spent > cap + tol(cap):
                yield Violation(
                    "pair_share",
                    f"pair_share[{k},{y}]",
                    f"{k} {y}: {spent:,.2f} 万元 exceed the pair cap {cap:,.2f}",
                )


def blocks_pair_share(c: Candidate, year: int | None) -> list[str]:
    """The candidate's minimum would take its pair over the share cap."""
    st, pb = c.plan.settings, c.plan.problem
    if year is None or st.pair_share_max >= 1.0:
        return []
    cap = st.pair_share_max * pb.budget[year]
    spent = c.plan.spent(_pair_members(c.plan, c.project.pair, year), year)
    if spent + c.project.minimum > cap + 1e-6 * max(1.0, cap):
        return [f"pair share cap ({year})"]
    return []


def _share_step_priority(pb: AllocationProblem, st: AllocationSettings) -> Variant | None:
    if st.analysis.share_step <= 0:
        return None
    lo = max(0.0, st.priority_share_min - st.analysis.share_step)
    return Variant(
        "priority_share",
        f"priority share {st.priority_share_min:.0%} → {lo:.0%}",
        pb,
        dataclasses.replace(st, priority_share_min=lo),
    )


def check_priority_share(plan: Plan) -> Iterator[Violation]:
    """The priority kinds get at least ``priority_share_min`` of each year's special funds."""
    rho = plan.settings.priority_share_min
    for y in plan.problem.open_years:
        ps = plan.active(y)
        spend = plan.spent(ps, y)
        prio = sum(plan.schedule[p.id][y] for p in ps if p.priority)
        if prio < rho * spend - tol(spend):
            yield Violation(
                "priority_share",
                f"priority_share[{y}]",
                f"{y}: priority kinds get {prio:,.2f} of {spend:,.2f} 万元, under {rho:.0%}",
            )


def blocks_priority_share(c: Candidate, year: int | None) -> list[str]:
    """A non-priority candidate would take the priority share under its minimum."""
    if year is None or c.project.priority:
        return []
    ps = c.plan.active(year)
    spend = c.plan.spent(ps, year)
    prio = sum(c.plan.schedule[q.id][year] for q in ps if q.priority)
    if prio < c.plan.settings.priority_share_min * (spend + c.project.minimum) - 1e-6:
        return [f"priority share ({year})"]
    return []


# --------------------------------------------------------------------------------------------
# Supporter floor


def check_supporter_floor(plan: Plan) -> Iterator[Violation]:
    """Hard mode: each supporter's counted aid reaches the floor in every open year."""
    st, pb = plan.settings, plan.problem
    if st.floor_mode != "hard":
        return
    open_years = set(pb.open_years)
    for (k, y), split in plan.floor.items():
        if split.shortfall > 0 and y in open_years:
            yield Violation(
                "supporter_floor",
                f"supporter_floor[{k},{y}]",
                f"{k} {y}: supporter aid {split.aid:,.2f} 万元 is under the floor "
                f"{st.supporter_floor_wan:,.2f}",
            )


def smallest_supporter_floor(
    problem: AllocationProblem, st: AllocationSettings, probe: Probe, steps: int
) -> Relaxation:
    """Bisect the hard floor down toward 0."""
    v = bisect_float(
        lambda x: probe(problem, dataclasses.replace(st, supporter_floor_wan=x), ()),
        st.supporter_floor_wan,
        0.0,
        steps,
    )
    return Relaxation(
        "supporter_floor",
        "supporter_floor_wan",
        st.supporter_floor_wan,
        v,
        f"The hard supporter floor can be met only up to about "
        f"{v:,.1f} 万元 a year (plan: {st.supporter_floor_wan:,.0f}); "
        f"use floor_mode = 'soft' to report the shortfalls instead.",
    )


FLOOR_OFF = CostStep(
    "supporter_floor",
    Labels("the supporter floor (≥ 500 万元 a year)", "支援方帮扶资金下限（每年不少于 500 万元）"),
    lambda pb, st: Variant(
        "supporter_floor",
        f"supporter floor ({st.floor_mode}) off",
        pb,
        dataclasses.replace(st, floor_mode="off"),
    ),
)


# --------------------------------------------------------------------------------------------
# Rules of the data: requires, excludes


def check_requires(plan: Plan) -> Iterator[Violation]:
    """A funded project's required projects are funded and start no later."""
    starts = plan.starts
    for pid, p in plan.funded.items():
        for q in p.requires:
            if q not in plan.funded:
                yield Violation(
                    "requires", f"requires[{pid},{q}]", f"{pid} requires {q}, which is not funded"
                )
            elif starts[q] > starts[pid]:
                yield Violation(
                    "requires",
                    f"requires[{pid},{q}]",
                    f"{pid} starts {starts[pid]} before its required {q} ({starts[q]})",
                )


def blocks_requires(c: Candidate, year: int | None) -> list[str]:
    """A required project is unfunded or starts later; a funded one needs it earlier."""
    if year is not None:
        return []
    schedule, starts, pid, s = c.plan.schedule, c.plan.starts, c.project.id, c.start
    found = []
    for q in c.project.requires:
        if q not in schedule:
            found.append(f"dependency (requires {q}, not funded)")
        elif starts[q] > s:
            found.append(f"dependency (requires {q}, which starts {starts[q]})")
    for q, other in c.plan.problem.projects.items():
        if pid in other.requires and q in schedule and starts[q] < s:
            found.append(f"dependency ({q} needs it by {starts[q]})")
    return found


def check_excludes(plan: Plan) -> Iterator[Violation]:
    """No two funded projects exclude each other (each pair reported once)."""
    seen: set[tuple[str, ...]] = set()
    for pid, p in plan.funded.items():
        for q in p.excludes:
            key = tuple(sorted((pid, q)))
            if q in plan.funded and key not in seen:
                seen.add(key)
                yield Violation(
                    "excludes",
                    f"excludes[{key[0]},{key[1]}]",
                    f"{key[0]} and {key[1]} exclude each other but both are funded",
                )


def blocks_excludes(c: Candidate, year: int | None) -> list[str]:
    """A funded project excludes the candidate, or the candidate excludes it."""
    if year is not None:
        return []
    schedule, p = c.plan.schedule, c.project
    found = [f"excluded by {q} (funded)" for q in p.excludes if q in schedule]
    for q, other in c.plan.problem.projects.items():
        if p.id in other.excludes and q in schedule and q not in p.excludes:
            found.append(f"excluded by {q} (funded)")
    return found


# --------------------------------------------------------------------------------------------
# The records, in build order


for _rule in (
    Rule(
        "eligible",
        labels=Labels("the eligible candidates", "可资助的候选项目"),
        fields=(),
        rows=BY_PREPARE,
        check=check_eligible,
        blockers=never_blocks,
    ),
    Rule(
        "duration",
        labels=Labels(
            "the project durations (funded through or not at all)", "项目执行期（全程资助或不资助）"
        ),
        fields=(),
        rows=mdl.add_duration,
        check=check_duration,
        blockers=never_blocks,
    ),
    Rule(
        "amount",
        labels=Labels("each project's special-fund bounds", "项目专项资金额度区间"),
        fields=(),
        rows=mdl.add_amount,
        check=check_amount,
        blockers=never_blocks,
    ),
    Rule(
        "executed",
        labels=Labels("the executed years", "已执行年度"),
        fields=(),
        rows=mdl.add_executed,
        check=check_executed,
        blockers=never_blocks,
    ),
    Rule(
        "locked",
        labels=Labels("the locked projects", "锁定项目"),
        fields=("locked_projects",),
        rows=mdl.add_locked,
        check=check_locked,
        blockers=never_blocks,
        relaxable=True,
        cost_step=LOCKS_RELEASED,
        smallest=smallest_locked,
        cost_rank=80,
        diagnosis_rank=110,
    ),
    Rule(
        "excluded",
        labels=Labels("the excluded projects", "排除项目"),
        fields=("excluded_projects",),
        rows=BY_PREPARE,
        check=check_excluded,
        blockers=never_blocks,
    ),
    Rule(
        "budget",
        labels=Labels("the yearly special-fund budget", "年度专项资金预算"),
        fields=("annual_budget_wan", "budget_by_year", "carry_over"),
        rows=mdl.add_budget,
        check=check_budget,
        blockers=blocks_budget,
        relaxable=True,
        cost_step=CostStep(
            "budget", Labels("the yearly special-fund budget", "年度专项资金预算"), _budget_step
        ),
        smallest=smallest_budget,
        reads=("pair_share_max",),
        cost_rank=10,
        diagnosis_rank=10,
    ),
    Rule(
        "projects_per_year_min",
        labels=Labels("the fewest projects a year", "每年最少项目数"),
        fields=("projects_per_year_min", "count_basis"),
        rows=mdl.add_projects_per_year_min,
        check=check_projects_per_year_min,
        blockers=never_blocks,
        relaxable=True,
        cost_step=COUNT_RANGE,
        smallest=numeric_smallest("projects_per_year_min", "projects_per_year_min", lower=True),
        cost_rank=20,
        diagnosis_rank=20,
    ),
    Rule(
        "projects_per_year_max",
        labels=Labels("the most projects a year", "每年最多项目数"),
        fields=("projects_per_year_max",),
        rows=mdl.add_projects_per_year_max,
        check=check_projects_per_year_max,
        blockers=blocks_projects_per_year_max,
        relaxable=True,
        cost_step=COUNT_RANGE,
        smallest=numeric_smallest(
            "projects_per_year_max",
            "projects_per_year_max",
            lower=False,
            companion="projects_per_year_min",
        ),
        reads=("count_basis",),
        cost_rank=20,
        diagnosis_rank=30,
    ),
    Rule(
        "pair_min",
        labels=Labels("the fewest projects per pair and year", "每个结对每年最少项目数"),
        fields=("pair_projects_min",),
        rows=mdl.add_pair_min,
        check=check_pair_min,
        blockers=never_blocks,
        relaxable=True,
        cost_step=CostStep(
            "pair_min",
            Labels("the fewest projects per pair and year", "每个结对每年最少项目数"),
            _pair_step_min,
        ),
        smallest=numeric_smallest("pair_min", "pair_projects_min", lower=True),
        cost_rank=40,
        diagnosis_rank=40,
    ),
    Rule(
        "pair_max",
        labels=Labels("the most projects per pair and year", "每个结对每年最多项目数"),
        fields=("pair_projects_max",),
        rows=mdl.add_pair_max,
        check=check_pair_max,
        blockers=blocks_pair_max,
        relaxable=True,
        cost_step=CostStep(
            "pair_max",
            Labels("the most projects per pair and year", "每个结对每年最多项目数"),
            _pair_step_max,
        ),
        smallest=numeric_smallest(
            "pair_max", "pair_projects_max", lower=False, companion="pair_projects_min"
        ),
        cost_rank=30,
        diagnosis_rank=50,
    ),
    Rule(
        "pair_share",
        labels=Labels("the cap on one pair's share of the budget", "单个结对占年度预算比例上限"),
        fields=("pair_share_max",),
        rows=mdl.add_pair_share,
        check=check_pair_share,
        blockers=blocks_pair_share,
        relaxable=True,
        cost_step=CostStep(
            "pair_share",
            Labels("the cap on one pair's share of the budget", "单个结对占年度预算比例上限"),
            _share_step_pair,
        ),
        smallest=numeric_smallest("pair_share", "pair_share_max", lower=False, share=True),
        cost_rank=50,
        diagnosis_rank=60,
    ),
    Rule(
        "priority_share",
        labels=Labels("the least share for the priority kinds", "重点领域资金占比下限"),
        fields=("priority_share_min",),
        rows=mdl.add_priority_share,
        check=check_priority_share,
        blockers=blocks_priority_share,
        relaxable=True,
        cost_step=CostStep(
            "priority_share",
            Labels("the least share for the priority kinds", "重点领域资金占比下限"),
            _share_step_priority,
        ),
        smallest=numeric_smallest("priority_share", "priority_share_min", lower=True, share=True),
        cost_rank=60,
        diagnosis_rank=70,
    ),
    Rule(
        "supporter_floor",
        labels=FLOOR_OFF.labels,
        fields=(
            "supporter_floor_wan",
            "floor_mode",
            "floor_counts",
            "floor_topup",
            "shortfall_penalty",
        ),
        rows=mdl.add_supporter_floor,
        check=check_supporter_floor,
        blockers=never_blocks,
        relaxable=True,
        cost_step=FLOOR_OFF,
        smallest=smallest_supporter_floor,
        cost_rank=70,
        diagnosis_rank=80,
    ),
    Rule(
        "requires",
        labels=Labels("the project dependencies (requires)", "项目前置依赖（requires）"),
        fields=(),
        rows=mdl.add_requires,
        check=check_requires,
        blockers=blocks_requires,
        relaxable=True,
        cost_step=drop_rule(
            "requires", Labels("the project dependencies (requires)", "项目前置依赖（requires）")
        ),
        smallest=data_smallest("requires"),
        cost_rank=90,
        diagnosis_rank=90,
    ),
    Rule(
        "excludes",
        labels=Labels("the mutually exclusive projects (excludes)", "互斥项目（excludes）"),
        fields=(),
        rows=mdl.add_excludes,
        check=check_excludes,
        blockers=blocks_excludes,
        relaxable=True,
        cost_step=drop_rule(
            "excludes",
            Labels("the mutually exclusive projects (excludes)", "互斥项目（excludes）"),
        ),
        smallest=data_smallest("excludes"),
        cost_rank=100,
        diagnosis_rank=100,
    ),
    Rule(
        "coverage",
        labels=Labels(
            "the coverage of every pair and year (lexicographic stage 1)",
            "结对年度覆盖（字典序第一阶段）",
        ),
        fields=("lexicographic",),
        rows=mdl.add_coverage,
        check=no_check,
        blockers=never_blocks,
    ),
):
    register(_rule)
del _rule
