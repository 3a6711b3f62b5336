"""``shanchuan calibrate``: the default scenario against its own suggestion and a perturbed one,
the override file it writes, its formats, and bad reference files (exit 2, located)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from shanchuan import cli


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["-q", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def base_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calib") / "base"
    assert cli.main(["-q", "match", "--out", str(out), "--format", "json"]) == 0
    return out


def _pairs(folder: Path) -> list[dict[str, str]]:
    with open(folder / "pairs.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text(
        "recipient,supporter\n" + "".join(f"{r},{s}\n" for r, s in rows), encoding="utf-8"
    )
    return path


def test_the_suggestion_is_reproduced(
    capsys: pytest.CaptureFixture[str], base_run: Path, tmp_path: Path
) -> None:
    capsys.readouterr()
    weights = tmp_path / "calibrated.toml"
    code, out, err = run_cli(
        capsys,
        "calibrate",
        "--reference",
        str(base_run / "pairs.csv"),
        "--format",
        "json",
        "--weights",
        str(weights),
    )
    assert code == 0, err
    d = json.loads(out)
    assert d["status"] == "calibrated"
    assert d["reference_pairs"] == 22 and d["reproduced"] == 22
    assert d["violation"] < 1e-7
    assert abs(sum(d["weights"].values()) - 1) < 1e-9
    # the override set, used as documented, gives back the same pairing
    text = weights.read_text(encoding="utf-8")
    assert "[overrides.calibrated]" in text and '"matching.weights.industry"' in text
    code, out, err = run_cli(
        capsys, "match", str(weights), "--scenario", "calibrated", "--format", "json"
    )
    assert code == 0, err
    again = {(p["recipient_id"], p["supporter_id"]) for p in json.loads(out)["pairs"]}
    assert again == {tuple(p) for p in d["pairing"]}


def test_a_perturbed_partial_reference_with_folds_and_a_fixed_weight(
    capsys: pytest.CaptureFixture[str], base_run: Path, tmp_path: Path
) -> None:
    rows = [(p["recipient"], p["supporter"]) for p in _pairs(base_run)]
    # swap the supporters of the first two recipients and keep 16 recipients only
    (r0, s0), (r1, s1) = rows[0], rows[1]
    rows[0], rows[1] = (r0, s1), (r1, s0)
    ref = _write(tmp_path / "ref.csv", rows[:16])
    out_dir = tmp_path / "cal"
    code, out, err = run_cli(
        capsys,
        "calibrate",
        "--reference",
        str(ref),
        "--fix",
        "plan=0.05",
        "--folds",
        "4",
        "--bootstrap",
        "5",
        "--seed",
        "3",
        "--lang",
        "en",
        "--out",
        str(out_dir),
    )
    assert code == 0, err
    assert "reference pairs: 16" in out
    assert "[cross-validation] 4 folds, seed 3" in out
    assert "--set matching.weights.plan=0.050000" in out
    d = json.loads((out_dir / "result.json").read_text(encoding="utf-8"))
    assert d["fixed"] == {"plan": 0.05}
    assert d["cross_validation"]["held_out"] == 16
    assert (out_dir / "calibrated.toml").is_file()
    assert (out_dir / "weights.csv").is_file() and (out_dir / "folds.csv").is_file()
    # the same seed gives the same folds
    code, out2, _ = run_cli(
        capsys,
        "calibrate",
        "--reference",
        str(ref),
        "--fix",
        "plan=0.05",
        "--folds",
        "4",
        "--bootstrap",
        "5",
        "--seed",
        "3",
        "--format",
        "json",
    )
    again = json.loads(out2)
    assert again["folds"] == d["folds"] and again["ranges"] == d["ranges"]


def test_csv_is_the_weights_table(capsys: pytest.CaptureFixture[str], base_run: Path) -> None:
    code, out, _ = run_cli(
        capsys, "calibrate", "--reference", str(base_run / "pairs.csv"), "--format", "csv"
    )
    assert code == 0
    assert out.splitlines()[0] == "criterion,weight,start_weight,fixed,low_5,high_95"
    assert len(out.splitlines()) == 7


def test_a_bad_reference_file_is_located(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = _write(tmp_path / "bad.csv", [("竹溪县", "枣阳市"), ("Atlantis", "枣阳市")])
    code, _, err = run_cli(capsys, "calibrate", "--reference", str(bad))
    assert code == 2
    assert "bad.csv" in err and "row 3" in err and "Atlantis" in err
    assert "Traceback" not in err


def test_a_reference_breaking_a_forbid_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ref = _write(tmp_path / "ref.csv", [("竹溪县", "枣阳市")])
    code, _, err = run_cli(
        capsys,
        "calibrate",
        "--reference",
        str(ref),
        "--set",
        'matching.rules.forbids=[["竹溪县", "枣阳市"]]',
    )
    assert code == 2
    assert "breaks the rule forbid" in err and "ref.csv" in err


def test_missing_file_and_bad_fix_are_input_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, base_run: Path
) -> None:
    code, _, err = run_cli(capsys, "calibrate", "--reference", str(tmp_path / "none.csv"))
    assert code == 2 and "file not found" in err
    ref = str(base_run / "pairs.csv")
    code, _, err = run_cli(capsys, "calibrate", "--reference", ref, "--fix", "plan")
    assert code == 2 and "CRITERION=WEIGHT" in err
    code, _, err = run_cli(capsys, "calibrate", "--reference", ref, "--fix", "speed=0.1")
    assert code == 2 and "unknown criterion 'speed'" in err


def test_match_reference_reports_agreement(
    capsys: pytest.CaptureFixture[str], base_run: Path, tmp_path: Path
) -> None:
    rows = [(p["recipient"], p["supporter"]) for p in _pairs(base_run)]
    (r0, s0), (r1, s1) = rows[0], rows[1]
    ref = _write(tmp_path / "ref.csv", [(r0, s1), (r1, s0), *rows[2:10]])
    code, out, err = run_cli(capsys, "match", "--reference", str(ref), "--lang", "en")
    assert code == 0, err
    assert "[agreement with the reference]" in out
    assert "exact: 8/10" in out
    assert f"{r0}: {s0} ≠ {s1}" in out
    # other formats keep stdout parseable: the agreement goes to stderr
    code, out, err = run_cli(capsys, "match", "--reference", str(ref), "--format", "json")
    assert code == 0 and json.loads(out)["status"] == "optimal"
    assert "完全一致: 8/10" in err
    bad = _write(tmp_path / "bad.csv", [("Atlantis", s0)])
    code, _, err = run_cli(capsys, "match", "--reference", str(bad))
    assert code == 2 and "bad.csv" in err and "row 2" in err
