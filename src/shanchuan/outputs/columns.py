"""Every output column, written once as data: its headers in Chinese and English, kind and meaning.

The CSV files keep the column *names* (stable, snake_case, for programs); the workbook and the
terminal show the *headers* in the run's language (:func:`shanchuan.labels.header`), number
formats follow the column's :attr:`OutputColumn.kind`, and ``docs/data-schemas.md`` documents
every table from :data:`OUTPUT_TABLES` (:func:`shanchuan.schemas.schemas_markdown`). A test
fails when a table of the default run has a column declared nowhere, or a column lacks a
header in either language.

Columns named after a pairing criterion (``strength``, ``strength_contribution``, ...) are
declared for the built-in criteria; a criterion added later shows its name until declared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Kind = Literal["text", "id", "int", "year", "wan", "yuan", "share", "km", "score", "number", "bool"]

#: The unit each kind is written in (the docs' unit column; empty: no unit).
KIND_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "text": "",
        "id": "",
        "int": "",
        "year": "",
        "wan": "万元",
        "yuan": "元",
        "share": "share 0–1 (shown as %)",
        "km": "km",
        "score": "score points",
        "number": "",
        "bool": "yes/no",
    }
)


@dataclass(frozen=True)
class OutputColumn:
    """One output column: header in each language, kind (drives format and unit), meaning."""

    name: str
    zh: str
    en: str
    kind: Kind = "text"
    meaning: str = ""

    @property
    def unit(self) -> str:
        return KIND_UNITS[self.kind]

    def header(self, language: str) -> str:
        """The header in ``language`` (``zh`` or ``en``)."""
        return self.zh if language == "zh" else self.en


def _cols(*rows: tuple[str, str, str, Kind, str]) -> dict[str, OutputColumn]:
    out: dict[str, OutputColumn] = {}
    for name, zh, en, kind, meaning in rows:
        if name in out:
            raise ValueError(f"output column {name!r} declared twice")
        out[name] = OutputColumn(name, zh, en, kind, meaning)
    return out


#: Every output column, by name (one declaration serves every table holding it).
OUTPUT_COLUMNS: Mapping[str, OutputColumn] = MappingProxyType(
    _cols(
        # -- counties and pairs
        (
            "recipient",
            "受援地",
            "Recipient",
            "text",
            "The recipient county (name; an id in the matching analyses, beside `recipient_name`).",
        ),
        (
            "supporter",
            "支援地",
            "Supporter",
            "text",
            "The supporter county (name; an id in the matching analyses, beside `supporter_name`).",
        ),
        ("recipient_id", "受援地代码", "Recipient id", "id", "The recipient's county id."),
        ("supporter_id", "支援地代码", "Supporter id", "id", "The supporter's county id."),
        ("recipient_name", "受援地名称", "Recipient name", "text", "The recipient's Annex-2 name."),
        ("supporter_name", "支援地名称", "Supporter name", "text", "The supporter's Annex-2 name."),
        (
            "pair",
            "结对（受援地代码）",
            "Pair (recipient id)",
            "id",
            "The pair, named by its recipient's id.",
        ),
        (
            "score",
            "综合得分",
            "Score",
            "score",
            "The pair's weighted score (sum of the criteria's contributions).",
        ),
        (
            "distance_km",
            "距离（公里）",
            "Distance (km)",
            "km",
            "Great-circle distance between the county seats.",
        ),
        (
            "strength",
            "实力匹配度",
            "Strength fit",
            "number",
            "Criterion score 0–1: supporter's strength against the recipient's need.",
        ),
        ("industry", "产业互补度", "Industry complementarity", "number", "Criterion score 0–1."),
        (
            "resource",
            "资源禀赋互补度",
            "Resource complementarity",
            "number",
            "Criterion score 0–1.",
        ),
        ("distance", "距离得分", "Distance score", "number", "Criterion score 0–1 (near is high)."),
        ("willingness", "意愿得分", "Willingness score", "number", "Criterion score 0–1."),
        (
            "plan",
            "规划契合度",
            "Plan fit",
            "number",
            "Criterion score 0–1: fit with the provincial plan's regional strategy.",
        ),
        (
            "strength_contribution",
            "实力匹配度贡献",
            "Strength contribution",
            "score",
            "The criterion's weighted part of the score.",
        ),
        (
            "industry_contribution",
            "产业互补度贡献",
            "Industry contribution",
            "score",
            "The criterion's weighted part of the score.",
        ),
        (
            "resource_contribution",
            "资源禀赋贡献",
            "Resource contribution",
            "score",
            "The criterion's weighted part of the score.",
        ),
        (
            "distance_contribution",
            "距离贡献",
            "Distance contribution",
            "score",
            "The criterion's weighted part of the score.",
        ),
        (
            "willingness_contribution",
            "意愿贡献",
            "Willingness contribution",
            "score",
            "The criterion's weighted part of the score.",
        ),
        (
            "plan_contribution",
            "规划契合度贡献",
            "Plan contribution",
            "score",
            "The criterion's weighted part of the score.",
        ),
        (
            "score_rank",
            "得分排名",
            "Score rank",
            "int",
            "Rank of the pair's score among all pairs (1 = best).",
        ),
        (
            "recipient_rank",
            "受援方意愿排序",
            "Recipient's rank",
            "int",
            "Where the recipient listed this partner (empty: not listed).",
        ),
        (
            "supporter_rank",
            "支援方意愿排序",
            "Supporter's rank",
            "int",
            "Where the supporter listed this partner (empty: not listed).",
        ),
        (
            "recipient_stated",
            "受援方意愿填报",
            "Recipient stated",
            "text",
            "What the recipient stated: `listed` this partner, `others` only, or `none`.",
        ),
        (
            "supporter_stated",
            "支援方意愿填报",
            "Supporter stated",
            "text",
            "What the supporter stated: `listed` this partner, `others` only, or `none`.",
        ),
        (
            "leading",
            "主要优势",
            "Leading criteria",
            "text",
            "The criteria the reasons lead with, separated by `;`.",
        ),
        ("weakest", "最弱项", "Weakest criterion", "text", "The pair's weakest criterion."),
        (
            "weakest_percent",
            "最弱项百分位",
            "Weakest percentile",
            "int",
            "Percentile of the weakest criterion among all pairs.",
        ),
        (
            "reasons",
            "理由",
            "Reasons",
            "text",
            "The reasons in words (`;`-separated for left-out projects).",
        ),
        ("reasons_zh", "理由（中文）", "Reasons (Chinese)", "text", "Reasons in Chinese."),
        ("reasons_en", "理由（英文）", "Reasons (English)", "text", "Reasons in English."),
        # -- matching analyses
        ("chosen", "是否入选", "Chosen", "bool", "The pair is in the suggested pairing."),
        (
            "status",
            "状态",
            "Status",
            "text",
            "Solver status of that solve (`optimal` only at a proven gap ≤ 1e-6, else `feasible`).",
        ),
        (
            "objective",
            "目标值",
            "Objective",
            "number",
            "Objective of that solve (score points for a pairing, person-equivalents for an "
            "allocation).",
        ),
        (
            "loss",
            "目标值损失",
            "Objective loss",
            "score",
            "Objective lost against the suggested pairing.",
        ),
        (
            "displaced",
            "被替换结对",
            "Displaced pairs",
            "text",
            "Pairs of the suggestion the forced pair displaces, `recipient–supporter` ids, `;`.",
        ),
        (
            "displaced_names",
            "被替换结对（名称）",
            "Displaced pairs (names)",
            "text",
            "The same, by name.",
        ),
        ("rank", "名次", "Rank", "int", "1 = the suggested pairing."),
        (
            "changed_pairs",
            "变动结对数",
            "Changed pairs",
            "int",
            "Pairs differing from the suggestion.",
        ),
        ("changes", "变动内容", "Changes", "text", "What changes against the suggestion."),
        ("changes_zh", "变动内容（中文）", "Changes (Chinese)", "text", "`changes` in Chinese."),
        ("changes_en", "变动内容（英文）", "Changes (English)", "text", "`changes` in English."),
        ("proven", "已证明", "Proven", "bool", "The pairing is proven the k-th best."),
        (
            "recipient_partner",
            "受援方现伙伴",
            "Recipient's partner",
            "id",
            "The recipient's partner in the suggestion.",
        ),
        (
            "recipient_partner_rank",
            "现伙伴受援方排序",
            "Rank of recipient's partner",
            "int",
            "Where the recipient listed its present partner.",
        ),
        (
            "supporter_partner",
            "支援方现伙伴",
            "Supporter's partner",
            "id",
            "The supporter's partner in the suggestion.",
        ),
        (
            "supporter_partner_rank",
            "现伙伴支援方排序",
            "Rank of supporter's partner",
            "int",
            "Where the supporter listed its present partner.",
        ),
        ("base_partner", "建议伙伴", "Suggested partner", "id", "The partner in the suggestion."),
        ("base_partner_name", "建议伙伴名称", "Suggested partner name", "text",
         "Its Annex-2 name."),
        (
            "base_frequency",
            "建议伙伴出现频率",
            "Suggested partner frequency",
            "share",
            "Share of the weight samples that keep the suggested partner.",
        ),
        (
            "modal_partner",
            "最常见伙伴",
            "Most frequent partner",
            "id",
            "The partner chosen most often over the samples.",
        ),
        ("modal_partner_name", "最常见伙伴名称", "Most frequent partner name", "text",
         "Its Annex-2 name."),
        ("modal_frequency", "最常见伙伴频率", "Most frequent partner frequency", "share",
         "Share of the samples choosing it."),
        ("driver", "主要影响因素", "Setting that moves it", "text",
         "The sampled setting whose value is most rank-correlated with keeping the pair "
         "(`weight:NAME`, or the pair's own noisy strength or willingness)."),
        ("driver_rho", "秩相关系数", "Rank correlation", "number",
         "Spearman's rho between keeping the pair and the driver's value (-1 to 1)."),
        ("kept_share", "保留比例", "Share kept", "share",
         "Share of the samples that keep the suggested pair."),
        ("modal_share", "最常见伙伴比例", "Most frequent partner share", "share",
         "Share of the samples choosing the most frequent partner."),
        ("reading", "解读（英文）", "Reading", "text", "The row in words (English)."),
        ("reading_zh", "解读", "Reading (Chinese)", "text", "The row in words (Chinese)."),
        ("sample", "样本", "Sample", "int", "The sample's number (0-based)."),
        ("w_strength", "权重：综合实力", "Weight: strength", "share",
         "The sample's weight of the strength criterion (weights sum to 1)."),
        ("w_industry", "权重：产业布局", "Weight: industry", "share",
         "The sample's weight of the industry criterion (weights sum to 1)."),
        ("w_resource", "权重：资源禀赋", "Weight: resource", "share",
         "The sample's weight of the resource criterion (weights sum to 1)."),
        ("w_distance", "权重：空间距离", "Weight: distance", "share",
         "The sample's weight of the distance criterion (weights sum to 1)."),
        ("w_willingness", "权重：双方意愿", "Weight: willingness", "share",
         "The sample's weight of the willingness criterion (weights sum to 1)."),
        ("w_plan", "权重：十四五规划", "Weight: plan", "share",
         "The sample's weight of the plan criterion (weights sum to 1)."),
        ("feasible", "可行", "Feasible", "bool", "Whether the sample's rules had a pairing."),
        ("reproduced", "与建议相同", "Same as suggestion", "bool",
         "Whether the sample chose exactly the suggested pairing."),
        ("changed", "变化对数", "Pairs changed", "int",
         "How many recipients got another partner in the sample."),
        ("lists_changed", "意愿名单变动数", "Lists changed", "int",
         "How many stated willingness lists the sample's noise changed."),
        # -- projects
        ("id", "项目编号", "Project id", "id", "The project's id."),
        ("title", "项目名称", "Project", "text", "The project's title."),
        ("year", "年度", "Year", "year", "The year."),
        ("years", "资助年度", "Funded years", "text", "The years the project is funded, `;`."),
        ("category", "类别代码", "Category code", "id", "The project's category code."),
        ("category_zh", "类别", "Category", "text", "The category's Chinese name."),
        (
            "category_en",
            "类别（英文）",
            "Category (English)",
            "text",
            "The category's English name.",
        ),
        (
            "plan_section",
            "规划章节",
            "Plan section",
            "text",
            "The section of the provincial plan the category serves.",
        ),
        ("priority", "重点项目", "Priority", "bool", "The project is of a priority kind."),
        ("priority_kinds", "重点类型", "Priority kinds", "text", "Its priority kinds, `;`."),
        ("start_year", "开始年度", "Start year", "year", "First funded year."),
        ("end_year", "结束年度", "End year", "year", "Last funded year."),
        (
            "special_fund_wan",
            "专项资金（万元）",
            "Special fund (万元)",
            "wan",
            "Special fund granted.",
        ),
        (
            "supporter_fund_wan",
            "支援方计划资金（万元）",
            "Supporter planned fund (万元)",
            "wan",
            "Supporter funding planned in the projects' budgets.",
        ),
        (
            "supporter_topup_wan",
            "支援方补足资金（万元）",
            "Supporter top-up (万元)",
            "wan",
            "Supporter aid added to reach the yearly floor, booked on this project.",
        ),
        (
            "supporter_total_wan",
            "支援方资金合计（万元）",
            "Supporter total (万元)",
            "wan",
            "Planned supporter funding plus the top-up (the one definition of supporter aid).",
        ),
        ("other_fund_wan", "其他资金（万元）", "Other funds (万元)", "wan", "Other co-funding."),
        (
            "requested_wan",
            "申请专项资金（万元）",
            "Requested (万元)",
            "wan",
            "Special fund the project asked for.",
        ),
        ("executed", "已执行", "Executed", "bool", "Already executed (fixed, not chosen)."),
        (
            "benefit",
            "效益（人当量）",
            "Benefit (person-equivalents)",
            "number",
            "The project's benefit in that year.",
        ),
        # -- per year / pair / category / floor / fairness
        ("projects", "项目数", "Projects", "int", "Funded projects."),
        ("new_projects", "新开工项目数", "New projects", "int", "Projects starting that year."),
        (
            "budget_wan",
            "年度预算（万元）",
            "Budget (万元)",
            "wan",
            "The year's special-fund budget.",
        ),
        (
            "available_wan",
            "可用资金（万元）",
            "Available (万元)",
            "wan",
            "Budget plus carry-over available that year.",
        ),
        ("unspent_wan", "结余（万元）", "Unspent (万元)", "wan", "Available but not granted."),
        ("budget_use", "预算使用率", "Budget use", "share", "Special fund ÷ budget."),
        (
            "priority_fund_wan",
            "重点领域资金（万元）",
            "Priority fund (万元)",
            "wan",
            "Special fund to priority kinds.",
        ),
        (
            "priority_share",
            "重点领域占比",
            "Priority share",
            "share",
            "Priority fund ÷ special fund.",
        ),
        ("priority_projects", "重点项目数", "Priority projects", "int",
         "Funded projects of a priority kind."),
        (
            "supporter_aid_wan",
            "支援方帮扶资金（万元）",
            "Supporter aid (万元)",
            "wan",
            "Supporter aid counted against the floor.",
        ),
        (
            "floor_total_wan",
            "帮扶下限合计（万元）",
            "Floor total (万元)",
            "wan",
            "The yearly floor summed over the years.",
        ),
        (
            "years_below_floor",
            "低于下限年数",
            "Years below floor",
            "int",
            "Years whose supporter aid falls short of the floor.",
        ),
        ("years_covered", "覆盖年数", "Years covered", "int", "Years with a funded project."),
        (
            "shortfall_wan",
            "帮扶缺口（万元）",
            "Shortfall (万元)",
            "wan",
            "Supporter aid short of the floor.",
        ),
        ("candidates", "候选项目数", "Candidates", "int", "Candidate projects."),
        ("share", "占比", "Share", "share", "Share of the special fund."),
        (
            "planned_supporter_wan",
            "支援方计划资金（万元）",
            "Planned supporter fund (万元)",
            "wan",
            "Supporter funding planned in the funded projects.",
        ),
        (
            "counted_supporter_wan",
            "计入下限的支援资金（万元）",
            "Counted supporter fund (万元)",
            "wan",
            "The part of it that counts against the floor.",
        ),
        ("topup_wan", "补足资金（万元）", "Top-up (万元)", "wan", "Aid added to reach the floor."),
        (
            "topups",
            "补足明细",
            "Top-ups",
            "text",
            "Where the top-up is booked: `project:万元`, `;`-separated.",
        ),
        ("priority_aid_wan", "重点领域帮扶（万元）", "Priority aid (万元)", "wan",
         "Supporter aid to projects of a priority kind."),
        ("floor_wan", "帮扶下限（万元）", "Floor (万元)", "wan", "The year's supporter floor."),
        ("population_wan", "人口（万人）", "Population (10k)", "number", "Population, 万人."),
        ("yuan_per_head", "人均（元）", "Per head (元)", "yuan", "Special fund per inhabitant."),
        # -- rule costs
        ("rule", "规则", "Rule", "text", "The rule relaxed (its label in the workbook)."),
        ("change", "放宽方式（英文）", "Relaxation", "text", "The one-step relaxation re-solved."),
        ("change_zh", "放宽方式", "Relaxation (Chinese)", "text", "`change` in Chinese."),
        (
            "gain",
            "目标值增益",
            "Objective gain",
            "number",
            "Objective of the relaxed plan minus the base (person-equivalents).",
        ),
        ("benefit_gain", "效益增益", "Benefit gain", "number",
         "Benefit gained (person-eq.); empty for a re-solve stopped once decided."),
        ("coverage_gain", "覆盖增加", "Coverage gain", "int",
         "More pair-years covered; empty for a re-solve stopped once decided."),
        (
            "gain_low",
            "增益下界",
            "Gain (lower bound)",
            "number",
            "The true gain is at least this (both runs' gaps taken into account).",
        ),
        ("gain_high", "增益上界", "Gain (upper bound)", "number", "… and at most this."),
        (
            "tolerance",
            "精度",
            "Tolerance",
            "number",
            "How closely the runs are known (largest gap × base objective).",
        ),
        (
            "established",
            "已确立",
            "Established",
            "bool",
            "The gain exceeds the tolerance (else: not established at this gap).",
        ),
        (
            "gain_pct_of_objective",
            "增益占目标值",
            "Gain / objective",
            "share",
            "Gain as a share of the base objective.",
        ),
        ("method", "方法", "Method", "text", "How the figure was found (`re-solved`)."),
        ("text", "说明（英文）", "Text", "text", "The finding in English."),
        ("text_zh", "说明", "Text (Chinese)", "text", "The finding in Chinese."),
        # -- left-out projects
        (
            "value",
            "效益（人当量）",
            "Value (person-equivalents)",
            "number",
            "Benefit the project would bring.",
        ),
        ("value_per_wan", "每万元效益", "Value per 万元", "number",
         "Benefit per 万元 of special fund asked."),
        ("detail", "详细原因（英文）", "Detail", "text", "Why, year by year."),
        ("detail_zh", "详细原因", "Detail (Chinese)", "text", "`detail` in Chinese."),
        (
            "forced_loss",
            "强制纳入代价",
            "Cost of forcing it in",
            "number",
            "Objective lost when the project is forced into the plan.",
        ),
        ("forced_loss_low", "强制代价下界", "Forcing cost (lower bound)", "number",
         "The true cost is at least this (the runs' gaps taken into account)."),
        ("forced_loss_high", "强制代价上界", "Forcing cost (upper bound)", "number",
         "… and at most this."),
        (
            "forced_established",
            "强制代价已确立",
            "Forcing cost established",
            "bool",
            "The cost exceeds the runs' tolerance.",
        ),
        # -- the run's status (status.csv, 概况)
        ("engine", "环节", "Engine", "text", "`matching` (the pairing) or `allocation`."),
        (
            "gap",
            "相对间隙",
            "Gap",
            "share",
            "Proven relative gap between the plan and the best bound.",
        ),
        ("objective_unit", "目标值单位", "Objective unit", "text",
         "`score points` (pairing) or `person-equivalents` (allocation)."),
        ("solver", "求解器", "Solver", "text", "Solver name and version."),
        ("seconds", "用时（秒）", "Time (s)", "number", "Solve time."),
        (
            "verified",
            "已独立核验",
            "Verified",
            "bool",
            "The solution passed the independent check of every rule.",
        ),
        # -- assumptions sheet
        ("item", "项目", "Item", "text", "The setting, file or column concerned."),
        ("label", "性质", "Nature", "text", "estimate, assumption, illustrative or synthetic."),
        ("source", "来源", "Source", "text", "Where the scenario states it."),
        ("note", "说明", "Note", "text", "What it says."),
    )
)

#: Each table a run writes -> its description and its columns (in order). Files are
#: ``NAME.csv`` (``matching_NAME.csv`` / ``allocation_NAME.csv`` in a ``run``).
OUTPUT_TABLES: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "status": (
            "One row per engine: status, gap, objective with its unit, solver, time.",
            (
                "engine",
                "status",
                "gap",
                "objective",
                "objective_unit",
                "solver",
                "seconds",
                "verified",
            ),
        ),
        "pairs": (
            "The suggested pairing, one row per pair, with each criterion's score.",
            (
                "recipient_id",
                "recipient",
                "supporter_id",
                "supporter",
                "score",
                "strength",
                "industry",
                "resource",
                "distance",
                "willingness",
                "plan",
                "distance_km",
            ),
        ),
        "explanations": (
            "Why each pair: ranks, statements, contributions and the reasons in words.",
            (
                "recipient",
                "supporter",
                "recipient_name",
                "supporter_name",
                "score",
                "score_rank",
                "recipient_rank",
                "supporter_rank",
                "recipient_stated",
                "supporter_stated",
                "distance_km",
                "strength",
                "strength_contribution",
                "industry",
                "industry_contribution",
                "resource",
                "resource_contribution",
                "distance",
                "distance_contribution",
                "willingness",
                "willingness_contribution",
                "plan",
                "plan_contribution",
                "leading",
                "weakest",
                "weakest_percent",
                "reasons",
                "reasons_zh",
                "reasons_en",
            ),
        ),
        "forcing_costs": (
            "`match --forcing-costs`: the loss of forcing each recipient–supporter pair.",
            (
                "recipient",
                "supporter",
                "recipient_name",
                "supporter_name",
                "chosen",
                "status",
                "objective",
                "loss",
                "displaced",
                "displaced_names",
            ),
        ),
        "alternatives": (
            "`match --alternatives K`: the K best distinct pairings.",
            (
                "rank", "objective", "loss", "changed_pairs", "changes", "proven", "changes_zh",
                "changes_en",
            ),
        ),
        "blocking_pairs": (
            "`match --stability`: pairs that prefer each other to their partners.",
            (
                "recipient",
                "supporter",
                "recipient_name",
                "supporter_name",
                "recipient_rank",
                "recipient_partner",
                "recipient_partner_rank",
                "supporter_rank",
                "supporter_partner",
                "supporter_partner_rank",
            ),
        ),
        "sensitivity_partners": (
            "`match --sensitivity N`: how often each recipient keeps its partner.",
            (
                "recipient",
                "recipient_name",
                "base_partner",
                "base_partner_name",
                "base_frequency",
                "modal_partner",
                "modal_partner_name",
                "modal_frequency",
                "driver",
                "driver_rho",
            ),
        ),
        "sensitivity_fragility": (
            "`match --sensitivity N`: the suggested pairs, most fragile first, with the setting "
            "that flips each.",
            (
                "recipient", "recipient_name", "supporter", "supporter_name", "kept_share",
                "modal_partner", "modal_partner_name", "modal_share", "driver", "driver_rho",
                "reading", "reading_zh",
            ),
        ),
        "sensitivity_samples": (
            "`match --sensitivity N`: one row per sample, its weights and what it chose.",
            (
                "sample", "w_strength", "w_industry", "w_resource", "w_distance",
                "w_willingness", "w_plan", "feasible", "reproduced", "changed", "lists_changed",
            ),
        ),
        "sensitivity_sample_pairs": (
            "`match --sensitivity N`: the pairs each sample chose.",
            ("sample", "recipient", "supporter", "recipient_name", "supporter_name"),
        ),
        "projects": (
            "One row per funded project and year.",
            (
                "id",
                "year",
                "recipient",
                "supporter",
                "recipient_id",
                "supporter_id",
                "category",
                "category_zh",
                "priority",
                "priority_kinds",
                "title",
                "start_year",
                "end_year",
                "special_fund_wan",
                "supporter_fund_wan",
                "supporter_topup_wan",
                "supporter_total_wan",
                "other_fund_wan",
                "requested_wan",
                "executed",
                "benefit",
            ),
        ),
        "per_year": (
            "Per year: projects, special fund, budget use, supporter aid, priority share.",
            (
                "year",
                "executed",
                "projects",
                "new_projects",
                "special_fund_wan",
                "budget_wan",
                "available_wan",
                "unspent_wan",
                "budget_use",
                "supporter_fund_wan",
                "supporter_topup_wan",
                "supporter_total_wan",
                "priority_fund_wan",
                "priority_share",
            ),
        ),
        "per_pair": (
            "Per pair over the years: projects, special fund, supporter aid and the floor.",
            (
                "pair",
                "recipient",
                "supporter",
                "recipient_id",
                "supporter_id",
                "projects",
                "priority_projects",
                "special_fund_wan",
                "supporter_fund_wan",
                "supporter_topup_wan",
                "supporter_total_wan",
                "supporter_aid_wan",
                "floor_total_wan",
                "years_below_floor",
                "years_covered",
                "shortfall_wan",
                "candidates",
            ),
        ),
        "per_category": (
            "Per project category: projects and special fund.",
            (
                "category",
                "category_zh",
                "category_en",
                "plan_section",
                "projects",
                "candidates",
                "special_fund_wan",
                "share",
            ),
        ),
        "floor": (
            "Per pair and year: supporter aid against the floor, top-ups and shortfalls.",
            (
                "pair",
                "recipient",
                "supporter",
                "year",
                "projects",
                "planned_supporter_wan",
                "counted_supporter_wan",
                "topup_wan",
                "topups",
                "supporter_aid_wan",
                "priority_aid_wan",
                "floor_wan",
                "shortfall_wan",
            ),
        ),
        "fairness": (
            "Per recipient: special fund over the years, per head.",
            ("recipient", "recipient_id", "special_fund_wan", "population_wan", "yuan_per_head"),
        ),
        "rule_costs": (
            "What relaxing each rule would gain, with the interval the runs' gaps allow.",
            (
                "rule",
                "change",
                "status",
                "objective",
                "gain",
                "benefit_gain",
                "coverage_gain",
                "text",
                "gain_low",
                "gain_high",
                "tolerance",
                "established",
                "gain_pct_of_objective",
                "method",
                "text_zh",
                "change_zh",
            ),
        ),
        "unfunded": (
            "The best projects left out, why, and the cost of forcing each in.",
            (
                "id",
                "title",
                "recipient",
                "supporter",
                "category",
                "value",
                "value_per_wan",
                "reasons",
                "detail",
                "forced_loss",
                "forced_loss_low",
                "forced_loss_high",
                "forced_established",
                "detail_zh",
            ),
        ),
    }
)


def _check() -> None:
    for table, (_, names) in OUTPUT_TABLES.items():
        missing = [n for n in names if n not in OUTPUT_COLUMNS]
        if missing:
            raise ValueError(f"output table {table!r} names undeclared columns {missing}")


_check()
