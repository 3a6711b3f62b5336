r"""Stage 2: the pairing integer program in PuLP, one function per constraint family.

Notation: :math:`R` recipients, :math:`S` supporters, binary :math:`x_{rs} = 1` when
supporter :math:`s` is paired with recipient :math:`r`, :math:`c_{rs}` the weighted pair score
(:attr:`MatchingProblem.score`), :math:`I` the incumbent pairs.

The model is sparse: the rules that only exclude single pairs — ``forbid``, ``max_distance``
and ``min_pair_score``, the :data:`EXCLUSIONS` (the records of :mod:`matching.rules` with an
``exclude`` part) — remove the pair's variable altogether instead
of adding a row :math:`x_{rs} = 0`. :attr:`MatchModel.excluded` says which rule removed which
pair. A row whose every term was removed stays in the model with no terms (``0 = 1`` for a
locked pair that a rule excludes), so a contradiction still shows up as infeasibility.

:func:`build` calls the ``add_*`` functions below in the fixed order of :data:`FAMILIES` (the
records of :mod:`matching.rules` with a ``rows`` part, in registry order); each
one documents its math, returns early when it has nothing to add and names its constraints
deterministically (``"lock[zhuxi,wuhan-donghu]"``). The readable names are the keys of
:attr:`MatchModel.constraints`; inside the PuLP model the rows carry ASCII names built from
positions (``lock_0_0``) so that every backend accepts them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pulp

from matching.options import MatchSettings
from matching.problem import InputError, MatchingProblem

if TYPE_CHECKING:
    from matching.rules import Rule

Pair = tuple[str, str]

#: The family of the rows a caller adds with ``extra_constraints`` (:func:`build`).
EXTRA = "extra"

_SENSES = {"<=": pulp.LpConstraintLE, ">=": pulp.LpConstraintGE, "==": pulp.LpConstraintEQ}
_SENSE_TEXT = {v: k for k, v in _SENSES.items()}


def __getattr__(name: str) -> object:
    """``FAMILIES``, ``EXCLUSIONS``, ``ADDERS``, ``EXCLUDERS``: read from the rule records.

    The records (:mod:`matching.rules`) refer to the ``add_*`` functions of this module, so
    the derived tables are computed on access rather than at import.
    """
    if name in ("FAMILIES", "EXCLUSIONS", "ADDERS", "EXCLUDERS"):
        from matching.rules import records

        rows = {r.name: r.rows for r in records() if r.rows is not None}
        cuts = {r.name: r.exclude for r in records() if r.exclude is not None}
        return {
            "FAMILIES": tuple(rows),
            "EXCLUSIONS": tuple(cuts),
            "ADDERS": rows,
            "EXCLUDERS": cuts,
        }[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class ExtraRow:
    """A row added by ``extra_constraints``, as coefficients on pairs (for :func:`verify`)."""

    name: str
    """Readable name, ``extra[key]``."""
    coefficients: tuple[tuple[Pair, float], ...]
    sense: str
    """``<=``, ``>=`` or ``==``."""
    rhs: float

    def lhs(self, pairs: Iterable[Pair]) -> float:
        """The row's left-hand side on a pairing."""
        chosen = set(pairs)
        return float(sum(c for pair, c in self.coefficients if pair in chosen))

    def holds(self, pairs: Iterable[Pair], tol: float = 1e-9) -> bool:
        """Whether the row holds on a pairing."""
        v = self.lhs(pairs)
        if self.sense == "<=":
            return v <= self.rhs + tol
        if self.sense == ">=":
            return v >= self.rhs - tol
        return abs(v - self.rhs) <= tol


