"""Scenario files: extends chains, override sets, --set, precedence, unknown keys, change log."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shanchuan import config
from shanchuan import scenario as sc_mod
from shanchuan.errors import ScenarioError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    write(
        tmp_path / "base" / "scenario.toml",
        """
[scenario]
name = "base"
[data]
counties = "counties.csv"
[matching.rules]
max_distance = 500.0
[matching.weights]
strength = 0.4
[overrides.near]
description = "near"
"matching.rules.max_distance" = 300.0
[overrides.far]
description = "far"
matching.rules.max_distance = 900.0
[overrides.spread]
matching.rules.prefecture_spread = 2
""",
    )
    return write(
        tmp_path / "child" / "child.toml",
        """
[scenario]
name = "child"
extends = "../base/scenario.toml"
[matching.weights]
strength = 0.5
[overrides.lean]
"allocation.annual_budget_wan" = 9000.0
""",
    )


def test_default_scenario_is_builtin_and_loads() -> None:
    sc = sc_mod.load()
    assert sc.name == "hubei-2021"
    assert "hubei-2021" in sc_mod.builtin_scenarios()
    assert Path(sc.settings.data.counties).name == "counties.csv"
    assert Path(sc.settings.data.counties).is_absolute()
    assert sc.changes == ()


def test_extends_chain_child_overrides_parent_and_logs(chain: Path) -> None:
    sc = sc_mod.load(chain)
    assert [p.name for p in sc.files] == ["scenario.toml", "child.toml"]
    assert sc.settings.matching.weights.strength == 0.5
    assert sc.settings.matching.rules.max_distance == 500.0  # inherited
    assert [str(c) for c in sc.changes] == [
        f'scenario.name: "base" -> "child" (extends: {chain})',
        f"matching.weights.strength: 0.4 -> 0.5 (extends: {chain})",
    ]


def test_relative_paths_resolve_against_the_file_that_names_them(chain: Path) -> None:
    sc = sc_mod.load(chain)
    assert Path(sc.settings.data.counties) == (chain.parent.parent / "base" / "counties.csv")


def test_precedence_override_sets_then_set(chain: Path) -> None:
    sc = sc_mod.load(chain, overrides=["near", "lean"], sets=["matching.rules.max_distance=250"])
    assert sc.settings.matching.rules.max_distance == 250.0
    assert sc.settings.allocation.annual_budget_wan == 9000.0
    assert [str(c) for c in sc.changes][2:] == [
        "matching.rules.max_distance: 500.0 -> 300.0 (override set near)",
        "allocation.annual_budget_wan: 12500.0 -> 9000.0 (override set lean)",
        "matching.rules.max_distance: 300.0 -> 250 (--set)",
    ]


def test_two_override_sets_setting_one_key_is_an_error(chain: Path) -> None:
    with pytest.raises(ScenarioError, match=r"set by both override sets 'near' and 'far'"):
        sc_mod.load(chain, overrides=["near", "far"])


def test_non_overlapping_sets_combine(chain: Path) -> None:
    sc = sc_mod.load(chain, overrides=["near", "spread"])
    assert sc.settings.matching.rules.prefecture_spread == 2
    assert sc.overrides == ("near", "spread")


def test_unknown_override_set_did_you_mean(chain: Path) -> None:
    with pytest.raises(ScenarioError, match=r"no such override set \(did you mean 'near'\?\)"):
        sc_mod.load(chain, overrides=["naer"])


def test_unknown_key_in_file_did_you_mean(tmp_path: Path) -> None:
    f = write(
        tmp_path / "s.toml", "[matching.rules]\nmax_distnce = 3\n[matching.wieghts]\nplan = 1\n"
    )
    with pytest.raises(ScenarioError) as err:
        sc_mod.load(f)
    text = str(err.value)
    assert "2 problems" in text
    assert (
        "key 'matching.rules.max_distnce': unknown key (did you mean 'matching.rules.max_distance'?)"
        in text
    )
    assert "matching.wieghts.plan" in text


def test_unknown_key_in_override_set(tmp_path: Path) -> None:
    f = write(tmp_path / "s.toml", '[overrides.x]\n"matching.rulez.stable" = true\n')
    with pytest.raises(
        ScenarioError, match=r"\[overrides.x\], key 'matching.rulez.stable': unknown key"
    ):
        sc_mod.load(f)


def test_set_twice_is_an_error() -> None:
    with pytest.raises(ScenarioError, match="set twice on the command line"):
        sc_mod.load(sets=["matching.rules.stable=true", "matching.rules.stable=false"])


def test_set_needs_key_equals_value_and_known_key() -> None:
    with pytest.raises(ScenarioError) as err:
        sc_mod.load(sets=["stable", "matching.rules.stabel=true"])
    assert "expected key=value" in str(err.value)
    assert "did you mean 'matching.rules.stable'" in str(err.value)


def test_wrong_type_names_the_source_and_expected_type() -> None:
    with pytest.raises(
        ScenarioError, match=r"--set, key 'matching.weights.strength': wrong type .*'abc'.*a number"
    ):
        sc_mod.load(sets=["matching.weights.strength=abc"])


def test_engine_checks_become_problems() -> None:
    # A cross-setting rule is the engine's own check, filed under the key it names.
    with pytest.raises(
        ScenarioError, match=r"--set, key 'matching.rules.stable': stable = true needs"
    ):
        sc_mod.load(sets=["matching.rules.stable=true", "matching.rules.recipient_demand=2"])


def test_a_value_outside_its_domain_names_the_choices() -> None:
    with pytest.raises(
        ScenarioError,
        match=r"--set, key 'matching.objective': invalid value \(got 'best'\); "
        r"expected one of 'weighted_sum', 'maxmin'",
    ):
        sc_mod.load(sets=["matching.objective=best"])


def test_every_key_has_a_domain() -> None:
    # One rule, one home: a key added to an option class must say what it accepts.
    assert set(sc_mod.KNOWN) == set(sc_mod.DOMAINS)


def test_every_default_is_inside_its_domain() -> None:
    from shanchuan import config

    for key, info in sc_mod.KNOWN.items():
        value = config.convert(info.default, info.type)
        assert sc_mod.DOMAINS[key](value), (key, info.default)


def test_set_values_are_toml_with_bare_strings() -> None:
    sc = sc_mod.load(
        sets=["matching.objective=maxmin", 'matching.rules.locks=[["竹溪县","宜都市"]]']
    )
    assert sc.settings.matching.objective == "maxmin"
    assert sc.settings.matching.rules.locks == (("竹溪县", "宜都市"),)


def test_inf_is_accepted_for_distance_cap() -> None:
    sc = sc_mod.load(sets=["matching.rules.max_distance=inf"])
    assert math.isinf(sc.settings.matching.rules.max_distance)


def test_extends_cycle_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", '[scenario]\nextends = "b.toml"\n')
    write(tmp_path / "b.toml", '[scenario]\nextends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="'extends' forms a cycle"):
        sc_mod.load(tmp_path / "a.toml")


def test_extends_builtin_by_name(tmp_path: Path) -> None:
    f = write(
        tmp_path / "s.toml", '[scenario]\nextends = "hubei-2021"\n[matching.rules]\nstable = true\n'
    )
    sc = sc_mod.load(f)
    assert sc.settings.matching.rules.stable is True
    assert Path(sc.settings.data.counties).name == "counties.csv"


def test_missing_scenario_lists_builtins() -> None:
    with pytest.raises(ScenarioError, match=r"did you mean 'hubei-2021'.*one of: hubei-2021"):
        sc_mod.load("hubei-2012")


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    f = write(tmp_path / "s.toml", "[matching\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        sc_mod.load(f)


def test_settings_hash_changes_with_settings_only() -> None:
    a, b = sc_mod.load(), sc_mod.load()
    assert a.settings_hash() == b.settings_hash()
    c = sc_mod.load(sets=["matching.rules.stable=true"])
    assert c.settings_hash() != a.settings_hash()


def test_every_key_is_documented() -> None:
    undocumented = [k for k, info in sc_mod.KNOWN.items() if not info.doc]
    assert undocumented == []


def test_scenario_keys_doc_is_current() -> None:
    doc = Path(__file__).parents[2] / "docs" / "scenario-keys.md"
    assert doc.read_text(encoding="utf-8") == sc_mod.keys_markdown(), (
        "regenerate with: shanchuan keys --markdown > docs/scenario-keys.md"
    )


def test_builtin_scenario_sets_only_known_keys_and_all_sets_load() -> None:
    sc = sc_mod.load()
    for name in sc.available_overrides:
        assert sc_mod.load(overrides=[name]).overrides == (name,)


# --- hypothesis: override merging ------------------------------------------------------------

NUMERIC_KEYS = [
    "matching.weights.strength",
    "matching.weights.industry",
    "matching.rules.min_pair_score",
    "allocation.annual_budget_wan",
]
values = st.floats(min_value=0.01, max_value=0.99, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    file_values=st.dictionaries(st.sampled_from(NUMERIC_KEYS), values),
    set_a=st.dictionaries(st.sampled_from(NUMERIC_KEYS), values, max_size=2),
    set_b=st.dictionaries(st.sampled_from(NUMERIC_KEYS), values, max_size=2),
    cli=st.dictionaries(st.sampled_from(NUMERIC_KEYS), values, max_size=2),
)
def test_merge_follows_the_documented_precedence(
    tmp_path_factory, file_values, set_a, set_b, cli
) -> None:
    d = tmp_path_factory.mktemp("h")
    lines = [f'"{k}" = {v!r}' for k, v in file_values.items()]
    lines += ["[overrides.a]"] + [f'"{k}" = {v!r}' for k, v in set_a.items()]
    lines += ["[overrides.b]"] + [f'"{k}" = {v!r}' for k, v in set_b.items()]
    f = write(d / "s.toml", "\n".join(lines) + "\n")
    sets = [f"{k}={v!r}" for k, v in cli.items()]
    if set(set_a) & set(set_b):
        with pytest.raises(ScenarioError, match="set by both override sets"):
            sc_mod.load(f, overrides=["a", "b"], sets=sets)
        return
    sc = sc_mod.load(f, overrides=["a", "b"], sets=sets)
    for key in NUMERIC_KEYS:
        expected = config.leaf_keys(sc_mod.ScenarioSettings)[key].default
        for layer in (file_values, set_a, set_b, cli):
            if key in layer:
                expected = layer[key]
        obj = sc.settings
        for part in key.split("."):
            obj = getattr(obj, part)
        assert obj == pytest.approx(expected)
    # every applied change is logged, in order, and replaying the log gives the result
    replay = dict(file_values)
    for change in sc.changes:
        assert change.key in NUMERIC_KEYS
        replay[change.key] = change.new
    assert replay == {**file_values, **set_a, **set_b, **cli}


def test_json_scenario_files_work_like_toml(tmp_path: Path) -> None:
    import json

    f = tmp_path / "s.json"
    f.write_text(
        json.dumps(
            {
                "scenario": {"extends": "hubei-2021"},
                "matching": {"rules": {"max_distance": 350.0}},
                "overrides": {"x": {"matching.rules.stable": True}},
            }
        ),
        encoding="utf-8",
    )
    sc = sc_mod.load(f, overrides=["x"])
    assert sc.settings.matching.rules.max_distance == 350.0
    assert sc.settings.matching.rules.stable is True
    bad = tmp_path / "b.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ScenarioError, match="must be a JSON object"):
        sc_mod.load(bad)


def test_hash_does_not_depend_on_where_the_scenario_sits(tmp_path: Path) -> None:
    import shutil

    here = sc_mod.builtin_path("hubei-2021").parent
    copy = tmp_path / "elsewhere" / "hubei-2021"
    shutil.copytree(here, copy)
    assert sc_mod.load(copy).settings_hash() == sc_mod.load().settings_hash()
