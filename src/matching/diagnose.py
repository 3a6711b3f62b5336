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

The groups, their labels, how each is dropped, the search orders and the relaxations are the
diagnosis parts of the rule records (:class:`matching.rules.DiagnosisPart`); nothing here
knows a particular rule.

Three answers, each checked by solving:

``conflict``
    A *minimal conflicting set* (irreducible infeasible subset) found by the **deletion
    filter**: start from all items, drop each in turn for good if the rest stays infeasible.
    The items left cannot all hold together, but removing any one of them breaks this
    conflict (other conflicts may remain). Passes repeat until nothing more can be dropped,
    because feasibility is not monotone in the items when stability is required.
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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from matching.explain import check_language
from matching.forcing import feasible_pairing
from matching.options import MatchRules, MatchSettings
from matching.problem import MatchingProblem
from matching.rules import OFF, DiagnosisPart, Relaxation, Rule, RuleItem, records

__all__ = [
    "GROUPS",
    "REPAIR_PRIORITY",
    "Diagnosis",
    "Relaxation",
    "RuleItem",
    "diagnose",
    "groups",
    "repair_priority",
    "rule_items",
]

Pair = tuple[str, str]

def _parts(registry: Iterable[Rule] | None = None) -> list[tuple[Rule, DiagnosisPart]]:
    """The records with a diagnosis part, in registry order."""
    return [(r, r.diagnosis) for r in records(registry) if isinstance(r.diagnosis, DiagnosisPart)]


def groups(registry: Iterable[Rule] | None = None) -> tuple[str, ...]:
    """Rule groups in the order the filter visits them (the records' ``filter_rank``)."""
    parts = sorted(_parts(registry), key=lambda rp: rp[1].filter_rank)
    return tuple(part.group for _, part in parts)


def repair_priority(registry: Iterable[Rule] | None = None) -> tuple[str, ...]:
    """The order in which the repair search tries to keep items (the records' ``repair_rank``).

    The programme-wide rules come first, individual forbids and locks last, so the repair
    drops specific requests before the shape of the programme.
    """
    parts = sorted(_parts(registry), key=lambda rp: rp[1].repair_rank)
    return tuple(part.group for _, part in parts)


#: Rule groups in the order the filter visits them (of the built-in records).
GROUPS: tuple[str, ...] = groups()
#: The order in which the repair search tries to keep items (of the built-in records).
REPAIR_PRIORITY: tuple[str, ...] = repair_priority()


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
    language: str = "zh"
    """Language of :meth:`message` when none is given (the scenario's ``explain.language``)."""

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

    def message(self, language: str | None = None) -> str:
        """A short report for the command line, in ``language`` (default :attr:`language`)."""
        language = check_language(self.language if language is None else language)
        zh = language == "zh"
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


def rule_items(
    problem: MatchingProblem, rules: MatchRules, registry: Iterable[Rule] | None = None
) -> tuple[RuleItem, ...]:
    """Split ``rules`` into the items the diagnosis may drop, in :func:`groups` order."""
    parts = sorted(_parts(registry), key=lambda rp: rp[1].filter_rank)
    return tuple(item for _, part in parts for item in part.items(problem, rules))


def _variant(
    problem: MatchingProblem,
    rules: MatchRules,
    drop: Sequence[RuleItem],
    registry: Iterable[Rule] | None = None,
) -> tuple[MatchRules, tuple[Rule, ...]]:
    """``rules`` with the items in ``drop`` removed, and the records left in force.

    Each record drops its own items (:attr:`DiagnosisPart.drop`); a record whose drop is
    :data:`~matching.rules.OFF` is left out of the records in force instead.
    """
    changes: dict[str, object] = {}
    in_force = []
    for rule in records(registry):
        part = rule.diagnosis
        mine = [i for i in drop if isinstance(part, DiagnosisPart) and i.group == part.group]
        if not mine:
            in_force.append(rule)
            continue
        assert isinstance(part, DiagnosisPart)
        change = part.drop(problem, rules, mine)
        if change is OFF:
            continue
        changes.update(change)
        in_force.append(rule)
    return replace(rules, **changes), tuple(in_force)  # type: ignore[arg-type]