@dataclass
class MatchModel:
    """A built pairing model: the PuLP problem plus handles on its variables and constraints."""

    lp: pulp.LpProblem
    x: dict[Pair, pulp.LpVariable]
    """(recipient id, supporter id) -> binary pairing variable, for the pairs in the model
    only: a pair that a rule excludes (:attr:`excluded`) or that the caller left out
    (``keep`` of :func:`build`) has no variable. Row-major (Annex) order."""
    problem: MatchingProblem
    settings: MatchSettings
    cells: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.intp))
    """(k, 2) positions (recipient row, supporter column) of the variables, in the order of
    :attr:`x`."""
    excluded: dict[str, list[Pair]] = field(default_factory=dict)
    """Exclusion rule (``forbid``, ``max_distance``, ``min_pair_score``) -> the pairs it removes
    (a pair may be removed by several rules). Rules that remove nothing are absent."""
    constraints: dict[str, pulp.LpConstraint] = field(default_factory=dict)
    """Readable constraint name (``"lock[r,s]"``) -> constraint, in insertion order."""
    families: dict[str, list[str]] = field(default_factory=dict)
    """Family -> the readable names of its constraints."""
    worst: pulp.LpVariable | None = None
    """With objective ``maxmin``: the worst chosen pair's score :math:`t`."""
    stage: str = "weighted_sum"
    """Which objective is set: ``weighted_sum``, ``maxmin_stage1`` or ``maxmin_stage2``."""
    weight: np.ndarray | None = None
    """Objective coefficient of every pair (:attr:`matching.rules.PairTable.weight`)."""
    constant: float = 0.0
    """Objective constant (:attr:`matching.rules.PairTable.constant`)."""
    extra: tuple[ExtraRow, ...] = ()
    """The rows of ``extra_constraints`` as coefficients, for :func:`matching.verify`."""

    def add(
        self, family: str, key: str, pulp_key: str, constraint: pulp.LpConstraint
    ) -> None:
        """Add ``constraint`` as ``family[key]`` (PuLP row name ``family_pulp_key``).

        An empty ``pulp_key`` names the row ``family`` for the family's first row and
        ``family_<n>`` after (so hooks need not invent ASCII names).
        """
        name = f"{family}[{key}]" if key else family
        if pulp_key:
            row = f"{family}_{pulp_key}"
        else:
            done = len(self.families.get(family, []))
            row = f"{family}_{done}" if done else family
        self.lp.addConstraint(constraint, row)
        self.constraints[name] = constraint
        self.families.setdefault(family, []).append(name)

    def add_row(
        self, family: str, key: str, terms: dict[Pair, float], sense: str, rhs: float
    ) -> pulp.LpConstraint:
        r"""Add :math:`\sum_{(r,s)} a_{rs} x_{rs} \;\text{sense}\; b` as ``family[key]``.

        ``terms`` maps (recipient, supporter) pairs to coefficients; a pair without a
        variable (excluded by a rule) is 0 and drops out. ``sense`` is ``<=``, ``>=`` or ``==``.
        """
        if sense not in _SENSES:
            raise ValueError(f"sense must be one of {', '.join(_SENSES)}, got {sense!r}")
        for r, s in terms:
            index_pair(self.problem, (r, s), family)
        items = [(self.x[p], float(c)) for p, c in terms.items() if p in self.x]
        constraint = _con(items, _SENSES[sense], float(rhs))
        self.add(family, key, "", constraint)
        return constraint

    def add_extra(
        self, key: str, terms: dict[Pair, float], sense: str, rhs: float
    ) -> pulp.LpConstraint:
        """Add a row of the ``extra`` family (see :meth:`add_row`): the hook's helper."""
        return self.add_row(EXTRA, key, terms, sense, rhs)

    def extra_rows(self) -> tuple[ExtraRow, ...]:
        """The rows of the ``extra`` family as coefficients on pairs.

        Raises ``ValueError`` for a row with a variable that is not a pairing variable:
        :func:`matching.verify` could not evaluate it.
        """
        pair_of = {v.name: pair for pair, v in self.x.items()}
        out = []
        for name in self.families.get(EXTRA, []):
            con = self.constraints[name]
            coefficients = []
            for var, coef in con.items():
                if var.name not in pair_of:
                    raise ValueError(
                        f"extra row {name} uses {var.name!r}, which is not a pairing variable; "
                        "extra rows may only use the model's x variables"
                    )
                coefficients.append((pair_of[var.name], float(coef)))
            out.append(ExtraRow(name, tuple(coefficients), _SENSE_TEXT[con.sense], -con.constant))
        return tuple(out)

    def chosen_pairs(self, values: dict[str, float]) -> tuple[Pair, ...]:
        """Pairs whose variable is 1 in a solver's ``values`` (rounded at 0.5)."""
        return tuple(pair for pair, var in self.x.items() if values.get(var.name, 0.0) > 0.5)

    def variables(self, pairs: Iterable[Pair]) -> list[pulp.LpVariable]:
        """The variables of those ``pairs`` that are in the model (excluded pairs are 0)."""
        return [v for v in map(self.x.get, pairs) if v is not None]

    def start_values(self, pairs: Iterable[Pair]) -> dict[str, float]:
        """Initial values for a warm start: 1 for ``pairs`` (those in the model), else 0."""
        chosen = {v.name for v in self.variables(pairs)}
        return {v.name: 1.0 if v.name in chosen else 0.0 for v in self.x.values()}


