"""The worked example of ``docs/adding-a-pairing-rule.md``, run from the document itself.

The code block is read out of the markdown file and executed, so the document and this test
cannot drift apart. The one record it registers is then honoured by the model, checked by
``verify``, switches the fast path off and appears in the diagnosis.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from matching import (
    MatchRules,
    MatchSettings,
    MatchStatus,
    build,
    diagnose,
    fastpath,
    rules,
    solve,
    verify,
)
from matching.instances import make_problem

#: The records without the guide's rule (it may be registered while a test runs).
BUILT_IN = tuple(r for r in rules.REGISTRY if r.name != "supporter_prefecture_cap")
DOC = Path(__file__).resolve().parents[2] / "docs" / "adding-a-pairing-rule.md"


def _rule_code() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "the guide has exactly one python block: the whole rule"
    return blocks[0]


@pytest.fixture
def doc_rule() -> Iterator[dict[str, object]]:
    """Run the guide's code (which registers the rule); unregister it afterwards."""
    namespace: dict[str, object] = {"__name__": "adding_a_pairing_rule"}
    exec(compile(_rule_code(), str(DOC), "exec"), namespace)
    try:
        yield namespace
    finally:
        rules.unregister(str(namespace["NAME"]))


def _per_prefecture(problem, pairs) -> Counter[str]:
    return Counter(problem.prefecture[s] for _, s in pairs)


@functools.cache
def _problem():
    """6 recipients, 12 supporters in two prefectures of 4+ each; the unconstrained optimum
    gives one prefecture more than 3 recipients."""
    for seed in range(50):
        p = make_problem(6, 12, seed, n_prefectures=2, prefs=False, incumbent=False)
        sizes = Counter(p.prefecture[s] for s in p.supporters)
        best = solve(p, registry=BUILT_IN)
        if len(sizes) == 2 and min(sizes.values()) >= 4:
            if max(_per_prefecture(p, best.pairs).values()) > 3:
                return p, best
    raise AssertionError("no suitable seed")  # pragma: no cover


def test_without_the_rule_the_optimum_breaks_it() -> None:
    problem, best = _problem()
    assert best.method == "assignment"
    assert max(_per_prefecture(problem, best.pairs).values()) > 3


def test_the_rule_is_honoured_by_the_model(doc_rule: dict[str, object]) -> None:
    problem, free = _problem()
    name = str(doc_rule["NAME"])
    m = build(problem)
    assert m.families[name] == [f"{name}[Q0]", f"{name}[Q1]"]
    result = solve(problem)
    assert result.status == MatchStatus.OPTIMAL
    assert max(_per_prefecture(problem, result.pairs).values()) <= 3
    assert result.objective is not None and free.objective is not None
    assert result.objective < free.objective


def test_the_rule_switches_the_shortcuts_off(doc_rule: dict[str, object]) -> None:
    problem, _ = _problem()
    assert fastpath.why_not(problem, MatchSettings()) == "supporter_prefecture_cap"
    assert solve(problem).method not in ("assignment", "lagrangian")


def test_verify_checks_the_rule(doc_rule: dict[str, object]) -> None:
    problem, free = _problem()
    ver = verify(problem, MatchSettings(), free.pairs)
    assert not ver.ok
    counts = sorted((q, n) for q, n in _per_prefecture(problem, free.pairs).items() if n > 3)
    assert ver.problems == (
        f"more than 3 recipient(s) for one supporter prefecture: {counts}",
    )


def test_the_diagnosis_names_the_rule(doc_rule: dict[str, object]) -> None:
    problem, _ = _problem()
    name = str(doc_rule["NAME"])
    rules.unregister(name)
    rules.register(doc_rule["supporter_prefecture_cap"](2))  # type: ignore[operator]
    settings = MatchSettings(rules=MatchRules(supporter_capacity=6))  # 6 recipients > 2 + 2
    assert solve(problem, settings).status == MatchStatus.INFEASIBLE
    diag = diagnose(problem, settings)
    assert not diag.feasible and not diag.structural
    assert [i.group for i in diag.conflict] == [name]
    assert [i.group for i in diag.repair] == [name]
    assert diag.conflict[0].label("en") == "at most 2 recipients per supporter prefecture"
    assert diag.conflict[0].label("zh") == "每个支援方市州最多 2 个受援方"
    assert "at most 2 recipients per supporter prefecture" in diag.message("en")


def test_the_record_is_complete(doc_rule: dict[str, object]) -> None:
    rule = rules.find(str(doc_rule["NAME"]))
    assert rules.missing_parts(rule) == []
