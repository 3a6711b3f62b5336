"""A comparison in words: the terminal report (Chinese or English) and Markdown.

Both show the same sections, in the order a planner asks: who the two runs are, which
settings differ, which pairs changed and why, which projects left (and why) or entered, who
gains and loses how many 万元, fairness, and the objectives — only where comparable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from shanchuan.comparison.model import Comparison, MoneyRow

#: Rows shown per section in the terminal (every row is in the CSV / JSON).
ROW_LIMIT = 40

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "比较",
        "settings": "不同的设置",
        "no_settings": "设置与输入文件相同",
        "pairs": "配对变化",
        "pairs_none": "配对变化：0（{n} 个受援地的支援方相同）",
        "pairs_n": "配对变化：{n}",
        "pairs_off": "配对未比较",
        "projects_none": "项目：无进出",
        "projects_n": "项目：退出 {left} 个，新进 {entered} 个，资助额变化 {changed} 个",
        "left": "退出的项目（B 中未获资助的原因）",
        "entered": "新进的项目（A 中未获资助的原因）",
        "changed": "资助额或年份变化的项目",
        "recipient": "专项资金与支援方资金：按受援地（万元）",
        "year": "按年度（万元）",
        "category": "按类别（万元）",
        "total": "合计（万元）",
        "money_none": "专项资金与支援方资金：无变化",
        "fairness": "公平性（各受援地五年专项资金）",
        "objectives": "目标值",
        "within": "在求解容差内",
        "not_comparable": "不可比",
        "notes": "说明",
        "identical": "两次运行相同：设置、输入、配对、项目、资金与目标值均无差别。",
        "more": "…… 另有 {n} 行（见 --format csv 或 --out DIR）",
        "tolerance": "容差：差值不超过较大的已证间隙（{tol}）者标为“在求解容差内”，不视为影响。",
    },
    "en": {
        "title": "compare",
        "settings": "settings that differ",
        "no_settings": "settings and input files are the same",
        "pairs": "pairs changed",
        "pairs_none": "pairs changed: 0 (the same supporter for all {n} recipients)",
        "pairs_n": "pairs changed: {n}",
        "pairs_off": "pairs not compared",
        "projects_none": "projects: none left or entered",
        "projects_n": "projects: {left} left, {entered} entered, {changed} funded differently",
        "left": "projects that left (why B does not fund them)",
        "entered": "projects that entered (why A did not fund them)",
        "changed": "projects funded differently",
        "recipient": "special fund and supporter aid per recipient (万元)",
        "year": "per year (万元)",
        "category": "per category (万元)",
        "total": "in total (万元)",
        "money_none": "special fund and supporter aid: no change",
        "fairness": "fairness (special fund per recipient over the years)",
        "objectives": "objectives",
        "within": "within solver tolerance",
        "not_comparable": "not comparable",
        "notes": "notes",
        "identical": "The two runs are identical: settings, inputs, pairs, projects, money and "
        "objectives do not differ.",
        "more": "... {n} more rows (use --format csv or --out DIR)",
        "tolerance": "tolerance: differences no larger than the larger proven gap ({tol}) are "
        "marked 'within solver tolerance', not effects.",
    },
}

COLUMNS: dict[str, dict[str, str]] = {
    "zh": {
        "key": "设置",
        "a": "A",
        "b": "B",
        "source": "B 的来源",
        "recipient": "受援地",
        "supporter_a": "A 支援方",
        "supporter_b": "B 支援方",
        "score_a": "A 得分",
        "score_b": "B 得分",
        "drivers": "驱动的准则（加权变化）",
        "id": "项目",
        "title": "名称",
        "category": "类别",
        "special_fund_a": "A 专项",
        "special_fund_b": "B 专项",
        "years": "年份",
        "reasons": "原因",
        "label": "项",
        "special_fund_delta": "专项变化",
        "special_fund_relative": "专项变化%",
        "supporter_total_a": "A 支援",
        "supporter_total_b": "B 支援",
        "supporter_total_delta": "支援变化",
        "supporter_total_relative": "支援变化%",
        "note": "",
        "measure": "指标",
        "delta": "变化",
        "engine": "目标",
        "unit": "单位",
    },
    "en": {
        "key": "setting",
        "a": "A",
        "b": "B",
        "source": "B set by",
        "recipient": "recipient",
        "supporter_a": "A supporter",
        "supporter_b": "B supporter",
        "score_a": "A score",
        "score_b": "B score",
        "drivers": "criteria that drove it (weighted)",
        "id": "project",
        "title": "title",
        "category": "category",
        "special_fund_a": "A fund",
        "special_fund_b": "B fund",
        "years": "years",
        "reasons": "reasons",
        "label": "",
        "special_fund_delta": "fund Δ",
        "special_fund_relative": "fund Δ%",
        "supporter_total_a": "A aid",
        "supporter_total_b": "B aid",
        "supporter_total_delta": "aid Δ",
        "supporter_total_relative": "aid Δ%",
        "note": "",
        "measure": "measure",
        "delta": "Δ",
        "engine": "objective",
        "unit": "unit",
    },
}

#: Reason codes of the allocation engine in Chinese (the English codes are shown as they are).
REASONS_ZH = {
    "budget": "预算不足",
    "count cap": "年度项目数上限",
    "pair cap": "结对项目数上限",
    "pair share cap": "结对资金占比上限",
    "priority share": "优先类占比",
    "dependency": "前置项目",
    "supporter_mismatch": "结对已变",
    "excluded": "设置排除",
    "start_year": "起始年份",
    "benefit": "有更优用途",
    "not recorded": "未记录",
}
CRITERIA_ZH = {
    "strength": "综合实力",
    "industry": "产业",
    "resource": "资源禀赋",
    "distance": "距离",
    "willingness": "意愿",
    "plan": "区域战略",
}
LEVEL_HEADERS = {
    "zh": {"recipient": "受援地", "year": "年度", "category": "类别", "total": ""},
    "en": {"recipient": "recipient", "year": "year", "category": "category", "total": ""},
}
ENGINES_ZH = {"matching": "配对", "allocation": "专项资金"}


def _reason(code: str, lang: str) -> str:
    if lang != "zh":
        return code
    if code.startswith("excluded by "):
        return "与 " + code.removeprefix("excluded by ") + " 互斥"
    return REASONS_ZH.get(code, code)


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:+.1%}"


def _signed(x: float | None, digits: int = 1) -> str:
    return "" if x is None else f"{x:+,.{digits}f}"


def _num(x: float | None, digits: int = 1) -> str:
    return "" if x is None else f"{x:,.{digits}f}"


def _side(label: str, side: dict[str, Any], lang: str) -> str:
    from shanchuan.outputs.table import status_text

    gaps = [side.get("matching_gap"), side.get("allocation_gap")]
    gap = max((g for g in gaps if g is not None), default=None)
    status = status_text(side.get("status"), gap)
    src = side.get("source", "")
    if lang == "zh":
        src = src.replace("run folder", "运行目录").replace("solved", "即时求解")
    return f"{label}: {side.get('label')}   [{src}; {side.get('command')}; {status}]"


def _drivers(change: Any, lang: str) -> str:
    parts = []
    for c in change.criteria[:3]:
        if c.weighted_delta == 0:
            continue
        name = CRITERIA_ZH.get(c.criterion, c.criterion) if lang == "zh" else c.criterion
        parts.append(f"{name} {c.weighted_delta:+.3f}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


Rows = list[list[str]]


def sections(cmp: Comparison) -> list[tuple[str, list[str], Rows, list[str]]]:
    """The report as ``(title, headers, rows, lines after)``; a title-only section is a line."""
    lang = cmp.language if cmp.language in WORDS else "en"
    w, col = WORDS[lang], COLUMNS[lang]
    within = w["within"]
    out: list[tuple[str, list[str], Rows, list[str]]] = []

    if cmp.settings:
        out.append(
            (
                w["settings"],
                [col["key"], col["a"], col["b"], col["source"]],
                [[s.key, _show(s.a), _show(s.b), s.source] for s in cmp.settings],
                [],
            )
        )
    else:
        out.append((w["no_settings"], [], [], []))

    if not cmp.pairs_compared:
        out.append((w["pairs_off"], [], [], []))
    elif not cmp.pair_changes:
        out.append((w["pairs_none"].format(n=cmp.pairs_total), [], [], []))
    else:
        shaping = cmp.pair_changes[0].settings
        title = w["pairs_n"].format(n=len(cmp.pair_changes))
        if shaping:
            title += ("；设置：" if lang == "zh" else "; settings: ") + "; ".join(shaping)
        out.append(
            (
                title,
                [
                    col["recipient"],
                    col["supporter_a"],
                    col["supporter_b"],
                    col["score_a"],
                    col["score_b"],
                    col["drivers"],
                ],
                [
                    [
                        p.recipient,
                        p.supporter_a or "",
                        p.supporter_b or "",
                        _num(p.score_a, 3),
                        _num(p.score_b, 3),
                        _drivers(p, lang) + (f" ({within})" if p.within_tolerance else ""),
                    ]
                    for p in cmp.pair_changes
                ],
                [],
            )
        )

    if cmp.projects_compared:
        left, entered, changed = (cmp.projects(k) for k in ("left", "entered", "changed"))
        if not cmp.project_changes:
            out.append((w["projects_none"], [], [], []))
        else:
            out.append(
                (
                    w["projects_n"].format(
                        left=len(left), entered=len(entered), changed=len(changed)
                    ),
                    [],
                    [],
                    [],
                )
            )
        names = {r.key: r.label for r in cmp.money if r.level == "category"}
        for kind, items in (("left", left), ("entered", entered), ("changed", changed)):
            if not items:
                continue
            headers = [
                col["id"],
                col["recipient"],
                col["category"],
                col["special_fund_a"],
                col["special_fund_b"],
            ]
            if kind == "changed":
                headers += [col["years"] + " A", col["years"] + " B"]
            else:
                headers.append(col["reasons"])
            rows = []
            for p in items:
                category = names.get(p.category, p.category) if lang == "zh" else p.category
                row = [p.id, p.recipient, category, _num(p.special_fund_a), _num(p.special_fund_b)]
                if kind == "changed":
                    row += [_years(p.years_a), _years(p.years_b)]
                else:
                    sep = "、" if lang == "zh" else ", "
                    row.append(sep.join(_reason(r, lang) for r in p.reasons))
                if p.within_tolerance:
                    row[-1] += f" ({within})"
                rows.append(row)
            out.append((w[kind], headers, rows, []))

        if not any(r.changed for r in cmp.money):
            out.append((w["money_none"], [], [], []))
        for level in ("recipient", "year", "category", "total"):
            level_rows = [r for r in cmp.money if r.level == level]
            if not any(r.changed for r in level_rows):
                continue
            # Every row, unchanged ones too: who loses nothing is part of the answer.
            if level == "recipient":  # the largest loss first
                level_rows.sort(key=lambda r: (r.special_fund_delta, r.supporter_total_delta))
            after: list[str] = []
            out.append(
                (
                    w[level],
                    [
                        LEVEL_HEADERS[lang][level],
                        col["special_fund_a"],
                        col["special_fund_b"],
                        col["special_fund_delta"],
                        col["special_fund_relative"],
                        col["supporter_total_a"],
                        col["supporter_total_b"],
                        col["supporter_total_delta"],
                        col["supporter_total_relative"],
                    ],
                    [_money_row(r, level, lang, within) for r in level_rows],
                    after,
                )
            )

        if cmp.fairness and any(f.delta for f in cmp.fairness):
            out.append(
                (
                    w["fairness"],
                    [col["measure"], col["a"], col["b"], col["delta"]],
                    [
                        [
                            _measure(f.measure, lang),
                            _num(f.a, 3) + (f" ({f.who_a})" if f.who_a else ""),
                            _num(f.b, 3) + (f" ({f.who_b})" if f.who_b else ""),
                            _signed(f.delta, 3),
                        ]
                        for f in cmp.fairness
                    ],
                    [],
                )
            )

    if cmp.objectives:
        rows = []
        for o in cmp.objectives:
            name = ENGINES_ZH.get(o.engine, o.engine) if lang == "zh" else o.engine
            if o.comparable:
                delta = _signed(o.delta, 4) + (f" ({within})" if o.within_tolerance else "")
            else:
                delta = w["not_comparable"]
            rows.append([name, _num(o.a, 4), _num(o.b, 4), delta, _objective_note(o, cmp, lang)])
        out.append(
            (w["objectives"], [col["engine"], col["a"], col["b"], col["delta"], ""], rows, [])
        )
    if cmp.tolerance:
        tol = ", ".join(f"{k} {v:.4%}" for k, v in cmp.tolerance.items())
        out.append((w["tolerance"].format(tol=tol), [], [], []))
    notes = cmp.notes_zh if lang == "zh" and cmp.notes_zh else cmp.notes
    if notes:
        out.append((w["notes"], [], [[n] for n in notes], []))
    return out


def _years(years: Sequence[int]) -> str:
    if not years:
        return ""
    runs, start, prev = [], years[0], years[0]
    for y in [*years[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        runs.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ",".join(runs)


def _objective_note(o: Any, cmp: Comparison, lang: str) -> str:
    if lang != "zh":
        return str(o.note)
    if o.comparable:
        return f"定义相同；容差为目标值的 {cmp.tolerance.get(o.engine, 0.0):.4%}（较大的已证间隙）"
    if o.differs:
        return "不可比：目标定义不同（" + "；".join(o.differs) + "）"
    if o.a is None or o.b is None:
        return "不可比：有一方没有目标值"
    return "不可比：有一方未记录目标的定义"


FAIRNESS_ZH = {
    "special_fund_wan": "专项资金（万元）",
    "yuan_per_head": "人均（元）",
    "min": "最小",
    "max": "最大",
    "gini": "基尼系数",
}


def _measure(name: str, lang: str) -> str:
    if lang != "zh":
        return name
    figure, _, stat = name.partition(".")
    return FAIRNESS_ZH.get(figure, figure) + " " + FAIRNESS_ZH.get(stat, stat)


def _money_row(r: MoneyRow, level: str, lang: str, within: str) -> list[str]:
    label = r.label if (lang == "zh" or level != "category") else r.key
    if level == "total":
        label = "合计" if lang == "zh" else "total"
    cells = [
        label,
        _num(r.special_fund_a),
        _num(r.special_fund_b),
        _signed(r.special_fund_delta),
        _pct(r.special_fund_relative),
        _num(r.supporter_total_a),
        _num(r.supporter_total_b),
        _signed(r.supporter_total_delta),
        _pct(r.supporter_total_relative),
    ]
    if r.within_tolerance:
        cells[-1] += f" ({within})"
    return cells


def _show(value: Any) -> str:
    import json

    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _frame(headers: Sequence[str], rows: Rows) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=list(headers))


def _header(cmp: Comparison) -> list[str]:
    lang = cmp.language if cmp.language in WORDS else "en"
    return [_side("A", cmp.a, lang), _side("B", cmp.b, lang)]


def text(cmp: Comparison) -> list[str]:
    """The terminal report, CJK-aligned."""
    from shanchuan.outputs import render as table_render

    lang = cmp.language if cmp.language in WORDS else "en"
    lines = _header(cmp)
    if cmp.identical:
        return [*lines, "", WORDS[lang]["identical"]]
    for title, headers, rows, after in sections(cmp):
        if not headers:
            lines += ["", f"[{title}]"] + [f"  {r[0]}" for r in rows]
            continue
        lines += ["", f"[{title}]", table_render.table(_frame(headers, rows[:ROW_LIMIT]))]
        if len(rows) > ROW_LIMIT:
            lines.append(WORDS[lang]["more"].format(n=len(rows) - ROW_LIMIT))
        lines += after
    return lines


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown(cmp: Comparison) -> str:
    """The report as Markdown: a heading per section, a table per section with rows."""
    lang = cmp.language if cmp.language in WORDS else "en"
    lines = [f"# {WORDS[lang]['title']}", "", *(f"- {h}" for h in _header(cmp))]
    if cmp.identical:
        return "\n".join([*lines, "", WORDS[lang]["identical"], ""])
    cell: Callable[[str], str] = _md_cell
    for title, headers, rows, after in sections(cmp):
        lines += ["", f"## {title}"]
        if not headers:
            lines += [f"- {cell(r[0])}" for r in rows]
            continue
        lines += [
            "",
            "| " + " | ".join(cell(h) for h in headers) + " |",
            "| " + " | ".join("---" for _ in headers) + " |",
            *("| " + " | ".join(cell(c) for c in r) + " |" for r in rows),
        ]
        lines += [f"\n{a}" for a in after]
    return "\n".join(lines) + "\n"
