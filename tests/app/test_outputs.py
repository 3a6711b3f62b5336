"""The output room: a registry of formats, each complete and each exercised on real outcomes."""

from __future__ import annotations

import importlib
import io
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import shanchuan.outputs
from shanchuan import cli, pipeline
from shanchuan.errors import InfeasibleError, InputError, Problem, ScenarioError
from shanchuan.outputs import FORMATS, Format, OutputOptions, archive, messages, table, workbook
from shanchuan.outputs import csv as csv_format
from shanchuan.outputs import json as json_format
from solverkit.registry import SolverError

FAST_ALLOCATION = ["allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0"]


@pytest.fixture(scope="module")
def match_outcome() -> Any:
    return pipeline.match("hubei-2021", analyses=pipeline.Analyses(forcing_costs=True))


@pytest.fixture(scope="module")
def allocation_outcome() -> Any:
    return pipeline.allocate("hubei-2021", sets=FAST_ALLOCATION)


@pytest.fixture(params=["match", "allocation", "run"])
def outcome(request: pytest.FixtureRequest) -> Any:
    if request.param == "run":
        allocated = request.getfixturevalue("allocation_outcome")
        return pipeline.RunOutcome(
            request.getfixturevalue("match_outcome"), allocated
        )
    return request.getfixturevalue(f"{request.param}_outcome")


# --- the registry: every record complete, every format module registered ---------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_has_every_part(name: str) -> None:
    fmt = FORMATS[name]
    assert isinstance(fmt, Format)
    assert fmt.name == name, "registered under its own name"
    assert fmt.description.strip(), f"{name}: no description"
    assert callable(fmt.emit), f"{name}: no emit"
    assert fmt.stdout or fmt.archive_member, f"{name}: neither a --format nor an --out member"
    if fmt.members is not None:
        assert callable(fmt.members)
        assert fmt.in_archive.strip(), f"{name}: does not say what it adds to --out"
    if fmt.opt_in is not None:
        assert fmt.opt_in.startswith("--"), f"{name}: opt_in is a CLI flag"
        assert fmt.members is not None, f"{name}: opt-in, but adds nothing to --out"
        assert fmt.missing.strip(), f"{name}: does not say what to install"
    if fmt.stdout:
        assert not fmt.binary, f"{name}: binary output is no --format for a terminal"
    assert isinstance(fmt.available(), bool)


def test_every_format_module_is_registered() -> None:
    found = {}
    for info in pkgutil.iter_modules(shanchuan.outputs.__path__):
        module = importlib.import_module(f"shanchuan.outputs.{info.name}")
        fmt = getattr(module, "FORMAT", None)
        if fmt is not None:
            found[fmt.name] = fmt
    assert found == dict(FORMATS), "a format module lacks its line in FORMATS (or vice versa)"


def test_format_choices_come_from_the_registry() -> None:
    parser = cli.make_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for command in ("run", "match", "allocate", "check"):
        action = next(
            a for a in sub.choices[command]._actions if a.dest == "format"  # type: ignore[attr-defined]
        )
        assert tuple(action.choices) == shanchuan.outputs.stdout_formats()
    assert shanchuan.outputs.stdout_formats() == ("table", "json", "csv", "markdown")  # order
    excel = next(a for a in sub.choices["match"]._actions if a.dest == "excel")  # type: ignore[attr-defined]
    assert excel.option_strings == ["--excel"]


