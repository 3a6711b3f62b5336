r"""The pairing rules, one record each: every part of a rule's meaning in one place.

A :class:`Rule` says, for one rule family:

``fields`` / ``reads``
    the :class:`~matching.options.MatchRules` fields it owns (each field is owned by exactly
    one record) and the other settings it reads (``objective``, ...);
model part
    ``rows`` — an ``add_*`` function adding a row family to the :class:`~matching.model.MatchModel`
    (the functions with their math stay in :mod:`matching.model`), and/or ``exclude`` — the
    (row, column) cells the rule removes, ``fix`` — cells it forces, ``weight`` — its term of
    the objective coefficients. The last three make up the :class:`PairTable`, the one
    allowed-mask and objective-weights of every route (:func:`pair_table`);
``check``
    its independent check for :func:`matching.verify`: problems found in a pairing, from the
    problem's matrices alone (``term``: its term of the recomputed objective);
``blocks``
    the route predicate: for each shortcut :class:`Route`, ``None`` when the rule as set keeps
    the route exact, else the reason it does not;
``diagnosis``
    a :class:`DiagnosisPart` — its rule items with labels in Chinese and English, how to drop
    them, its relaxation candidates and texts — or :class:`NotARuleItem` with the reason the
    rule is not something a planner drops (the shape of the programme, an objective).

:data:`REGISTRY` holds the records in a fixed order: :func:`matching.build` adds the row
families in that order and :func:`matching.verify` reports problems in it. The fast path's
applicability (:func:`matching.fastpath.why_not`), the assignment form
(:func:`matching.forcing.is_assignment`), the Lagrangian route
(:func:`matching.lagrange.why_not`) and the diagnosis's groups, items, drops and relaxations
are all read from the records, so a new rule is one record (``docs/adding-a-pairing-rule.md``):

>>> [rule.name for rule in REGISTRY][:3]
['recipient_demand', 'supporter_capacity', 'lock']
>>> from matching.instances import make_problem
>>> blocked(make_problem(4, 4), MatchSettings(rules=MatchRules(stable=True)), Route.FAST_PATH)
'stability'
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from matching import model
from matching.explain import check_language
from matching.model import MatchModel, spread_groups
from matching.options import MatchRules, MatchSettings
from matching.problem import MatchingProblem
from matching.stability import blocking_rows

Pair = tuple[str, str]
Cell = tuple[int, int]

__all__ = [
    "OFF",
    "REGISTRY",
    "Chosen",
    "DiagnosisPart",
    "NotARuleItem",
    "PairTable",
    "Relaxation",
    "Route",
    "Rule",
    "RuleItem",
    "blocked",
    "find",
    "missing_parts",
    "pair_table",
    "records",
    "register",
    "unregister",
]


class Route(enum.StrEnum):
    """The shortcut routes that are exact only for some rules."""

    FAST_PATH = "fast_path"
    """One-to-one assignment by scipy (:mod:`matching.fastpath`)."""
    ASSIGNMENT_FORM = "assignment_form"
    """One supporter per recipient, rules on single pairs only (forcing costs, alternatives,
    sensitivity, diagnosis; :mod:`matching.forcing`)."""
    LAGRANGIAN = "lagrangian"
    """The assignment with the prefecture-spread rows relaxed (:mod:`matching.lagrange`)."""


@dataclass(frozen=True)
class RuleItem:
    """One rule a planner can drop: a lock, a forbid, or one numeric/boolean rule."""

    group: str
    pair: Pair | None
    value: float | int | bool | None
    label_zh: str
    label_en: str

    def label(self, language: str = "zh") -> str:
        """The rule in planners' words."""
        return self.label_zh if check_language(language) == "zh" else self.label_en

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return {
            "group": self.group,
            "pair": list(self.pair) if self.pair else None,
            "value": self.value,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
        }


@dataclass(frozen=True)
class Relaxation:
    """The smallest relaxation of one numeric rule that alone restores feasibility."""

    group: str
    current: float | int
    value: float | int | None
    """The relaxed value (exact threshold), or ``None`` if relaxing this rule cannot help."""
    text_zh: str
    text_en: str

    def text(self, language: str = "zh") -> str:
        """The relaxation in planners' words."""
        return self.text_zh if check_language(language) == "zh" else self.text_en

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return {
            "group": self.group,
            "current": self.current,
            "value": self.value,
            "text_zh": self.text_zh,
            "text_en": self.text_en,
        }


