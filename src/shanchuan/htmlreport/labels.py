"""Every word the HTML report shows, in Chinese and English (one record per label).

Kept apart from :mod:`shanchuan.labels` (the live-progress labels, which another room extends
for the workbook) so the two tables can grow without conflicts; :func:`text` is the one
lookup, and ``tests/app/test_report_labels.py`` fails when a label lacks a language or when
the page uses a key that is not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

LANGS: tuple[str, ...] = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # page
    "title": (
        "山川协作工程：结对与专项资金报告",
        "Shanchuan county pairing and special fund report",
    ),
    "scenario": ("情景", "Scenario"),
    "status": ("状态", "Status"),
    "objective": ("目标值", "Objective"),
    "objective_pairing": ("结对目标值（得分）", "Pairing objective (score points)"),
    "objective_fund": ("资金安排目标值（效益）", "Fund objective (benefit points)"),
    "gap": ("最优性差距", "Optimality gap"),
    "hash": ("情景哈希", "Scenario hash"),
    "status_optimal": ("已证明最优", "proven optimal"),
    "status_feasible": ("可行（已验证，未证明最优）", "feasible (verified, not proven optimal)"),
    "status_infeasible": ("规则不可行", "rules infeasible"),
    "status_failed": ("求解失败", "solve failed"),
    "no_js": ("地图和图表需要启用 JavaScript。", "The map and charts need JavaScript."),
    # sections
    "sec_map": ("结对地图", "Map of the pairs"),
    "sec_charts": ("专项资金与帮扶资金", "Special fund and supporter aid"),
    "sec_analyses": ("稳健性与强制成本", "Robustness and forcing costs"),
    "sec_pairs": ("结对建议及理由", "Suggested pairs and reasons"),
    "sec_rules": ("起约束作用的规则及其代价", "Binding rules and their cost"),
    "sec_unfunded": ("未获支持的最佳项目", "Best projects left unfunded"),
    "sec_shortfalls": ("支援方年度帮扶缺口", "Supporter floor shortfalls"),
    "sec_diagnosis": ("不可行诊断", "Infeasibility diagnosis"),
    "diag_conflict": ("相互冲突的最小规则集：", "The smallest set of rules in conflict:"),
    "diag_relax": ("最小放宽：", "The smallest relaxations:"),
    "sec_assumptions": ("假设与数据说明", "Assumptions and data quality"),
    "sec_provenance": ("来源与可复现信息", "Provenance"),
    "sec_licenses": ("数据与软件许可", "Data and software licences"),
    # map
    "recipient": ("受援地", "Recipient"),
    "supporter": ("支援地", "Supporter"),
    "other_county": ("其他县市区", "Other county"),
    "prefecture": ("市州", "Prefecture"),
    "partner": ("结对方", "Partner"),
    "pair": ("结对", "Pair"),
    "score": ("综合得分", "Score"),
    "distance_km": ("距离（公里）", "Distance (km)"),
    "reasons": ("理由", "Reasons"),
    "funds_per_head": ("人均专项资金（元/人）", "Special fund per head (yuan)"),
    "map_legend_score": ("连线颜色：结对综合得分", "Line colour: pair score"),
    "map_legend_fund": ("受援地颜色：人均专项资金", "Recipient shade: special fund per head"),
    "map_fallback": (
        "未找到该省的县级边界（可安装 shanchuan[maps]），地图按县城坐标绘制。",
        "No county boundaries for this province (install shanchuan[maps]); "
        "the map shows county seats.",
    ),
    "map_unmatched": (
        "未能对应到县级边界、按县城位置标注：",
        "Not matched to a county boundary, shown at the seat:",
    ),
    "map_alias": ("按所辖区域标注：", "Shown on the district it administers:"),
    "map_not_shown": (
        "无边界也无坐标、未在地图上标出：",
        "No boundary and no coordinates, not on the map:",
    ),
    "map_boundaries": ("边界来源", "Boundaries"),
    "low": ("低", "low"),
    "high": ("高", "high"),
    # charts
    "chart_by_year": (
        "各年度专项资金与支援方帮扶资金（万元）",
        "Special fund and supporter aid by year (10k yuan)",
    ),
    "chart_by_category": (
        "各年度专项资金按项目类别（万元）",
        "Special fund by year and project category (10k yuan)",
    ),
    "chart_by_recipient": (
        "各受援地专项资金与帮扶资金（万元，五年合计）",
        "Special fund and supporter aid per recipient (10k yuan, all years)",
    ),
    "chart_budget": ("预算使用率", "Budget use"),
    "chart_lorenz": (
        "公平性：人均专项资金洛伦兹曲线",
        "Fairness: Lorenz curve of the special fund per head",
    ),
    "chart_forcing": (
        "强制结对的目标值损失（热力图）",
        "Objective loss of forcing each pair (heat map)",
    ),
    "chart_robustness": (
        "权重扰动下结对保持的频率",
        "How often each pair survives weight perturbations",
    ),
    "special_fund": ("专项资金", "Special fund"),
    "supporter_aid": ("支援方帮扶资金", "Supporter aid"),
    "budget": ("预算", "Budget"),
    "budget_use": ("使用率", "Use"),
    "wan": ("万元", "10k yuan"),
    "year": ("年度", "Year"),
    "lorenz_x": ("受援地人口累计占比", "Cumulative share of recipient population"),
    "lorenz_y": ("专项资金累计占比", "Cumulative share of special fund"),
    "equality": ("完全平均", "Equality"),
    "gini": ("基尼系数", "Gini"),
    "loss": ("损失", "Loss"),
    "frequency": ("频率", "Frequency"),
    "chosen": ("当前结对", "chosen pair"),
    "samples": ("样本数", "samples"),
    "reproduced": ("完全复现基准结对的比例", "share reproducing the base pairing"),
    # pairs table
    "col_recipient": ("受援地", "Recipient"),
    "col_supporter": ("支援地", "Supporter"),
    "col_score": ("得分", "Score"),
    "col_distance": ("距离（公里）", "Distance (km)"),
    "col_reasons": ("理由", "Reasons"),
    "col_special": ("专项资金（万元）", "Special fund (10k yuan)"),
    "col_aid": ("帮扶资金（万元）", "Supporter aid (10k yuan)"),
    "col_projects": ("项目数", "Projects"),
    "col_rule": ("规则", "Rule"),
    "col_change": ("放宽方式", "Relaxation"),
    "col_gain": ("目标值提高", "Objective gain"),
    "col_project": ("项目", "Project"),
    "col_category": ("类别", "Category"),
    "col_value": ("效益", "Benefit"),
    "col_left_out": ("未入选原因", "Why left out"),
    "col_year": ("年度", "Year"),
    "col_floor": ("下限（万元）", "Floor (10k yuan)"),
    "col_shortfall": ("缺口（万元）", "Shortfall (10k yuan)"),
    "col_key": ("设置项", "Setting"),
    "col_setting_value": ("取值", "Value"),
    "col_meaning": ("含义", "Meaning"),
    "col_file": ("数据文件", "Data file"),
    "col_rows": ("行数", "Rows"),
    "col_kind": ("数据性质", "Kind of figures"),
    "col_item": ("项目", "Item"),
    "col_detail": ("内容", "Detail"),
    "no_rule_costs": (
        "本次运行未计算规则代价（--fast）。",
        "This run did not price the rules (--fast).",
    ),
    # reasons composed from the structured fields (when the run's reasons are in the other language)
    "crit_strength": ("综合实力与帮扶需求匹配度", "strength and need fit"),
    "crit_industry": ("产业互补度", "industrial complementarity"),
    "crit_resource": ("资源禀赋互补度", "resource complementarity"),
    "crit_distance": ("空间距离得分", "distance score"),
    "crit_willingness": ("双方意愿", "stated willingness"),
    "crit_plan": ("与“十四五”区域战略契合度", "fit with the 14th FYP regional strategy"),
    "leading": ("主要优势", "leading criteria"),
    "weakest": ("短板", "weakest"),
    "bottom_pct": ("最低的 {pct}%", "bottom {pct}%"),
    "stated_r_rank": ("受援方列为第 {k} 选择", "recipient's choice no. {k}"),
    "stated_s_rank": ("支援方列为第 {k} 选择", "supporter's choice no. {k}"),
    "stated_r_others": ("受援方列了其他意向、未列此县", "recipient listed others, not this one"),
    "stated_s_others": ("支援方列了其他意向、未列此县", "supporter listed others, not this one"),
    "stated_r_none": ("受援方未提交意向名单", "recipient stated no list"),
    "stated_s_none": ("支援方未提交意向名单", "supporter stated no list"),
    "reason_ranked": ("在所有允许的结对中得分排第 {rank}", "score rank {rank} among allowed pairs"),
    # left-out reasons (codes of allocation's best_unfunded)
    "why_budget": ("预算用尽", "budget used up"),
    "why_count cap": ("年度项目数已达上限", "yearly project cap reached"),
    "why_pair share cap": ("结对年度资金份额已达上限", "pair's yearly share cap reached"),
    "why_pair cap": ("结对年度项目数已达上限", "pair's yearly project cap reached"),
    "why_excluded": ("与已入选项目互斥", "excludes a funded project"),
    "why_dependency": ("依赖的项目未入选", "needs a project that is not funded"),
    "why_other": ("其他规则", "other rules"),
    # the allocation's rule names come from the engine (allocation.rules.rule_labels)
    "rule_gain": (
        "放宽后目标值可提高 {gain}（占 {pct}）",
        "relaxing it would raise the objective by {gain} ({pct})",
    ),
    "rule_not_established": (
        "增益在当前最优性差距下不能确立（至多 {high}）",
        "gain not established at the current gap (at most {high})",
    ),
    # assumptions and data quality
    "assumptions_intro": (
        "以下设置是假设（规划文件未给出具体数值），结果依赖于这些取值：",
        "These settings are assumptions (the plan states no number for them); the results "
        "depend on them:",
    ),
    "quality_intro": (
        "每个输入文件中各类数据的行数（依据文件的来源/说明列）：",
        "Rows of each kind in each input file (from the file's source or note column):",
    ),
    "kind_sourced": ("有来源", "sourced"),
    "kind_estimate": ("估算", "estimate"),
    "kind_synthetic": ("合成（虚构，仅供测试）", "synthetic (invented, for testing)"),
    "kind_illustrative": ("示意（虚构）", "illustrative (invented)"),
    "kind_unlabelled": ("未标注", "unlabelled"),
    "no_context": (
        "未能重新读取本次运行的情景文件，假设与数据说明从略：",
        "The run's scenario could not be read again; assumptions and data quality are left out:",
    ),
    "context_changed": (
        "注意：情景文件自运行以来已被修改，以下说明按当前文件给出。",
        "Note: the scenario files changed since the run; what follows describes them as "
        "they are now.",
    ),
    "assumption_doc": ("（说明为英文原文）", "(as documented)"),
    # provenance
    "prov_command": ("命令", "Command"),
    "prov_versions": ("软件版本", "Versions"),
    "prov_solver": ("求解器", "Solver"),
    "prov_changes": ("情景改动", "Applied changes"),
    "prov_files": ("数据文件（SHA-256）", "Data files (SHA-256)"),
    "prov_settings_hash": ("设置哈希", "Settings hash"),
    "prov_timings": ("耗时（秒）", "Timings (s)"),
    "prov_platform": ("平台", "Platform"),
    "none": ("无", "none"),
    "licenses_text": (
        "图表库：Apache ECharts（Apache License 2.0，含 d3 部分 BSD-3-Clause），已嵌入本文件。",
        "Charts: Apache ECharts (Apache License 2.0, with parts of d3 under BSD-3-Clause), "
        "embedded in this file.",
    ),
}

#: The label table, read-only: key -> (Chinese, English).
LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(_LABELS)


def text(key: str, lang: str, **fmt: object) -> str:
    """The label ``key`` in ``lang`` (``zh`` or ``en``), formatted with ``fmt``.

    An unknown key or language is a bug of the report, so it raises ``KeyError``.
    """
    if lang not in LANGS:
        raise KeyError(f"report language must be one of {', '.join(LANGS)}, got {lang!r}")
    value = LABELS[key][LANGS.index(lang)]
    return value.format(**fmt) if fmt else value


def table(lang: str) -> dict[str, str]:
    """All labels in ``lang`` (embedded in the page for its script)."""
    return {k: text(k, lang) for k in LABELS}


__all__ = ["LABELS", "LANGS", "table", "text"]
