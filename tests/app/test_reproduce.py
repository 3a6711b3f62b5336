"""The run folder (one layout, ``docs/run-folder.md``) and ``shanchuan reproduce``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shanchuan import cli, runfolder
from shanchuan.outputs import archive
from shanchuan.provenance import file_digest
from shanchuan.reproduce import reproduce


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["-q", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def match_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("runs") / "match"
    assert (
        cli.main(["-q", "match", "--set", "matching.rules.max_distance=500", "--out", str(folder)])
        == 0
    )
    return folder


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("runs") / "run"
    assert cli.main(["-q", "run", "--fast", "--out", str(folder)]) == 0
    return folder


def test_every_command_names_its_tables_alike(match_dir: Path, run_dir: Path) -> None:
    match_files = set(json.loads((match_dir / "manifest.json").read_text("utf-8"))["files"])
    run_files = set(json.loads((run_dir / "manifest.json").read_text("utf-8"))["files"])
    assert {"pairs.csv", "explanations.csv"} <= match_files
    assert {
        "pairs.csv",
        "explanations.csv",
        "projects.csv",
        "per_year.csv",
        "per_pair.csv",
        "per_category.csv",
        "fairness.csv",
        "unfunded.csv",
    } <= run_files
    assert not any(f.startswith(("matching_", "allocation_")) for f in run_files)
    manifest = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    assert manifest["run_format"] == archive.RUN_FORMAT == 2
    # Every file the run wrote is listed with its SHA-256; the inputs are copied and hashed.
    for name, digest in manifest["sha256"].items():
        assert file_digest(run_dir / name) == digest
    for key, info in manifest["inputs"].items():
        assert info["copy"] == f"inputs/{key}/{Path(info['path']).name}"
        assert file_digest(run_dir / info["copy"]) == info["sha256"]
    assert {"counties", "projects", "willingness"} <= manifest["inputs"].keys()
    assert manifest["settings"]["allocation"]["annual_budget_wan"] == 12500.0


def test_a_runs_pairs_file_is_an_allocate_input(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "allocate", "--fast", "--pairs", str(run_dir / "pairs.csv"), "--format", "json"
    )
    assert code == 0, err
    d = json.loads(out)
    assert d["pairs_source"] == f"file {(run_dir / 'pairs.csv').resolve()}"
    recorded = json.loads((run_dir / "result.json").read_text("utf-8"))["allocation"]
    assert d["objective"] == pytest.approx(recorded["objective"], rel=2e-3)  # within the gaps
    assert {(p["recipient"], p["supporter"]) for p in d["summary"]["per_pair"]} == {
        (p["recipient"], p["supporter"]) for p in recorded["summary"]["per_pair"]
    }


def test_the_scenario_copy_runs_again_with_the_same_hashes(
    match_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "match", str(match_dir), "--format", "json")
    assert code == 0
    again = json.loads(out)["provenance"]
    recorded = json.loads((match_dir / "manifest.json").read_text("utf-8"))["provenance"]
    assert again["settings_hash"] == recorded["settings_hash"]
    assert again["scenario_hash"] == recorded["scenario_hash"]
    assert "max_distance = 500.0" in (match_dir / runfolder.SCENARIO_COPY).read_text("utf-8")


def test_reproduce_identical(
    match_dir: Path, run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "reproduce", str(match_dir))
    assert (code, out.strip()) == (0, f"reproduce {match_dir}: 相同")
    found = reproduce(run_dir)
    assert found.identical, found.report_lines()
    assert found.comparison.pairs_total == 22 and found.comparison.projects_compared
    code, out, _ = run_cli(capsys, "reproduce", str(run_dir), "--format", "json")
    assert code == 0 and json.loads(out)["status"] == "identical"


def _copy(folder: Path, target: Path) -> Path:
    import shutil

    shutil.copytree(folder, target)
    return target


def test_reproduce_after_tampering_with_the_result(
    match_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(match_dir, tmp_path / "tampered")
    result = json.loads((folder / "result.json").read_text("utf-8"))
    first, second = result["pairs"][0], result["pairs"][1]
    first["supporter"], second["supporter"] = second["supporter"], first["supporter"]
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    code, out, _ = run_cli(capsys, "--lang", "en", "reproduce", str(folder))
    assert code == 1
    assert "changed after the run: result.json" in out
    assert "pairs changed: 2" in out
    found = reproduce(folder)
    assert {p.recipient for p in found.comparison.pair_changes} == {
        first["recipient"],
        second["recipient"],
    }


def test_reproduce_after_tampering_with_an_input_copy(
    match_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(match_dir, tmp_path / "inputs-changed")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    copy = folder / manifest["inputs"]["willingness"]["copy"]
    copy.write_text(copy.read_text("utf-8") + "\n", "utf-8")
    # The original file still matches its hash: it is used, and the bad copy is reported.
    found = reproduce(folder)
    assert not found.identical and found.comparison.identical
    assert found.inputs and "does not match its recorded SHA-256" in found.inputs[0]
    assert found.used["willingness"] == manifest["inputs"]["willingness"]["path"]
    code, out, _ = run_cli(capsys, "reproduce", str(folder))
    assert code == 1 and "willingness" in out


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (None, "no such folder"),
        ({"a.txt": "x"}, "not a shanchuan run folder (no manifest.json)"),
        ({"manifest.json": '{"tool": "jupyter"}'}, "another tool's folder"),
        (
            {
                "manifest.json": '{"tool": "shanchuan", "run_format": 1, "command": "run",'
                ' "files": []}',
                "result.json": "{}",
            },
            "written before run format 2",
        ),
        (
            {
                "manifest.json": '{"tool": "shanchuan", "run_format": 2, "command": "compare",'
                ' "files": []}',
                "result.json": "{}",
            },
            "holds the output of `shanchuan compare`",
        ),
    ],
)
def test_reproduce_bad_folders_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str] | None,
    message: str,
) -> None:
    folder = tmp_path / "x"
    if files is not None:
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, "utf-8")
    code, out, err = run_cli(capsys, "reproduce", str(folder))
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_reproduce_refuses_missing_inputs(
    match_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(match_dir, tmp_path / "no-inputs")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["inputs"]["regions"]["path"] = str(tmp_path / "gone.csv")
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    (folder / manifest["inputs"]["regions"]["copy"]).unlink()
    code, _, err = run_cli(capsys, "reproduce", str(folder))
    assert code == 2 and "input files missing: regions" in err


def test_force_still_replaces_an_earlier_run_of_format_1(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "matching_pairs.csv").write_text("x", "utf-8")
    (old / "manifest.json").write_text(
        json.dumps({"tool": "shanchuan", "run_format": 1, "files": ["matching_pairs.csv"]}),
        "utf-8",
    )
    with pytest.raises(Exception, match="pass --force"):
        archive.check_target(old, force=False)
    archive.check_target(old, force=True)  # recognised as a run: replaceable