@dataclass(frozen=True)
class Chosen:
    """What a rule's check sees: a pairing, resolved against the problem."""

    problem: MatchingProblem
    settings: MatchSettings
    pairs: list[Pair]
    """The distinct chosen pairs that name counties of the problem."""
    cells: np.ndarray
    """(k, 2) positions of :attr:`pairs`."""
    scores: np.ndarray
    """Weighted score of each of :attr:`pairs`."""
    changes: int
    """Incumbent pairs not kept."""

    @property
    def rules(self) -> MatchRules:
        """The rules being checked."""
        return self.settings.rules


#: ``feasible(rules)``: whether the rules (all other items kept) admit a pairing.
Feasible = Callable[[MatchRules], bool]
#: What a diagnosis drop returns to leave the record out of the rules in force (a record
#: whose parameters live in the record itself, not in :class:`MatchRules`).
OFF = None


@dataclass(frozen=True)
class DiagnosisPart:
    """How :func:`matching.diagnose` treats one rule."""

    group: str
    """The :attr:`RuleItem.group` of its items."""
    items: Callable[[MatchingProblem, MatchRules], list[RuleItem]]
    """Its items with labels in both languages; empty when the rule is not in force."""
    drop: Callable[[MatchingProblem, MatchRules, Sequence[RuleItem]], dict[str, object] | None]
    """The :class:`MatchRules` changes that drop the given items of this group, or :data:`OFF`
    to leave the record out."""
    relax: Callable[[MatchingProblem, MatchRules, Feasible], list[Relaxation]]
    """Its smallest single relaxations (empty when it has no numeric value to relax)."""
    filter_rank: int
    """Position of its items in the deletion filter (and in :attr:`Diagnosis.items`)."""
    repair_rank: int
    """Position in the repair search: low ranks are kept first (programme-wide rules), so the
    repair drops the high ranks (individual requests) first."""
    relax_rank: int
    """Position of its relaxations in the report."""


@dataclass(frozen=True)
class NotARuleItem:
    """The diagnosis part of a rule a planner does not drop, with the reason."""

    reason: str


@dataclass(frozen=True)
class Rule:
    """One rule family, every part of it (see the module doc)."""

    name: str
    """The family name (``"prefecture_spread"``): the model's rows, the exclusion and the
    record are known by it."""
    fields: tuple[str, ...]
    """The :class:`MatchRules` fields this record owns."""
    check: Callable[[Chosen], list[str]]
    """Problems of a pairing under this rule (empty when it holds), messages for planners."""
    blocks: Callable[[MatchingProblem, MatchSettings, Route], str | None]
    """``None`` when the rule keeps ``route`` exact, else the reason."""
    diagnosis: DiagnosisPart | NotARuleItem
    rows: Callable[[MatchModel], None] | None = None
    """The ``add_*`` function of its row family."""
    exclude: Callable[[MatchingProblem, MatchSettings], list[Cell]] | None = None
    """The cells the rule removes (no variable in the model, not allowed on the routes)."""
    fix: Callable[[MatchingProblem, MatchSettings], list[Cell]] | None = None
    """The cells the rule forces (the fixed cells of the assignment form)."""
    weight: Callable[[MatchingProblem, MatchSettings], tuple[np.ndarray | None, float]] | None = (
        None
    )
    """Its term of the objective: coefficients added to every pair (``None`` when the term is
    zero everywhere) and a constant."""
    term: Callable[[Chosen], float] | None = None
    """Its term of the objective recomputed by :func:`matching.verify`."""
    reads: tuple[str, ...] = ()
    """Other :class:`MatchSettings` options the record reads."""
    example: Mapping[str, object] = field(default_factory=dict)
    """:class:`MatchRules` changes that put the rule in force (structural tests and docs)."""

    @property
    def model_parts(self) -> tuple[str, ...]:
        """Which model parts the record has (``rows``, ``exclude``, ``fix``, ``weight``)."""
        return tuple(p for p in ("rows", "exclude", "fix", "weight") if getattr(self, p))


def never(problem: MatchingProblem, settings: MatchSettings, route: Route) -> str | None:
    """Route predicate of a rule every route handles exactly."""
    return None


def no_check(chosen: Chosen) -> list[str]:
    """Check of a record that constrains nothing (an objective term: see ``term``)."""
    return []


def no_relaxation(
    problem: MatchingProblem, rules: MatchRules, feasible: Feasible
) -> list[Relaxation]:
    """Relaxations of a rule with no numeric value: none (dropping it is the only way)."""
    return []


# ------------------------------------------------------------------------------- labels


def _num(value: float) -> str:
    return f"{value:g}"


def _unit(problem: MatchingProblem, language: str) -> str:
    if problem.distance_unit == "min":
        return "分钟" if language == "zh" else "min"
    return "公里" if language == "zh" else "km"


def cannot(group: str, current: float, label_zh: str, label_en: str) -> Relaxation:
    """The relaxation of a rule that relaxing alone cannot repair."""
    return Relaxation(
        group,
        current,
        None,
        f"仅放宽“{label_zh}”不能恢复可行",
        f"relaxing '{label_en}' alone does not restore feasibility",
    )


