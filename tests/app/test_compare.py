"""``shanchuan compare``: hand-built runs with known differences, real runs, bad input.

The hand-built runs are run folders written here (``manifest.json`` and ``result.json`` in
the JSON contract), so every expected difference is known exactly: which pairs changed and by
which criteria, which projects left (and the reason B records) or entered, the money per
recipient, year, category and in total, and which differences lie within the solvers' gaps.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import shanchuan
from shanchuan import cli, config
from shanchuan.comparison import Comparison, compare, diff, from_folder
from shanchuan.scenario import ScenarioSettings

WEIGHTS = {"strength": 0.5, "distance": 0.5}


def _settings(**changes: Any) -> dict[str, Any]:
    tree = config.to_plain(ScenarioSettings())
    for key, value in changes.items():
        node = tree
        *path, leaf = key.split("__")
        for part in path:
            node = node[part]
        node[leaf] = value
    return tree


def _project(
    pid: str, recipient: str, supporter: str, category: str, year: int, fund: float, aid: float
) -> dict[str, Any]:
    return {
        "id": pid,
        "year": year,
        "recipient": recipient,
        "supporter": supporter,
        "category": category,
        "category_zh": {"health": "医疗卫生合作", "education": "教育合作"}[category],
        "title": f"{recipient} {pid}",
        "special_fund_wan": fund,
        "supporter_fund_wan": aid - 10.0,
        "supporter_topup_wan": 10.0,
        "supporter_total_wan": aid,
    }


BASE_PAIRS = {
    "甲县": ("北市", 0.6, {"strength": 0.8, "distance": 0.4}),
    "乙县": ("南市", 0.5, {"strength": 0.6, "distance": 0.4}),
}
BASE_PROJECTS = [
    _project("P-1", "甲县", "北市", "health", 2021, 300.0, 200.0),
    _project("P-1", "甲县", "北市", "health", 2022, 300.0, 200.0),
    _project("P-2", "乙县", "南市", "education", 2021, 400.0, 500.0),
    _project("P-3", "乙县", "南市", "health", 2022, 100.0, 50.0),
]


def write_run(
    folder: Path,
    *,
    pairs: dict[str, tuple[str, float, dict[str, float]]] = BASE_PAIRS,
    projects: list[dict[str, Any]] = BASE_PROJECTS,
    objectives: tuple[float, float] = (1.1, 1000.0),
    gaps: tuple[float, float] = (0.0, 0.0),
    settings: dict[str, Any] | None = None,
    changes: list[dict[str, Any]] = (),  # type: ignore[assignment]
    left_out: list[dict[str, Any]] = (),  # type: ignore[assignment]
    best_unfunded: list[dict[str, Any]] = (),  # type: ignore[assignment]
    weights: dict[str, float] = WEIGHTS,
    fairness_min: float = 600.0,
) -> Path:
    """A run folder of ``shanchuan run`` with exactly these pairs, projects and figures."""
    folder.mkdir(parents=True)
    ids = {name: f"id-{i}" for i, name in enumerate(["甲县", "乙县", "北市", "南市", "东市"])}
    result = {
        "status": "optimal",
        "matching": {
            "status": "optimal",
            "objective": objectives[0],
            "gap": gaps[0],
            "objective_mode": "weighted_sum",
            "weights": weights,
            "pairs": [
                {
                    "recipient": r,
                    "supporter": s,
                    "recipient_id": ids[r],
                    "supporter_id": ids[s],
                    "score": score,
                    "criteria": crit,
                }
                for r, (s, score, crit) in pairs.items()
            ],
        },
        "allocation": {
            "status": "optimal" if gaps[1] == 0 else "feasible",
            "objective": objectives[1],
            "gap": gaps[1],
            "projects": projects,
            "summary": {
                "per_pair": [
                    {"recipient": r, "supporter": s, "recipient_id": ids[r], "supporter_id": ids[s]}
                    for r, (s, _, _) in pairs.items()
                ],
                "fairness": {
                    "special_fund_wan": {
                        "min": fairness_min,
                        "max": 600.0,
                        "gini": 0.0,
                        "min_recipient": "甲县",
                        "max_recipient": "乙县",
                    },
                },
                "left_out": list(left_out),
                "best_unfunded": list(best_unfunded),
            },
        },
        "provenance": {"scenario": "tiny", "changes": list(changes)},
    }
    manifest = {
        "tool": "shanchuan",
        "run_format": 2,
        "command": "run",
        "status": "optimal",
        "provenance": {"scenario": "tiny", "scenario_hash": folder.name, "changes": list(changes)},
        "settings": settings or _settings(),
        "inputs": {"counties": {"sha256": "c0ffee" * 10, "path": "counties.csv"}},
        "files": ["result.json"],
    }
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


def test_a_run_compared_with_itself_reports_nothing(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a")
    cmp = compare(a, a)
    assert cmp.identical and cmp.status == "identical"
    assert not cmp.settings and not cmp.pair_changes and not cmp.project_changes
    assert not any(r.changed for r in cmp.money)
    assert all(o.comparable and o.delta == 0 for o in cmp.objectives)
    assert "两次运行相同" in "\n".join(cmp.report_lines())


def test_changed_pair_names_the_criteria_that_drove_it(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a")
    pairs = dict(BASE_PAIRS)
    pairs["乙县"] = ("东市", 0.55, {"strength": 0.5, "distance": 0.6})
    b = write_run(tmp_path / "b", pairs=pairs, objectives=(1.15, 1000.0))
    cmp = compare(a, b)
    assert [p.recipient for p in cmp.pair_changes] == ["乙县"]
    change = cmp.pair_changes[0]
    assert (change.supporter_a, change.supporter_b) == ("南市", "东市")
    # distance: 0.5 * 0.6 - 0.5 * 0.4 = +0.1; strength: 0.5 * 0.5 - 0.5 * 0.6 = -0.05
    assert [(c.criterion, round(c.weighted_delta, 6)) for c in change.criteria] == [
        ("distance", 0.1),
        ("strength", -0.05),
    ]
    assert not change.within_tolerance
    matching = next(o for o in cmp.objectives if o.engine == "matching")
    assert matching.comparable and matching.delta == pytest.approx(0.05)
    assert cmp.pairs_total == 2


def test_projects_left_and_entered_with_recorded_reasons(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a")
    projects = [p for p in BASE_PROJECTS if p["id"] != "P-2"]
    projects += [
        _project("P-4", "乙县", "南市", "education", 2021, 150.0, 150.0),
        _project("P-5", "甲县", "北市", "education", 2023, 50.0, 0.0),
    ]
    b = write_run(
        tmp_path / "b",
        projects=projects,
        objectives=(1.1, 900.0),
        left_out=[],
        best_unfunded=[
            {
                "id": "P-2",
                "title": "x",
                "reasons": "budget;count cap",
                "detail": "best start 2021: budget (2021: 0.0 万元 left)",
            }
        ],
    )
    cmp = compare(a, b)
    left = cmp.projects("left")
    entered = cmp.projects("entered")
    assert [p.id for p in left] == ["P-2"]
    assert left[0].reasons == ("budget", "count cap")
    assert left[0].special_fund_a == 400.0 and left[0].special_fund_b == 0.0
    assert [p.id for p in entered] == ["P-4", "P-5"]
    assert entered[0].reasons == ("not recorded",)  # A lists no reason, and has no inputs
    assert not cmp.projects("changed")
    text = "\n".join(cmp.report_lines())
    assert "退出 1 个，新进 2 个" in text and "预算不足、年度项目数上限" in text


def test_a_project_excluded_before_solving_gives_that_reason(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a")
    b = write_run(
        tmp_path / "b",
        projects=[p for p in BASE_PROJECTS if p["id"] != "P-3"],
        left_out=[{"id": "P-3", "reason": "excluded", "detail": "excluded by the settings"}],
        objectives=(1.1, 990.0),
    )
    (left,) = compare(a, b).projects("left")
    assert (left.id, left.reasons, left.detail) == (
        "P-3",
        ("excluded",),
        "excluded by the settings",
    )


def test_money_per_recipient_year_category_and_total(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a")
    projects = copy.deepcopy(BASE_PROJECTS)
    projects[2]["special_fund_wan"] = 300.0  # P-2 (乙县, education, 2021): 400 -> 300
    projects[2]["supporter_total_wan"] = 450.0  # aid 500 -> 450
    b = write_run(tmp_path / "b", projects=projects, objectives=(1.1, 950.0))
    cmp = compare(a, b)
    rows = {(r.level, r.key): r for r in cmp.money}
    yi = rows[("recipient", "乙县")]
    assert (yi.special_fund_a, yi.special_fund_b, yi.special_fund_delta) == (500.0, 400.0, -100.0)
    assert yi.special_fund_relative == pytest.approx(-0.2)
    assert (yi.supporter_total_a, yi.supporter_total_b) == (550.0, 500.0)
    assert rows[("recipient", "甲县")].changed is False
    assert rows[("year", "2021")].special_fund_delta == -100.0
    assert rows[("year", "2022")].changed is False
    assert rows[("category", "education")].label == "教育合作"
    assert rows[("category", "education")].special_fund_relative == pytest.approx(-0.25)
    total = rows[("total", "total")]
    assert (total.special_fund_a, total.special_fund_b) == (1100.0, 1000.0)
    assert total.supporter_total_delta == -50.0
    (changed,) = cmp.projects("changed")
    assert (changed.id, changed.special_fund_a, changed.special_fund_b) == ("P-2", 400.0, 300.0)


def test_differences_within_the_proven_gap_are_not_effects(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a", gaps=(0.0, 0.01))
    projects = copy.deepcopy(BASE_PROJECTS)
    projects[0]["special_fund_wan"] = 298.0  # 甲县: 600 -> 598, 0.33 % < the 1 % gap
    b = write_run(tmp_path / "b", projects=projects, objectives=(1.1, 995.0), gaps=(0.0, 0.005))
    cmp = compare(a, b)
    alloc = next(o for o in cmp.objectives if o.engine == "allocation")
    assert alloc.comparable and alloc.delta == pytest.approx(-5.0)
    assert alloc.within_tolerance  # 5 <= 1 % of 1000
    assert cmp.tolerance["allocation"] == 0.01
    jia = next(r for r in cmp.money if r.key == "甲县")
    assert jia.special_fund_delta == -2.0 and jia.within_tolerance
    (changed,) = cmp.projects("changed")
    assert changed.within_tolerance  # the two plans are equally good within the gap
    assert "在求解容差内" in "\n".join(cmp.report_lines())
    # The same difference at a proven gap of 0 is an effect.
    c = write_run(tmp_path / "c", projects=projects, objectives=(1.1, 995.0))
    strict = compare(write_run(tmp_path / "d"), c)
    assert not next(o for o in strict.objectives if o.engine == "allocation").within_tolerance
    assert not next(r for r in strict.money if r.key == "甲县").within_tolerance


def test_objectives_of_other_definitions_are_not_compared(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a")
    b = write_run(
        tmp_path / "b",
        objectives=(1.3, 1200.0),
        weights={"strength": 0.3, "distance": 0.7},
        settings=_settings(matching__weights__distance=0.7, allocation__benefit__jobs=40.0),
        changes=[{"key": "matching.weights.distance", "old": 0.15, "new": 0.7, "source": "--set"}],
    )
    cmp = compare(a, b)
    for o in cmp.objectives:
        assert not o.comparable and o.delta is None
        assert "defined differently" in o.note
    m = next(o for o in cmp.objectives if o.engine == "matching")
    assert m.differs == ("matching.weights.distance 0.15 → 0.7",)
    keys = {s.key: s for s in cmp.settings}
    assert keys["matching.weights.distance"].source == "--set"
    assert "allocation.benefit.jobs" in keys
    assert "不可比" in "\n".join(cmp.report_lines())


def test_settings_that_shape_nothing_and_input_bytes(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a")
    b = write_run(
        tmp_path / "b",
        settings=_settings(
            matching__explain__language="en", allocation__analysis__rule_costs=False
        ),
    )
    assert compare(a, b).identical  # texts and analyses shape no pairing and no plan
    manifest = json.loads((b / "manifest.json").read_text("utf-8"))
    manifest["inputs"]["counties"]["sha256"] = "beef" * 16
    (b / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    (diffs,) = compare(a, b).settings
    assert diffs.key == "data.counties" and diffs.source == "file bytes (SHA-256)"


def test_tables_json_and_markdown(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a")
    pairs = dict(BASE_PAIRS)
    pairs["乙县"] = ("东市", 0.55, {"strength": 0.5, "distance": 0.6})
    b = write_run(tmp_path / "b", pairs=pairs, projects=BASE_PROJECTS[:2])
    cmp = compare(a, b, language="en")
    tables = cmp.tables()
    assert list(tables) == [
        "money.csv",
        "pairs_changed.csv",
        "projects_changed.csv",
        "settings.csv",
        "fairness.csv",
        "objectives.csv",
    ]
    assert tables["pairs_changed.csv"]["drivers"].iloc[0].startswith("distance +0.1000")
    assert set(tables["projects_changed.csv"]["id"]) == {"P-2", "P-3"}
    d = json.loads(json.dumps(cmp.to_dict()))
    assert d["status"] == "different"
    assert [p["id"] for p in d["projects"]["left"]] == ["P-2", "P-3"]
    assert d["pairs_changed"][0]["supporter_b"] == "东市"
    md = cmp.markdown()
    assert md.startswith("# compare") and "## pairs changed: 1" in md and "| 乙县 |" in md
    assert "[pairs changed: 1]" in "\n".join(cmp.report_lines())


def test_diff_is_pure_on_records(tmp_path: Path) -> None:
    """A sweep compares records it holds: diff() reads no file and solves nothing."""
    a = from_folder(write_run(tmp_path / "a"))
    b = from_folder(write_run(tmp_path / "b", objectives=(1.1, 1000.0)))
    assert isinstance(diff(a, b), Comparison) and diff(a, b).identical


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["-q", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_formats_and_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_run(tmp_path / "a")
    b = write_run(tmp_path / "b", projects=BASE_PROJECTS[:3])
    code, out, _ = run_cli(capsys, "compare", str(a), str(b))
    assert code == 0 and "退出 1 个" in out
    code, out, _ = run_cli(capsys, "compare", str(a), str(b), "--format", "json")
    assert code == 0 and json.loads(out)["projects"]["left"][0]["id"] == "P-3"
    code, out, _ = run_cli(capsys, "compare", str(a), str(b), "--format", "csv")
    assert out.splitlines()[0].startswith("level,key,label,special_fund_a")
    code, out, _ = run_cli(
        capsys, "--lang", "en", "compare", str(a), str(b), "--format", "markdown"
    )
    assert code == 0 and "## projects that left" in out
    code, _, _ = run_cli(capsys, "compare", str(a), str(b), "--out", str(tmp_path / "c"))
    assert code == 0
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text("utf-8"))
    assert manifest["command"] == "compare" and manifest["status"] == "different"
    assert {"result.json", "money.csv", "projects_changed.csv"} <= set(manifest["files"])
    # A comparison's folder is not a run: comparing it is bad input, with a clear message.
    code, _, err = run_cli(capsys, "compare", str(tmp_path / "c"), str(a))
    assert code == 2 and "holds the output of `shanchuan compare`, not a run" in err
    # Three sides: B and C each against A.
    code, out, _ = run_cli(capsys, "compare", str(a), str(b), str(a), "--format", "json")
    assert [c["status"] for c in json.loads(out)["comparisons"]] == ["different", "identical"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such run folder, scenario file or built-in scenario"),
        (lambda p: _mkdir(p / "plain", {"notes.txt": "x"}), "neither a run folder"),
        (
            lambda p: _mkdir(p / "other", {"manifest.json": '{"tool": "webpack", "files": []}'}),
            "was not written by shanchuan (another tool's folder)",
        ),
        (
            lambda p: _mkdir(
                p / "future",
                {"manifest.json": '{"tool": "shanchuan", "run_format": 99, "command": "run"}'},
            ),
            "run_format 99 is not one this shanchuan reads",
        ),
        (lambda p: _mkdir(p / "broken", {"manifest.json": "{"}), "is not readable JSON"),
        (
            lambda p: _mkdir(
                p / "edited",
                {
                    "manifest.json": '{"tool": "shanchuan", "run_format": 2, "command": "run"}',
                    "result.json": '{"allocation": {"projects": [{"year": 2021}]}}',
                },
            ),
            "result.json does not hold the results of `shanchuan run`",
        ),
    ],
)
def test_bad_sides_exit_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    a = write_run(tmp_path / "a")
    code, out, err = run_cli(capsys, "compare", str(a), str(make(tmp_path)))
    assert code == 2, err
    assert message in err and "Traceback" not in err and out == ""


def _mkdir(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in files.items():
        (path / name).write_text(text, "utf-8")
    return path


def test_cli_asks_for_two_sides_and_keeps_finished_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "compare", "hubei-2021")
    assert code == 2 and "compare needs two runs" in err
    a = write_run(tmp_path / "a")
    code, _, err = run_cli(capsys, "compare", str(a), str(a), "--scenario", "lean-fund")
    assert code == 2 and "--scenario/--set cannot change a finished run" in err


def test_run_folder_against_an_on_the_fly_solve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "base"
    assert cli.main(["-q", "match", "--out", str(folder)]) == 0
    capsys.readouterr()
    # The folder's command (match) solves the scenario side: the same run, solved again.
    same = compare(folder, "hubei-2021")
    assert same.identical, same.report_lines()
    assert same.b["source"] == "solved" and same.a["source"].startswith("run folder")
    code, out, _ = run_cli(
        capsys, "--lang", "en", "compare", str(folder), "hubei-2021", "--scenario", "near"
    )
    assert code == 0
    assert "matching.rules.max_distance" in out and "override set near" in out
    near = shanchuan.compare(folder, "hubei-2021", overrides=["near"])
    assert near.pair_changes and all(p.criteria for p in near.pair_changes)
    assert {p.settings for p in near.pair_changes} == {
        ("matching.rules.max_distance: inf → 400.0",)
    }
    (obj,) = near.objectives
    assert obj.comparable and obj.delta is not None and obj.delta < 0  # a cap never helps
    assert not obj.within_tolerance
    # A scenario file with other weights: its objective is another measure, said plainly.
    repo = Path(__file__).resolve().parents[2]
    other = compare(folder, repo / "scenarios" / "strength-first.toml")
    (obj,) = other.objectives
    assert not obj.comparable and obj.delta is None
    assert any(d.startswith("matching.weights.strength 0.3 → ") for d in obj.differs)
    assert any(s.key == "matching.weights.strength" for s in other.settings)


def test_docstring_examples_run() -> None:
    import doctest

    import shanchuan.comparison

    result = doctest.testmod(shanchuan.comparison, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def _record(projects: list[dict[str, Any]], label: str) -> Any:
    from shanchuan.comparison.record import RunRecord, allocation_view

    view = allocation_view(
        {"status": "optimal", "objective": 1.0, "gap": 0.0, "projects": projects, "summary": {}}
    )
    return RunRecord(label, "test", "allocate", "optimal", "tiny", label, {}, (), {}, None, view)


def test_invariants_on_random_plans() -> None:
    """Money adds up at every level, a plan equals itself, and swapping A and B swaps
    left and entered and negates every delta."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    row = st.builds(
        lambda i, r, c, y, f, s: _project(f"P-{i}", r, "北市", c, y, float(f), float(s)),
        st.integers(0, 6),
        st.sampled_from(["甲县", "乙县"]),
        st.sampled_from(["health", "education"]),
        st.integers(2021, 2023),
        st.integers(0, 50).map(lambda v: v * 10),
        st.integers(0, 50).map(lambda v: v * 10),
    )

    def plan(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:  # one row per project-year
        return list({(r["id"], r["year"]): r for r in rows}.values())

    @settings(max_examples=60, deadline=None)
    @given(st.lists(row, max_size=12).map(plan), st.lists(row, max_size=12).map(plan))
    def check(pa: list[dict[str, Any]], pb: list[dict[str, Any]]) -> None:
        a, b = _record(pa, "a"), _record(pb, "b")
        assert diff(a, a).identical
        ab, ba = diff(a, b), diff(b, a)
        total = next(r for r in ab.money if r.level == "total")
        for level in ("recipient", "year", "category"):
            rows = [r for r in ab.money if r.level == level]
            assert sum(r.special_fund_delta for r in rows) == pytest.approx(
                total.special_fund_delta
            )
            assert sum(r.supporter_total_delta for r in rows) == pytest.approx(
                total.supporter_total_delta
            )
        assert {p.id for p in ab.projects("left")} == {p.id for p in ba.projects("entered")}
        assert {p.id for p in ab.projects("changed")} == {p.id for p in ba.projects("changed")}
        back = {(r.level, r.key): r.special_fund_delta for r in ba.money}
        assert all(back[(r.level, r.key)] == -r.special_fund_delta for r in ab.money)
        same = {tuple(sorted(r.items())) for r in pa} == {tuple(sorted(r.items())) for r in pb}
        assert ab.identical == same

    check()


def test_an_infeasible_side_is_compared_with_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "--lang",
        "en",
        "compare",
        "--engine",
        "match",
        "--set",
        "matching.rules.max_distance=300",
    )
    assert code == 0
    assert "pairs not compared" in out and "is infeasible: it has no verified solution" in out
    assert "not comparable" in out  # no objective on the infeasible side


def test_sides_with_their_own_override_sets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys,
        "compare",
        "--engine",
        "match",
        "hubei-2021",
        "+near",
        "hubei-2021+spread",
        "--format",
        "json",
    )
    assert code == 0
    near, spread = json.loads(out)["comparisons"]
    assert near["b"]["label"] == "hubei-2021 --scenario near"
    assert [s["key"] for s in near["settings"]] == ["matching.rules.max_distance"]
    assert [s["key"] for s in spread["settings"]] == ["matching.rules.prefecture_spread"]
    code, _, err = run_cli(capsys, "compare", "hubei-2021", "hubei-2021+")
    assert code == 2 and "an empty override-set name" in err
