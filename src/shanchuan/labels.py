"""The application's labels: what a planner reads, in Chinese and English, and the solves' names.

**Display labels.** Every header, sheet name and fixed phrase an output shows comes from here,
in both languages (``--lang zh`` is the default): :func:`header` for a table column (declared
once in :mod:`shanchuan.outputs.columns`), :func:`text` for a sheet, section or word of
:data:`TEXT`, :func:`rule` for an allocation rule (from the rule registry). The workbook and the
terminal share them; a test fails when a label lacks either language.

**Live-progress labels.** Which solve a live-progress event belongs to.

The backends emit :class:`solverkit.progress.SolveProgress` events to the sink in force; the
stages (:mod:`shanchuan.stages`) say what is being solved by opening a
:func:`solverkit.progress.reporting` block per solve ("pairing: main solve", "pairing:
forcing costs", ...). The allocation engine runs its main solve and its analyses in one call,
so its phases are told apart by the engine's own progress lines ("rule costs: ...", "pricing
the ..."), which precede each phase: :class:`Phases` relabels the events as they pass.

An engine that labels its own events (e.g. ``"rule cost: minimum per pair"``) keeps its label.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Callable, Iterator, Sequence

from solverkit.progress import ProgressSink, SolveProgress, active, emit, reporting

#: Labels of the pairing's solves.
PAIRING_MAIN = "pairing: main solve"
PAIRING_DIAGNOSIS = "pairing: diagnosis"
PAIRING_FORCING = "pairing: forcing costs"
PAIRING_ALTERNATIVES = "pairing: alternatives"
PAIRING_SENSITIVITY = "pairing: sensitivity"

#: Labels of the allocation's solves, and the progress-line prefix that starts each phase.
ALLOCATION_MAIN = "allocation: main solve"
ALLOCATION_PHASES: tuple[tuple[str, str], ...] = (
    ("rule costs", "allocation: rule costs"),
    ("pricing the", "allocation: pricing unfunded projects"),
    ("rules are infeasible", "allocation: diagnosis"),
)


@contextlib.contextmanager
def solving(on_solve: ProgressSink | None, label: str) -> Iterator[None]:
    """The solves inside go to ``on_solve`` (or the sink already in force) labelled ``label``."""
    with reporting(on_solve, label=label):
        yield


class Phases:
    """Relabels events by phase, the phase being switched by the engine's progress lines.

    Use :meth:`block` around the engine call and pass :meth:`progress` as its line callback.
    """

    def __init__(
        self,
        on_solve: ProgressSink | None,
        first: str,
        phases: Sequence[tuple[str, str]],
        say: Callable[[str], None],
    ) -> None:
        self._on_solve = on_solve
        self._first = first
        self._phases = tuple(phases)
        self._say = say
        self.label = first

    def progress(self, line: str) -> None:
        """The engine's line callback: switch phase on a known prefix, then pass it on."""
        for prefix, label in self._phases:
            if line.startswith(prefix):
                self.label = label
                break
        self._say(line)

    @contextlib.contextmanager
    def block(self) -> Iterator[None]:
        """A reporting block whose unlabelled events get the current phase's label."""
        if self._on_solve is None and not active():
            yield
            return
        # With no sink of its own the block forwards to the sink in force outside it (run in
        # the outer context, so the outer block's sink receives it).
        outer = contextvars.copy_context()
        target = self._on_solve

        def sink(event: SolveProgress) -> None:
            if event.label == self._first:  # unlabelled by the engine: give it the phase
                event = dataclasses.replace(event, label=self.label)
            if target is not None:
                target(event)
            else:
                outer.run(emit, event)

        with reporting(sink, label=self._first):
            yield


@dataclasses.dataclass(frozen=True)
class Label:
    """A phrase in both languages."""

    zh: str
    en: str

    def get(self, language: str) -> str:
        """The phrase in ``language`` (``zh``, or ``en`` for anything else)."""
        return self.zh if language == "zh" else self.en