def smallest(candidates: Sequence[float], ok: Callable[[float], bool]) -> float | None:
    """First candidate (in the given order) for which ``ok`` holds, by bisection.

    ``ok`` must be monotone along ``candidates`` (false ... false true ... true).
    """
    if not candidates or not ok(candidates[-1]):
        return None
    lo, hi = -1, len(candidates) - 1  # ok(candidates[hi]) holds; lo is "not ok" (or before 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(candidates[mid]):
            hi = mid
        else:
            lo = mid
    return candidates[hi]


def _integer_relaxation(
    group: str,
    current: int,
    upper: int,
    feasible: Callable[[int], bool],
    texts: tuple[str, str],
    labels: tuple[str, str],
) -> list[Relaxation]:
    """The smallest integer above ``current`` (up to ``upper``) that restores feasibility."""
    v = smallest(list(range(int(current) + 1, upper + 1)), lambda k: feasible(int(k)))
    if v is None:
        return [cannot(group, current, labels[0].format(a=current), labels[1].format(a=current))]
    zh, en = texts
    return [
        Relaxation(
            group,
            current,
            int(v),
            zh.format(a=current, b=int(v)),
            en.format(a=current, b=int(v)),
        )
    ]


# ------------------------------------------------------------------- recipient demand


def _check_recipient_demand(c: Chosen) -> list[str]:
    d = c.rules.recipient_demand
    per_r = np.bincount(c.cells[:, 0], minlength=len(c.problem.recipients))
    if per_r.min() == d == per_r.max():
        return []
    bad = np.flatnonzero(per_r != d)
    short = [(c.problem.recipients[i], int(per_r[i])) for i in bad]
    return [f"recipients must get exactly {d} supporter(s); (recipient, count): {short}"]


def _one_to_one_demand(problem: MatchingProblem, settings: MatchSettings, route: Route):
    return "not one-to-one" if settings.rules.recipient_demand != 1 else None


RECIPIENT_DEMAND = Rule(
    name="recipient_demand",
    fields=("recipient_demand",),
    rows=model.add_recipient_demand,
    check=_check_recipient_demand,
    blocks=_one_to_one_demand,
    diagnosis=NotARuleItem("how many supporters each recipient gets is the programme's shape"),
    example={"recipient_demand": 2, "supporter_capacity": 2},
)


# ----------------------------------------------------------------- supporter capacity


def _check_supporter_capacity(c: Chosen) -> list[str]:
    k = c.rules.supporter_capacity
    per_s = np.bincount(c.cells[:, 1], minlength=len(c.problem.supporters))
    if not len(per_s) or per_s.max() <= k:
        return []
    over = [(c.problem.supporters[j], int(per_s[j])) for j in np.flatnonzero(per_s > k)]
    if not over:
        return []
    return [f"supporters over capacity {k}; (supporter, count): {sorted(over)}"]


def _capacity_blocks(problem: MatchingProblem, settings: MatchSettings, route: Route):
    if route == Route.ASSIGNMENT_FORM:
        return None  # the form gives each supporter `capacity` slots
    if settings.rules.supporter_capacity != 1:
        return "not one-to-one"
    if len(problem.recipients) > len(problem.supporters):
        return "more recipients than supporters"
    return None


def _capacity_items(problem: MatchingProblem, rules: MatchRules) -> list[RuleItem]:
    k = rules.supporter_capacity
    if k >= len(problem.recipients):
        return []
    return [
        RuleItem(
            "supporter_capacity", None, k, f"每个支援方最多 {k} 个受援方", f"supporter capacity {k}"
        )
    ]


def _capacity_relax(problem: MatchingProblem, rules: MatchRules, feasible: Feasible):
    if not _capacity_items(problem, rules):
        return []
    return _integer_relaxation(
        "supporter_capacity",
        rules.supporter_capacity,
        len(problem.recipients),
        lambda k: feasible(replace(rules, supporter_capacity=k)),
        ("将支援方容量由 {a} 提高到 {b}", "raise the supporter capacity from {a} to {b}"),
        ("每个支援方最多 {a} 个受援方", "supporter capacity {a}"),
    )


SUPPORTER_CAPACITY = Rule(
    name="supporter_capacity",
    fields=("supporter_capacity",),
    rows=model.add_supporter_capacity,
    check=_check_supporter_capacity,
    blocks=_capacity_blocks,
    diagnosis=DiagnosisPart(
        group="supporter_capacity",
        items=_capacity_items,
        drop=lambda problem, rules, items: {"supporter_capacity": len(problem.recipients)},
        relax=_capacity_relax,
        filter_rank=8,
        repair_rank=1,
        relax_rank=5,
    ),
    example={"supporter_capacity": 2},
)


