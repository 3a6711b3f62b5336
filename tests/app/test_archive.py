"""Result archives are written atomically and never overwrite a user's files."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from shanchuan.errors import OutputExistsError
from shanchuan.outputs import archive
from shanchuan.outputs import csv as csv_format
from solverkit import jsonio


def write(out: Path, *, force: bool = False, value: int = 1) -> Path:
    result = {"status": "optimal", "x": [1.5, math.inf, math.nan]}
    table = pd.DataFrame({"受援地": ["竹溪县"], "score": [0.5]})
    return archive.write_archive(
        out,
        manifest={"status": "optimal", "value": value},
        files=[
            ("result.json", jsonio.dumps(result).encode("utf-8")),
            ("pairs.csv", csv_format.frame_text(table).encode(csv_format.ARCHIVE_ENCODING)),
            ("changes.log", b"a: 1 -> 2 (--set)\n"),
        ],
        force=force,
    )


def test_writes_manifest_results_and_excel_friendly_csv(tmp_path: Path) -> None:
    out = write(tmp_path / "run")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == ["changes.log", "pairs.csv", "result.json"]
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert result["x"] == [1.5, "inf", None]  # strict JSON: no NaN/Infinity tokens
    raw = (out / "pairs.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Chinese Windows reads UTF-8
    assert "竹溪县" in raw.decode("utf-8-sig")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_refuses_to_overwrite_an_earlier_run_without_force(tmp_path: Path) -> None:
    out = write(tmp_path / "run")
    with pytest.raises(OutputExistsError, match=r"holds an earlier run.*--force"):
        write(out, value=2)
    assert json.loads((out / "manifest.json").read_text())["value"] == 1


def test_force_replaces_an_earlier_run(tmp_path: Path) -> None:
    out = write(tmp_path / "run")
    write(out, value=2, force=True)
    assert json.loads((out / "manifest.json").read_text())["value"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_never_touches_a_directory_that_is_not_a_run_even_with_force(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.xlsx").write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match="not a shanchuan run"):
        write(out, force=True)
    assert (out / "notes.xlsx").read_bytes() == b"precious"


def test_refuses_a_file_in_place_of_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputExistsError, match="not a directory"):
        write(target)


def test_empty_existing_directory_is_used(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    write(out)
    assert (out / "manifest.json").is_file()


def test_failure_midway_leaves_nothing_behind(tmp_path: Path) -> None:
    def files() -> Iterator[tuple[str, bytes]]:
        yield "result.json", b"{}\n"  # written into the staging directory...
        raise RuntimeError("disk full")  # ...then the next member fails

    with pytest.raises(RuntimeError, match="disk full"):
        archive.write_archive(tmp_path / "run", manifest={}, files=files())
    assert list(tmp_path.iterdir()) == []


def test_failure_midway_keeps_the_earlier_run(tmp_path: Path) -> None:
    out = write(tmp_path / "run")

    def files() -> Iterator[tuple[str, bytes]]:
        yield "result.json", b"{}\n"
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        archive.write_archive(out, manifest={"value": 2}, files=files(), force=True)
    assert json.loads((out / "manifest.json").read_text())["value"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_changes_log_one_change_a_line() -> None:
    prov = {"changes": [{"key": "a.b", "old": 1, "new": 2, "source": "--set"}]}
    assert archive.changes_log(prov) == "a.b: 1 -> 2 (--set)\n"
    assert archive.changes_log({}) == ""