def _without(
    problem: MatchingProblem,
    rules: MatchRules,
    drop: Sequence[RuleItem],
    registry: Iterable[Rule] | None = None,
) -> MatchRules:
    """``rules`` with the items in ``drop`` removed."""
    return _variant(problem, rules, drop, registry)[0]


class _Oracle:
    """Feasibility checks of rule variants, counted and cached."""

    def __init__(
        self,
        problem: MatchingProblem,
        settings: MatchSettings,
        registry: Iterable[Rule] | None = None,
    ) -> None:
        self.problem = problem
        self.settings = replace(settings, objective="weighted_sum")
        self.registry = records(registry)
        self.checks = 0
        self.methods: set[str] = set()
        self._cache: dict[tuple[MatchRules, tuple[str, ...]], bool] = {}

    def __call__(self, rules: MatchRules, in_force: tuple[Rule, ...] | None = None) -> bool:
        in_force = self.registry if in_force is None else in_force
        key = (rules, tuple(r.name for r in in_force))
        if key not in self._cache:
            self.checks += 1
            settings = replace(self.settings, rules=rules)
            pairs, method = feasible_pairing(self.problem, settings, in_force)
            self.methods.add(method)
            self._cache[key] = pairs is not None
        return self._cache[key]


def _relaxations(
    problem: MatchingProblem, rules: MatchRules, oracle: _Oracle
) -> tuple[Relaxation, ...]:
    """Every record's smallest single relaxations, in the records' ``relax_rank`` order."""
    parts = sorted(_parts(oracle.registry), key=lambda rp: rp[1].relax_rank)
    return tuple(r for _, part in parts for r in part.relax(problem, rules, oracle))


def diagnose(
    problem: MatchingProblem,
    settings: MatchSettings | None = None,
    registry: Iterable[Rule] | None = None,
) -> Diagnosis:
    """Diagnose why the rules of ``settings`` admit no pairing (see the module doc).

    Returns ``Diagnosis(feasible=True)`` when they do. ``registry`` replaces the rule records
    in force (:data:`matching.rules.REGISTRY`).
    """
    settings = settings or MatchSettings()
    rules = settings.rules
    language = check_language(settings.explain.language)
    oracle = _Oracle(problem, settings, registry)
    items = rule_items(problem, rules, oracle.registry)
    if oracle(rules):
        return Diagnosis(
            True,
            items,
            checks=oracle.checks,
            methods=tuple(sorted(oracle.methods)),
            language=language,
        )
    if not oracle(*_variant(problem, rules, items, oracle.registry)):
        return Diagnosis(
            False,
            items,
            structural=True,
            checks=oracle.checks,
            methods=tuple(sorted(oracle.methods)),
            language=language,
        )

    def holds(keep: set[int]) -> bool:
        """Feasible with only the items ``keep`` (by position) in force."""
        drop = [it for k, it in enumerate(items) if k not in keep]
        return oracle(*_variant(problem, rules, drop, oracle.registry))

    # Deletion filter: an irreducible conflicting subset. Feasibility is not monotone in the
    # items (lifting the supporter capacity while stability is required can remove the only
    # stable pairing), so one pass may leave an item whose removal no longer helps; passes
    # repeat until none changes the set.
    kept = set(range(len(items)))
    changed = True
    while changed:
        changed = False
        for k in sorted(kept):
            if not holds(kept - {k}):
                kept.discard(k)
                changed = True
    conflict = tuple(items[k] for k in sorted(kept))
    # Linear search: a minimal correction set, keeping programme-wide rules first.
    satisfied: set[int] = set()
    dropped: set[int] = set()
    priority = repair_priority(oracle.registry)
    order = sorted(range(len(items)), key=lambda k: (priority.index(items[k].group), k))
    for k in order:
        if holds(satisfied | {k}):
            satisfied.add(k)
        else:
            dropped.add(k)
    # Same non-monotonicity: an item refused early may fit the final set; take it back.
    changed = True
    while changed:
        changed = False
        for k in [k for k in order if k in dropped]:
            if holds(satisfied | {k}):
                satisfied.add(k)
                dropped.discard(k)
                changed = True
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
        language=language,
    )