# ------------------------------------------------------------------------------ locks


def _cell_codes(problem: MatchingProblem, cells: np.ndarray) -> np.ndarray:
    """One integer per (row, column) cell; -1 for a cell naming an unknown county."""
    codes = cells[:, 0] * len(problem.supporters) + cells[:, 1]
    return np.where((cells >= 0).all(axis=1), codes, -1)


def _listed_in(c: Chosen, pairs: Sequence[Pair]) -> np.ndarray:
    """Whether each of ``pairs`` (a rule's list) is among the chosen pairs (vectorised)."""
    ri, si = c.problem.positions(pairs)
    listed = _cell_codes(c.problem, np.stack([ri, si], axis=1))
    return np.isin(listed, _cell_codes(c.problem, c.cells)) & (listed >= 0)


def _check_lock(c: Chosen) -> list[str]:
    locks = c.rules.locks
    if not locks:
        return []
    missing = [locks[k] for k in np.flatnonzero(~_listed_in(c, locks))]
    return [f"locked pairs not chosen: {missing}"] if missing else []


def _lock_cells(problem: MatchingProblem, settings: MatchSettings) -> list[Cell]:
    return [model.index_pair(problem, pair, "lock") for pair in settings.rules.locks]


def _pair_items(group: str, zh: str, en: str, pairs_of: Callable[[MatchRules], tuple]):
    def items(problem: MatchingProblem, rules: MatchRules) -> list[RuleItem]:
        n = problem.name
        return [
            RuleItem(group, (r, s), None, f"{zh} {n(r)}–{n(s)}", f"{en} {n(r)}–{n(s)}")
            for r, s in pairs_of(rules)
        ]

    return items


def _drop_pairs(key: str):
    def drop(problem: MatchingProblem, rules: MatchRules, items: Sequence[RuleItem]):
        gone = {i.pair for i in items}
        return {key: tuple(p for p in getattr(rules, key) if p not in gone)}

    return drop


LOCK = Rule(
    name="lock",
    fields=("locks",),
    rows=model.add_lock,
    fix=_lock_cells,
    check=_check_lock,
    blocks=never,
    diagnosis=DiagnosisPart(
        group="locks",
        items=_pair_items("locks", "锁定", "lock", lambda rules: rules.locks),
        drop=_drop_pairs("locks"),
        relax=no_relaxation,
        filter_rank=1,
        repair_rank=8,
        relax_rank=0,
    ),
    example={"locks": (("r0", "s0"),)},
)


# ---------------------------------------------------------------------------- forbids


def _check_forbid(c: Chosen) -> list[str]:
    forbids = c.rules.forbids
    if not forbids:
        return []
    bad = [forbids[k] for k in np.flatnonzero(_listed_in(c, forbids))]
    return [f"forbidden pairs chosen: {bad}"] if bad else []


FORBID = Rule(
    name="forbid",
    fields=("forbids",),
    exclude=model.exclude_forbid,
    check=_check_forbid,
    blocks=never,
    diagnosis=DiagnosisPart(
        group="forbids",
        items=_pair_items("forbids", "禁止", "forbid", lambda rules: rules.forbids),
        drop=_drop_pairs("forbids"),
        relax=no_relaxation,
        filter_rank=2,
        repair_rank=7,
        relax_rank=0,
    ),
    example={"forbids": (("r0", "s0"),)},
)


# ----------------------------------------------------------------------- max distance


def _check_max_distance(c: Chosen) -> list[str]:
    cap = c.rules.max_distance
    if not math.isfinite(cap) or not len(c.cells):
        return []
    d = np.asarray(c.problem.distance)[c.cells[:, 0], c.cells[:, 1]]
    far = [(c.pairs[i], float(d[i])) for i in np.flatnonzero(d > cap)]
    if not far:
        return []
    return [f"pairs beyond max_distance {cap:g} {c.problem.distance_unit}: {far}"]


def _distance_label(problem: MatchingProblem, cap: float) -> tuple[str, str]:
    d = _num(cap)
    return f"最大距离 {d} {_unit(problem, 'zh')}", f"max distance {d} {_unit(problem, 'en')}"


def _distance_items(problem: MatchingProblem, rules: MatchRules) -> list[RuleItem]:
    if not math.isfinite(rules.max_distance):
        return []
    zh, en = _distance_label(problem, rules.max_distance)
    return [RuleItem("max_distance", None, rules.max_distance, zh, en)]


