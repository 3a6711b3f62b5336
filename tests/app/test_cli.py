"""End-to-end: the CLI on the default scenario and on broken inputs, with its exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shanchuan import cli
from shanchuan import scenario as sc_mod

DEFAULT_DIR = sc_mod.builtin_path("hubei-2021").parent


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["-q", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def copy_default(tmp_path: Path) -> Path:
    """A writable copy of the default scenario's folder."""
    target = tmp_path / "hubei"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def test_match_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "match", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["status"] == "optimal"
    assert isinstance(d["objective"], float)
    assert len(d["pairs"]) == 22
    for pair in d["pairs"]:
        assert {"recipient", "supporter", "score", "criteria", "distance_km"} <= pair.keys()
        assert set(pair["criteria"]) == {
            "strength",
            "industry",
            "resource",
            "distance",
            "willingness",
            "plan",
        }
    assert len({p["recipient"] for p in d["pairs"]}) == 22
    assert len({p["supporter"] for p in d["pairs"]}) == 22
    prov = d["provenance"]
    assert prov["scenario"] == "hubei-2021"
    assert len(prov["scenario_hash"]) == 64
    assert prov["versions"]["pulp"] == "3.3.0"
    assert prov["status"] == "optimal"
    assert "solve_s" in prov["timings"]


def test_same_inputs_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run_cli(capsys, "match", "--format", "csv")
    _, second, _ = run_cli(capsys, "match", "--format", "csv")
    assert first == second


def test_match_table_shows_chinese_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "match")
    assert code == 0
    assert "竹溪县" in out and "求解状态：最优" in out


def test_set_and_override_changes_are_logged_and_stored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "run"
    code, _, _ = run_cli(
        capsys,
        "match",
        "--scenario",
        "near",
        "--set",
        "matching.weights.plan=0.2",
        "--out",
        str(out_dir),
    )
    assert code == 0
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    changes = manifest["provenance"]["changes"]
    assert [c["key"] for c in changes] == ["matching.rules.max_distance", "matching.weights.plan"]
    log = (out_dir / "changes.log").read_text(encoding="utf-8")
    assert "matching.weights.plan: 0.05 -> 0.2 (--set)" in log
    assert (out_dir / "pairs.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_out_refuses_overwrite_then_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "run"
    assert run_cli(capsys, "match", "--out", str(out_dir))[0] == 0
    code, _, err = run_cli(capsys, "match", "--out", str(out_dir))
    assert code == 2 and "--force" in err
    assert run_cli(capsys, "match", "--out", str(out_dir), "--force")[0] == 0


def test_bad_input_file_exit_2_with_every_problem(
    capsys: pytest.CaptureFixture[str], copy_default: Path
) -> None:
    f = copy_default / "counties.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    gdp = header.index("gdp_2019_yi")
    lat = header.index("lat")
    row = lines[1].split(",")
    row[gdp] = "abc"
    row[lat] = "95"
    lines[1] = ",".join(row)
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "match", str(copy_default))
    assert code == 2
    assert out == ""
    assert "row 2" in err and "gdp_2019_yi" in err and "lat" in err
    assert "Traceback" not in err


def test_unknown_county_in_lock_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "match", "--set", 'matching.rules.locks=[["竹溪", "宜都市"]]')
    assert code == 2
    assert "竹溪" in err and "did you mean" in err


def test_unknown_key_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "match", "--set", "matching.rules.max_distnce=300")
    assert code == 2 and "did you mean 'matching.rules.max_distance'" in err


def test_infeasible_rules_exit_3_with_diagnosis(capsys: pytest.CaptureFixture[str]) -> None:
    locks = 'matching.rules.locks=[["竹溪县", "宜都市"], ["五峰县", "宜都市"]]'
    code, out, err = run_cli(capsys, "match", "--set", locks)
    assert code == 3
    assert "竹溪县" in out and "五峰县" in out  # the diagnosis, in the report
    assert "infeasible" in err
    code, out, err = run_cli(capsys, "match", "--set", locks, "--format", "json")
    assert code == 3
    d = json.loads(out)
    assert d["status"] == "infeasible" and d["diagnosis"]
    assert "竹溪县" in err  # with JSON on stdout the diagnosis is repeated on stderr