#: Sheet names, section titles and fixed words of the outputs (key -> phrase in each language).
#: Sheet names stay within Excel's 31 characters and avoid ``[]:*?/\``.
TEXT: dict[str, Label] = {
    # workbook sheets
    "sheet.summary": Label("概况", "Summary"),
    "sheet.pairs": Label("结对建议", "Pairs"),
    "sheet.projects": Label("项目清单", "Projects"),
    "sheet.funding": Label("资金安排表", "Funding by year"),
    "sheet.per_year": Label("分年度汇总", "Per year"),
    "sheet.per_pair": Label("分结对汇总", "Per pair"),
    "sheet.per_category": Label("分类别汇总", "Per category"),
    "sheet.floor": Label("帮扶下限", "Supporter floor"),
    "sheet.fairness": Label("公平性", "Fairness"),
    "sheet.rule_costs": Label("约束规则及代价", "Rules and their cost"),
    "sheet.unfunded": Label("未入选项目", "Projects left out"),
    "sheet.assumptions": Label("假设与数据说明", "Assumptions and data"),
    "sheet.provenance": Label("来源与版本", "Provenance"),
    "sheet.forcing_costs": Label("强制结对代价", "Forcing costs"),
    "sheet.forcing_loss_matrix": Label("强制代价矩阵", "Forcing cost matrix"),
    "sheet.alternatives": Label("备选方案", "Alternatives"),
    "sheet.blocking_pairs": Label("不稳定结对", "Blocking pairs"),
    "sheet.sensitivity_partners": Label("权重敏感性", "Weight sensitivity"),
    "sheet.sensitivity_frequency": Label("结对频率矩阵", "Pair frequencies"),
    "sheet.explanations": Label("结对理由明细", "Pair reasons in detail"),
    # summary and provenance rows
    "engine.matching": Label("结对", "pairing"),
    "engine.allocation": Label("专项资金分配", "special fund"),
    "status.optimal": Label("最优", "optimal"),
    "status.feasible": Label("可行（未证明最优）", "feasible (not proven optimal)"),
    "status.infeasible": Label("无可行解", "infeasible"),
    "status.failed": Label("求解失败", "failed"),
    "unit.matching": Label("得分点", "score points"),
    "unit.allocation": Label("人当量", "person-equivalents"),
    "prov.key": Label("项目", "Item"),
    "prov.value": Label("内容", "Value"),
    "prov.scenario": Label("情景", "Scenario"),
    "prov.scenario_hash": Label("情景哈希", "Scenario hash"),
    "prov.command": Label("命令", "Command"),
    "prov.changes": Label("设置变更", "Changed settings"),
    "prov.data": Label("数据文件", "Data file"),
    "prov.version": Label("软件版本", "Version"),
    "prov.platform": Label("运行平台", "Platform"),
    "total": Label("合计", "Total"),
    "decomposition": Label("目标值分解", "objective decomposition"),
    "criteria_shares": Label("各准则占比", "criteria shares"),
    "yes": Label("是", "yes"),
    "no": Label("否", "no"),
    # terminal
    "section.pairs": Label("结对建议", "pairs"),
    "section.findings": Label("结论", "findings"),
    "more_rows": Label(
        "……另有 {n} 行（见 --format csv 或 --out DIR）",
        "... {n} more rows (use --format csv or --out DIR)",
    ),
    "truncated": Label("（理由已截断，--wide 显示全部）", "(reasons cut; --wide shows all)"),
    # terminal header lines ({…} are filled in by the report)
    "head.scenario": Label(
        "情景：{scenario}   哈希：{hash}", "scenario: {scenario}   hash: {hash}"
    ),
    "head.status": Label("求解状态：{status}", "status: {status}"),
    "head.objective": Label("   目标值：{objective} {unit}", "   objective: {objective} {unit}"),
    "head.gap": Label("可行（未证明最优），间隙 {gap} %", "feasible, gap {gap} %"),
    "head.gap_unknown": Label("可行（未证明最优），间隙未知", "feasible, gap unknown"),
    "head.pairs": Label("结对来源：{source}", "pairs: {source}"),
    "pairs.suggested": Label("建议结对方案", "suggested pairing"),
    "pairs.file": Label("结对文件 {path}", "file {path}"),
    # terminal sections
    "section.next_best": Label(
        "各受援地的次优支援方（强制结对的代价）",
        "next-best partner per recipient (cost of forcing it)",
    ),
    "section.alternatives": Label("备选方案", "alternatives"),
    "section.sensitivity": Label(
        "[权重敏感性] {samples} 次抽样，{setting}：{share} 的抽样完全重现该结对方案",
        "[sensitivity] {samples} samples, {setting}: the pairing is reproduced exactly in "
        "{share} of samples",
    ),
    "section.fragile": Label("抽样中入选不足 90 % 的结对", "pairs chosen in under 90 % of samples"),
    "section.stability": Label(
        "[稳定性] 相对意愿名单有 {n} 个不稳定结对",
        "[stability] {n} blocking pair(s) against the willingness lists",
    ),
    "section.blocking_pairs": Label("不稳定结对", "blocking pairs"),
    "section.per_year": Label("分年度汇总", "per_year"),
    "section.per_pair": Label("分结对汇总", "per_pair"),
    "section.per_category": Label("分类别汇总", "per_category"),
    "section.fairness": Label(
        "公平性：各受援地历年专项资金", "fairness: special fund per recipient over the years"
    ),
    "fairness.line": Label(
        "  {unit}：最低 {min}（{min_recipient}），最高 {max}（{max_recipient}），基尼系数 {gini}",
        "  {unit}: min {min} ({min_recipient}), max {max} ({max_recipient}), Gini {gini}",
    ),
    "unit.per_head": Label("元/人", "元 per head"),
    # allocation findings
    "finding.status": Label(
        "求解结果：{status}；方案核验：{verified}。", "Solver: {status}; solution: {verified}."
    ),
    "finding.violation": Label("违反规则 {subject}：{message}", "Violation {subject}: {message}"),
    "finding.shortfall": Label(
        "{supporter} → {recipient} {year} 年：支援方帮扶资金比下限少 {gap} 万元。",
        "{supporter} → {recipient} {year}: supporter aid {gap} 万元 short of the floor.",
    ),
    "finding.unfunded": Label(
        "未入选 {id}（{recipient}，{category}）：{detail}",
        "Unfunded {id} ({recipient}, {category}): {detail}",
    ),
    "verified.verified": Label("已核验", "verified"),
    "verified.none": Label("无方案", "none"),
    "verified.violations": Label("违反规则", "violations"),
}