def _distance_relax(problem: MatchingProblem, rules: MatchRules, feasible: Feasible):
    cap = rules.max_distance
    if not math.isfinite(cap):
        return []
    dist = np.unique(np.asarray(problem.distance, dtype=float))
    cands = [float(d) for d in dist if d > cap]
    v = smallest(cands, lambda d: feasible(replace(rules, max_distance=d)))
    if v is None:
        return [cannot("max_distance", cap, *_distance_label(problem, cap))]
    old, shown = _num(cap), math.ceil(v)
    zh, en = _unit(problem, "zh"), _unit(problem, "en")
    return [
        Relaxation(
            "max_distance",
            cap,
            v,
            f"将最大距离由 {old} {zh} 提高到 {shown} {zh}",
            f"raise the distance cap from {old} {en} to {shown} {en}",
        )
    ]


MAX_DISTANCE = Rule(
    name="max_distance",
    fields=("max_distance",),
    exclude=model.exclude_max_distance,
    check=_check_max_distance,
    blocks=never,
    diagnosis=DiagnosisPart(
        group="max_distance",
        items=_distance_items,
        drop=lambda problem, rules, items: {"max_distance": math.inf},
        relax=_distance_relax,
        filter_rank=3,
        repair_rank=5,
        relax_rank=1,
    ),
    example={"max_distance": 300.0},
)


# ------------------------------------------------------------------ prefecture spread


