"""The planner's workbook, golden-style: sheet set, headers in both languages, formats, values.

Built once per language from the default scenario (pairing with forcing costs, allocation with
its analyses off) and read back from the bytes, as Excel would open them.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from shanchuan import pipeline
from shanchuan.outputs import OutputOptions, workbook
from shanchuan.outputs.columns import OUTPUT_COLUMNS

openpyxl = pytest.importorskip("openpyxl")

FAST = ["allocation.analysis.rule_costs=false", "allocation.analysis.force_unfunded=0"]

SHEETS_ZH = [
    "概况", "结对建议", "项目清单", "资金安排表", "分年度汇总", "分结对汇总", "分类别汇总",
    "帮扶下限", "公平性", "约束规则及代价", "未入选项目", "结对理由明细", "强制结对代价",
    "强制代价矩阵", "假设与数据说明", "来源与版本",
]
SHEETS_EN = [
    "Summary", "Pairs", "Projects", "Funding by year", "Per year", "Per pair", "Per category",
    "Supporter floor", "Fairness", "Rules and their cost", "Projects left out",
    "Pair reasons in detail", "Forcing costs", "Forcing cost matrix", "Assumptions and data",
    "Provenance",
]

#: What a Python repr looks like in a cell: a tuple, list, dict or set, or a bare nan/None.
REPR = re.compile(r"^\(.*,.*\)$|^\[.*\]$|^\{.*\}$|\('|\['|\{'|^(nan|NaN|None)$")


@pytest.fixture(scope="module")
def run() -> Any:
    matched = pipeline.match("hubei-2021", analyses=pipeline.Analyses(forcing_costs=True))
    return pipeline.RunOutcome(matched, pipeline.allocate("hubei-2021", sets=FAST))


def _book(outcome: Any, lang: str) -> Any:
    buf = io.BytesIO()
    workbook.emit(outcome, buf, OutputOptions(lang=lang))
    return openpyxl.load_workbook(io.BytesIO(buf.getvalue()))


@pytest.fixture(scope="module")
def zh(run: Any) -> Any:
    return _book(run, "zh")


@pytest.fixture(scope="module")
def en(run: Any) -> Any:
    return _book(run, "en")


def _headers(ws: Any) -> list[str]:
    return [c.value for c in ws[1]]


def _column(ws: Any, header: str) -> list[Any]:
    j = _headers(ws).index(header) + 1
    return [ws.cell(row=r, column=j).value for r in range(2, ws.max_row + 1)]


def test_the_sheet_set_in_each_language(zh: Any, en: Any) -> None:
    assert zh.sheetnames == SHEETS_ZH
    assert en.sheetnames == SHEETS_EN


def test_headers_come_from_the_label_table_in_each_language(zh: Any, en: Any) -> None:
    assert _headers(zh["项目清单"])[:4] == ["项目编号", "项目名称", "受援地", "支援地"]
    assert _headers(en["Projects"])[:4] == ["Project id", "Project", "Recipient", "Supporter"]
    assert "专项资金（万元）" in _headers(zh["分年度汇总"])
    assert "Special fund (万元)" in _headers(en["Per year"])
    declared_zh = {c.zh for c in OUTPUT_COLUMNS.values()}
    declared_en = {c.en for c in OUTPUT_COLUMNS.values()}
    for book, declared in ((zh, declared_zh), (en, declared_en)):
        for title in book.sheetnames[:11]:  # the planner's sheets: no raw snake_case header
            for h in _headers(book[title]):
                assert h in declared or re.fullmatch(r"\d{4}|合计|Total", str(h)), (title, h)


def test_number_formats_widths_frozen_header_and_filter(zh: Any) -> None:
    ws = zh["分年度汇总"]
    j = _headers(ws).index("专项资金（万元）") + 1
    assert ws.cell(row=2, column=j).number_format == "#,##0.0"
    j = _headers(ws).index("预算使用率") + 1
    assert ws.cell(row=2, column=j).number_format == "0.0%"
    pairs = zh["结对建议"]
    j = _headers(pairs).index("距离（公里）") + 1
    assert pairs.cell(row=2, column=j).number_format == "#,##0.0"
    for ws in zh.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all(c.font.bold for c in ws[1]), ws.title
    reasons = _headers(pairs).index("理由") + 1
    letter = openpyxl.utils.get_column_letter(reasons)
    assert pairs.column_dimensions[letter].width == workbook.MAX_WIDTH  # long text: capped, wraps


def test_no_python_repr_and_no_nan_in_any_cell(zh: Any, en: Any) -> None:
    for book in (zh, en):
        for ws in book.worksheets:
            for row in ws.iter_rows(min_row=1):
                for cell in row:
                    v = cell.value
                    assert not (isinstance(v, str) and REPR.search(v)), (ws.title, cell.coordinate, v)
                    assert not (isinstance(v, float) and v != v), (ws.title, cell.coordinate)


def test_numbers_round_trip(run: Any, zh: Any) -> None:
    tables = run.allocation.tables()
    projects, per_year = tables["projects.csv"], tables["per_year.csv"]
    # per year: the same numbers, as numbers
    assert _column(zh["分年度汇总"], "专项资金（万元）") == list(per_year["special_fund_wan"])
    # one row per project, its totals over its years
    listed = zh["项目清单"]
    assert listed.max_row - 1 == projects["id"].nunique()
    assert sum(_column(listed, "专项资金（万元）")) == pytest.approx(
        projects["special_fund_wan"].sum()
    )
    assert sum(_column(listed, "支援方资金合计（万元）")) == pytest.approx(
        projects["supporter_total_wan"].sum()
    )
    # recipient × year: each year's column adds up to that year's special fund
    funding = zh["资金安排表"]
    rows = funding.max_row - 1
    assert rows == projects["recipient"].nunique() + 1  # and the 合计 row
    for year, total in zip(per_year["year"], per_year["special_fund_wan"], strict=True):
        cells = _column(funding, str(year))
        assert cells[-1] == pytest.approx(total) and sum(cells[:-1]) == pytest.approx(total)
    assert _column(funding, "受援地")[-1] == "合计"


def test_summary_states_status_gap_objective_unit_and_decomposition(run: Any, zh: Any) -> None:
    ws = zh["概况"]
    assert _headers(ws)[:6] == ["环节", "状态", "相对间隙", "目标值", "目标值单位", "求解器"]
    engines = _column(ws, "环节")
    assert engines[:2] == ["结对", "专项资金分配"]
    status = _column(ws, "状态")[:2]
    gap = run.allocation.result.gap
    assert status[0] == "最优"
    assert status[1] == ("最优" if gap is not None and gap <= 1e-6 else "可行（未证明最优）")
    assert _column(ws, "目标值单位")[:2] == ["得分点", "人当量"]
    notes = " ".join(str(v) for v in engines[2:])
    assert "各准则占比" in notes and "目标值分解" in notes and "效益" in notes


def test_assumptions_sheet_lists_what_the_scenario_states(zh: Any) -> None:
    ws = zh["假设与数据说明"]
    items = " ".join(str(v) for v in _column(ws, "项目"))
    kinds = set(_column(ws, "性质"))
    assert {"假设", "估算", "合成数据", "示意数据"} <= kinds
    assert "allocation.annual_budget_wan = 12500.0" in items  # ASSUMPTION in scenario.toml
    assert "projects.csv" in items and "willingness.csv" in items  # synthetic / illustrative
    assert "counties.csv: gdp_2019_yi" in items  # an estimated column, from the data README


def test_rule_costs_sheet_names_rules_in_the_run_language() -> None:
    import pandas as pd

    costs = pd.DataFrame(
        [{"rule": "budget", "change": "+10%", "text": "en", "text_zh": "中", "established": True}]
    )
    zh_frame = workbook.rule_costs_frame(costs, "zh")
    en_frame = workbook.rule_costs_frame(costs, "en")
    assert zh_frame["rule"].iloc[0] == "年度专项资金预算" and "text_zh" in zh_frame.columns
    assert en_frame["rule"].iloc[0] == "the yearly special-fund budget"
    assert "text" in en_frame.columns and "text_zh" not in en_frame.columns


def test_formula_like_text_stays_text() -> None:
    import pandas as pd

    wb = openpyxl.Workbook()
    frame = pd.DataFrame({"title": ["=HYPERLINK(\"x\")", "竹溪县"], "special_fund_wan": [1.0, 2.0]})
    workbook.write_sheet(wb.active, frame, "zh")
    from shanchuan.outputs.formulas import protect_workbook_cells

    assert protect_workbook_cells(wb) == 1
    cell = wb.active["A2"]
    assert cell.data_type == "s" and cell.quotePrefix and cell.value.startswith("=")


def test_an_infeasible_plan_still_gets_a_workbook_saying_why() -> None:
    outcome = pipeline.allocate(str(pipeline_scenario("tight-fund.toml")), sets=FAST)
    assert outcome.status == "infeasible"
    book = _book(outcome, "zh")
    assert book.sheetnames[0] == "概况" and "假设与数据说明" in book.sheetnames
    summary = book["概况"]
    assert _column(summary, "状态")[0] == "无可行解"
    assert _column(summary, "求解器")[0].endswith(")")  # name (version), whole
    notes = " ".join(str(v) for v in _column(summary, "环节")[1:])
    assert "支援方帮扶资金下限" in notes  # the diagnosis, beside the status, in Chinese


def pipeline_scenario(name: str) -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "scenarios" / name
