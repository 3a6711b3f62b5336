"""One language switch for everything (issue 9, deliverable 3).

Every run is solved once per module and rendered in both languages: under ``--lang en`` no
line of the terminal report holds Chinese except the names of counties and projects and the
unit 万元/元 (the allowed names are read from the scenario's own data); under ``zh`` every
header, section title, finding and diagnosis line is Chinese. The engines keep both texts
in the JSON (``text``/``text_zh``, ``change``/``change_zh``, ``detail``/``detail_zh``,
``reading``/``reading_zh``), and every fixed phrase of the allocation engine has its Chinese
twin (a new English phrase without one fails here).
"""

from __future__ import annotations

import contextlib
import io
import re
import string
from pathlib import Path
from typing import Any

import pytest

from allocation import wording_zh
from allocation.problem import CATEGORIES
from shanchuan import cli, labels, pipeline
from shanchuan.outputs import table
from shanchuan.outputs.base import OutputOptions

PAIRS_FILE = Path(__file__).resolve().parents[2] / "scenarios" / "replan-2023" / "pairs.csv"
TIGHT_FUND = Path(__file__).resolve().parents[2] / "scenarios" / "tight-fund.toml"

#: Rule costs on (their texts are tested), forced-in prices off (they add solves, no text).
ANALYSES = ["allocation.analysis.force_unfunded=0", "allocation.analysis.workers=2"]

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def run_outcome() -> Any:
    """The default run with every pairing analysis that writes words."""
    return pipeline.run(
        "hubei-2021",
        sets=ANALYSES,
        analyses=pipeline.Analyses(
            forcing_costs=True, alternatives=2, sensitivity=12, stability=True
        ),
    )


@pytest.fixture(scope="module")
def match_infeasible() -> Any:
    return pipeline.match("hubei-2021", sets=["matching.rules.max_distance=150"])


@pytest.fixture(scope="module")
def allocation_infeasible() -> Any:
    """Too many projects a year for the pool: the count rule is diagnosed and bisected."""
    return pipeline.allocate(
        "hubei-2021",
        sets=[
            "allocation.projects_per_year_min=90",
            "allocation.projects_per_year_max=95",
            f"data.pairs={str(PAIRS_FILE)!r}",
        ],
    )


@pytest.fixture(scope="module")
def floor_infeasible() -> Any:
    """A hard supporter floor that cannot be met: its smallest relaxation in words."""
    return pipeline.allocate(str(TIGHT_FUND), sets=ANALYSES)


@pytest.fixture(scope="module")
def outcomes(
    run_outcome: Any, match_infeasible: Any, allocation_infeasible: Any, floor_infeasible: Any
) -> dict[str, Any]:
    return {
        "run": run_outcome,
        "match-infeasible": match_infeasible,
        "allocate-infeasible": allocation_infeasible,
        "floor-infeasible": floor_infeasible,
    }


def _names(outcome: Any) -> list[str]:
    """What a report may show in Chinese in any language: names and the scenario's own words.

    County names, project titles, the values of the settings a scenario changes (echoed in the
    change log) and the units 万元/元, all read from the run itself.
    """
    names: set[str] = set()
    for part in (outcome, getattr(outcome, "allocation", None), table._run_matching(outcome)):
        problem = getattr(part, "problem", None)
        if problem is None:
            continue
        # The settings' values echoed in the change log are the scenario's own words.
        for change in part.to_dict().get("provenance", {}).get("changes", []):
            names |= {str(change["old"]), str(change["new"])}
        names |= {str(v) for v in getattr(problem, "names", {}).values()}
        for raw in getattr(problem, "raw", {}).values():
            names.add(str(raw.get("title", "")))
    names |= {"万元", "元"}
    return sorted((n for n in names if n), key=len, reverse=True)  # longest first


def _report(outcome: Any, lang: str) -> str:
    return table.report(outcome, OutputOptions(lang=lang, wide=True))


