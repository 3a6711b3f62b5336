r"""The allocation MILP, one ``add_*`` function per constraint family (PuLP).

Notation: projects :math:`p`, open years :math:`y` (the years not fixed as executed), pairs
:math:`k`; :math:`S_p` the years in which :math:`p` may start (it must end by the last year);
:math:`d_p` its duration, :math:`r_p` its yearly request, :math:`m_p` its yearly minimum.

Variables

* ``start[p,s]`` binary: :math:`p` starts in year :math:`s \in S_p`.
* ``extra[p,s]`` continuous (only when :math:`m_p < r_p`): the yearly special fund of
  :math:`p` above its minimum if it starts in :math:`s`, in :math:`[0, (r_p - m_p) x_{ps}]`
  (so the amount :math:`m_p x_{ps} + e_{ps}` is semi-continuous; knapsack rows keep their
  binary part :math:`m_p x_{ps}`, which lets the solver derive cover cuts).
* ``shortfall[k,y] >= 0`` (soft supporter floor), ``carry[y] >= 0`` (carry-over),
  ``covered[k,y]`` binary (lexicographic coverage).

Derived expressions: :math:`a_{py} = \sum_{s \in S_p,\, s \le y < s + d_p} x_{ps}` (active),
:math:`f_{py} = r_p a_{py}` or :math:`\sum_{s \le y < s + d_p} \text{amount}_{ps}` (special
fund, the same every year of the run by construction) or
:math:`\sum_{s \le y < s + d_p} (m_p x_{ps} + e_{ps})`.

Each family's readable constraint names (``budget[2023]``, ``pair_min[zhuxi,2023]``, …) are
the keys of :attr:`AllocationModel.constraints`; PuLP's own names are ASCII-safe versions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import pulp

from allocation.options import AllocationSettings
from allocation.problem import AllocationProblem, Project
from allocation.schedule import counts_for_floor, topup_room

OBJECTIVES: tuple[str, ...] = ("benefit", "coverage", "none")

#: ``fn(m)`` adding rows of the user's own with ``m.add("extra", name, row)``.
ExtraConstraints = Callable[["AllocationModel"], None]


@dataclass
class AllocationModel:
    """A built PuLP model with handles on every variable and named constraint."""

    problem: AllocationProblem
    settings: AllocationSettings
    lp: pulp.LpProblem
    start: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    amount: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    shortfall: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    carry: dict[int, pulp.LpVariable] = field(default_factory=dict)
    covered: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    constraints: dict[str, pulp.LpConstraint] = field(default_factory=dict)
    families: dict[str, list[str]] = field(default_factory=dict)
    benefit: pulp.LpAffineExpression = field(default_factory=pulp.LpAffineExpression)
    penalty: pulp.LpAffineExpression = field(default_factory=pulp.LpAffineExpression)
    coverage: pulp.LpAffineExpression = field(default_factory=pulp.LpAffineExpression)
    omitted: frozenset[str] = frozenset()
    extra_constraints: ExtraConstraints | None = None
    """The user's hook of extra rows (family ``extra``), kept for the analyses' re-solves."""
    placeholder: pulp.LpVariable | None = None
    """A variable fixed at 0, present only when the model has nothing to decide."""
    _counter: int = 0

    def add(self, family: str, name: str, constraint: pulp.LpConstraint) -> None:
        """Add ``constraint`` under the readable ``name`` (and an ASCII-safe PuLP name)."""
        if name in self.constraints:
            raise ValueError(f"duplicate constraint name {name!r}")
        self._counter += 1
        self.lp.addConstraint(constraint, f"{family}_{self._counter}")
        self.constraints[name] = constraint
        self.families.setdefault(family, []).append(name)

    def active(self, p: Project, year: int) -> pulp.LpAffineExpression:
        """1 if ``p`` is funded in ``year``."""
        return pulp.lpSum(self.start[p.id, s] for s in p.start_years if s <= year < s + p.duration)

    def started_by(self, p: Project, year: int) -> pulp.LpAffineExpression:
        """1 if ``p`` has started in or before ``year``."""
        return pulp.lpSum(self.start[p.id, s] for s in p.start_years if s <= year)

    def chosen(self, p: Project) -> pulp.LpAffineExpression:
        """1 if ``p`` is funded at all."""
        return pulp.lpSum(self.start[p.id, s] for s in p.start_years)

    def funds(self, p: Project, year: int) -> pulp.LpAffineExpression:
        """The special fund of ``p`` in ``year`` (万元)."""
        runs = [s for s in p.start_years if s <= year < s + p.duration]
        if p.partial:
            return pulp.lpSum(p.minimum * self.start[p.id, s] + self.amount[p.id, s] for s in runs)
        return pulp.lpSum(p.request * self.start[p.id, s] for s in runs)

    def could_run(self, p: Project, year: int) -> bool:
        """Whether some start choice makes ``p`` active in ``year``."""
        return any(s <= year < s + p.duration for s in p.start_years)


def _open_years(m: AllocationModel) -> tuple[int, ...]:
    return m.problem.open_years


def add_variables(m: AllocationModel) -> None:
    """Create ``start``, ``amount``, ``shortfall``, ``carry`` and ``covered`` variables."""
    pb, st = m.problem, m.settings
    for p in pb.projects.values():
        for s in p.start_years:
            m.start[p.id, s] = pulp.LpVariable(f"x_{p.index}_{s}", cat=pulp.LpBinary)
            if p.partial:
                m.amount[p.id, s] = pulp.LpVariable(
                    f"e_{p.index}_{s}", lowBound=0.0, upBound=p.request - p.minimum
                )
    if (
        st.floor_mode == "soft"
        and st.supporter_floor_wan > 0
        and "supporter_floor" not in m.omitted
    ):
        for i, k in enumerate(pb.pairs):
            for y in _open_years(m):
                m.shortfall[k, y] = pulp.LpVariable(
                    f"short_{i}_{y}", lowBound=0.0, upBound=st.supporter_floor_wan
                )
    if st.carry_over:
        for y in _open_years(m):
            m.carry[y] = pulp.LpVariable(f"carry_{y}", lowBound=0.0)
    if not (m.start or m.shortfall or m.carry):
        # Nothing to decide (empty pool): one fixed variable keeps every backend well-defined.
        m.placeholder = pulp.LpVariable("nothing_to_decide", lowBound=0.0, upBound=0.0)


def add_duration(m: AllocationModel) -> None:
    r"""``duration[p]``: :math:`\sum_s x_{ps} \le 1`.

    A project starts at most once; once started it is funded every year of its duration (the
    active years follow from the start year), so it is funded through or not at all.
    """
    for p in m.problem.projects.values():
        if p.start_years:
            m.add("duration", f"duration[{p.id}]", m.chosen(p) <= 1)


def add_amount(m: AllocationModel) -> None:
    r"""``amount[p,s]``: :math:`e_{ps} \le (r_p - m_p) x_{ps}` (no extra without a start)."""
    for (pid, s), var in m.amount.items():
        p = m.problem.projects[pid]
        m.add("amount", f"amount[{pid},{s}]", var - (p.request - p.minimum) * m.start[pid, s] <= 0)


def add_executed(m: AllocationModel) -> None:
    """``executed[p]``, ``executed_amount[p]``: executed projects keep their start and amount."""
    for p in m.problem.projects.values():
        if p.executed_start is None:
            continue
        m.add("executed", f"executed[{p.id}]", m.start[p.id, p.executed_start] == 1)
        if p.partial and p.executed_amount is not None:
            m.add(
                "executed",
                f"executed_amount[{p.id}]",
                m.amount[p.id, p.executed_start] == p.executed_amount - p.minimum,
            )


def add_locked(m: AllocationModel) -> None:
    r"""``locked[p]``: :math:`\sum_s x_{ps} = 1` for every locked project."""
    for p in m.problem.projects.values():
        if p.locked:
            m.add("locked", f"locked[{p.id}]", m.chosen(p) == 1)


def add_budget(m: AllocationModel) -> None:
    r"""``budget[y]``: :math:`\sum_p f_{py} \le B_y`.

    With carry-over: :math:`\sum_p f_{py} + c_y - c_{y-1} = B_y` (:math:`c_{y_0 - 1}` = the
    unspent budget of the executed years), so unspent money moves to the next year.
    """
    pb = m.problem
    previous: pulp.LpAffineExpression | float = pb.carry_in if m.settings.carry_over else 0.0
    for y in _open_years(m):
        spend = pulp.lpSum(m.funds(p, y) for p in pb.projects.values() if m.could_run(p, y))
        if m.settings.carry_over:
            m.add("budget", f"budget[{y}]", spend + m.carry[y] - previous == pb.budget[y])
            previous = m.carry[y]
        else:
            m.add("budget", f"budget[{y}]", spend <= pb.budget[y])


def _count(m: AllocationModel, y: int) -> tuple[pulp.LpAffineExpression, int]:
    """The yearly project count expression and the most it can be."""
    projects = m.problem.projects.values()
    if m.settings.count_basis == "new":
        terms = [m.start[p.id, y] for p in projects if y in p.start_years]
    else:
        terms = [m.active(p, y) for p in projects if m.could_run(p, y)]
    return pulp.lpSum(terms), len(terms)


def add_projects_per_year_min(m: AllocationModel) -> None:
    r"""``projects_per_year_min[y]``: :math:`\sum_p a_{py} \ge n^{\min}` (or new starts)."""
    lo = m.settings.projects_per_year_min
    if lo <= 0:
        return
    for y in _open_years(m):
        expr, _ = _count(m, y)
        m.add("projects_per_year_min", f"projects_per_year_min[{y}]", expr >= lo)


def add_projects_per_year_max(m: AllocationModel) -> None:
    r"""``projects_per_year_max[y]``: :math:`\sum_p a_{py} \le n^{\max}` (skipped if slack)."""
    hi = m.settings.projects_per_year_max
    for y in _open_years(m):
        expr, most = _count(m, y)
        if most > hi:
            m.add("projects_per_year_max", f"projects_per_year_max[{y}]", expr <= hi)


def add_pair_min(m: AllocationModel) -> None:
    r"""``pair_min[k,y]``: :math:`\sum_{p \in k} a_{py} \ge a`."""
    lo = m.settings.pair_projects_min
    if lo <= 0:
        return
    for k in m.problem.pairs:
        members = m.problem.pair_projects(k)
        for y in _open_years(m):
            expr = pulp.lpSum(m.active(p, y) for p in members if m.could_run(p, y))
            m.add("pair_min", f"pair_min[{k},{y}]", expr >= lo)


def add_pair_max(m: AllocationModel) -> None:
    r"""``pair_max[k,y]``: :math:`\sum_{p \in k} a_{py} \le b` (skipped if slack)."""
    hi = m.settings.pair_projects_max
    for k in m.problem.pairs:
        members = m.problem.pair_projects(k)
        for y in _open_years(m):
            runs = [p for p in members if m.could_run(p, y)]
            if len(runs) > hi:
                m.add(
                    "pair_max", f"pair_max[{k},{y}]", pulp.lpSum(m.active(p, y) for p in runs) <= hi
                )


def add_pair_share(m: AllocationModel) -> None:
    r"""``pair_share[k,y]``: :math:`\sum_{p \in k} f_{py} \le \sigma B_y` (skipped if slack)."""
    cap = m.settings.pair_share_max
    if cap >= 1.0:
        return
    for k in m.problem.pairs:
        members = m.problem.pair_projects(k)
        for y in _open_years(m):
            runs = [p for p in members if m.could_run(p, y)]
            limit = cap * m.problem.budget[y]
            if sum(p.request for p in runs) > limit:
                m.add(
                    "pair_share",
                    f"pair_share[{k},{y}]",
                    pulp.lpSum(m.funds(p, y) for p in runs) <= limit,
                )


def add_priority_share(m: AllocationModel) -> None:
    r"""``priority_share[y]``: :math:`\sum_{p \in \Pi} f_{py} \ge \rho \sum_p f_{py}`."""
    rho = m.settings.priority_share_min
    if rho <= 0:
        return
    for y in _open_years(m):
        runs = [p for p in m.problem.projects.values() if m.could_run(p, y)]
        if all(p.priority for p in runs):
            continue
        expr = pulp.lpSum(((1.0 if p.priority else 0.0) - rho) * m.funds(p, y) for p in runs)
        m.add("priority_share", f"priority_share[{y}]", expr >= 0)


def floor_aid(m: AllocationModel, pair: str, year: int) -> pulp.LpAffineExpression:
    """The most supporter aid the pair's funded projects can carry in ``year`` (万元).

    Each counted active project carries its ``supporter_fund_wan`` plus its top-up room
    (:func:`allocation.schedule.topup_room`), capped at the floor itself (coefficient
    tightening: one project that can carry the whole floor meets it alone).
    """
    st = m.settings
    floor = st.supporter_floor_wan
    return pulp.lpSum(
        min(floor, p.supporter_in(year) + topup_room(p, st)) * m.active(p, year)
        for p in m.problem.pair_projects(pair)
        if m.could_run(p, year) and counts_for_floor(p, st)
    )


def add_supporter_floor(m: AllocationModel) -> None:
    r"""``supporter_floor[k,y]``: :math:`\sum_{p \in k} (g_{py} + t_p) a_{py} + u_{ky} \ge F`.

    :math:`g_{py}` is the supporter's yearly funding of :math:`p`, :math:`t_p` the top-up it can
    absorb (``floor_topup``: 0, its other funding, or :math:`F`); the shortfall :math:`u_{ky}`
    exists in soft mode only (penalised in the objective); hard mode has none; mode ``off``
    adds no constraint (shortfalls are still reported).
    """
    st = m.settings
    if st.floor_mode == "off" or st.supporter_floor_wan <= 0:
        return
    for k in m.problem.pairs:
        for y in _open_years(m):
            aid = floor_aid(m, k, y)
            if (k, y) in m.shortfall:
                aid = aid + m.shortfall[k, y]
            m.add("supporter_floor", f"supporter_floor[{k},{y}]", aid >= st.supporter_floor_wan)


def add_requires(m: AllocationModel) -> None:
    r"""``requires[p,q,y]``: a project starts no earlier than the projects it requires.

    :math:`\sum_{s \le y} x_{ps} \le \sum_{s \le y} x_{qs}` for :math:`y \in S_p`: if
    :math:`p` runs, :math:`q` started in the same year or earlier.
    """
    projects = m.problem.projects
    for p in projects.values():
        for q_id in p.requires:
            q = projects[q_id]
            for y in p.start_years:
                m.add(
                    "requires",
                    f"requires[{p.id},{q_id},{y}]",
                    m.started_by(p, y) - m.started_by(q, y) <= 0,
                )


def add_excludes(m: AllocationModel) -> None:
    r"""``excludes[p,q]``: :math:`\sum_s x_{ps} + \sum_s x_{qs} \le 1` (each pair once)."""
    projects = m.problem.projects
    done: set[tuple[str, str]] = set()
    for p in projects.values():
        for q_id in p.excludes:
            if q_id not in projects:
                continue
            key = (p.id, q_id) if p.index < projects[q_id].index else (q_id, p.id)
            if key in done:
                continue
            done.add(key)
            a, b = projects[key[0]], projects[key[1]]
            m.add("excludes", f"excludes[{key[0]},{key[1]}]", m.chosen(a) + m.chosen(b) <= 1)


def add_coverage(m: AllocationModel) -> None:
    r"""``coverage[k,y]``: :math:`c_{ky} \le \sum_{p \in k} a_{py}` (lexicographic stage 1)."""
    if not m.settings.lexicographic:
        return
    for i, k in enumerate(m.problem.pairs):
        members = m.problem.pair_projects(k)
        for y in _open_years(m):
            runs = [p for p in members if m.could_run(p, y)]
            if not runs:
                continue
            var = pulp.LpVariable(f"cov_{i}_{y}", cat=pulp.LpBinary)
            m.covered[k, y] = var
            m.add(
                "coverage",
                f"coverage[{k},{y}]",
                var - pulp.lpSum(m.active(p, y) for p in runs) <= 0,
            )
    m.coverage = pulp.lpSum(m.covered.values())


def benefit_expression(m: AllocationModel) -> pulp.LpAffineExpression:
    r"""Total benefit :math:`\sum_p v_p \cdot \text{funded share}_p` (person-equivalents).

    Funded share :math:`= (\text{amount} + g_p + o_p) / (r_p + g_p + o_p)` when partial funding
    is allowed and ``benefit.scale_by_funded_share``; 1 otherwise.
    """
    scale = m.settings.benefit.scale_by_funded_share
    terms = []
    for p in m.problem.projects.values():
        for s in p.start_years:
            if p.partial and scale and p.plan_per_year > 0:
                fixed = p.value * (p.minimum + p.supporter_fund + p.other_fund) / p.plan_per_year
                terms.append(fixed * m.start[p.id, s])
                terms.append(p.value / p.plan_per_year * m.amount[p.id, s])
            else:
                terms.append(p.value * m.start[p.id, s])
    return pulp.lpSum(terms)


def set_objective(m: AllocationModel, objective: str) -> None:
    """Maximise ``benefit - penalty`` (``"benefit"``), coverage, or nothing (feasibility)."""
    m.benefit = benefit_expression(m)
    m.penalty = pulp.lpSum(m.problem.shortfall_unit * v for v in m.shortfall.values())
    if objective == "benefit":
        expr = m.benefit - m.penalty
    elif objective == "coverage" and m.covered:
        expr = m.coverage
    else:
        expr = pulp.LpAffineExpression()
    m.lp.setObjective(anchored(m, expr))


def anchored(m: AllocationModel, expr: pulp.LpAffineExpression) -> pulp.LpAffineExpression:
    """``expr``, or a zero objective naming one variable when ``expr`` has no terms.

    PuLP drops zero coefficients; an objective without variables leaves some backends without
    an objective value, so a feasibility or all-zero-benefit model keeps one 0-weighted term.
    """
    if len(expr) > 0:
        return expr
    first = next(iter([*m.start.values(), *m.shortfall.values(), *m.carry.values()]), None)
    anchor = first if first is not None else m.placeholder
    return expr + pulp.LpAffineExpression([(anchor, 0.0)])


def build(
    problem: AllocationProblem,
    settings: AllocationSettings | None = None,
    *,
    omit: Collection[str] = (),
    objective: str = "benefit",
    extra_constraints: ExtraConstraints | None = None,
) -> AllocationModel:
    """Build the MILP: variables, the rule families in order, the user's rows, the objective.

    The families are those of :data:`allocation.rules.FAMILIES`, in that order.
    ``omit`` leaves out whole families (used by the diagnosis); ``objective`` is ``"benefit"``
    (maximise benefit minus shortfall penalty), ``"coverage"`` (lexicographic stage 1) or
    ``"none"`` (feasibility only). ``extra_constraints(m)`` (PyPSA's ``extra_functionality``)
    adds rows of its own with ``m.add("extra", name, row)`` after the rule families; the model
    keeps the hook so that every re-solve of the analyses builds them again.
    """
    # The registry refers to the add_* functions of this module, so it is read at build time.
    from allocation.rules import RULES, families

    settings = settings or AllocationSettings()
    known = families()
    unknown = sorted(set(omit) - set(known))
    if unknown:
        raise ValueError(f"unknown constraint families {unknown}; known: {', '.join(known)}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    m = AllocationModel(
        problem=problem,
        settings=settings,
        lp=pulp.LpProblem("shanchuan_allocation", pulp.LpMaximize),
        omitted=frozenset(omit),
        extra_constraints=extra_constraints,
    )
    add_variables(m)
    for rule in RULES.values():
        if callable(rule.rows) and rule.family not in m.omitted:
            rule.rows(m)
    if extra_constraints is not None:
        extra_constraints(m)
    set_objective(m, objective)
    return m


def constraint_names(m: AllocationModel, families: Iterable[str]) -> list[str]:
    """Readable names of the constraints of ``families``."""
    return [n for f in families for n in m.families.get(f, [])]


def __getattr__(name: str) -> object:
    # FAMILIES and RELAXABLE lived here; they are views of the rule registry now.
    if name in ("FAMILIES", "RELAXABLE"):
        from allocation import rules

        return getattr(rules, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
