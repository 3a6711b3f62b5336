"""The public stages: load once, prepare, solve, analyse, report; variants reuse parsed data."""

from __future__ import annotations

import json

import pytest

import shanchuan
from shanchuan import stages
from shanchuan.errors import InputError
from shanchuan.loaded import Loaded

QUIET = {"progress": lambda line: None}


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return shanchuan.load()


def test_stages_compose_to_the_one_call_api(loaded: Loaded) -> None:
    outcome = stages.solve(stages.prepare(loaded, "matching", **QUIET), **QUIET)
    outcome = stages.analyse(outcome, shanchuan.Analyses(), **QUIET)
    direct = shanchuan.match(**QUIET)
    assert outcome.status == direct.status == "optimal"
    assert outcome.result.pairs == direct.result.pairs
    assert outcome.provenance["scenario_hash"] == direct.provenance["scenario_hash"]
    assert set(outcome.analyses) == set(direct.analyses) == {"explanations"}


def test_variants_reuse_the_parsed_data(loaded: Loaded) -> None:
    base = stages.solve(stages.prepare(loaded, **QUIET), **QUIET)
    reads = loaded.cache.reads
    variant = loaded.with_overrides(sets=["matching.rules.max_distance=250"])
    near = stages.solve(stages.prepare(variant, **QUIET), **QUIET)
    assert loaded.cache.reads == reads, "a variant naming the same files must not re-read them"
    assert variant.data("matching") is loaded.data("matching")
    assert near.result.pairs != base.result.pairs
    assert all(p.distance <= 250 for p in near.result.rows)
    assert [c.key for c in variant.scenario.changes] == ["matching.rules.max_distance"]
    assert near.provenance["scenario_hash"] != base.provenance["scenario_hash"]


def test_variant_naming_another_file_reads_it(loaded: Loaded, tmp_path) -> None:
    src = loaded.scenario.data_path("willingness")
    copy = tmp_path / "willingness.csv"
    copy.write_bytes(src.read_bytes())
    reads = loaded.cache.reads
    variant = loaded.with_overrides(sets=[f'data.willingness="{copy.as_posix()}"'])
    variant.data("matching")
    assert loaded.cache.reads == reads + 1


def test_analyse_adds_what_is_asked(loaded: Loaded) -> None:
    outcome = stages.solve(stages.prepare(loaded, **QUIET), **QUIET)
    stages.analyse(outcome, shanchuan.Analyses(explain=False, alternatives=2, stability=True))
    assert set(outcome.analyses) == {"alternatives", "blocking_pairs"}
    assert "alternatives_s" in outcome.provenance["timings"]


def test_analyse_leaves_an_infeasible_outcome_alone(loaded: Loaded) -> None:
    variant = loaded.with_overrides(sets=["matching.rules.max_distance=150"])
    outcome = stages.solve(stages.prepare(variant, **QUIET), **QUIET)
    assert outcome.status == "infeasible" and outcome.diagnosis is not None
    assert stages.analyse(outcome, shanchuan.Analyses(alternatives=2)).analyses == {}


@pytest.mark.parametrize("bad", [{"alternatives": -1}, {"sensitivity": -5}])
def test_negative_analysis_counts_are_input_errors(bad: dict) -> None:
    with pytest.raises(InputError, match="must be 0 \\(off\\) or a positive number"):
        shanchuan.Analyses(**bad)


def test_report_formats(loaded: Loaded) -> None:
    outcome = stages.solve(stages.prepare(loaded, **QUIET), **QUIET)
    assert json.loads(stages.report(outcome, "json"))["status"] == "optimal"
    assert stages.report(outcome, "csv").splitlines()[0].startswith("recipient_id,recipient,supporter_id")
    assert "[结对建议]" in stages.report(outcome, "table")  # the scenario's language: zh
    with pytest.raises(InputError, match="unknown report format 'pdf'"):
        stages.report(outcome, "pdf")


def test_prepare_rejects_an_unknown_engine(loaded: Loaded) -> None:
    with pytest.raises(InputError, match="unknown engine 'pairing'"):
        stages.prepare(loaded, "pairing")  # type: ignore[call-overload]
