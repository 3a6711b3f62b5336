"""``shanchuan sweep``: variants, resume, determinism, the summary's invariants, bad input."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shanchuan
from shanchuan import cli
from shanchuan.errors import InputError
from shanchuan.sweep import spec, summary
from shanchuan.sweep.progress import SweepProgress

WEIGHTS = "matching.weights.distance=0.1,0.3,0.5"


def _index(path: Path) -> pd.DataFrame:
    return pd.read_csv(path / "index.csv").drop(columns=["seconds"])


def _no_timings(path: Path) -> str:
    """index.csv without its timing column, as text (for byte-for-byte comparisons)."""
    return _index(path).to_csv(index=False)


@pytest.fixture(scope="module")
def weight_sweep(tmp_path_factory: pytest.TempPathFactory) -> shanchuan.SweepResult:
    """A small weight grid of the pairing, in this process (reused by several tests)."""
    out = tmp_path_factory.mktemp("sweep") / "weights"
    return shanchuan.sweep(engine="match", grid=[WEIGHTS], out=out, workers=1)


def test_a_grid_sweep_writes_the_index_and_the_summary(weight_sweep) -> None:
    out = weight_sweep.out
    assert out is not None
    for name in (
        "index.csv",
        "summary.json",
        "pair_frequency.csv",
        "modal_partners.csv",
        "pair_drivers.csv",
        "funds_spread.csv",
        "projects.csv",
        "sweep.json",
    ):
        assert (out / name).is_file(), name
    index = pd.read_csv(out / "index.csv")
    assert list(index["matching.weights.distance"]) == [0.1, 0.3, 0.5]
    assert set(index["status"]) == {"optimal"}
    assert len(list((out / "variants").glob("*.json"))) == 3
    freq = weight_sweep.pair_frequency
    assert freq.shape == (22, 22) or freq.shape[0] == 22
    assert (freq.sum(axis=1) == 3).all()
    modal = weight_sweep.modal_partners
    assert ((modal["share"] > 0) & (modal["share"] <= 1)).all()
    head = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert head["variants"] == 3 and head["solved"] == 3
    assert len(head["robust_pairs"]) + len(head["fragile_pairs"]) == 22


def test_each_variant_equals_a_plain_run_with_the_same_set(weight_sweep) -> None:
    rec = weight_sweep.records[1]
    plain = shanchuan.match(
        sets=["matching.weights.distance=0.3"], analyses=shanchuan.Analyses(explain=False)
    )
    assert rec["pairs"] == [[r, s] for r, s in plain.result.pairs]
    assert rec["objective"] == pytest.approx(plain.result.objective)
    assert rec["settings_hash"] == plain.provenance["settings_hash"]
    assert rec["scenario_hash"] == plain.provenance["scenario_hash"]


def test_drivers_correlate_pair_choice_with_the_swept_value(weight_sweep) -> None:
    drivers = weight_sweep.tables["pair_drivers"]
    assert not drivers.empty and drivers["spearman"].abs().max() <= 1.0
    # Recompute one driver by hand: chosen (0/1) against the distance weight, rank-correlated.
    row = drivers.iloc[0]
    x = [0.1, 0.3, 0.5]
    y = [[row.recipient, row.supporter] in rec["pairs"] for rec in weight_sweep.records]
    expected = pd.Series(x).rank().corr(pd.Series(y, dtype=float).rank())
    assert row.spearman == pytest.approx(expected, abs=1e-4)


def test_rerun_skips_finished_variants(weight_sweep) -> None:
    again = shanchuan.sweep(engine="match", grid=[WEIGHTS], out=weight_sweep.out, workers=1)
    assert (again.ran, again.skipped) == (0, 3)
    assert again.index.drop(columns="seconds").equals(weight_sweep.index.drop(columns="seconds"))


def test_a_crash_mid_sweep_loses_nothing_finished(tmp_path: Path, weight_sweep) -> None:
    out = tmp_path / "crash"
    seen: list[str] = []

    def crash_after_two(record: dict) -> None:
        seen.append(record["key"])
        if len(seen) == 2:
            raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated crash"):
        shanchuan.sweep(
            engine="match", grid=[WEIGHTS], out=out, workers=1, on_record=crash_after_two
        )
    assert sorted(p.stem for p in (out / "variants").glob("*.json")) == sorted(seen)
    assert not (out / "index.csv").exists()
    resumed = shanchuan.sweep(engine="match", grid=[WEIGHTS], out=out, workers=1)
    assert (resumed.ran, resumed.skipped) == (1, 2)
    assert _no_timings(out) == _no_timings(weight_sweep.out)


def test_a_killed_sweep_resumes_from_its_finished_variants(tmp_path: Path) -> None:
    out = tmp_path / "killed"
    grid = "matching.weights.distance=0.1,0.2,0.3,0.4,0.5,0.6"
    cmd = [
        sys.executable,
        "-m",
        "shanchuan.cli",
        "-q",
        "sweep",
        "--engine",
        "match",
        "--grid",
        grid,
        "--out",
        str(out),
        "--workers",
        "1",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "variants").glob("*.json"))) >= 2:
                break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    before = {p.stem for p in (out / "variants").glob("*.json")}
    assert before, "the sweep was killed before any variant finished"
    for path in (out / "variants").glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # every file left behind is whole
    resumed = shanchuan.sweep(engine="match", grid=[grid], out=out, workers=1)
    assert resumed.skipped == len(before) and resumed.ran == 6 - len(before)
    assert list(resumed.index["status"]) == ["optimal"] * 6


def test_same_seed_same_index_in_one_process_and_in_two(tmp_path: Path) -> None:
    common = dict(
        engine="match",
        samples=3,
        dist=["matching.weights=dirichlet(2)"],
        perturb=["counties.gdp_2019_yi=0.15"],
        seed=7,
    )
    one = shanchuan.sweep(out=tmp_path / "one", workers=1, **common)
    two = shanchuan.sweep(out=tmp_path / "two", workers=2, **common)
    assert _no_timings(tmp_path / "one") == _no_timings(tmp_path / "two")
    assert [r["key"] for r in one.records] == [r["key"] for r in two.records]
    weights = one.index[[c for c in one.index.columns if c.startswith("matching.weights.")]]
    assert (weights.sum(axis=1) - 1).abs().max() < 1e-4  # a Dirichlet draw sums to 1
    other = shanchuan.sweep(
        engine="match",
        samples=3,
        dist=["matching.weights=dirichlet(2)"],
        perturb=["counties.gdp_2019_yi=0.15"],
        seed=8,
        workers=1,
    )
    assert [r["key"] for r in other.records] != [r["key"] for r in one.records]


def test_noise_changes_the_data_and_replicates_differ() -> None:
    result = shanchuan.sweep(
        engine="match", samples=2, perturb=["counties.gdp_2019_yi=0.3"], seed=1, workers=1
    )
    assert list(result.index["replicate"]) == [0, 1]
    assert result.records[0]["key"] != result.records[1]["key"]
    assert result.index["objective"].nunique() == 2  # different data, different optimum


def test_willingness_noise_drops_and_reorders_entries() -> None:
    from shanchuan.sweep.worker import perturbed

    data = shanchuan.load().data("matching")
    base = data.willingness
    dropped = perturbed({"matching": data}, (("willingness.drop", 0.5),), seed=3)["matching"]
    kept = dropped.willingness
    assert 0.3 * len(base) < len(kept) < 0.7 * len(base)
    assert set(kept.index) < set(base.index) and data.willingness is base  # input untouched
    shuffled = perturbed({"matching": data}, (("willingness.shuffle", 1.0),), seed=3)["matching"]
    moved = 0
    for _county, group in base.groupby("county"):
        new = shuffled.willingness.loc[group.index]
        assert sorted(new["rank"]) == sorted(group["rank"])  # a permutation of the same ranks
        moved += (new["rank"] != group["rank"]).any()
    assert moved > base["county"].nunique() // 2
    again = perturbed({"matching": data}, (("willingness.shuffle", 1.0),), seed=3)["matching"]
    assert again.willingness.equals(shuffled.willingness)  # the seed decides


def test_a_failing_variant_is_recorded_and_the_sweep_goes_on(tmp_path: Path, capsys) -> None:
    out = tmp_path / "infeasible"
    code = cli.main(
        [
            "-q",
            "sweep",
            "--engine",
            "match",
            "--grid",
            "matching.rules.max_distance=60,inf",
            "--out",
            str(out),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    index = pd.read_csv(out / "index.csv")
    assert list(index["status"]) == ["infeasible", "optimal"]
    assert "60" in index.loc[0, "message"]  # the diagnosis names the distance cap
    record = json.loads((out / "variants" / f"{index.loc[0, 'key']}.json").read_text("utf-8"))
    assert record["diagnosis"]
    stdout = capsys.readouterr().out
    assert "infeasible 1" in stdout and "failed variant" in stdout


def test_a_budget_sweep_of_the_allocation_spreads_the_funds(tmp_path: Path) -> None:
    result = shanchuan.sweep(
        engine="allocate",
        grid=["allocation.annual_budget_wan=12500,14000"],
        # A 5 % gap and one objective stage keep each variant at a few seconds.
        sets=["allocation.solver.gap=0.05", "allocation.lexicographic=false"],
        fast=True,
        out=tmp_path / "budget",
        workers=1,
    )
    assert set(result.index["status"]) <= {"optimal", "feasible"}
    totals = list(result.index["total_funds_wan"])
    assert totals[0] <= 12500 * 5 + 1e-6 and totals[0] < totals[1]
    spread = result.tables["funds_spread"]
    assert len(spread) == 22 and (spread["min_wan"] <= spread["max_wan"]).all()
    projects = result.tables["projects"]
    assert projects["share"].between(0, 1).all() and projects["robust"].any()


def test_a_folder_of_another_base_is_refused(weight_sweep, capsys) -> None:
    code = cli.main(
        [
            "-q",
            "sweep",
            "--engine",
            "match",
            "--grid",
            WEIGHTS,
            "--set",
            "matching.rules.max_distance=400",
            "--out",
            str(weight_sweep.out),
        ]
    )
    assert code == 2
    assert "belongs to another base" in capsys.readouterr().err
    code = cli.main(
        ["-q", "sweep", "--engine", "allocate", "--grid", WEIGHTS, "--out", str(weight_sweep.out)]
    )
    assert code == 2


def test_a_folder_that_is_not_a_sweep_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert (
        cli.main(["-q", "sweep", "--engine", "match", "--grid", WEIGHTS, "--out", str(tmp_path)])
        == 2
    )
    assert "not a sweep folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--grid", "matching.weights.distanse=0.1,0.2"],
            "did you mean 'matching.weights.distance'",
        ),
        (
            ["--grid", "matching.weights.distance=0.1", "--perturb", "counties.gdp=0.1"],
            "did you mean 'counties.gdp_2019_yi'",
        ),
        (
            ["--samples", "3", "--dist", "matching.weight.strength=uniform(0,1)"],
            "did you mean 'matching.weights.strength'",
        ),
        (
            ["--grid", "matching.weights.distance=0.1", "--perturb", "counties.gdp_2019_yi=2"],
            "spread must be a number in (0, 1)",
        ),
        (["--grid", "matching.rules.max_distance=-5,300"], "in the variant"),
        (
            ["--samples", "2", "--dist", "matching.weights.distance=uniform(2,1)"],
            "bad uniform() arguments",
        ),
        (["--grid", "matching.weights.distance=0.1", "--samples", "2"], "a --grid lists them"),
    ],
)
def test_bad_sweeps_are_refused_with_a_clear_message(
    args: list[str], message: str, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "bad"
    assert cli.main(["-q", "sweep", "--engine", "match", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()  # refused before anything is written


def test_a_large_grid_needs_yes(tmp_path: Path, capsys) -> None:
    out = tmp_path / "big"
    grid = [
        "--grid",
        "matching.weights.distance=0.1,0.2,0.3",
        "--grid",
        "matching.weights.strength=0.1,0.2,0.3",
    ]
    code = cli.main(
        ["-q", "sweep", "--engine", "match", "--out", str(out), "--max-variants", "5", *grid]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "makes 9 variants, more than the 5" in err and "give --yes" in err
    assert not out.exists()
    from shanchuan import scenario as scenario_mod

    known = scenario_mod.KNOWN
    plan = spec.build(
        grid=[g for g in grid if g != "--grid"],
        known=known,
        groups=scenario_mod.GROUPS,
        max_variants=5,
        yes=True,
    )
    assert len(plan.variants) == 9
    with pytest.raises(InputError, match="give --yes"):
        spec.build(
            grid=[g for g in grid if g != "--grid"],
            known=known,
            groups=scenario_mod.GROUPS,
            max_variants=5,
        )


def test_grid_values_round_trip_through_set() -> None:
    from shanchuan import scenario as scenario_mod

    plan = spec.build(
        grid=['matching.objective=weighted_sum,"maxmin"', "matching.rules.max_distance=300,inf"],
        known=scenario_mod.KNOWN,
        groups=scenario_mod.GROUPS,
    )
    assert [v.values["matching.objective"] for v in plan.variants] == [
        "weighted_sum",
        "weighted_sum",
        "maxmin",
        "maxmin",
    ]
    parsed = scenario_mod.parse_set(plan.variants[1].sets)
    assert parsed["matching.rules.max_distance"] == float("inf")


_RECIPIENTS = [f"r{i}" for i in range(5)]
_SUPPORTERS = [f"s{i}" for i in range(6)]


@st.composite
def _records(draw: st.DrawFn) -> list[dict]:
    n = draw(st.integers(1, 12))
    out = []
    for i in range(n):
        partners = draw(st.permutations(_SUPPORTERS))[: len(_RECIPIENTS)]
        status = draw(st.sampled_from(["optimal", "feasible", "infeasible", "error"]))
        pairs = [[r, s] for r, s in zip(_RECIPIENTS, partners, strict=False)]
        out.append(
            {
                "key": f"k{i}",
                "status": status,
                "pairs": pairs if status in ("optimal", "feasible") else [],
                "values": {"w": draw(st.floats(0, 1))},
            }
        )
    return out


@settings(max_examples=60, deadline=None)
@given(_records())
def test_pair_frequency_rows_sum_to_the_solved_variants(records: list[dict]) -> None:
    index, tables, head = summary.summarise(records, ["w"], {})
    solved = sum(r["status"] in ("optimal", "feasible") for r in records)
    assert head["solved"] == solved and len(index) == len(records)
    freq = tables["pair_frequency"]
    if solved:
        assert (freq.sum(axis=1) == solved).all() and len(freq) == len(_RECIPIENTS)
        modal = tables["modal_partners"]
        assert (modal["count"] == freq.max(axis=1).to_numpy()).all()
        assert modal["share"].between(0, 1).all()
    else:
        assert freq.empty
    assert tables["pair_drivers"]["spearman"].abs().le(1 + 1e-9).all()


def test_the_python_example_of_the_docs_runs() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "sweep.md"
    blocks = re.findall(r"```python\n(.*?)```", docs.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    for code in blocks:
        exec(compile(code, str(docs), "exec"), {})


def test_progress_prints_plain_lines_off_a_terminal() -> None:
    stream = io.StringIO()
    clock = iter([0.0, 1.0, 2.0, 20.0, 21.0]).__next__
    bar = SweepProgress(3, stream=stream, tty=False, interval=5.0, clock=clock)
    for status in ("optimal", "infeasible", "optimal"):
        bar.update({"status": status})
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("shanchuan: sweep 1/3 variants (0 failed)") and "ETA" in lines[0]
    assert lines[-1].startswith("shanchuan: sweep 3/3 variants (1 failed)")
    assert len(lines) == 2 and "\r" not in stream.getvalue()


def test_progress_on_a_terminal_is_one_bar_with_an_eta() -> None:
    stream = io.StringIO()
    bar = SweepProgress(4, stream=stream, tty=True, interval=0.0)
    for _ in range(2):
        bar.update({"status": "optimal"})
    bar.update({"status": "error"})
    bar.close()
    text = stream.getvalue()
    assert "shanchuan: sweep" in text and "3/4" in text and "failed 1" in text
    assert "\r" in text and "<" in text  # redrawn in place, with tqdm's remaining-time field


_JUNK = st.text(alphabet="abcdefgmnrstuwxyz._=,()[]\"'-+019 ", max_size=40)
_KEYED = st.builds(
    "{}={}".format, st.sampled_from(sorted(__import__("shanchuan.scenario").scenario.KNOWN)), _JUNK
)
_BASE: list = []


@settings(max_examples=150, deadline=None)
@given(
    grid=st.lists(st.one_of(_JUNK, _KEYED), max_size=2),
    dists=st.lists(_JUNK, max_size=2),
    perturb=st.lists(_JUNK, max_size=2),
    samples=st.integers(-2, 3),
)
def test_junk_sweep_flags_are_input_errors_never_crashes(grid, dists, perturb, samples) -> None:
    from shanchuan import scenario as scenario_mod
    from shanchuan.sweep import run

    if not _BASE:
        _BASE.append(shanchuan.load())
        _BASE[0].data("matching")
    try:
        plan = spec.build(
            grid=grid,
            samples=samples,
            dists=dists,
            perturb=perturb,
            known=scenario_mod.KNOWN,
            groups=scenario_mod.GROUPS,
        )
        run._tasks(_BASE[0], "match", ("matching",), plan)  # each variant's settings built
    except InputError as exc:
        assert str(exc)
        return
    assert plan.variants and all(isinstance(v.sets, tuple) for v in plan.variants)