def _expr(terms: Iterable[tuple[pulp.LpVariable, float]], constant: float = 0.0):
    return pulp.LpAffineExpression(list(terms), constant=constant)


def _ones(variables: list[pulp.LpVariable]) -> list[tuple[pulp.LpVariable, float]]:
    return list(zip(variables, [1.0] * len(variables), strict=True))


def _con(terms, sense: int, rhs: float) -> pulp.LpConstraint:
    return pulp.LpConstraint(_expr(terms), sense=sense, rhs=rhs)


def index_pair(problem: MatchingProblem, pair: Pair, what: str) -> tuple[int, int]:
    """Positions of ``pair`` (:class:`InputError` naming ``what`` unless it fits the problem)."""
    r, s = pair
    if not problem.is_recipient(r) or not problem.is_supporter(s):
        raise InputError(
            f"{what} pair ({r!r}, {s!r}) must name a recipient then a supporter of this problem"
        )
    return problem.r_index(r), problem.s_index(s)


def check_rules(problem: MatchingProblem, settings: MatchSettings) -> None:
    """Reject rules that name counties outside the problem (all problems reported together)."""
    problems: list[str] = []
    for what, pairs in (("lock", settings.rules.locks), ("forbid", settings.rules.forbids)):
        for pair in pairs:
            try:
                index_pair(problem, pair, what)
            except InputError as exc:
                problems.extend(exc.problems)
    if problems:
        raise InputError(problems)


def exclude_forbid(problem: MatchingProblem, settings: MatchSettings) -> list[tuple[int, int]]:
    r"""Forbidden pairs are not chosen: :math:`x_{rs} = 0 \;\forall (r,s) \in \text{forbids}`.

    The pairs have no variable; :attr:`MatchModel.excluded` lists them under ``forbid``, in
    the order of ``rules.forbids``.
    """
    return [index_pair(problem, pair, "forbid") for pair in settings.rules.forbids]


def exclude_max_distance(
    problem: MatchingProblem, settings: MatchSettings
) -> list[tuple[int, int]]:
    r"""Distance cap :math:`D`: :math:`x_{rs} = 0 \;\forall (r,s): d_{rs} > D`.

    The pairs have no variable (``excluded["max_distance"]``, row-major); nothing is excluded
    when :math:`D = \infty`.
    """
    cap = settings.rules.max_distance
    if not np.isfinite(cap):
        return []
    return [(int(i), int(j)) for i, j in np.argwhere(np.asarray(problem.distance) > cap)]


def exclude_min_pair_score(
    problem: MatchingProblem, settings: MatchSettings
) -> list[tuple[int, int]]:
    r"""Minimum pair score: :math:`x_{rs} = 0 \;\forall (r,s): c_{rs} < \underline{c}`.

    The pairs have no variable (``excluded["min_pair_score"]``, row-major); nothing is
    excluded when :math:`\underline{c} = 0`.
    """
    floor = settings.rules.min_pair_score
    if floor <= 0:
        return []
    return [(int(i), int(j)) for i, j in np.argwhere(problem.score < floor - 1e-12)]


