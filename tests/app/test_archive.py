"""Result archives are written atomically and never overwrite a user's files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from shanchuan import archive
from shanchuan.errors import OutputExistsError


def write(out: Path, *, force: bool = False, value: int = 1) -> Path:
    return archive.write_archive(
        out,
        manifest={"status": "optimal", "value": value},
        json_files={"result.json": {"status": "optimal", "x": [1.5, math.inf, math.nan]}},
        tables={"pairs.csv": pd.DataFrame({"受援地": ["竹溪县"], "score": [0.5]})},
        text_files={"changes.log": "a: 1 -> 2 (--set)\n"},
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
    class Boom:
        def to_csv(self, *args, **kwargs):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        archive.write_archive(
            tmp_path / "run",
            manifest={},
            json_files={},
            tables={"x.csv": Boom()},  # type: ignore[dict-item]
        )
    assert list(tmp_path.iterdir()) == []
