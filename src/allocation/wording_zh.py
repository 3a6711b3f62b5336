"""The Chinese wording of the allocation engine's fixed English phrases.

The rule registry (:mod:`allocation.rules`) and the preparation (:mod:`allocation.prepare`)
write their reasons, relaxation steps and fixes in English, with numbers and ids inside
(``"budget (2025: 0.0 万元 left, needs 270.0)"``). The engine keeps those texts (JSON consumers
read them) and adds a Chinese twin beside each (``detail_zh``, ``change_zh``, ``text_zh``),
written here from the same phrase: one pattern per phrase the engine can produce, so the
Chinese text carries exactly the English one's figures. A phrase no pattern knows is returned
unchanged (English): :func:`known` tells the tests which phrases those are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["blocker", "change", "known", "left_out", "phrase", "relaxation"]

_Sub = Callable[[re.Match[str]], str]

#: Floor modes as a planner reads them.
_MODES = {"hard": "硬约束", "soft": "软约束", "off": "不设"}


def _rule_zh(family: str) -> str:
    from allocation.rules import rule_labels

    return rule_labels("zh").get(family, family)


#: Why a rule keeps a project out (a rule's ``blockers`` part).
_BLOCKERS: list[tuple[str, _Sub]] = [
    (
        r"budget \((\d+): ([\d,.]+) 万元 left, needs ([\d,.]+)\)",
        lambda m: f"预算（{m[1]} 年：剩余 {m[2]} 万元，需要 {m[3]} 万元）",
    ),
    (
        r"budget \((\d+): the carry-over would fall ([\d,.]+) 万元 short\)",
        lambda m: f"预算（{m[1]} 年：结转资金将短缺 {m[2]} 万元）",
    ),
    (
        r"count cap \((\d+): already (\d+) projects\)",
        lambda m: f"年度项目数上限（{m[1]} 年：已有 {m[2]} 个项目）",
    ),
    (
        r"pair cap \((\d+): pair already has (\d+)\)",
        lambda m: f"结对项目数上限（{m[1]} 年：该结对已有 {m[2]} 个项目）",
    ),
    (r"pair share cap \((\d+)\)", lambda m: f"单个结对预算占比上限（{m[1]} 年）"),
    (r"priority share \((\d+)\)", lambda m: f"重点领域资金占比下限（{m[1]} 年）"),
    (r"dependency \(requires (\S+), not funded\)", lambda m: f"前置依赖（需要的 {m[1]} 未入选）"),
    (
        r"dependency \(requires (\S+), which starts (\d+)\)",
        lambda m: f"前置依赖（需要的 {m[1]} 于 {m[2]} 年才开工）",
    ),
    (
        r"dependency \((\S+) needs it by (\d+)\)",
        lambda m: f"前置依赖（{m[1]} 要求其不晚于 {m[2]} 年开工）",
    ),
    (r"excluded by (\S+) \(funded\)", lambda m: f"与已入选的 {m[1]} 互斥"),
]

#: One step of a rule's cost (a rule's ``cost_step``: ``Variant.change``).
_CHANGES: list[tuple[str, _Sub]] = [
    (r"budget \+(\d+%) in every open year", lambda m: f"各年度预算增加 {m[1]}"),
    (
        r"projects a year (\d+)–(\d+) → (\d+)–(\d+)",
        lambda m: f"每年项目数 {m[1]}–{m[2]} → {m[3]}–{m[4]}",
    ),
    (
        r"most projects per pair and year (\d+) → (\d+)",
        lambda m: f"每个结对每年最多项目数 {m[1]} → {m[2]}",
    ),
    (
        r"fewest projects per pair and year (\d+) → (\d+)",
        lambda m: f"每个结对每年最少项目数 {m[1]} → {m[2]}",
    ),
    (r"pair share cap (\d+%) → (\d+%)", lambda m: f"单个结对占比上限 {m[1]} → {m[2]}"),
    (r"priority share (\d+%) → (\d+%)", lambda m: f"重点领域占比下限 {m[1]} → {m[2]}"),
    (r"supporter floor \((\w+)\) off", lambda m: f"取消帮扶下限（原为{_MODES.get(m[1], m[1])}）"),
    (r"\w+ rules dropped", lambda m: "去掉全部此类规则"),
    (r"locks released", lambda m: "解除全部锁定"),
]

#: The smallest relaxation that resolves an infeasible plan (a rule's ``smallest`` part).
_RELAXATIONS: list[tuple[str, _Sub]] = [
    (
        r"(Lower|Raise) (\w+) from (\S+) to (\S+)\.",
        lambda m: f"将 {m[2]} 由 {m[3]} {'降低' if m[1] == 'Lower' else '提高'}到 {m[4]}。",
    ),
    (
        r"A budget of about ([\d,.]+) 万元 a year \(now ([\d,.]+), ×([\d.]+)\) would make the "
        r"plan feasible\.",
        lambda m: f"年度预算约 {m[1]} 万元（现为 {m[2]}，×{m[3]}）即可使方案可行。",
    ),
    (
        r"The hard supporter floor can be met only up to about ([\d,.]+) 万元 a year "
        r"\(plan: ([\d,.]+)\); use floor_mode = 'soft' to report the shortfalls instead\.",
        lambda m: (
            f"支援方帮扶资金硬下限最多只能满足到每年约 {m[1]} 万元（计划 {m[2]} 万元）；"
            "可改用 floor_mode = 'soft'，报告缺口。"
        ),
    ),
    (r"Release some locked projects: (.*)\.", lambda m: f"解除部分锁定项目：{m[1]}。"),
    (
        r"Drop or edit the (\w+) rules of the pool\.",
        lambda m: f"删除或修改项目库中的{_rule_zh(m[1])}规则。",
    ),
]

#: Why a project is out before the solve (:class:`allocation.problem.LeftOut`).
_LEFT_OUT: list[tuple[str, _Sub]] = [
    (
        r"cannot start in (\d+) or later and end by (\d+) \((\d+) years\)",
        lambda m: f"无法在 {m[1]} 年或之后开工并于 {m[2]} 年前完成（执行期 {m[3]} 年）",
    ),
    (
        r"excluded by the settings \(excluded_projects\)",
        lambda m: "已在设置中排除（excluded_projects）",
    ),
    (
        r"supporter (.+) is not paired with (.+) \(paired with (.*)\)",
        lambda m: f"支援方{m[1]}未与{m[2]}结对（其结对方：{m[3]}）",
    ),
    (
        r"requires (\S+), which cannot be funded \((.*)\)",
        lambda m: f"需要的 {m[1]} 无法资助（{left_out(m[2])}）",
    ),
]


def _apply(table: list[tuple[str, _Sub]], text: str) -> str | None:
    for pattern, sub in table:
        m = re.fullmatch(pattern, text)
        if m is not None:
            return sub(m)
    return None


def blocker(text: str) -> str:
    """A rule's reason for keeping a project out, in Chinese (unchanged when unknown)."""
    return _apply(_BLOCKERS, text) or text


def change(text: str) -> str:
    """A rule-cost step (``"pair share cap 10% → 15%"``) in Chinese (unchanged when unknown)."""
    return _apply(_CHANGES, text) or text


def relaxation(text: str) -> str:
    """A smallest relaxation's sentence in Chinese (unchanged when unknown)."""
    return _apply(_RELAXATIONS, text) or text


def left_out(text: str) -> str:
    """Why a project was left out before the solve, in Chinese (unchanged when unknown)."""
    return _apply(_LEFT_OUT, text) or text


def phrase(text: str) -> str:
    """Any of the engine's phrases above in Chinese (unchanged when no pattern knows it)."""
    for table in (_BLOCKERS, _CHANGES, _RELAXATIONS, _LEFT_OUT):
        found = _apply(table, text)
        if found is not None:
            return found
    return text


def known(text: str) -> bool:
    """Whether a pattern knows ``text`` (the tests list the phrases without a translation)."""
    return any(_apply(t, text) is not None for t in (_BLOCKERS, _CHANGES, _RELAXATIONS, _LEFT_OUT))