def _findings(text: str) -> list[str]:
    """The lines under ``[findings]``/``[结论]`` (up to the next blank line)."""
    lines = text.splitlines()
    for title in ("[findings]", "[结论]"):
        if title in lines:
            rest = lines[lines.index(title) + 1 :]
            return [x for x in rest[: rest.index("")] if x.strip()] if "" in rest else rest
    return []


@pytest.mark.parametrize(
    "name", ["run", "match-infeasible", "allocate-infeasible", "floor-infeasible"]
)
def test_english_report_has_no_chinese_but_names(outcomes: dict[str, Any], name: str) -> None:
    outcome = outcomes[name]
    allowed = _names(outcome)
    bad = []
    for line in _report(outcome, "en").splitlines():
        rest = line
        for n in allowed:
            rest = rest.replace(n, "")
        if CJK.search(rest):
            bad.append(line)
    assert not bad, "\n".join(bad[:10])


@pytest.mark.parametrize(
    "name", ["run", "match-infeasible", "allocate-infeasible", "floor-infeasible"]
)
def test_chinese_report_speaks_chinese(outcomes: dict[str, Any], name: str) -> None:
    text = _report(outcomes[name], "zh")
    lines = text.splitlines()
    # Fixed lines: titles, headers and every finding or diagnosis line.
    for line in lines:
        if line.startswith(("[", "== ")) or line.startswith(("情景", "求解状态")):
            assert CJK.search(line), line
        assert not line.startswith(("scenario:", "status:", "pairs:", "[findings]")), line
    found = _findings(text)
    assert found or name == "match-infeasible"
    for line in found:
        assert CJK.search(line), line
    diagnosis = getattr(outcomes[name], "diagnosis", None)
    if name == "match-infeasible":
        assert diagnosis is not None
        for line in diagnosis.message("zh").splitlines():
            assert CJK.search(line) and line in text, line


def test_run_report_in_chinese_names_categories_and_reasons(run_outcome: Any) -> None:
    text = _report(run_outcome, "zh")
    found = _findings(text)
    unfunded = [x for x in found if x.strip().startswith("未入选")]
    assert unfunded and all("best start" not in x for x in unfunded)
    zh_names = {c.zh for c in CATEGORIES.values()}
    for line in unfunded:  # the category by its Chinese name, never its code
        m = re.search(r"（[^，]+，([^）]+)）", line)
        assert m and m[1] in zh_names, line
    en = _findings(_report(run_outcome, "en"))
    en_names = {c.en for c in CATEGORIES.values()}
    for line in (x for x in en if x.strip().startswith("Unfunded")):
        m = re.search(r"\([^,]+, ([^)]+)\)", line)
        assert m and m[1] in en_names, line
    assert "[权重敏感性]" in text and "[稳定性]" in text and "[公平性" in text
    assert "基尼系数" in text and "结对来源：建议结对方案" in text


def test_json_keeps_both_texts(run_outcome: Any, allocation_infeasible: Any) -> None:
    summary = run_outcome.allocation.to_dict()["summary"]
    costs = summary["rule_costs"]
    assert costs
    for c in costs:
        assert c["text"] and not CJK.sub("", c["text"]) == ""
        assert CJK.search(c["text_zh"]) and CJK.search(c["change_zh"]), c
        assert c["change"] and not CJK.search(c["change"].replace("万元", "")), c
    unfunded = summary["best_unfunded"]
    assert unfunded
    for u in unfunded:
        assert u["detail"] and CJK.search(u["detail_zh"]), u
        assert not CJK.search(u["detail"].replace("万元", "")), u
    diag = allocation_infeasible.to_dict()["diagnosis"]
    assert diag["text"] and len(diag["text"]) == len(diag["text_zh"])
    assert all(CJK.search(x) for x in diag["text_zh"])
    fragility = table._run_matching(run_outcome).analyses["sensitivity"].fragility
    assert {"reading", "reading_zh"} <= set(fragility.columns)
    assert all(CJK.search(str(x)) for x in fragility["reading_zh"])
    assert not any(CJK.search(str(x)) for x in fragility["reading"])


