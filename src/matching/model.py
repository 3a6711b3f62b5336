r"""Stage 2: the pairing integer program in PuLP, one function per constraint family.

Notation: :math:`R` recipients, :math:`S` supporters, binary :math:`x_{rs} = 1` when
supporter :math:`s` is paired with recipient :math:`r`, :math:`c_{rs}` the weighted pair score
(:attr:`MatchingProblem.score`), :math:`I` the incumbent pairs.

:func:`build` calls the ``add_*`` functions below in the fixed order of :data:`FAMILIES`; each
one documents its math, returns early when it has nothing to add and names its constraints
deterministically (``"lock[zhuxi,wuhan-donghu]"``). The readable names are the keys of
:attr:`MatchModel.constraints`; inside the PuLP model the rows carry ASCII names built from
positions (``lock_0_0``) so that every backend accepts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pulp

from matching.options import MatchSettings
from matching.problem import InputError, MatchingProblem

Pair = tuple[str, str]

#: Constraint families in the order :func:`build` adds them.
FAMILIES: tuple[str, ...] = (
    "recipient_demand",
    "supporter_capacity",
    "lock",
    "forbid",
    "max_distance",
    "prefecture_spread",
    "min_pair_score",
    "max_changes",
    "stability",
    "maxmin_floor",
)


@dataclass
class MatchModel:
    """A built pairing model: the PuLP problem plus handles on its variables and constraints."""

    lp: pulp.LpProblem
    x: dict[Pair, pulp.LpVariable]
    """(recipient id, supporter id) -> binary pairing variable."""
    problem: MatchingProblem
    settings: MatchSettings
    constraints: dict[str, pulp.LpConstraint] = field(default_factory=dict)
    """Readable constraint name (``"lock[r,s]"``) -> constraint, in insertion order."""
    families: dict[str, list[str]] = field(default_factory=dict)
    """Family -> the readable names of its constraints."""
    worst: pulp.LpVariable | None = None
    """With objective ``maxmin``: the worst chosen pair's score :math:`t`."""
    stage: str = "weighted_sum"
    """Which objective is set: ``weighted_sum``, ``maxmin_stage1`` or ``maxmin_stage2``."""

    def add(self, family: str, key: str, pulp_key: str, constraint: pulp.LpConstraint) -> None:
        """Add ``constraint`` as ``family[key]`` (PuLP row name ``family_pulp_key``)."""
        name = f"{family}[{key}]" if key else family
        self.lp.addConstraint(constraint, f"{family}_{pulp_key}" if pulp_key else family)
        self.constraints[name] = constraint
        self.families.setdefault(family, []).append(name)

    def chosen_pairs(self, values: dict[str, float]) -> tuple[Pair, ...]:
        """Pairs whose variable is 1 in a solver's ``values`` (rounded at 0.5)."""
        return tuple(pair for pair, var in self.x.items() if values.get(var.name, 0.0) > 0.5)


def _expr(terms: Iterable[tuple[pulp.LpVariable, float]], constant: float = 0.0):
    return pulp.LpAffineExpression(list(terms), constant=constant)


def _con(terms, sense: int, rhs: float) -> pulp.LpConstraint:
    return pulp.LpConstraint(_expr(terms), sense=sense, rhs=rhs)


def _index_pair(problem: MatchingProblem, pair: Pair, what: str) -> tuple[int, int]:
    r, s = pair
    if not problem.is_recipient(r) or not problem.is_supporter(s):
        raise InputError(
            f"{what} pair ({r!r}, {s!r}) must name a recipient then a supporter of this problem"
        )
    return problem.r_index(r), problem.s_index(s)


def check_rules(problem: MatchingProblem, settings: MatchSettings) -> None:
    """Reject rules that name counties outside the problem (all problems reported together)."""
    problems = []
    for what, pairs in (("lock", settings.rules.locks), ("forbid", settings.rules.forbids)):
        for pair in pairs:
            try:
                _index_pair(problem, pair, what)
            except InputError as exc:
                problems.extend(exc.problems)
    if problems:
        raise InputError(problems)


def add_recipient_demand(m: MatchModel) -> None:
    r"""Each recipient gets exactly :math:`d` supporters: :math:`\sum_s x_{rs} = d \;\forall r`.

    Named ``recipient_demand[r]``.
    """
    p, d = m.problem, m.settings.rules.recipient_demand
    for i, r in enumerate(p.recipients):
        terms = [(m.x[r, s], 1.0) for s in p.supporters]
        m.add("recipient_demand", r, str(i), _con(terms, pulp.LpConstraintEQ, d))


