"""Infeasibility diagnosis: which rules conflict, and how far each would have to give.

The rules of a scenario are split into *rule items*, each something a planner can drop or
relax on its own:

=================== =========================== ==========================================
group               中文                         English
=================== =========================== ==========================================
locks (one each)    锁定 竹溪县–宜都市            lock 竹溪县–宜都市
forbids (one each)  禁止 竹溪县–宜都市            forbid 竹溪县–宜都市
max_distance        最大距离 300 公里             max distance 300 km
prefecture_spread   市州分散 ≤ 1                 prefecture spread ≤ 1
min_pair_score      最低结对得分 0.6              min pair score 0.6
max_changes         较现行结对最多调整 2 对        at most 2 changes from the incumbent
stable              稳定性（无阻塞对）            stability (no blocking pair)
supporter_capacity  每个支援方最多 1 个受援方      supporter capacity 1
=================== =========================== ==========================================

Dropping an item means: the lock or forbid is deleted, the distance cap becomes infinite, the
spread and change limits are lifted, the minimum score becomes 0, stability is not required,
and a supporter may take every recipient. ``recipient_demand`` (how many supporters each
recipient gets) is the shape of the programme, not a rule item.

Three answers, each checked by solving:

``conflict``
    A *minimal conflicting set* (irreducible infeasible subset) found by the **deletion
    filter**: start from all items, drop each in turn for good if the rest stays infeasible.
    The items left cannot all hold together, but every proper subset can — removing any one
    of them breaks this conflict (other conflicts may remain).
``repair``
    A *minimal set whose removal restores feasibility* (minimal correction set) found by
    linear search: add the items one by one, keeping each that still allows a pairing; the
    items that could not be added are the repair. Removing all of them makes the rules
    feasible, and putting any single one back makes them infeasible again. The search tries
    the programme-wide rules first (:data:`REPAIR_PRIORITY`), so the repair prefers dropping
    an individual lock or forbid to lifting the capacity, stability or a cap.
``relaxations``
    For each numeric rule present, the smallest relaxation that alone (all other items kept)
    restores feasibility, found by bisection over the values where feasibility can change
    (pair distances for the cap, pair scores for the minimum score, integers for spread,
    changes and capacity) — e.g. "raise the distance cap from 300 km to 412 km". ``None``
    when relaxing that rule alone cannot help.

Feasibility is decided by the assignment form (:mod:`matching.forcing`) when the remaining
rules all act on single pairs, and by the integer programme otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from matching.explain import check_language
from matching.forcing import feasible_pairing
from matching.options import MatchRules, MatchSettings
from matching.problem import MatchingProblem

Pair = tuple[str, str]

#: Rule groups in the order the filter visits them.
GROUPS: tuple[str, ...] = (
    "locks",
    "forbids",
    "max_distance",
    "prefecture_spread",
    "min_pair_score",
    "max_changes",
    "stable",
    "supporter_capacity",
)


#: The order in which the repair search tries to keep items: the programme-wide rules first,
#: individual forbids and locks last (so the repair drops specific requests before the
#: shape of the programme).
REPAIR_PRIORITY: tuple[str, ...] = (
    "supporter_capacity",
    "stable",
    "prefecture_spread",
    "max_changes",
    "max_distance",
    "min_pair_score",
    "forbids",
    "locks",
)


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
class Diagnosis:
    """What makes the rules infeasible (see the module doc)."""

    feasible: bool
    items: tuple[RuleItem, ...]
    """Every rule item of the scenario, in filter order."""
    conflict: tuple[RuleItem, ...] = ()
    repair: tuple[RuleItem, ...] = ()
    relaxations: tuple[Relaxation, ...] = ()
    structural: bool = False
    """Infeasible even with every rule item dropped (demand exceeds the supporters)."""
    checks: int = 0
    """Number of feasibility checks (solves) the diagnosis took."""
    methods: tuple[str, ...] = field(default=())
    """How feasibility was decided: 'assignment' and/or 'ip'."""

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (for JSON)."""
        return {
            "feasible": self.feasible,
            "structural": self.structural,
            "items": [i.to_dict() for i in self.items],
            "conflict": [i.to_dict() for i in self.conflict],
            "repair": [i.to_dict() for i in self.repair],
            "relaxations": [r.to_dict() for r in self.relaxations],
            "checks": self.checks,
            "methods": list(self.methods),
        }

    def message(self, language: str = "zh") -> str:
        """A short report for the command line."""
        zh = check_language(language) == "zh"
        if self.feasible:
            if zh:
                return "规则可以同时满足，无需诊断。"
            return "The rules can all be met; nothing to diagnose."
        if self.structural:
            return (
                "即使去掉全部规则也无法结对：每个受援方需要的支援方数量超过了支援方总数。"
                if zh
                else "No pairing exists even without any rule: each recipient needs more "
                "supporters than there are."
            )
        sep = "；" if zh else "; "
        conflict = sep.join(i.label(language) for i in self.conflict)
        repair = sep.join(i.label(language) for i in self.repair)
        relax = sep.join(r.text(language) for r in self.relaxations)
        if zh:
            lines = [
                "规则无法同时满足。",
                f"相互冲突的规则：{conflict}（去掉其中任一条即可解除这一冲突）。",
                f"去掉以下规则即可恢复可行：{repair}。",
            ]
            if relax:
                lines.append(f"单项最小放宽：{relax}。")
        else:
            lines = [
                "The rules cannot all be met.",
                f"Conflicting rules: {conflict} (dropping any one of them breaks this conflict).",
                f"Dropping these restores feasibility: {repair}.",
            ]
            if relax:
                lines.append(f"Smallest single relaxations: {relax}.")
        return "\n".join(lines)