def add_recipient_demand(m: MatchModel) -> None:
    r"""Each recipient gets exactly :math:`d` supporters: :math:`\sum_s x_{rs} = d \;\forall r`.

    Named ``recipient_demand[r]``; the sum runs over the recipient's pairs in the model.
    """
    p, d = m.problem, m.settings.rules.recipient_demand
    for i, (r, group) in enumerate(zip(p.recipients, _by_row(m), strict=True)):
        m.add("recipient_demand", r, str(i), _con(_ones(group), pulp.LpConstraintEQ, d))


def add_supporter_capacity(m: MatchModel) -> None:
    r"""Each supporter takes at most :math:`k` recipients: :math:`\sum_r x_{rs} \le k \;\forall s`.

    Named ``supporter_capacity[s]``. With the plan's square one-to-one instance the demand
    rows already force equality. Nothing is added when :math:`k \ge |R|` (never binding).
    """
    p, k = m.problem, m.settings.rules.supporter_capacity
    if k >= len(p.recipients):
        return
    for j, (s, group) in enumerate(zip(p.supporters, _by_column(m), strict=True)):
        m.add("supporter_capacity", s, str(j), _con(_ones(group), pulp.LpConstraintLE, k))


def add_lock(m: MatchModel) -> None:
    r"""Locked pairs are chosen: :math:`x_{rs} = 1 \;\forall (r,s) \in \text{locks}`.

    Named ``lock[r,s]``. A locked pair that an exclusion rule removes gives the row
    ``0 = 1``: the model is infeasible, as the rules are.
    """
    for r, s in m.settings.rules.locks:
        i, j = index_pair(m.problem, (r, s), "lock")
        group = m.variables([(r, s)])
        m.add("lock", f"{r},{s}", f"{i}_{j}", _con(_ones(group), pulp.LpConstraintEQ, 1))