def text(key: str, language: str) -> str:
    """The phrase ``key`` of :data:`TEXT` in ``language``."""
    return TEXT[key].get(language)


def header(column: str, language: str) -> str:
    """The header of an output column in ``language`` (its name when it is not declared)."""
    from shanchuan.outputs.columns import OUTPUT_COLUMNS

    col = OUTPUT_COLUMNS.get(column)
    return col.header(language) if col is not None else column


def rule(name: str, language: str) -> str:
    """An allocation rule's label in ``language`` (from the rule registry; the name if unknown)."""
    from allocation.rules import rule_labels

    return rule_labels(language).get(name, name)


def missing_translations() -> list[str]:
    """Labels lacking a language: ``TEXT key`` / ``column NAME`` / ``rule NAME``, for the test."""
    from allocation.rules import rule_labels
    from shanchuan.outputs.columns import OUTPUT_COLUMNS

    out = [f"text {k}" for k, v in TEXT.items() if not (v.zh.strip() and v.en.strip())]
    out += [f"column {k}" for k, c in OUTPUT_COLUMNS.items() if not (c.zh and c.en)]
    zh, en = rule_labels("zh"), rule_labels("en")
    out += [f"rule {k}" for k in sorted(set(zh) | set(en)) if not (zh.get(k) and en.get(k))]
    # A Chinese label equal to the English one was not translated (names of rules excepted).
    out += [f"rule {k} (zh = en)" for k in zh if zh.get(k) == en.get(k)]
    return out


def language_of(outcome: object, requested: str = "") -> str:
    """The language of an outcome's outputs: ``requested`` (``--lang``), else the scenario's."""
    if requested in ("zh", "en"):
        return requested
    for part in (outcome, getattr(outcome, "allocation", None), getattr(outcome, "match", None)):
        sc = getattr(part, "scenario", None)
        lang = getattr(getattr(getattr(sc, "settings", None), "matching", None), "explain", None)
        if lang is not None and getattr(lang, "language", None) in ("zh", "en"):
            return str(lang.language)
    return "zh"


__all__ = [
    "ALLOCATION_MAIN",
    "ALLOCATION_PHASES",
    "PAIRING_ALTERNATIVES",
    "PAIRING_DIAGNOSIS",
    "PAIRING_FORCING",
    "PAIRING_MAIN",
    "PAIRING_SENSITIVITY",
    "TEXT",
    "Label",
    "Phases",
    "header",
    "language_of",
    "missing_translations",
    "rule",
    "solving",
    "text",
]