def _num(value: float) -> str:
    return f"{value:g}"


def _unit(problem: MatchingProblem, language: str) -> str:
    if problem.distance_unit == "min":
        return "分钟" if language == "zh" else "min"
    return "公里" if language == "zh" else "km"


def rule_items(problem: MatchingProblem, rules: MatchRules) -> tuple[RuleItem, ...]:
    """Split ``rules`` into the items the diagnosis may drop, in :data:`GROUPS` order."""
    items: list[RuleItem] = []
    n = problem.name
    for r, s in rules.locks:
        items.append(RuleItem("locks", (r, s), None, f"锁定 {n(r)}–{n(s)}", f"lock {n(r)}–{n(s)}"))
    for r, s in rules.forbids:
        items.append(
            RuleItem("forbids", (r, s), None, f"禁止 {n(r)}–{n(s)}", f"forbid {n(r)}–{n(s)}")
        )
    if math.isfinite(rules.max_distance):
        d = _num(rules.max_distance)
        items.append(
            RuleItem(
                "max_distance",
                None,
                rules.max_distance,
                f"最大距离 {d} {_unit(problem, 'zh')}",
                f"max distance {d} {_unit(problem, 'en')}",
            )
        )
    if rules.prefecture_spread > 0:
        k = rules.prefecture_spread
        items.append(
            RuleItem("prefecture_spread", None, k, f"市州分散 ≤ {k}", f"prefecture spread ≤ {k}")
        )
    if rules.min_pair_score > 0:
        v = _num(rules.min_pair_score)
        items.append(
            RuleItem(
                "min_pair_score",
                None,
                rules.min_pair_score,
                f"最低结对得分 {v}",
                f"min pair score {v}",
            )
        )
    if rules.max_changes >= 0 and problem.incumbent:
        c = rules.max_changes
        items.append(
            RuleItem(
                "max_changes",
                None,
                c,
                f"较现行结对最多调整 {c} 对",
                f"at most {c} changes from the incumbent",
            )
        )
    if rules.stable:
        items.append(
            RuleItem("stable", None, True, "稳定性（无阻塞对）", "stability (no blocking pair)")
        )
    if rules.supporter_capacity < len(problem.recipients):
        k = rules.supporter_capacity
        items.append(
            RuleItem(
                "supporter_capacity",
                None,
                k,
                f"每个支援方最多 {k} 个受援方",
                f"supporter capacity {k}",
            )
        )
    return tuple(items)