def _groups(ids: Iterable[str], prefecture: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in ids:
        out.setdefault(prefecture.get(c, ""), []).append(c)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class SpreadGroup:
    """One (P, Q) prefecture combination with a ``prefecture_spread`` row."""

    recipient_prefecture: str
    supporter_prefecture: str
    position: tuple[int, int]
    """(P, Q) positions among the sorted recipient and supporter prefectures (row name)."""
    recipients: tuple[int, ...]
    """Positions of P's recipients."""
    supporters: tuple[int, ...]
    """Positions of Q's supporters."""


def spread_groups(problem: MatchingProblem, settings: MatchSettings) -> list[SpreadGroup]:
    r"""The (P, Q) combinations that get a ``prefecture_spread`` row, in row order.

    Empty when ``prefecture_spread`` is 0; a combination is left out when it can never exceed
    the limit, :math:`\min(d|P|, \text{cap}\,|Q|) \le k`.
    """
    rules = settings.rules
    k = rules.prefecture_spread
    if k <= 0:
        return []
    pref = dict(problem.prefecture)
    r_groups, s_groups = _groups(problem.recipients, pref), _groups(problem.supporters, pref)
    out = []
    for a, (rp, rs) in enumerate(r_groups.items()):
        for b, (sp, ss) in enumerate(s_groups.items()):
            if min(rules.recipient_demand * len(rs), rules.supporter_capacity * len(ss)) <= k:
                continue
            out.append(
                SpreadGroup(
                    rp,
                    sp,
                    (a, b),
                    tuple(problem.r_index(r) for r in rs),
                    tuple(problem.s_index(s) for s in ss),
                )
            )
    return out


def prefecture_codes(problem: MatchingProblem) -> tuple[np.ndarray, np.ndarray]:
    """Each recipient's and supporter's prefecture position (as in :attr:`SpreadGroup.position`)."""
    pref = dict(problem.prefecture)
    codes = []
    for ids in (problem.recipients, problem.supporters):
        position = {key: a for a, key in enumerate(_groups(ids, pref))}
        codes.append(np.array([position[pref.get(c, "")] for c in ids], dtype=np.intp))
    return codes[0], codes[1]


def add_prefecture_spread(m: MatchModel) -> None:
    r"""Spread across prefectures: for recipient prefecture P and supporter prefecture Q.

    .. math::  \sum_{r \in P} \sum_{s \in Q} x_{rs} \le k

    (at most :math:`k` recipients of one prefecture served from one supporter prefecture).
    Named ``prefecture_spread[P,Q]``; only (P, Q) combinations that could exceed :math:`k`
    — :math:`\min(d|P|, \text{cap}\,|Q|) > k` — get a row. :math:`k = 0` means no rule.
    """
    p, k = m.problem, m.settings.rules.prefecture_spread
    groups = spread_groups(p, m.settings)
    if not groups:
        return
    r_code, s_code = prefecture_codes(p)
    width = int(s_code.max()) + 1
    key = r_code[m.cells[:, 0]] * width + s_code[m.cells[:, 1]]
    order = np.argsort(key, kind="stable")
    codes = [g.position[0] * width + g.position[1] for g in groups]
    starts = np.searchsorted(key[order], codes, side="left").tolist()
    ends = np.searchsorted(key[order], codes, side="right").tolist()
    variables = list(m.x.values())
    for g, lo, hi in zip(groups, starts, ends, strict=True):
        group = [variables[t] for t in order[lo:hi].tolist()]
        m.add(
            "prefecture_spread",
            f"{g.recipient_prefecture},{g.supporter_prefecture}",
            f"{g.position[0]}_{g.position[1]}",
            _con(_ones(group), pulp.LpConstraintLE, k),
        )


def add_max_changes(m: MatchModel) -> None:
    r"""Continuity: at most :math:`C` incumbent pairs are given up.

    .. math::  \sum_{(r,s) \in I} (1 - x_{rs}) \le C

    Named ``max_changes``; nothing is added without an incumbent or with :math:`C = -1`.
    """
    c, p = m.settings.rules.max_changes, m.problem
    if c < 0 or not p.incumbent:
        return
    terms = _ones(m.variables(p.incumbent))  # an excluded incumbent pair is given up
    m.add("max_changes", "", "", _con(terms, pulp.LpConstraintGE, len(p.incumbent) - c))


def acceptable_pairs(problem: MatchingProblem) -> list[Pair]:
    """Mutually acceptable pairs: each side lists the other (in recipient, supporter order)."""
    out = []
    for r in problem.recipients:
        for s in problem.recipient_prefs.get(r, ()):
            if r in problem.supporter_prefs.get(s, ()):
                out.append((r, s))
    return out


def add_stability(m: MatchModel) -> None:
    r"""No blocking pair among mutually acceptable pairs (stable marriage / hospitals–residents).

    For every mutually acceptable :math:`(r, s)` with supporter capacity :math:`k`:

    .. math::  k \sum_{s' \succeq_r s} x_{rs'} + \sum_{r' \succ_s r} x_{r's} \ge k

    where :math:`s' \succeq_r s` runs over the partners :math:`r` lists at least as high as
    :math:`s` (including :math:`s`) and :math:`r' \succ_s r` over those :math:`s` lists above
    :math:`r`. With :math:`k = 1` this is the classical
    :math:`x_{rs} + \sum_{s' \succ_r s} x_{rs'} + \sum_{r' \succ_s r} x_{r's} \ge 1`.
    Incomplete lists: every county must still be paired, and a partner absent from a list
    ranks below every listed one, so only mutually acceptable pairs can block. Excluded pairs
    are 0 and drop out of the sums (an excluded pair can still block: it is a preference, not
    a permission). Named ``stability[r,s]``; nothing is added unless ``rules.stable``.
    """
    if not m.settings.rules.stable:
        return
    p, k = m.problem, m.settings.rules.supporter_capacity
    k = min(k, len(p.recipients))
    for r, s in acceptable_pairs(p):
        r_list, s_list = p.recipient_prefs[r], p.supporter_prefs[s]
        own = m.variables((r, s2) for s2 in r_list[: r_list.index(s) + 1])
        others = m.variables((r2, s) for r2 in s_list[: s_list.index(r)])
        terms = [(v, float(k)) for v in own] + _ones(others)
        i, j = p.r_index(r), p.s_index(s)
        m.add("stability", f"{r},{s}", f"{i}_{j}", _con(terms, pulp.LpConstraintGE, k))


def add_maxmin_floor(m: MatchModel) -> None:
    r"""With objective ``maxmin``: :math:`t` is at most every chosen pair's score.

    With one supporter per recipient, per recipient (tight):
    :math:`t \le \sum_s c_{rs} x_{rs}`, named ``maxmin_floor[r]``. With
    :math:`d > 1`, per pair in the model: :math:`t \le c_{rs} + (1 - x_{rs})` (scores lie in
    [0, 1], so an excluded pair's row would be void), named ``maxmin_floor[r,s]``. Nothing is
    added for ``weighted_sum``.
    """
    if m.settings.objective != "maxmin":
        return
    p = m.problem
    t = pulp.LpVariable("worst_pair_score", lowBound=0.0, upBound=1.0)
    m.worst = t
    variables = list(m.x.values())
    scores = p.score[m.cells[:, 0], m.cells[:, 1]].tolist()
    if m.settings.rules.recipient_demand == 1:
        for i, (r, (lo, hi)) in enumerate(zip(p.recipients, _row_ranges(m), strict=True)):
            terms = [(t, 1.0)] + [(variables[q], -scores[q]) for q in range(lo, hi)]
            m.add("maxmin_floor", r, str(i), _con(terms, pulp.LpConstraintLE, 0.0))
        return
    positions = m.cells.tolist()
    for (r, s), var, (i, j), c in zip(m.x, variables, positions, scores, strict=True):
        m.add(
            "maxmin_floor",
            f"{r},{s}",
            f"{i}_{j}",
            _con([(t, 1.0), (var, 1.0)], pulp.LpConstraintLE, 1.0 + c),
        )


def weighted_objective(m: MatchModel) -> pulp.LpAffineExpression:
    r"""The weighted-sum objective.

    .. math::  \sum_{rs} c_{rs} x_{rs} - \pi \sum_{(r,s)\in I} (1 - x_{rs})

    :math:`\pi` is ``rules.change_penalty`` (score units per incumbent pair given up). The
    coefficients are :attr:`matching.rules.PairTable.weight` (the records' ``weight`` terms).
    """
    if m.weight is None:
        from matching.rules import pair_table

        table = pair_table(m.problem, m.settings)
        m.weight, m.constant = table.weight, table.constant
    values = m.weight[m.cells[:, 0], m.cells[:, 1]].tolist()
    return _expr(zip(m.x.values(), values, strict=True), m.constant)


def set_objective(m: MatchModel) -> None:
    """Set the first objective: the weighted sum, or the worst pair score :math:`t` (maxmin)."""
    if m.settings.objective == "maxmin":
        assert m.worst is not None
        m.lp.setObjective(_expr([(m.worst, 1.0)]))
        m.stage = "maxmin_stage1"
    else:
        m.lp.setObjective(weighted_objective(m))
        m.stage = "weighted_sum"


def start_second_stage(m: MatchModel, worst_score: float) -> None:
    r"""Maxmin stage 2: keep :math:`t \ge t^* - \varepsilon`, then maximise the weighted sum.

    Adds ``maxmin_level``; :math:`\varepsilon` is ``settings.maxmin_tolerance``.
    """
    if m.worst is None:
        raise ValueError("start_second_stage needs a model built with objective = 'maxmin'")
    level = max(0.0, worst_score - m.settings.maxmin_tolerance)
    m.add("maxmin_level", "", "", _con([(m.worst, 1.0)], pulp.LpConstraintGE, level))
    m.lp.setObjective(weighted_objective(m))
    m.stage = "maxmin_stage2"


def _row_ranges(m: MatchModel) -> list[tuple[int, int]]:
    """Per recipient, the [start, end) range of its variables in :attr:`MatchModel.x`."""
    n = len(m.problem.recipients)
    starts = np.searchsorted(m.cells[:, 0], np.arange(n + 1)).tolist()
    return list(itertools.pairwise(starts))


def _by_row(m: MatchModel) -> list[list[pulp.LpVariable]]:
    """Per recipient, its variables (supporter order)."""
    variables = list(m.x.values())
    return [variables[lo:hi] for lo, hi in _row_ranges(m)]


def _by_column(m: MatchModel) -> list[list[pulp.LpVariable]]:
    """Per supporter, its variables (recipient order)."""
    variables = list(m.x.values())
    order = np.argsort(m.cells[:, 1], kind="stable")
    starts = np.searchsorted(m.cells[order, 1], np.arange(len(m.problem.supporters) + 1))
    idx = order.tolist()
    return [[variables[t] for t in idx[lo:hi]] for lo, hi in itertools.pairwise(starts.tolist())]


def build(
    problem: MatchingProblem,
    settings: MatchSettings | None = None,
    keep: np.ndarray | None = None,
    extra_constraints: Callable[[MatchModel], None] | None = None,
    registry: Iterable[Rule] | None = None,
) -> MatchModel:
    """Build the pairing integer program for ``problem`` under ``settings``.

    Variables ``x_i_j`` (binary, positions in ``problem.recipients`` / ``supporters``) for
    the pairs no exclusion rule removes (:func:`matching.rules.pair_table`), the row families
    of the rule records (:data:`matching.rules.REGISTRY`) in their order, the rows of
    ``extra_constraints(m)`` (family ``extra``, see :meth:`MatchModel.add_extra`), and the
    first objective.

    ``keep`` (boolean recipient × supporter mask) restricts the variables further, for a
    caller that has proved the other pairs cannot be in an optimal pairing (the Lagrangian
    reduced-cost fixing of :mod:`matching.lagrange`); without it the model is exact.
    ``registry`` replaces the records in force (the diagnosis leaves some out).
    """
    from matching.rules import pair_table, records  # the records refer to this module

    settings = settings or MatchSettings()
    check_rules(problem, settings)
    lp = pulp.LpProblem("shanchuan_matching", pulp.LpMaximize)
    shape = (len(problem.recipients), len(problem.supporters))
    recipients, supporters = problem.recipients, problem.supporters
    table = pair_table(problem, settings, registry)
    excluded = {
        name: [(recipients[i], supporters[j]) for i, j in cells]
        for name, cells in table.excluded.items()
    }
    mask = table.allowed.copy()
    if keep is not None:
        if np.shape(keep) != shape:
            raise ValueError(f"keep must have shape {shape}, got {np.shape(keep)}")
        mask &= np.asarray(keep, dtype=bool)
    cells_ = np.argwhere(mask)
    ii, jj = cells_[:, 0].tolist(), cells_[:, 1].tolist()
    binary = pulp.LpBinary
    variables = [pulp.LpVariable(f"x_{i}_{j}", cat=binary) for i, j in zip(ii, jj, strict=True)]
    pairs = zip(map(recipients.__getitem__, ii), map(supporters.__getitem__, jj), strict=True)
    x = dict(zip(pairs, variables, strict=True))
    m = MatchModel(
        lp=lp,
        x=x,
        problem=problem,
        settings=settings,
        cells=cells_,
        excluded=excluded,
        weight=table.weight,
        constant=table.constant,
    )
    for rule in records(registry):
        if rule.rows is not None:
            rule.rows(m)
    if extra_constraints is not None:
        extra_constraints(m)
        m.extra = m.extra_rows()
    set_objective(m)
    return m
