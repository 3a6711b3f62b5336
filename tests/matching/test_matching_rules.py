"""The rule registry: every option has one home, every record has every part.

As Calliope's ``test_all_math_registered``: a record that lacks a part, or an option of
:class:`MatchRules` that no record (or two records) claims, fails here.
"""

from __future__ import annotations

import dataclasses

import pytest

from matching import MatchRules, MatchSettings, diagnose, fastpath, forcing, lagrange, rules
from matching.diagnose import GROUPS, REPAIR_PRIORITY, rule_items
from matching.instances import make_problem
from matching.model import EXCLUSIONS, FAMILIES
from matching.rules import REGISTRY, DiagnosisPart, NotARuleItem, Route


def test_every_field_of_match_rules_is_claimed_by_exactly_one_record() -> None:
    claimed = rules.claimed_fields()
    fields = [f.name for f in dataclasses.fields(MatchRules)]
    unclaimed = [f for f in fields if f not in claimed]
    twice = {f: names for f, names in claimed.items() if len(names) > 1}
    unknown = sorted(set(claimed) - set(fields))
    assert not unclaimed, f"MatchRules fields no rule record claims: {unclaimed}"
    assert not twice, f"MatchRules fields claimed by several records: {twice}"
    assert not unknown, f"records claim fields MatchRules does not have: {unknown}"


def test_a_second_claim_on_a_field_is_found() -> None:
    dup = dataclasses.replace(rules.find("lock"), name="lock_again")
    assert rules.claimed_fields([*REGISTRY, dup])["locks"] == ["lock", "lock_again"]
    with pytest.raises(ValueError, match=r"claims fields already claimed: \['locks'\]"):
        rules.register(dup)


@pytest.mark.parametrize("rule", REGISTRY, ids=lambda r: r.name)
def test_every_record_has_every_part(rule: rules.Rule) -> None:
    assert rules.missing_parts(rule) == []
    assert rule.fields or rule.reads, "a built-in record owns or reads some option"
    assert isinstance(rule.diagnosis, DiagnosisPart | NotARuleItem)


def test_a_record_lacking_parts_fails() -> None:
    base = rules.find("max_distance")
    no_check = dataclasses.replace(base, name="x", check=None)  # type: ignore[arg-type]
    assert rules.missing_parts(no_check) == ["check"]
    no_model = dataclasses.replace(base, name="x", exclude=None)
    assert rules.missing_parts(no_model) == ["model part (rows, exclude, fix or weight)"]
    no_route = dataclasses.replace(base, name="x", blocks=None)  # type: ignore[arg-type]
    assert rules.missing_parts(no_route) == ["blocks (route predicate)"]
    no_diag = dataclasses.replace(base, name="x", diagnosis=None)  # type: ignore[arg-type]
    assert rules.missing_parts(no_diag) == ["diagnosis"]
    part = base.diagnosis
    assert isinstance(part, DiagnosisPart)
    no_en = dataclasses.replace(
        part,
        items=lambda p, r: [dataclasses.replace(i, label_en="") for i in part.items(p, r)],
    )
    assert rules.missing_parts(dataclasses.replace(base, diagnosis=no_en)) == ["label_en"]
    keeps = dataclasses.replace(part, drop=lambda p, r, items: {})
    assert rules.missing_parts(dataclasses.replace(base, diagnosis=keeps)) == [
        "diagnosis drop (the items remain)"
    ]
    silent = dataclasses.replace(part, items=lambda p, r: [])
    assert rules.missing_parts(dataclasses.replace(base, diagnosis=silent)) == [
        "diagnosis items (none under the example)"
    ]
    with pytest.raises(ValueError, match="rule 'x' lacks: check"):
        rules.register(dataclasses.replace(no_check, fields=()))
    assert "x" not in [r.name for r in REGISTRY]


def test_derived_tables_follow_the_registry() -> None:
    assert FAMILIES == (
        "recipient_demand",
        "supporter_capacity",
        "lock",
        "prefecture_spread",
        "max_changes",
        "stability",
        "maxmin_floor",
    )
    assert EXCLUSIONS == ("forbid", "max_distance", "min_pair_score")
    assert GROUPS == (
        "locks",
        "forbids",
        "max_distance",
        "prefecture_spread",
        "min_pair_score",
        "max_changes",
        "stable",
        "supporter_capacity",
    )
    assert REPAIR_PRIORITY == (
        "supporter_capacity",
        "stable",
        "prefecture_spread",
        "max_changes",
        "max_distance",
        "min_pair_score",
        "forbids",
        "locks",
    )


@pytest.mark.parametrize("rule", REGISTRY, ids=lambda r: r.name)
def test_route_predicates_drive_the_shortcuts(rule: rules.Rule) -> None:
    """Each record's example switches the routes exactly as its predicate says."""
    problem = make_problem(6, 6, 0, n_prefectures=2)
    settings = MatchSettings(rules=MatchRules(**rule.example))  # type: ignore[arg-type]
    if rule.name == "maxmin_floor":
        settings = MatchSettings(objective="maxmin")
    fast = rule.blocks(problem, settings, Route.FAST_PATH)
    assert fastpath.why_not(problem, settings) == fast
    form = rule.blocks(problem, settings, Route.ASSIGNMENT_FORM)
    assert forcing.is_assignment(problem, settings) == (form is None)
    if fast is not None and rule.name != "prefecture_spread":
        assert not lagrange.applies(problem, settings)


@pytest.mark.parametrize(
    "rule", [r for r in REGISTRY if isinstance(r.diagnosis, DiagnosisPart)], ids=lambda r: r.name
)
def test_diagnosis_items_come_from_the_records(rule: rules.Rule) -> None:
    problem = make_problem(4, 4, 0)
    mr = MatchRules(**rule.example)  # type: ignore[arg-type]
    part = rule.diagnosis
    assert isinstance(part, DiagnosisPart)
    mine = [i for i in rule_items(problem, mr) if i.group == part.group]
    assert mine == part.items(problem, mr) and mine
    if rule.name != "supporter_capacity":  # capacity 1 < 4 recipients is in force by default
        assert not [i for i in rule_items(problem, MatchRules()) if i.group == part.group]


def test_unregister_and_find_name_the_known_rules() -> None:
    with pytest.raises(KeyError, match="no rule named 'nope'; known: recipient_demand"):
        rules.find("nope")
    with pytest.raises(ValueError, match="a rule named 'lock' is already registered"):
        rules.register(rules.find("lock"))


def test_diagnosis_message_follows_the_scenario_language() -> None:
    problem = make_problem(3, 3, 0)
    locks = (("r0", "s0"), ("r1", "s0"))
    settings = MatchSettings(rules=MatchRules(locks=locks))
    en = dataclasses.replace(settings, explain=dataclasses.replace(settings.explain, language="en"))
    zh_diag, en_diag = diagnose(problem, settings), diagnose(problem, en)
    assert zh_diag.message().startswith("规则无法同时满足")
    assert en_diag.message().startswith("The rules cannot all be met.")
    assert en_diag.message("zh") == zh_diag.message()
    assert zh_diag.message("en") == en_diag.message()