def _check_spread(c: Chosen) -> list[str]:
    k = c.rules.prefecture_spread
    if k <= 0:
        return []
    r_code, s_code, names = c.problem.prefecture_codes
    key = r_code[c.cells[:, 0]] * len(names) + s_code[c.cells[:, 1]]
    counts = np.bincount(key, minlength=len(names) ** 2)
    over = np.flatnonzero(counts > k)
    if not over.size:
        return []
    crowded = sorted(
        ((names[int(q) // len(names)], names[int(q) % len(names)]), int(counts[q])) for q in over
    )
    if not crowded:
        return []
    return [
        f"more than {k} pair(s) between one recipient prefecture and "
        f"one supporter prefecture: {crowded}"
    ]


def spread_can_bind(problem: MatchingProblem, settings: MatchSettings) -> bool:
    """Whether ``prefecture_spread`` can cut any pairing (else it adds no row)."""
    return bool(spread_groups(problem, settings))


def _spread_blocks(problem: MatchingProblem, settings: MatchSettings, route: Route):
    if route == Route.ASSIGNMENT_FORM:
        return "prefecture_spread" if settings.rules.prefecture_spread > 0 else None
    binds = spread_can_bind(problem, settings)
    if route == Route.LAGRANGIAN:  # the route exists to relax these rows
        return None if binds else "no prefecture spread that can bind"
    return "prefecture_spread can bind" if binds else None


def _spread_items(problem: MatchingProblem, rules: MatchRules) -> list[RuleItem]:
    k = rules.prefecture_spread
    if k <= 0:
        return []
    return [RuleItem("prefecture_spread", None, k, f"市州分散 ≤ {k}", f"prefecture spread ≤ {k}")]


def _spread_relax(problem: MatchingProblem, rules: MatchRules, feasible: Feasible):
    if rules.prefecture_spread <= 0:
        return []
    return _integer_relaxation(
        "prefecture_spread",
        rules.prefecture_spread,
        len(problem.recipients),
        lambda k: feasible(replace(rules, prefecture_spread=k)),
        ("将市州分散上限由 {a} 放宽到 {b}", "raise the prefecture spread from {a} to {b}"),
        ("市州分散 ≤ {a}", "prefecture spread ≤ {a}"),
    )


PREFECTURE_SPREAD = Rule(
    name="prefecture_spread",
    fields=("prefecture_spread",),
    rows=model.add_prefecture_spread,
    check=_check_spread,
    blocks=_spread_blocks,
    diagnosis=DiagnosisPart(
        group="prefecture_spread",
        items=_spread_items,
        drop=lambda problem, rules, items: {"prefecture_spread": 0},
        relax=_spread_relax,
        filter_rank=4,
        repair_rank=3,
        relax_rank=3,
    ),
    example={"prefecture_spread": 1},
)


# --------------------------------------------------------------------- min pair score


def _check_min_score(c: Chosen) -> list[str]:
    floor = c.rules.min_pair_score
    if floor <= 0 or not len(c.cells):
        return []
    low = [(c.pairs[i], float(c.scores[i])) for i in np.flatnonzero(c.scores < floor - 1e-12)]
    return [f"pairs below min_pair_score {floor:g}: {low}"] if low else []


def _min_score_items(problem: MatchingProblem, rules: MatchRules) -> list[RuleItem]:
    if rules.min_pair_score <= 0:
        return []
    v = _num(rules.min_pair_score)
    return [
        RuleItem(
            "min_pair_score", None, rules.min_pair_score, f"最低结对得分 {v}", f"min pair score {v}"
        )
    ]


def _min_score_relax(problem: MatchingProblem, rules: MatchRules, feasible: Feasible):
    floor = rules.min_pair_score
    if floor <= 0:
        return []
    scores = np.unique(problem.score)
    cands = [float(s) for s in scores[::-1] if s < floor - 1e-12]
    v = smallest(cands, lambda s: feasible(replace(rules, min_pair_score=max(s, 0.0))))
    old = _num(floor)
    if v is None:
        return [cannot("min_pair_score", floor, f"最低结对得分 {old}", f"min pair score {old}")]
    shown = math.floor(v * 1000) / 1000
    return [
        Relaxation(
            "min_pair_score",
            floor,
            v,
            f"将最低结对得分由 {old} 降到 {shown:g}",
            f"lower the min pair score from {old} to {shown:g}",
        )
    ]


MIN_PAIR_SCORE = Rule(
    name="min_pair_score",
    fields=("min_pair_score",),
    exclude=model.exclude_min_pair_score,
    check=_check_min_score,
    blocks=never,
    diagnosis=DiagnosisPart(
        group="min_pair_score",
        items=_min_score_items,
        drop=lambda problem, rules, items: {"min_pair_score": 0.0},
        relax=_min_score_relax,
        filter_rank=5,
        repair_rank=6,
        relax_rank=2,
    ),
    example={"min_pair_score": 0.3},
)


# ------------------------------------------------------------------------ max changes


def _changes_limited(problem: MatchingProblem, rules: MatchRules) -> bool:
    return rules.max_changes >= 0 and bool(problem.incumbent)


def _check_changes(c: Chosen) -> list[str]:
    if not _changes_limited(c.problem, c.rules) or c.changes <= c.rules.max_changes:
        return []
    return [f"{c.changes} incumbent pairs given up, more than max_changes = {c.rules.max_changes}"]


def _changes_items(problem: MatchingProblem, rules: MatchRules) -> list[RuleItem]:
    if not _changes_limited(problem, rules):
        return []
    c = rules.max_changes
    return [
        RuleItem(
            "max_changes",
            None,
            c,
            f"较现行结对最多调整 {c} 对",
            f"at most {c} changes from the incumbent",
        )
    ]


def _changes_relax(problem: MatchingProblem, rules: MatchRules, feasible: Feasible):
    if not _changes_limited(problem, rules):
        return []
    return _integer_relaxation(
        "max_changes",
        rules.max_changes,
        len(problem.incumbent),
        lambda k: feasible(replace(rules, max_changes=k)),
        ("将允许调整由 {a} 对增加到 {b} 对", "allow {b} changes from the incumbent instead of {a}"),
        ("较现行结对最多调整 {a} 对", "at most {a} changes from the incumbent"),
    )


MAX_CHANGES = Rule(
    name="max_changes",
    fields=("max_changes",),
    rows=model.add_max_changes,
    check=_check_changes,
    blocks=lambda problem, settings, route: (
        "max_changes" if _changes_limited(problem, settings.rules) else None
    ),
    diagnosis=DiagnosisPart(
        group="max_changes",
        items=_changes_items,
        drop=lambda problem, rules, items: {"max_changes": -1},
        relax=_changes_relax,
        filter_rank=6,
        repair_rank=4,
        relax_rank=4,
    ),
    example={"max_changes": 1},
)


# -------------------------------------------------------------------------- stability


def _check_stable(c: Chosen) -> list[str]:
    if not c.rules.stable:
        return []
    rows = blocking_rows(c.problem, c.pairs, c.rules)
    blocking = [(row["recipient"], row["supporter"]) for row in rows]
    return [f"blocking pairs (the pairing is not stable): {blocking}"] if blocking else []


STABILITY = Rule(
    name="stability",
    fields=("stable",),
    rows=model.add_stability,
    check=_check_stable,
    blocks=lambda problem, settings, route: "stability" if settings.rules.stable else None,
    diagnosis=DiagnosisPart(
        group="stable",
        items=lambda problem, rules: (
            [RuleItem("stable", None, True, "稳定性（无阻塞对）", "stability (no blocking pair)")]
            if rules.stable
            else []
        ),
        drop=lambda problem, rules, items: {"stable": False},
        relax=no_relaxation,
        filter_rank=7,
        repair_rank=2,
        relax_rank=0,
    ),
    example={"stable": True},
)


# --------------------------------------------------------------------- change penalty


def _penalty_weight(
    problem: MatchingProblem, settings: MatchSettings
) -> tuple[np.ndarray | None, float]:
    r"""The change penalty as objective coefficients.

    The term :math:`-\pi \sum_{(r,s) \in I} (1 - x_{rs})` is a bonus :math:`\pi` on every
    incumbent pair and the constant :math:`-\pi |I|`.
    """
    pen = settings.rules.change_penalty
    if pen <= 0 or not problem.incumbent:
        return None, 0.0  # no term: the pair table keeps the score matrix itself
    delta = np.zeros((len(problem.recipients), len(problem.supporters)))
    inc = problem.incumbent_cells
    np.add.at(delta, (inc[:, 0], inc[:, 1]), pen)
    return delta, -pen * len(problem.incumbent)


CHANGE_PENALTY = Rule(
    name="change_penalty",
    fields=("change_penalty",),
    weight=_penalty_weight,
    term=lambda c: -c.rules.change_penalty * c.changes,
    check=no_check,
    blocks=never,
    diagnosis=NotARuleItem("an objective penalty never makes the rules infeasible"),
    example={"change_penalty": 0.1},
)


# ----------------------------------------------------------------------------- maxmin


MAXMIN_FLOOR = Rule(
    name="maxmin_floor",
    fields=(),
    reads=("objective", "maxmin_tolerance"),
    rows=model.add_maxmin_floor,
    check=no_check,  # an objective: verify reports the worst pair score
    blocks=lambda problem, settings, route: (
        f"objective is {settings.objective!r}" if settings.objective != "weighted_sum" else None
    ),
    diagnosis=NotARuleItem("an objective, not a rule (the diagnosis solves the weighted sum)"),
)


#: The rule records in build and verify order.
REGISTRY: list[Rule] = [
    RECIPIENT_DEMAND,
    SUPPORTER_CAPACITY,
    LOCK,
    FORBID,
    MAX_DISTANCE,
    PREFECTURE_SPREAD,
    MIN_PAIR_SCORE,
    MAX_CHANGES,
    STABILITY,
    CHANGE_PENALTY,
    MAXMIN_FLOOR,
]


def missing_parts(rule: Rule) -> list[str]:
    """The parts ``rule`` lacks (empty when it is complete), checked on its ``example``.

    Every record needs a name, a ``check``, a route predicate ``blocks`` answering for every
    :class:`Route`, a model part (``rows``, ``exclude``, ``fix`` or ``weight``) and a
    diagnosis part: a :class:`NotARuleItem` with its reason, or a :class:`DiagnosisPart`
    whose items under the example carry labels in both languages and whose drop removes them.
    """
    from matching.instances import make_problem  # a small instance to try the parts on

    missing = []
    if not rule.name:
        missing.append("name")
    if not callable(rule.check):
        missing.append("check")
    if not callable(rule.blocks):
        missing.append("blocks (route predicate)")
    if not rule.model_parts:
        missing.append("model part (rows, exclude, fix or weight)")
    part = rule.diagnosis
    if isinstance(part, NotARuleItem):
        if not part.reason:
            missing.append("diagnosis (reason it is not a rule item)")
    elif not isinstance(part, DiagnosisPart):
        missing.append("diagnosis")
    else:
        parts = ("items", "drop", "relax")
        missing += [f"diagnosis.{a}" for a in parts if not callable(getattr(part, a))]
    if missing:
        return missing
    problem = make_problem(4, 4, seed=0)
    try:
        settings = MatchSettings(rules=MatchRules(**rule.example))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        return [f"example ({exc})"]
    for route in Route:
        reason = rule.blocks(problem, settings, route)
        if reason is not None and not (isinstance(reason, str) and reason):
            missing.append(f"blocks (answer for {route.value})")
    pairs = list(zip(problem.recipients, problem.supporters, strict=True))
    if not isinstance(rule.check(chosen(problem, settings, pairs)), list):
        missing.append("check (must return a list of problems)")
    if isinstance(part, DiagnosisPart):
        items = part.items(problem, settings.rules)
        if not items:
            missing.append("diagnosis items (none under the example)")
        if any(not i.label_zh for i in items):
            missing.append("label_zh")
        if any(not i.label_en for i in items):
            missing.append("label_en")
        if any(i.group != part.group for i in items):
            missing.append("diagnosis items (group differs from the part's)")
        change = part.drop(problem, settings.rules, items)
        if change is not OFF:
            dropped = replace(settings.rules, **change)  # type: ignore[arg-type]
            if part.items(problem, dropped):
                missing.append("diagnosis drop (the items remain)")
    return missing


def register(rule: Rule) -> Rule:
    """Add ``rule`` at the end of :data:`REGISTRY`.

    ``ValueError`` if the name is taken, a :class:`MatchRules` field it claims is claimed
    already, or a part is missing (:func:`missing_parts`).
    """
    if any(r.name == rule.name for r in REGISTRY):
        raise ValueError(f"a rule named {rule.name!r} is already registered")
    taken = claimed_fields()
    twice = [f for f in rule.fields if f in taken]
    if twice:
        raise ValueError(f"rule {rule.name!r} claims fields already claimed: {twice}")
    missing = missing_parts(rule)
    if missing:
        raise ValueError(f"rule {rule.name!r} lacks: {', '.join(missing)}")
    REGISTRY.append(rule)
    return rule


def unregister(name: str) -> Rule:
    """Remove the record named ``name`` from :data:`REGISTRY` and return it."""
    rule = find(name)
    REGISTRY.remove(rule)
    return rule


def find(name: str, registry: Iterable[Rule] | None = None) -> Rule:
    """The record named ``name`` (``KeyError`` listing the names when there is none)."""
    rules = records(registry)
    for rule in rules:
        if rule.name == name:
            return rule
    raise KeyError(f"no rule named {name!r}; known: {', '.join(r.name for r in rules)}")


def records(registry: Iterable[Rule] | None = None) -> tuple[Rule, ...]:
    """The records in force: ``registry``, or :data:`REGISTRY` when it is ``None``."""
    return tuple(REGISTRY if registry is None else registry)


def blocked(
    problem: MatchingProblem,
    settings: MatchSettings,
    route: Route,
    registry: Iterable[Rule] | None = None,
) -> str | None:
    """The first record's reason why ``route`` is not exact here, ``None`` when it is."""
    for rule in records(registry):
        reason = rule.blocks(problem, settings, route)
        if reason is not None:
            return reason
    return None


@dataclass(frozen=True)
class PairTable:
    """Every rule that acts on single pairs, as matrices (recipient × supporter).

    The one place the allowed pairs and the objective coefficients are computed: the model's
    variables and objective (:func:`matching.build`), the fast path, the assignment form and
    the Lagrangian route all read it.
    """

    weight: np.ndarray
    """Objective coefficient of each pair (score plus the records' ``weight`` terms)."""
    constant: float
    """Objective constant (sum of the records' ``weight`` constants)."""
    allowed: np.ndarray
    """Pairs no exclusion removes."""
    excluded: dict[str, list[Cell]]
    """Exclusion record -> the cells it removes, in its order (records removing nothing are
    absent)."""
    fixed: tuple[Cell, ...]
    """Cells that ``fix`` records force, in record order."""


def pair_table(
    problem: MatchingProblem, settings: MatchSettings, registry: Iterable[Rule] | None = None
) -> PairTable:
    """The :class:`PairTable` of ``problem`` under ``settings`` and the records in force."""
    # The score matrix is read-only and shared: copied only when a record adds coefficients.
    weight = problem.score
    constant = 0.0
    allowed = np.ones(weight.shape, dtype=bool)
    excluded: dict[str, list[Cell]] = {}
    fixed: list[Cell] = []
    for rule in records(registry):
        if rule.weight is not None:
            delta, const = rule.weight(problem, settings)
            if delta is not None:
                weight = weight + delta
            constant += const
        if rule.exclude is not None:
            cells = rule.exclude(problem, settings)
            if cells:
                idx = np.asarray(cells, dtype=np.intp)
                allowed[idx[:, 0], idx[:, 1]] = False
                excluded[rule.name] = list(cells)
        if rule.fix is not None:
            fixed.extend(rule.fix(problem, settings))
    return PairTable(weight, constant, allowed, excluded, tuple(fixed))


def chosen(
    problem: MatchingProblem,
    settings: MatchSettings,
    pairs: Sequence[Pair],
    cells: np.ndarray | None = None,
) -> Chosen:
    """The :class:`Chosen` of distinct ``pairs`` that name counties of ``problem``.

    ``cells`` (their (k, 2) positions, when the caller has them) skips the id look-ups.
    """
    pairs = list(pairs)
    if cells is None:
        cells = problem.cells_of(pairs)
    idx = np.asarray(cells, dtype=np.intp).reshape(-1, 2)
    n_s = len(problem.supporters)
    scores = np.take(problem.score, idx[:, 0] * n_s + idx[:, 1]) if len(idx) else np.zeros(0)
    inc = problem.incumbent_cells
    if len(inc):
        kept = np.isin(inc[:, 0] * n_s + inc[:, 1], idx[:, 0] * n_s + idx[:, 1])
        changes = int(np.count_nonzero(~kept))
    else:
        changes = 0
    return Chosen(problem, settings, pairs, idx, scores, changes)


def claimed_fields(registry: Iterable[Rule] | None = None) -> dict[str, list[str]]:
    """:class:`MatchRules` field -> the records that claim it."""
    out: dict[str, list[str]] = {}
    for rule in records(registry):
        for name in rule.fields:
            out.setdefault(name, []).append(rule.name)
    return out