def test_every_engine_phrase_has_its_chinese(outcomes: dict[str, Any]) -> None:
    """Each reason, relaxation step and fix the engine wrote is one the wording table knows."""
    phrases: list[str] = []
    for outcome in outcomes.values():
        result = getattr(getattr(outcome, "allocation", outcome), "result", None)
        if result is None or not hasattr(result, "rule_costs"):
            continue
        phrases += [r.change for r in result.rule_costs]
        for u in result.unfunded:
            detail = re.sub(r"^best start \d+: ", "", u.detail)
            if not detail.startswith("fits in"):
                phrases += detail.split("; ") if u.reasons[0] != u.detail else [detail]
        if result.diagnosis is not None:
            phrases += [r.text for r in result.diagnosis.relaxations]
    assert phrases
    unknown = [p for p in phrases if not wording_zh.known(p)]
    assert not unknown, unknown
    assert all(CJK.search(wording_zh.phrase(p)) for p in phrases)


def test_wording_table_keeps_every_figure() -> None:
    samples = {
        "budget (2025: 1,234.5 万元 left, needs 270.0)": ["2025", "1,234.5", "270.0"],
        "count cap (2024: already 55 projects)": ["2024", "55"],
        "pair cap (2025: pair already has 5)": ["2025", "5"],
        "dependency (requires P-08, which starts 2024)": ["P-08", "2024"],
        "excluded by P2021-dawu-02 (funded)": ["P2021-dawu-02"],
        "Lower projects_per_year_min from 90 to 60.": ["projects_per_year_min", "90", "60"],
        "Raise pair_share_max from 10.0% to 14.5%.": ["10.0%", "14.5%", "提高"],
        "pair share cap 10% → 15%": ["10%", "15%"],
    }
    for english, figures in samples.items():
        chinese = wording_zh.phrase(english)
        assert chinese != english and CJK.search(chinese), english
        for f in figures:
            assert f in chinese, (english, chinese)
    assert wording_zh.phrase("a phrase nobody wrote") == "a phrase nobody wrote"
    assert not wording_zh.known("a phrase nobody wrote")


def test_labels_fill_the_same_fields_in_both_languages() -> None:
    assert labels.missing_translations() == []
    fields = string.Formatter()
    for key, label in labels.TEXT.items():
        zh = {f for _, f, _, _ in fields.parse(label.zh) if f}
        en = {f for _, f, _, _ in fields.parse(label.en) if f}
        assert zh == en, key


def test_plan_sections_read_as_numbers_in_english() -> None:
    assert table.section_number("(六)(十)(十三)") == "(6)(10)(13)"
    assert table.section_number("(七)") == "(7)" and table.section_number("(二十一)") == "(21)"
    assert table.section_number(None) is None


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["-q", *args])
    return code, out.getvalue()


def test_the_global_flag_switches_the_cli_run(run_outcome: Any) -> None:
    code, en = _cli("--lang", "en", "run", "--fast", "--wide")
    assert code == 0
    allowed = _names(run_outcome)
    for line in en.splitlines():
        rest = line
        for n in allowed:
            rest = rest.replace(n, "")
        assert not CJK.search(rest), line
    assert "[findings]" in en and "== special fund" in en
    code, zh = _cli("run", "--fast", "--lang", "zh")
    assert code == 0 and "[结论]" in zh and "== 专项资金分配" in zh and "[findings]" not in zh


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_diagnosis_of_several_lines_is_wrapped_line_by_line(
    allocation_infeasible: Any, lang: str
) -> None:
    text = table.report(allocation_infeasible, OutputOptions(lang=lang))  # 120 columns
    found = _findings(text)
    assert len(found) >= 3  # the status, the conflict, what resolves it, the relaxation
    assert all(line.startswith("  ") for line in found), found