def test_infeasible_budget_rules_exit_3_with_relaxation(capsys: pytest.CaptureFixture[str]) -> None:
    pairs = Path(__file__).parents[2] / "scenarios" / "replan-2023" / "pairs.csv"
    code, out, err = run_cli(
        capsys,
        "allocate",
        "--set",
        "allocation.projects_per_year_min=90",
        "--set",
        "allocation.projects_per_year_max=95",
        "--set",
        f"data.pairs={str(pairs)!r}",
        "--format",
        "json",
    )
    assert code == 3, err
    d = json.loads(out)
    assert d["status"] == "infeasible"
    assert "projects_per_year_min" in " ".join(d["diagnosis"]["text"])
    assert "Lower projects_per_year_min from 90 to" in err


def test_solver_failure_exit_4(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import matching

    real = matching.solve

    def failing(problem, settings):
        result = real(problem, settings)
        return type(result)(**{**result.__dict__, "status": matching.MatchStatus.FAILED})

    monkeypatch.setattr(matching, "solve", failing)
    code, _, err = run_cli(capsys, "match")
    assert code == 4 and "no verified solution" in err


def test_unknown_solver_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "match", "--set", "matching.solver.name=gurobi")
    assert code == 2 and "unknown solver 'gurobi'" in err and "cbc" in err


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["match", "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_keys_and_scenarios_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "keys")
    assert code == 0 and "matching.rules.max_distance" in out
    code, out, _ = run_cli(capsys, "scenarios")
    assert code == 0 and "--scenario near" in out


def test_check_validates_without_solving(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check")
    assert code == 0 and "files valid" in out


@pytest.mark.parametrize(
    "example", sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))
)
def test_example_scenarios_are_valid_and_match(
    capsys: pytest.CaptureFixture[str], example: Path
) -> None:
    code, _, err = run_cli(capsys, "check", str(example))
    assert code == 0, err
    code, out, err = run_cli(capsys, "match", str(example), "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["status"] == "optimal" and len(d["pairs"]) == 22
    assert d["provenance"]["changes"], "an example what-if changes something"


def test_run_json_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Rule costs re-solve the plan ~10 times (about a minute); CI's fresh-install run covers
    # them on the default data, the allocation tests on small instances.
    code, out, _ = run_cli(
        capsys,
        "run",
        "--format",
        "json",
        "--out",
        str(tmp_path / "r"),
        "--set",
        "allocation.analysis.rule_costs=false",
        "--set",
        "allocation.analysis.force_unfunded=1",
    )
    assert code == 0
    d = json.loads(out)
    assert d["status"] in ("optimal", "feasible")
    assert len(d["matching"]["pairs"]) == 22
    alloc = d["allocation"]
    assert {"status", "objective", "projects", "summary"} <= alloc.keys()
    for p in alloc["projects"]:
        assert {
            "id",
            "year",
            "recipient",
            "supporter",
            "category",
            "special_fund_wan",
            "supporter_fund_wan",
        } <= p.keys()
    assert d["provenance"]["scenario_hash"]
    # "optimal" only when proven (gap <= 1e-6), else "feasible" with the gap beside it.
    assert alloc["status"] == ("optimal" if (alloc["gap"] or 0) <= 1e-6 else "feasible")
    assert alloc["solution_status"] == "verified"
    years = {p["year"] for p in alloc["projects"]}
    assert years == {2021, 2022, 2023, 2024, 2025}
    for row in alloc["summary"]["per_year"]:
        assert row["special_fund_wan"] <= row["available_wan"] + 1e-6
        assert 45 <= row["projects"] <= 55
    assert alloc["summary"]["best_unfunded"][0]["forced_loss"] is not None
    files = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert "projects.csv" in files and "pairs.csv" in files  # one layout: docs/run-folder.md


def test_travel_time_matrix_takes_precedence_and_json_keeps_km(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import pandas as pd

    counties = pd.read_csv(DEFAULT_DIR / "counties.csv")
    rec = counties[counties.role == "recipient"]
    sup = counties[counties.role == "supporter"]
    rows = [
        # minutes: 60 + 0.8 min per km of straight-line latitude/longitude difference (synthetic)
        (r.annex_name, s.annex_name, round(60 + 80 * (abs(r.lat - s.lat) + abs(r.lon - s.lon)), 1))
        for r in rec.itertuples()
        for s in sup.itertuples()
    ]
    pd.DataFrame(rows, columns=["recipient", "supporter", "value"]).to_csv(
        tmp_path / "times.csv", index=False
    )
    (tmp_path / "s.toml").write_text(
        '[scenario]\nextends = "hubei-2021"\n[data]\ndistances = "times.csv"\n'
        'distance_unit = "minutes"\n[matching.rules]\nmax_distance = 400.0\n',
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, "match", str(tmp_path / "s.toml"), "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    for pair in d["pairs"]:
        assert pair["distance_min"] <= 400.0
        assert 0 < pair["distance_km"] < 700


def test_rolling_replan_keeps_executed_years(capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    folder = Path(__file__).parents[2] / "scenarios" / "replan-2023"
    code, out, err = run_cli(
        capsys,
        "allocate",
        str(folder),
        "--format",
        "json",
        "--set",
        "allocation.analysis.rule_costs=false",
        "--set",
        "allocation.analysis.force_unfunded=0",
    )
    assert code == 0, err
    d = json.loads(out)
    assert d["pairs_source"].startswith("file ")
    executed = pd.read_csv(folder / "executed.csv")
    planned = {
        (p["id"], p["year"]): p["special_fund_wan"] for p in d["projects"] if p["year"] <= 2022
    }
    assert planned == {(r.project, r.year): r.special_fund_wan for r in executed.itertuples()}
    for row in d["summary"]["per_year"]:
        if row["year"] >= 2023:
            assert row["special_fund_wan"] <= 11250.0 + 1e-6


def test_excel_workbook_beside_the_csv_tables(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import pandas as pd

    out_dir = tmp_path / "run"
    code, _, err = run_cli(capsys, "match", "--forcing-costs", "--out", str(out_dir), "--excel")
    assert code == 0, err
    sheets = pd.read_excel(out_dir / "results.xlsx", sheet_name=None)
    assert set(sheets) == {
        "概况", "结对建议", "结对理由明细", "强制结对代价", "强制代价矩阵", "假设与数据说明", "来源与版本"
    }
    assert len(sheets["强制结对代价"]) == 484
    assert "竹溪县" in set(sheets["结对建议"]["受援地"])
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "results.xlsx" in manifest["files"]


def test_excel_needs_out_and_the_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from shanchuan.outputs import workbook

    code, _, err = run_cli(capsys, "match", "--excel")
    assert code == 2 and "--excel writes results.xlsx into the --out directory; give --out DIR" in err
    monkeypatch.setattr(workbook, "excel_available", lambda: False)
    code, _, err = run_cli(capsys, "match", "--excel", "--out", str(tmp_path / "x"))
    assert code == 2 and "pip install 'shanchuan[excel]'" in err
    assert not (tmp_path / "x").exists()


def test_closed_pipe_is_not_an_error() -> None:
    import subprocess
    import sys

    # stdout is a pipe whose reader is already gone: every write raises BrokenPipeError.
    script = (
        "import os, sys\n"
        "r, w = os.pipe(); os.close(r); os.dup2(w, 1)\n"
        "from shanchuan.cli import main\n"
        "code = main(['keys'])\n"
        "sys.stderr.write(f'exit={code}')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert "exit=0" in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