def _without(problem: MatchingProblem, rules: MatchRules, drop: Sequence[RuleItem]) -> MatchRules:
    """``rules`` with the items in ``drop`` removed."""
    groups = {i.group for i in drop}
    dropped_pairs = {(i.group, i.pair) for i in drop if i.pair is not None}
    changes: dict[str, object] = {
        "locks": tuple(p for p in rules.locks if ("locks", p) not in dropped_pairs),
        "forbids": tuple(p for p in rules.forbids if ("forbids", p) not in dropped_pairs),
    }
    if "max_distance" in groups:
        changes["max_distance"] = math.inf
    if "prefecture_spread" in groups:
        changes["prefecture_spread"] = 0
    if "min_pair_score" in groups:
        changes["min_pair_score"] = 0.0
    if "max_changes" in groups:
        changes["max_changes"] = -1
    if "stable" in groups:
        changes["stable"] = False
    if "supporter_capacity" in groups:
        changes["supporter_capacity"] = len(problem.recipients)
    return replace(rules, **changes)  # type: ignore[arg-type]


class _Oracle:
    """Feasibility checks of rule variants, counted and cached."""

    def __init__(self, problem: MatchingProblem, settings: MatchSettings) -> None:
        self.problem = problem
        self.settings = replace(settings, objective="weighted_sum")
        self.checks = 0
        self.methods: set[str] = set()
        self._cache: dict[MatchRules, bool] = {}

    def __call__(self, rules: MatchRules) -> bool:
        if rules not in self._cache:
            self.checks += 1
            pairs, method = feasible_pairing(self.problem, replace(self.settings, rules=rules))
            self.methods.add(method)
            self._cache[rules] = pairs is not None
        return self._cache[rules]


def _smallest(candidates: Sequence[float], ok: Callable[[float], bool]) -> float | None:
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


def _relaxations(
    problem: MatchingProblem, rules: MatchRules, oracle: _Oracle
) -> tuple[Relaxation, ...]:
    out: list[Relaxation] = []
    n_r = len(problem.recipients)
    unit_zh, unit_en = _unit(problem, "zh"), _unit(problem, "en")
    if math.isfinite(rules.max_distance):
        cap = rules.max_distance
        dist = np.unique(np.asarray(problem.distance, dtype=float))
        cands = [float(d) for d in dist if d > cap]
        v = _smallest(cands, lambda d: oracle(replace(rules, max_distance=d)))
        old = _num(cap)
        if v is None:
            out.append(
                _cannot(
                    "max_distance",
                    cap,
                    f"最大距离 {old} {unit_zh}",
                    f"max distance {old} {unit_en}",
                )
            )
        else:
            shown = math.ceil(v)
            out.append(
                Relaxation(
                    "max_distance",
                    cap,
                    v,
                    f"将最大距离由 {old} {unit_zh} 提高到 {shown} {unit_zh}",
                    f"raise the distance cap from {old} {unit_en} to {shown} {unit_en}",
                )
            )
    if rules.min_pair_score > 0:
        floor = rules.min_pair_score
        scores = np.unique(problem.score)
        cands = [float(s) for s in scores[::-1] if s < floor - 1e-12]
        v = _smallest(cands, lambda s: oracle(replace(rules, min_pair_score=max(s, 0.0))))
        old = _num(floor)
        if v is None:
            out.append(
                _cannot("min_pair_score", floor, f"最低结对得分 {old}", f"min pair score {old}")
            )
        else:
            shown = math.floor(v * 1000) / 1000
            out.append(
                Relaxation(
                    "min_pair_score",
                    floor,
                    v,
                    f"将最低结对得分由 {old} 降到 {shown:g}",
                    f"lower the min pair score from {old} to {shown:g}",
                )
            )
    integer_rules = (
        (
            "prefecture_spread",
            rules.prefecture_spread,
            rules.prefecture_spread > 0,
            "将市州分散上限由 {a} 放宽到 {b}",
            "raise the prefecture spread from {a} to {b}",
            "市州分散 ≤ {a}",
            "prefecture spread ≤ {a}",
        ),
        (
            "max_changes",
            rules.max_changes,
            rules.max_changes >= 0 and bool(problem.incumbent),
            "将允许调整由 {a} 对增加到 {b} 对",
            "allow {b} changes from the incumbent instead of {a}",
            "较现行结对最多调整 {a} 对",
            "at most {a} changes from the incumbent",
        ),
        (
            "supporter_capacity",
            rules.supporter_capacity,
            rules.supporter_capacity < n_r,
            "将支援方容量由 {a} 提高到 {b}",
            "raise the supporter capacity from {a} to {b}",
            "每个支援方最多 {a} 个受援方",
            "supporter capacity {a}",
        ),
    )
    for group, current, active, zh, en, label_zh, label_en in integer_rules:
        if not active:
            continue
        upper = len(problem.incumbent) if group == "max_changes" else n_r
        cands = list(range(int(current) + 1, upper + 1))
        v = _smallest(cands, lambda k, g=group: oracle(replace(rules, **{g: int(k)})))
        if v is None:
            out.append(
                _cannot(group, current, label_zh.format(a=current), label_en.format(a=current))
            )
        else:
            out.append(
                Relaxation(
                    group,
                    current,
                    int(v),
                    zh.format(a=current, b=int(v)),
                    en.format(a=current, b=int(v)),
                )
            )
    return tuple(out)


