"""``--format table`` (the default): the terminal report, with CJK-aligned tables.

A report is a header (scenario, hash, status, objective, the applied changes, a diagnosis)
and sections ``[title]`` of at most 60 rows each; every column of every table goes to
``--format csv`` and ``--out``, the terminal shows the columns a planner reads first.

pandas is imported inside the functions: this module is loaded with the format registry by
``shanchuan --help``, which must not load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from shanchuan.outputs.base import Format, OutputOptions

if TYPE_CHECKING:
    import pandas as pd

#: Rows of one section shown in the terminal (the rest: ``--format csv`` or ``--out DIR``).
ROW_LIMIT = 60

#: Columns of the allocation tables shown in the terminal (all columns go to --out / csv).
ALLOCATION_VIEWS: dict[str, list[str]] = {
    "per_year": [
        "year",
        "projects",
        "new_projects",
        "special_fund_wan",
        "budget_wan",
        "budget_use",
        "supporter_total_wan",
        "priority_share",
    ],
    "per_pair": [
        "recipient",
        "supporter",
        "projects",
        "priority_projects",
        "special_fund_wan",
        "supporter_aid_wan",
        "years_covered",
        "shortfall_wan",
    ],
    "per_category": [
        "category_zh",
        "category_en",
        "plan_section",
        "projects",
        "special_fund_wan",
        "share",
    ],
}


def emit(outcome: Any, stream: IO[str], options: OutputOptions) -> None:
    """Write the terminal report of ``outcome`` to ``stream``."""
    stream.write(report(outcome, options) + "\n")


#: Terminal width the tables fit by default (``--wide``: no limit).
WIDTH = 120


@dataclass(frozen=True)
class View:
    """How a report is shown: its language and the width its tables fit (0: any)."""

    lang: str = "zh"
    width: int = WIDTH


def view_of(outcome: Any, options: OutputOptions | None) -> View:
    """The view asked for by ``options`` (``--lang``, ``--wide``) for ``outcome``."""
    from shanchuan import labels

    options = options or OutputOptions()
    return View(
        labels.language_of(outcome, options.lang), 0 if options.wide else WIDTH
    )


def report(outcome: Any, options: OutputOptions | None = None) -> str:
    """The terminal report of a match, allocate or run outcome."""
    # Told apart by their parts, not their classes: the output room knows the outcome
    # interface only (see shanchuan.outputs.base.Outcome), so the pipeline may change behind it.
    if hasattr(outcome, "report_lines"):  # a comparison renders itself (shanchuan.comparison)
        return "\n".join(outcome.report_lines())
    v = view_of(outcome, options)
    if hasattr(outcome, "allocation"):  # a run: the pairing (unless a pair file), then the fund
        parts = []
        matched = _run_matching(outcome)
        if matched is not None:
            parts.append("\n".join(["== pairing", *match_report(matched, v)]))
        parts.append("\n".join(["== special fund", *allocation_report(outcome.allocation, v)]))
        return "\n\n".join(parts)
    if hasattr(outcome, "analyses"):
        return "\n".join(match_report(outcome, v))
    return "\n".join(allocation_report(outcome, v))


def _run_matching(outcome: Any) -> Any:
    # The pairing step of a run outcome: ``matching`` in the staged pipeline, ``match`` before.
    if hasattr(outcome, "matching"):
        return outcome.matching
    return getattr(outcome, "match", None)


#: The unit of each engine's objective, printed beside it: a pairing's objective is the sum of
#: its pairs' weighted scores, an allocation's is benefit minus penalty in person-equivalents
#: (:meth:`allocation.AllocationResult.objective_decomposition`). Objectives of different
#: weightings are not comparable, so none is printed beside another's.
OBJECTIVE_UNITS = {"matching": "score points", "allocation": "person-equivalents"}


def status_text(status: Any, gap: Any) -> str:
    """``optimal`` (proven, gap <= 1e-6), else e.g. ``feasible, gap 0.04 %``: one wording."""
    from solverkit.progress import OPTIMALITY_TOLERANCE

    text = str(status)
    if text in ("optimal", "feasible") and isinstance(gap, int | float):
        if text == "optimal" and gap > OPTIMALITY_TOLERANCE:
            text = "feasible"
        if text == "feasible":
            return f"feasible, gap {100 * gap:.2f} %"
    if text == "feasible":
        return "feasible, gap unknown"
    return text


def header(
    d: dict[str, Any], outcome: Any, *, diagnosis: bool = True, view: View | None = None
) -> list[str]:
    """Scenario and hash, status, objective with its unit and decomposition, changes, diagnosis."""
    v = view or View()
    prov = d.get("provenance", {})
    objective = d.get("objective")
    engine = "allocation" if hasattr(outcome, "pairs_source") else "matching"
    unit = OBJECTIVE_UNITS[engine]
    lines = [
        f"scenario: {prov.get('scenario')}   hash: {str(prov.get('scenario_hash', ''))[:12]}",
        f"status: {status_text(d.get('status'), d.get('gap'))}"
        + (f"   objective: {objective:,.4f} {unit}" if isinstance(objective, float) else ""),
    ]
    from shanchuan.outputs import render

    for line in objective_lines(d, engine, v):  # long: wrapped to the view's width
        lines += render.wrap(line.strip(), v.width, indent="  ") if v.width else [line]
    lines += [
        f"  {c['key']}: {c['old']} -> {c['new']} ({c['source']})" for c in prov.get("changes", [])
    ]
    if diagnosis and getattr(outcome, "diagnosis", None) is not None:
        lines.append(_message(outcome.diagnosis, v.lang))
    return lines


def objective_lines(d: dict[str, Any], engine: str, view: View) -> list[str]:
    """What the objective is made of: criteria shares (pairing), benefit − penalty (allocation)."""
    from shanchuan import labels

    if engine == "matching":
        shares = d.get("objective_shares") or {}
        if not shares:
            return []
        parts = [f"{labels.header(k, view.lang)} {v:.1%}" for k, v in shares.items()]
        sep = "，" if view.lang == "zh" else ", "
        return [f"  {labels.text('criteria_shares', view.lang)}: " + sep.join(parts)]
    dec = (d.get("summary") or {}).get("objective_decomposition")
    if not dec:
        return []
    text = dec.get("text_zh" if view.lang == "zh" else "text") or dec.get("text", "")
    return [f"  {labels.text('decomposition', view.lang)}: {text}"]


def _message(diagnosis: Any, lang: str) -> str:
    try:
        return str(diagnosis.message(lang))
    except TypeError:  # a diagnosis that speaks one language
        return str(diagnosis.message())


def section(
    title: str,
    frame: pd.DataFrame,
    limit: int = ROW_LIMIT,
    digits: int = 3,
    view: View | None = None,
) -> list[str]:
    """``[title]`` and the first ``limit`` rows of ``frame``; nothing when it is empty.

    Headers are the columns' labels in the view's language; the table fits the view's width
    (long text cut with ``…``; ``--wide`` shows it whole).
    """
    from shanchuan import labels
    from shanchuan.outputs import render

    v = view or View()
    if frame.empty:
        return []
    shown = frame.head(limit).rename(columns=lambda c: labels.header(str(c), v.lang))
    lines = ["", f"[{title}]", render.table(shown, digits=digits, fit=v.width or None)]
    if len(frame) > limit:
        lines.append(labels.text("more_rows", v.lang).format(n=len(frame) - limit))
    return lines


def match_report(outcome: Any, view: View | None = None) -> list[str]:
    """The pairing: pairs with reasons, and each analysis that was asked for."""
    import pandas as pd

    v = view or view_of(outcome, None)
    d = outcome.to_dict()
    lines = header(d, outcome, view=v)
    if not outcome.result.pairs:
        return lines
    pairs = outcome.result.pairs_frame()
    dist = next(c for c in pairs.columns if c.startswith("distance_"))
    frame = pairs[["recipient", "supporter", "score", dist]].copy()
    expl = outcome.analyses.get("explanations")
    if isinstance(expl, pd.DataFrame):
        frame["reasons"] = expl["reasons"].to_numpy()
    lines += section("pairs", frame, view=v)
    forcing = outcome.analyses.get("forcing_costs")
    if isinstance(forcing, pd.DataFrame):
        lines += section(
            "next-best partner per recipient (cost of forcing it)",
            next_best(forcing, outcome),
            view=v,
        )
    alts = outcome.analyses.get("alternatives")
    if isinstance(alts, pd.DataFrame):
        lines += section(
            "alternatives", alts[["rank", "objective", "loss", "changes"]], digits=4, view=v
        )
    sens = outcome.analyses.get("sensitivity")
    if sens is not None:
        lines += [
            "",
            f"[sensitivity] {sens.samples} samples, {sens.setting()}: the pairing is "
            f"reproduced exactly in {sens.reproduced_share:.1%} of samples",
        ]
        partners = sens.partners
        freq_col = next((c for c in partners.columns if "base" in c and "freq" in c), None)
        if freq_col is not None:
            lines += section(
                "pairs chosen in under 90 % of samples",
                partners[partners[freq_col] < 0.9],
                view=v,
            )
    blocking = outcome.analyses.get("blocking_pairs")
    if isinstance(blocking, pd.DataFrame):
        lines += ["", f"[stability] {len(blocking)} blocking pair(s) against the willingness lists"]
        lines += section("blocking pairs", blocking, view=v)
    return lines


def next_best(forcing: pd.DataFrame, outcome: Any) -> pd.DataFrame:
    """Per recipient, the partner whose forcing costs the least objective (and that loss)."""
    import pandas as pd

    names = outcome.problem.names
    candidates = forcing[forcing["status"].isin(["optimal", "feasible"])]
    rows = []
    for r in outcome.problem.recipients:
        sub = candidates[candidates["recipient"] == r]
        if sub.empty:
            continue
        best = sub.loc[sub["loss"].idxmin()]
        rows.append(
            {"recipient": names[r], "next_best": names[best["supporter"]], "loss": best["loss"]}
        )
    return pd.DataFrame(rows, columns=["recipient", "next_best", "loss"])


def allocation_report(outcome: Any, view: View | None = None) -> list[str]:
    """The funded plan: per year, pair and category, fairness, and the findings."""
    from shanchuan.outputs import render

    v = view or view_of(outcome, None)
    d = outcome.to_dict()
    lines = header(d, outcome, diagnosis=False, view=v)  # the findings carry the diagnosis
    lines.append(f"pairs: {outcome.pairs_source}")
    if outcome.status in ("optimal", "feasible", "failed"):
        frames = outcome.result.summary_frames()
        for name, columns in ALLOCATION_VIEWS.items():
            frame = frames[name][[c for c in columns if c in frames[name].columns]].copy()
            for col in frame.columns:
                if col.endswith(("share", "_use")):  # shares read as percentages
                    frame[col] = frame[col].map(lambda x: f"{x:.1%}")
            lines += section(name, frame, digits=1, view=v)
        fairness = d["summary"]["fairness"]
        lines += ["", "[fairness: special fund per recipient over the years]"]
        per_head = "元/人" if v.lang == "zh" else "元 per head"
        for key, label in (("special_fund_wan", "万元"), ("yuan_per_head", per_head)):
            f = fairness.get(key) or {}
            if f:
                lines.append(
                    f"  {label}: min {f['min']:,.1f} ({f['min_recipient']}), "
                    f"max {f['max']:,.1f} ({f['max_recipient']}), Gini {f['gini']:.3f}"
                )
    explained = findings(outcome, v.lang)
    if explained:
        lines += ["", "[findings]"]
        for line in explained:
            lines += render.wrap(line, v.width, indent="  ") if v.width else [f"  {line}"]
    return lines


def findings(outcome: Any, lang: str) -> list[str]:
    """The allocation's findings in ``lang``: rule costs and shortfalls in that language.

    English is the engine's own :meth:`~allocation.AllocationResult.explain`; in Chinese the
    status, shortfall and rule-cost lines are written from the same records.
    """
    result = outcome.result
    if lang != "zh":
        return list(result.explain())
    lines = [f"求解结果：{result.status.value}；方案核验：{result.solution_status}。"]
    ver = result.verification
    if ver:
        for viol in ver.violations:
            lines.append(f"违反规则 {viol.subject}：{viol.message}")
        for (k, y), g in sorted(ver.shortfalls.items()):
            pair = result.problem.pairs[k]
            lines.append(
                f"{result.problem.name(pair.supporter)} → {result.problem.name(pair.recipient)} "
                f"{y} 年：支援方帮扶资金比下限少 {g:,.1f} 万元。"
            )
    lines.extend(r.text_zh or r.text for r in result.rule_costs)
    for u in result.unfunded:
        lines.append(f"未入选 {u.id}（{u.recipient}，{u.category}）：{u.detail}")
    if result.diagnosis:
        lines.append(_message(result.diagnosis, "zh"))
    return lines


FORMAT = Format(
    name="table",
    description="the terminal report: header, diagnosis and aligned tables (CJK-aware)",
    emit=emit,
    stdout=True,
)