def add_supporter_capacity(m: MatchModel) -> None:
    r"""Each supporter takes at most :math:`k` recipients: :math:`\sum_r x_{rs} \le k \;\forall s`.

    Named ``supporter_capacity[s]``. With the plan's square one-to-one instance the demand
    rows already force equality. Nothing is added when :math:`k \ge |R|` (never binding).
    """
    p, k = m.problem, m.settings.rules.supporter_capacity
    if k >= len(p.recipients):
        return
    for j, s in enumerate(p.supporters):
        terms = [(m.x[r, s], 1.0) for r in p.recipients]
        m.add("supporter_capacity", s, str(j), _con(terms, pulp.LpConstraintLE, k))


def add_lock(m: MatchModel) -> None:
    r"""Locked pairs are chosen: :math:`x_{rs} = 1 \;\forall (r,s) \in \text{locks}`.

    Named ``lock[r,s]``.
    """
    for r, s in m.settings.rules.locks:
        i, j = _index_pair(m.problem, (r, s), "lock")
        m.add("lock", f"{r},{s}", f"{i}_{j}", _con([(m.x[r, s], 1.0)], pulp.LpConstraintEQ, 1))


def add_forbid(m: MatchModel) -> None:
    r"""Forbidden pairs are not chosen: :math:`x_{rs} = 0 \;\forall (r,s) \in \text{forbids}`.

    Named ``forbid[r,s]``.
    """
    for r, s in m.settings.rules.forbids:
        i, j = _index_pair(m.problem, (r, s), "forbid")
        m.add("forbid", f"{r},{s}", f"{i}_{j}", _con([(m.x[r, s], 1.0)], pulp.LpConstraintEQ, 0))


def add_max_distance(m: MatchModel) -> None:
    r"""Distance cap :math:`D`: :math:`x_{rs} = 0 \;\forall (r,s): d_{rs} > D`.

    Named ``max_distance[r,s]``; nothing is added when :math:`D = \infty`.
    """
    cap, p = m.settings.rules.max_distance, m.problem
    if not np.isfinite(cap):
        return
    for i, j in np.argwhere(np.asarray(p.distance) > cap):
        r, s = p.recipients[i], p.supporters[j]
        m.add(
            "max_distance", f"{r},{s}", f"{i}_{j}", _con([(m.x[r, s], 1.0)], pulp.LpConstraintEQ, 0)
        )