def test_the_registry_loads_no_pandas() -> None:
    probe = (
        "import sys, shanchuan.outputs, shanchuan.outputs.archive, shanchuan.outputs.messages\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert not {"pandas", "numpy", "pulp", "matching", "allocation"} & set(out)


def test_options_are_frozen_and_closed() -> None:
    options = OutputOptions(command="match")
    with pytest.raises(AttributeError):
        options.command = "run"  # type: ignore[misc]
    with pytest.raises(TypeError):
        OutputOptions(excel=True)  # type: ignore[call-arg]


# --- every format on real default outcomes ---------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_emits_and_archives_a_real_outcome(name: str, outcome: Any) -> None:
    fmt = FORMATS[name]
    stream: io.BytesIO | io.StringIO = io.BytesIO() if fmt.binary else io.StringIO()
    if name == "csv" and hasattr(outcome, "allocation"):  # a run has no one table for stdout
        with pytest.raises(InputError, match="use `run --out DIR`"):
            fmt.emit(outcome, stream, OutputOptions(command="run"))
        stream.write("refused")
    else:
        fmt.emit(outcome, stream, OutputOptions(command="match"))
    assert stream.getvalue(), f"{name} wrote nothing"
    if fmt.members is not None:
        files = fmt.members(outcome, OutputOptions(extras=frozenset({name})))
        assert files and all(isinstance(v, bytes) and v for v in files.values())


def test_table_report(match_outcome: Any, allocation_outcome: Any) -> None:
    en = OutputOptions(lang="en")  # the fixed words below are the English ones
    text = table.report(match_outcome, en)
    assert text.startswith("scenario: hubei-2021   hash: ")
    assert "status: optimal" in text and "[pairs]" in text and "竹溪县" in text
    assert "[next-best partner per recipient (cost of forcing it)]" in text
    text = table.report(allocation_outcome, en)
    for title in ("[per_year]", "[per_pair]", "[per_category]", "[fairness"):
        assert title in text
    assert "pairs: suggested pairing" in text
    run = table.report(pipeline.RunOutcome(match_outcome, allocation_outcome), en)
    assert run.startswith("== pairing\nscenario: hubei-2021")
    assert "\n\n== special fund\nscenario: hubei-2021" in run
    assert run == "\n\n".join(
        [
            "\n".join(["== pairing", *table.match_report(match_outcome, table.View("en"))]),
            "\n".join(
                ["== special fund", *table.allocation_report(allocation_outcome, table.View("en"))]
            ),
        ]
    )


def test_table_report_of_a_run_without_a_pairing_step(allocation_outcome: Any) -> None:
    text = table.report(pipeline.RunOutcome(None, allocation_outcome), OutputOptions(lang="en"))
    assert text.startswith("== special fund\n") and "== pairing" not in text


def test_json_is_the_one_writer_and_the_archive_holds_the_same(match_outcome: Any) -> None:
    stream = io.StringIO()
    json_format.emit(match_outcome, stream, OutputOptions())
    d = json.loads(stream.getvalue())
    assert d["status"] == "optimal" and len(d["pairs"]) == 22
    files = json_format.members(match_outcome, OutputOptions())
    assert files == {"result.json": stream.getvalue().encode("utf-8")}


def test_csv_keeps_todays_bytes(match_outcome: Any, tmp_path: Path) -> None:
    pairs = match_outcome.tables()["pairs.csv"]
    stream = io.StringIO()
    csv_format.emit(match_outcome, stream, OutputOptions())
    # stdout: the main table, plain UTF-8, LF line ends, no index (as before the output room)
    before = io.StringIO()
    pairs.to_csv(before, index=False, lineterminator="\n")
    assert stream.getvalue() == before.getvalue()
    # --out: every table, UTF-8 with BOM (as pandas writes it to a file)
    files = csv_format.members(match_outcome, OutputOptions())
    assert list(files) == ["status.csv", *match_outcome.tables()]
    pairs.to_csv(tmp_path / "p.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    assert files["pairs.csv"] == (tmp_path / "p.csv").read_bytes()
    assert files["pairs.csv"].startswith(b"\xef\xbb\xbf")


def test_csv_of_an_outcome_without_tables_is_empty() -> None:
    class Empty:
        def tables(self) -> dict[str, pd.DataFrame]:
            return {}

    stream = io.StringIO()
    csv_format.emit(Empty(), stream, OutputOptions())
    assert stream.getvalue().strip() == ""


def test_workbook_sheet_titles_fit_excel_and_stay_unique() -> None:
    used: set[str] = set()
    long = "x" * 40
    titles = [workbook.sheet_title(t, used) for t in (long, long, "结对建议")]
    assert titles == ["x" * 31, "x" * 28 + "~2", "结对建议"]


# --- the atomic --out archive on a real outcome ----------------------------------------------


def test_archive_of_a_real_run(match_outcome: Any, tmp_path: Path) -> None:
    out = archive.write_run(tmp_path / "run", match_outcome, OutputOptions(command="match"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest) == [
        "schema_version", "tool", "run_format", "shanchuan", "command", "created", "status", "gap", "provenance",
        "settings", "inputs", "analyses", "files", "sha256",  # run format 2: docs/run-folder.md
    ]
    assert manifest["command"] == "match" and manifest["status"] == "optimal"
    expected = sorted(["result.json", "changes.log", "scenario.toml", "inputs", "status.csv",
                       *match_outcome.tables()])
    assert manifest["files"] == expected
    assert sorted(p.name for p in out.iterdir()) == sorted([*expected, "manifest.json"])
    assert "results.xlsx" not in manifest["files"]  # the workbook is opt-in
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_archive_with_the_workbook(allocation_outcome: Any, tmp_path: Path) -> None:
    options = OutputOptions(command="allocate", extras=frozenset({"workbook"}))
    out = archive.write_run(tmp_path / "run", allocation_outcome, options)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "results.xlsx" in manifest["files"]
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert "项目清单" in sheets and "资金安排表" in sheets


def test_archive_failing_format_leaves_nothing(
    match_outcome: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(outcome: Any, options: OutputOptions) -> dict[str, bytes]:
        raise RuntimeError("disk full")

    from dataclasses import replace

    formats = dict(FORMATS)
    formats["csv"] = replace(FORMATS["csv"], members=broken)
    monkeypatch.setattr(shanchuan.outputs, "FORMATS", formats)
    with pytest.raises(RuntimeError, match="disk full"):
        archive.write_run(tmp_path / "run", match_outcome, OutputOptions())
    assert list(tmp_path.iterdir()) == []


# --- messages: errors rendered from their structured problems --------------------------------


@pytest.mark.parametrize(
    "exc",
    [
        InputError([Problem(file="counties.csv", message="not a number", row=2, column="gdp")]),
        ScenarioError(
            [
                Problem(file="--set", message="unknown key", column="a.b", label="key"),
                Problem(file="s.toml", message="must be positive", value=-1.0),
                "a plain message",
            ]
        ),
        SolverError("unknown solver 'gurobi'; available: cbc"),
    ],
    ids=["one-problem", "three-problems", "no-problems"],
)
def test_errors_render_as_before(exc: Exception) -> None:
    assert messages.error_text(exc) == f"shanchuan: {exc}\n"  # type: ignore[arg-type]


def test_error_lines_come_from_the_problems() -> None:
    exc = InputError([Problem(file="f.csv", message="bad", row=3, column="lat", value=95)])
    assert messages.problem_lines(exc) == [
        "1 problem in the input:",
        "  - f.csv, row 3, column 'lat': bad (got 95)",
    ]


def test_infeasible_error_adds_its_diagnosis() -> None:
    class Diagnosis:
        def message(self) -> str:
            return "relax the distance cap"

    exc = InfeasibleError("the rules are infeasible", diagnosis=Diagnosis())
    assert messages.error_text(exc) == (
        "shanchuan: the rules are infeasible\nrelax the distance cap\n"
    )


def test_stop_messages() -> None:
    class Diagnosis:
        def message(self) -> str:
            return "why"

    assert messages.stop_text("failed") == "shanchuan: no verified solution (status failed).\n"
    assert messages.stop_text("infeasible") == (
        "shanchuan: the rules are infeasible (see the diagnosis).\n"
    )
    assert messages.stop_text("infeasible", Diagnosis()).endswith("diagnosis).\nwhy\n")


# --- no Python repr in any cell of any output ------------------------------------------------

#: A Python repr in a cell: a tuple, list, dict or set, or a bare nan/None.
REPR = re.compile(r"^\(.*,.*\)$|^\[.*\]$|^\{.*\}$|\('|\['|\{'|^(nan|NaN|None)$")


def _repr_cells_in_csv(name: str, data: bytes) -> list[tuple[str, str]]:
    import csv

    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [(name, cell) for row in rows for cell in row if REPR.search(cell)]


def _repr_strings_in_json(value: Any, where: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _repr_strings_in_json(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [x for v in value for x in _repr_strings_in_json(v, where)]
    return [(where, value)] if isinstance(value, str) and REPR.search(value) else []


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``shanchuan run --out DIR --excel``, the default run with its analyses: (DIR, stdout)."""
    import contextlib

    out = tmp_path_factory.mktemp("default") / "run"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.main(["-q", "run", "--out", str(out), "--excel"])
    assert code == 0, stderr.getvalue()
    return out, stdout.getvalue()


def test_no_python_repr_in_any_output_of_the_default_run(
    default_run: tuple[Path, str], match_outcome: Any
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out, _ = default_run
    bad: list[tuple[str, str]] = []
    for path in sorted(out.glob("*.csv")):
        bad += _repr_cells_in_csv(path.name, path.read_bytes())
    for name in ("result.json", "manifest.json"):
        bad += _repr_strings_in_json(json.loads((out / name).read_text(encoding="utf-8")), name)
    for ws in openpyxl.load_workbook(out / "results.xlsx").worksheets:
        bad += [
            (ws.title, str(c.value))
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and REPR.search(c.value)
        ]
    # the pairing's analyses hold tuples of pairs (displaced by a forced pair): plain text too
    for name, data in csv_format.members(match_outcome, OutputOptions()).items():
        bad += _repr_cells_in_csv(name, data)
    assert not bad, bad[:10]
    displaced = csv_format.members(match_outcome, OutputOptions())["forcing_costs.csv"]
    assert "zhuxi–zaoyang;" in displaced.decode("utf-8-sig")  # pairs as recipient–supporter


def test_status_csv_states_status_gap_objective_and_unit(
    match_outcome: Any, allocation_outcome: Any
) -> None:
    run = pipeline.RunOutcome(match_outcome, allocation_outcome)
    status = pd.read_csv(io.BytesIO(csv_format.members(run, OutputOptions())["status.csv"]))
    assert list(status.columns) == [
        "engine", "status", "gap", "objective", "objective_unit", "solver", "seconds", "verified"
    ]
    assert list(status["engine"]) == ["matching", "allocation"]
    assert list(status["objective_unit"]) == ["score points", "person-equivalents"]
    alloc = status.iloc[1]
    gap = allocation_outcome.result.gap
    assert alloc["status"] == ("optimal" if gap is not None and gap <= 1e-6 else "feasible")
    assert alloc["gap"] == pytest.approx(gap)
    assert alloc["objective"] == pytest.approx(allocation_outcome.result.objective)
    assert alloc["solver"].startswith(allocation_outcome.result.solver) and alloc["verified"]
    assert status.iloc[0]["status"] == "optimal"


def test_table_shows_objective_decomposition_and_criteria_shares(
    match_outcome: Any, allocation_outcome: Any
) -> None:
    zh = table.report(allocation_outcome, OutputOptions(lang="zh", wide=True))
    en = table.report(allocation_outcome, OutputOptions(lang="en", wide=True))
    dec = allocation_outcome.result.objective_decomposition()
    assert f"目标值分解：{dec['text_zh']}" in zh and "person-equivalents" not in zh
    assert "目标值：" in zh and "人当量" in zh
    assert f"objective decomposition: {dec['text']}" in en
    shares = match_outcome.result.objective_shares
    text = table.report(match_outcome, OutputOptions(lang="en", wide=True))
    assert "criteria shares: " in text and "score points" in text
    for name, share in shares.items():
        assert f"{share:.1%}" in text, name
    assert "各准则占比：实力匹配度" in table.report(match_outcome, OutputOptions(lang="zh"))


def test_terminal_tables_fit_120_columns_unless_wide(
    match_outcome: Any, allocation_outcome: Any
) -> None:
    from shanchuan.outputs.render import width

    narrow = table.report(match_outcome, OutputOptions(lang="zh"))
    assert max(width(line) for line in narrow.splitlines()) <= 120
    alloc = table.report(allocation_outcome, OutputOptions(lang="en"))
    assert max(width(line) for line in alloc.splitlines()) <= 120
    assert "…" in narrow  # the long reasons were cut
    wide = table.report(match_outcome, OutputOptions(lang="zh", wide=True))
    assert max(width(line) for line in wide.splitlines()) > 120
    reasons = match_outcome.analyses["explanations"]["reasons"]
    assert all(r in wide for r in reasons)  # --wide: every reason in full


def test_rule_cost_findings_in_the_run_language(default_run: tuple[Path, str]) -> None:
    from allocation.rules import rule_labels

    out, stdout = default_run
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    costs = result["allocation"]["summary"]["rule_costs"]
    assert costs, "the default rules have costs to report"
    flat = " ".join(stdout.split())  # the findings are wrapped to 120 columns
    for cost in costs:
        assert rule_labels("zh")[cost["rule"]] in cost["text_zh"], cost["text_zh"]
        assert rule_labels("en")[cost["rule"]] not in cost["text_zh"]  # no English label
        assert rule_labels("en")[cost["rule"]] in cost["text"]
        assert " ".join(cost["text_zh"].split())[:40] in flat  # the terminal shows it in zh


def test_every_label_exists_in_both_languages() -> None:
    from shanchuan import labels

    assert labels.missing_translations() == []
    assert labels.rule("budget", "zh") == "年度专项资金预算"
    assert labels.rule("budget", "en") == "the yearly special-fund budget"
    assert labels.header("supporter_topup_wan", "zh") == "支援方补足资金（万元）"


def _assert_declared(outcome: Any) -> None:
    from shanchuan.outputs.columns import OUTPUT_COLUMNS, OUTPUT_TABLES

    matrices = {"forcing_loss_matrix", "sensitivity_frequency"}  # counties as columns
    for name, frame in outcome.tables().items():
        key = name.removesuffix(".csv").removeprefix("matching_").removeprefix("allocation_")
        if key in matrices:
            continue
        assert key in OUTPUT_TABLES, f"{name}: not in shanchuan.outputs.columns.OUTPUT_TABLES"
        undeclared = [c for c in frame.columns if c not in OUTPUT_TABLES[key][1]]
        assert not undeclared, f"{name}: declare {undeclared} in shanchuan.outputs.columns"
        assert all(c in OUTPUT_COLUMNS for c in frame.columns)


def test_every_output_column_is_declared(outcome: Any) -> None:
    _assert_declared(outcome)


def test_every_matching_analysis_column_is_declared() -> None:
    every = pipeline.Analyses(alternatives=2, sensitivity=4, stability=True)
    _assert_declared(pipeline.match("hubei-2021", analyses=every))


def test_fast_and_lang_are_recorded_as_typed_not_as_set() -> None:
    from shanchuan import provenance

    flags = {"--fast": list(cli.FAST_SETS), "--lang en": ["matching.explain.language=en"]}
    sets = ["allocation.solver.gap=0.01", *flags["--fast"], *flags["--lang en"]]
    loaded = cli._credit_flags(pipeline.load(None, sets=sets), flags)
    sources = {c.key: c.source for c in loaded.scenario.changes}
    assert sources == {
        "allocation.solver.gap": "--set",
        "allocation.analysis.rule_costs": "--fast",
        "allocation.analysis.force_unfunded": "--fast",
        "matching.explain.language": "--lang en",
    }
    assert provenance.typed_sets(loaded.scenario) == ["allocation.solver.gap=0.01"]
    log = archive.changes_log({"changes": [c.to_dict() for c in loaded.scenario.changes]})
    assert "allocation.analysis.rule_costs: True -> False (--fast)" in log
    assert "(--set)" not in log.replace("allocation.solver.gap: 0.001 -> 0.01 (--set)", "")
    assert loaded.scenario.origin("allocation.analysis.rule_costs") == "--fast"
    assert loaded.scenario.sets == tuple(sets)  # kept whole: a variant re-applies them


def test_csv_on_stdout_with_a_bom_when_asked(match_outcome: Any) -> None:
    plain, marked = io.StringIO(), io.StringIO()
    csv_format.emit(match_outcome, plain, OutputOptions())
    csv_format.emit(match_outcome, marked, OutputOptions(bom=True))
    assert not plain.getvalue().startswith("\ufeff")
    assert marked.getvalue() == "\ufeff" + plain.getvalue()


def test_run_format_csv_is_refused_before_any_work(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["-q", "run", "--format", "csv"])
    err = capsys.readouterr().err
    assert code == 2 and "use `run --out DIR`" in err and "Traceback" not in err