def _cannot(group: str, current: float, label_zh: str, label_en: str) -> Relaxation:
    return Relaxation(
        group,
        current,
        None,
        f"仅放宽“{label_zh}”不能恢复可行",
        f"relaxing '{label_en}' alone does not restore feasibility",
    )


def diagnose(problem: MatchingProblem, settings: MatchSettings | None = None) -> Diagnosis:
    """Diagnose why the rules of ``settings`` admit no pairing (see the module doc).

    Returns ``Diagnosis(feasible=True)`` when they do.
    """
    settings = settings or MatchSettings()
    rules = settings.rules
    oracle = _Oracle(problem, settings)
    items = rule_items(problem, rules)
    if oracle(rules):
        return Diagnosis(True, items, checks=oracle.checks, methods=tuple(sorted(oracle.methods)))
    if not oracle(_without(problem, rules, items)):
        return Diagnosis(
            False,
            items,
            structural=True,
            checks=oracle.checks,
            methods=tuple(sorted(oracle.methods)),
        )

    def holds(keep: set[int]) -> bool:
        """Feasible with only the items ``keep`` (by position) in force."""
        return oracle(_without(problem, rules, [it for k, it in enumerate(items) if k not in keep]))

    # Deletion filter: an irreducible conflicting subset.
    kept = set(range(len(items)))
    for k in range(len(items)):
        if not holds(kept - {k}):
            kept.discard(k)
    conflict = tuple(items[k] for k in sorted(kept))
    # Linear search: a minimal correction set, keeping programme-wide rules first.
    satisfied: set[int] = set()
    dropped: set[int] = set()
    order = sorted(range(len(items)), key=lambda k: (REPAIR_PRIORITY.index(items[k].group), k))
    for k in order:
        if holds(satisfied | {k}):
            satisfied.add(k)
        else:
            dropped.add(k)
    repair = [items[k] for k in sorted(dropped)]
    relaxations = _relaxations(problem, rules, oracle)
    return Diagnosis(
        feasible=False,
        items=items,
        conflict=conflict,
        repair=tuple(repair),
        relaxations=relaxations,
        checks=oracle.checks,
        methods=tuple(sorted(oracle.methods)),
    )