def _groups(ids: Iterable[str], prefecture: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in ids:
        out.setdefault(prefecture.get(c, ""), []).append(c)
    return dict(sorted(out.items()))


def add_prefecture_spread(m: MatchModel) -> None:
    r"""Spread across prefectures: for recipient prefecture P and supporter prefecture Q.

    .. math::  \sum_{r \in P} \sum_{s \in Q} x_{rs} \le k

    (at most :math:`k` recipients of one prefecture served from one supporter prefecture).
    Named ``prefecture_spread[P,Q]``; only (P, Q) combinations that could exceed :math:`k`
    — :math:`\min(d|P|, \text{cap}\,|Q|) > k` — get a row. :math:`k = 0` means no rule.
    """
    k, p, rules = m.settings.rules.prefecture_spread, m.problem, m.settings.rules
    if k <= 0:
        return
    pref = dict(p.prefecture)
    r_groups, s_groups = _groups(p.recipients, pref), _groups(p.supporters, pref)
    for a, (rp, rs) in enumerate(r_groups.items()):
        for b, (sp, ss) in enumerate(s_groups.items()):
            if min(rules.recipient_demand * len(rs), rules.supporter_capacity * len(ss)) <= k:
                continue
            terms = [(m.x[r, s], 1.0) for r in rs for s in ss]
            m.add(
                "prefecture_spread", f"{rp},{sp}", f"{a}_{b}", _con(terms, pulp.LpConstraintLE, k)
            )


def add_min_pair_score(m: MatchModel) -> None:
    r"""Minimum pair score: :math:`x_{rs} = 0 \;\forall (r,s): c_{rs} < \underline{c}`.

    Named ``min_pair_score[r,s]``; nothing is added when :math:`\underline{c} = 0`.
    """
    floor, p = m.settings.rules.min_pair_score, m.problem
    if floor <= 0:
        return
    for i, j in np.argwhere(p.score < floor - 1e-12):
        r, s = p.recipients[i], p.supporters[j]
        m.add(
            "min_pair_score",
            f"{r},{s}",
            f"{i}_{j}",
            _con([(m.x[r, s], 1.0)], pulp.LpConstraintEQ, 0),
        )


def add_max_changes(m: MatchModel) -> None:
    r"""Continuity: at most :math:`C` incumbent pairs are given up.

    .. math::  \sum_{(r,s) \in I} (1 - x_{rs}) \le C

    Named ``max_changes``; nothing is added without an incumbent or with :math:`C = -1`.
    """
    c, p = m.settings.rules.max_changes, m.problem
    if c < 0 or not p.incumbent:
        return
    terms = [(m.x[r, s], 1.0) for r, s in p.incumbent]
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
    ranks below every listed one, so only mutually acceptable pairs can block. Named
    ``stability[r,s]``; nothing is added unless ``rules.stable``.
    """
    if not m.settings.rules.stable:
        return
    p, k = m.problem, m.settings.rules.supporter_capacity
    k = min(k, len(p.recipients))
    for r, s in acceptable_pairs(p):
        r_list, s_list = p.recipient_prefs[r], p.supporter_prefs[s]
        terms = [(m.x[r, s2], float(k)) for s2 in r_list[: r_list.index(s) + 1]]
        terms += [(m.x[r2, s], 1.0) for r2 in s_list[: s_list.index(r)]]
        i, j = p.r_index(r), p.s_index(s)
        m.add("stability", f"{r},{s}", f"{i}_{j}", _con(terms, pulp.LpConstraintGE, k))


def add_maxmin_floor(m: MatchModel) -> None:
    r"""With objective ``maxmin``: :math:`t` is at most every chosen pair's score.

    With one supporter per recipient, per recipient (tight):
    :math:`t \le \sum_s c_{rs} x_{rs}`, named ``maxmin_floor[r]``. With
    :math:`d > 1`, per pair: :math:`t \le c_{rs} + (1 - x_{rs})` (scores lie in [0, 1]), named
    ``maxmin_floor[r,s]``. Nothing is added for ``weighted_sum``.
    """
    if m.settings.objective != "maxmin":
        return
    p = m.problem
    t = pulp.LpVariable("worst_pair_score", lowBound=0.0, upBound=1.0)
    m.worst = t
    score = p.score
    for i, r in enumerate(p.recipients):
        if m.settings.rules.recipient_demand == 1:
            terms = [(t, 1.0)] + [
                (m.x[r, s], -float(score[i, j])) for j, s in enumerate(p.supporters)
            ]
            m.add("maxmin_floor", r, str(i), _con(terms, pulp.LpConstraintLE, 0.0))
        else:
            for j, s in enumerate(p.supporters):
                terms = [(t, 1.0), (m.x[r, s], 1.0)]
                m.add(
                    "maxmin_floor",
                    f"{r},{s}",
                    f"{i}_{j}",
                    _con(terms, pulp.LpConstraintLE, 1.0 + float(score[i, j])),
                )


def weighted_objective(m: MatchModel) -> pulp.LpAffineExpression:
    r"""The weighted-sum objective.

    .. math::  \sum_{rs} c_{rs} x_{rs} - \pi \sum_{(r,s)\in I} (1 - x_{rs})

    :math:`\pi` is ``rules.change_penalty`` (score units per incumbent pair given up).
    """
    p, pen = m.problem, m.settings.rules.change_penalty
    coef = {pair: float(v) for pair, v in zip(m.x, p.score.ravel(), strict=True)}
    constant = 0.0
    if pen > 0:
        for pair in p.incumbent:
            coef[pair] += pen
            constant -= pen
    return _expr(((m.x[pair], c) for pair, c in coef.items()), constant)


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


def build(problem: MatchingProblem, settings: MatchSettings | None = None) -> MatchModel:
    """Build the pairing integer program for ``problem`` under ``settings``.

    Variables ``x_i_j`` (binary, positions in ``problem.recipients`` / ``supporters``), the
    constraint families of :data:`FAMILIES` in that order, and the first objective.
    """
    settings = settings or MatchSettings()
    check_rules(problem, settings)
    lp = pulp.LpProblem("shanchuan_matching", pulp.LpMaximize)
    x = {
        (r, s): pulp.LpVariable(f"x_{i}_{j}", cat=pulp.LpBinary)
        for i, r in enumerate(problem.recipients)
        for j, s in enumerate(problem.supporters)
    }
    m = MatchModel(lp=lp, x=x, problem=problem, settings=settings)
    for family in FAMILIES:
        ADDERS[family](m)
    set_objective(m)
    return m


#: Family name -> the function adding it (the order of :data:`FAMILIES`).
ADDERS = {
    "recipient_demand": add_recipient_demand,
    "supporter_capacity": add_supporter_capacity,
    "lock": add_lock,
    "forbid": add_forbid,
    "max_distance": add_max_distance,
    "prefecture_spread": add_prefecture_spread,
    "min_pair_score": add_min_pair_score,
    "max_changes": add_max_changes,
    "stability": add_stability,
    "maxmin_floor": add_maxmin_floor,
}
